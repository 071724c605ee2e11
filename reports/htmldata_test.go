package reports

import (
	"encoding/json"
	"testing"
)

// FuzzJSONString checks the HTML data's string encoder against encoding/json, which escapes
// <, > and &, U+2028 and U+2029, and replaces invalid UTF-8.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `<script>alert(1)</script>`, `"quoted" \back\slash`, "tab\tnew\nline\rcr\x00\x1f\x7f",
		"a&b", "\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🙂 and é", "</script><!--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var w jsonw
		w.str(s)
		if string(w.b) != string(want) {
			t.Errorf("str(%q) = %s, encoding/json gives %s", s, w.b, want)
		}
	})
}

func TestCompactNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1k", 1500: "1.5k", 50000: "50k", 100000: "100k", 1250000: "1.2M", 2000000: "2M"} {
		if got := compactNumber(n); got != want {
			t.Errorf("compactNumber(%d) = %q, want %q", n, got, want)
		}
	}
}
