package collector

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMapping(t *testing.T) {
	good := "\uFEFF{\n  \"arn:aws:iam::111122223333:user/deploy\": \"workday:E100\",\n  \"ci-bot\": \" ada@corp.example \"\n}\n"
	got, err := ParseMapping("map.json", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"arn:aws:iam::111122223333:user/deploy": "workday:E100", "ci-bot": "ada@corp.example"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mapping (-want +got):\n%s", diff)
	}
	tests := []struct{ in, want string }{
		{"", "map.json:1: the JSON ends too early"},
		{"[]", `map.json:1: want one JSON object mapping principal IDs or names to person IDs or emails, e.g. {"ci-bot": "ada@corp.example"}`},
		{"{\n\"a\": \"x\",\n\"a\": \"y\"\n}", `map.json:3: "a" is mapped twice (first on line 2)`},
		{"{\n\"a\": 1\n}", `map.json:2: "a": want a person ID or email string, got 1`},
		{"{\n\"a\": [\"x\"]\n}", `map.json:2: "a": want a person ID or email string, got an array`},
		{"{\"\": \"x\"}", `map.json:1: an empty principal ID or name`},
		{"{\"a\": \" \"}", `map.json:1: "a" maps to an empty person`},
		{"{\n\"a\": \"x\"\n\"b\": \"y\"}", `map.json:3: invalid JSON: invalid character '"' after object key:value pair`},
		{"{\"a\": \"x\"} {}", `map.json:1: unexpected data after the mapping object`},
	}
	for _, tt := range tests {
		_, err := ParseMapping("map.json", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseMapping(%q) error = %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestLoadMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.json")
	if err := os.WriteFile(path, []byte(`{"ci-bot": "workday:E1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadMapping(path)
	if err != nil || got["ci-bot"] != "workday:E1" {
		t.Fatalf("LoadMapping = %v, %v", got, err)
	}
	if _, err := LoadMapping(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadMapping of a missing file succeeded")
	}
}

func FuzzParseMapping(f *testing.F) {
	f.Add([]byte(`{"a": "b", "c": "d"}`))
	f.Add([]byte("{\n\"a\": 1}"))
	f.Add([]byte(`{"a": "b"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping("f.json", data)
		if err != nil {
			return
		}
		for k, v := range m {
			if k == "" || v == "" {
				t.Fatalf("empty entry %q → %q", k, v)
			}
		}
	})
}
