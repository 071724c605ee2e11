package reports_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/provost-dev/provost/reports"
)

// inertCase says which hostile names must reach a format.
type inertCase struct {
	format reports.Format
	names  []string
}

// TestHostileNamesInert renders the fixture, whose people, principals, accounts, messages,
// evidence and waivers carry markup, quotes, formulas and Markdown, and checks beyond the
// golden files that each format carries every name as text and nothing as markup or formula.
func TestHostileNamesInert(t *testing.T) {
	r := fixtureReport(t)
	all := []string{hostileScript, hostileFormula, hostileQuotes, hostileMarkdown, hostileAccount}
	cases := []inertCase{
		{reports.FormatHTML, all},
		{reports.FormatReviewHTML, []string{hostileScript, hostileFormula, hostileQuotes, hostileAccount}},
		{reports.FormatJSON, all},
		{reports.FormatCSV, []string{hostileScript, hostileFormula, hostileQuotes, hostileMarkdown, hostileAccount}},
		{reports.FormatReviewCSV, []string{hostileScript, hostileFormula, hostileQuotes, hostileAccount}},
		{reports.FormatMarkdown, []string{hostileScript, `"Sec" <ops@corp.com>`, "contractors | temporary =SUM(A1)"}},
		{reports.FormatOCSF, []string{hostileScript, hostileFormula, hostileQuotes, hostileMarkdown, hostileAccount}},
		{reports.FormatSARIF, []string{hostileScript, hostileFormula, hostileQuotes, hostileMarkdown}},
		{reports.FormatJUnit, []string{hostileScript, hostileFormula, hostileQuotes, hostileMarkdown}},
	}
	for _, c := range cases {
		t.Run(string(c.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.Render(&b, c.format, r); err != nil {
				t.Fatal(err)
			}
			assertInert(t, c.format, b.Bytes(), c.names)
		})
	}
}

var (
	scriptTag = regexp.MustCompile(`(?i)<script\b`)
	markupTag = regexp.MustCompile(`(?i)<(img|iframe|svg onload|b>|i>)`)
)

// assertInert checks one rendered format: every name in names reaches it, and no string
// became markup or a formula.
func assertInert(t *testing.T, format reports.Format, out []byte, names []string) {
	t.Helper()
	text := string(out)
	switch format {
	case reports.FormatHTML, reports.FormatReviewHTML:
		// Only the page's own scripts: the data blob and the code (HTML), the code (review).
		want := 2
		if format == reports.FormatReviewHTML {
			want = 1
		}
		if got := len(scriptTag.FindAllString(text, -1)); got != want {
			t.Errorf("%d <script> tags, want %d (the page's own)", got, want)
		}
		if m := markupTag.FindString(text); m != "" {
			t.Errorf("markup from the data reached the page: %q", m)
		}
		checkCSP(t, text)
		for _, n := range names {
			if strings.Contains(text, n) && strings.ContainsAny(n, `<>"&`) {
				t.Errorf("%q appears unescaped", n)
			}
			jsonEscaped, _ := json.Marshal(n)
			if !strings.Contains(html.UnescapeString(text), n) && !strings.Contains(text, strings.Trim(string(jsonEscaped), `"`)) {
				t.Errorf("%q does not reach the page, neither as escaped text nor in the data", n)
			}
		}
	case reports.FormatCSV, reports.FormatReviewCSV:
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]bool{}
		for i, row := range rows {
			for j, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("row %d column %d starts a formula: %q", i+1, j+1, cell)
				}
				cells[cell] = true
			}
		}
		for _, n := range names {
			want := n
			if strings.ContainsRune("=+-@\t\r", rune(n[0])) {
				want = "'" + n
			}
			if !cells[want] && !containsCell(cells, want) {
				t.Errorf("no cell holds %q", want)
			}
		}
	case reports.FormatMarkdown:
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(strings.TrimPrefix(line, ">"), ">") || strings.Contains(line, "<") {
				t.Errorf("raw < or > in Markdown (only a blockquote may start with >): %q", line)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			if !strings.HasPrefix(line, "|") {
				continue
			}
			// Every table row of a table has as many unescaped pipes as its header.
			if n := unescapedPipes(line); n < 3 {
				t.Errorf("table row with %d cell separators: %q", n, line)
			}
		}
		checkMarkdownTables(t, text)
		for _, n := range names {
			if !strings.Contains(text, mdEscaped(n)) {
				t.Errorf("%q does not reach the Markdown as %q", n, mdEscaped(n))
			}
		}
	case reports.FormatJSON, reports.FormatSARIF, reports.FormatOCSF:
		if strings.ContainsAny(text, "<>") {
			t.Errorf("raw < or > in %s output: %q", format, firstLineWith(text, "<>"))
		}
		strs := map[string]bool{}
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var v any
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			collectStrings(v, strs)
		}
		for _, n := range names {
			if !strs[n] && !containsCell(strs, n) {
				t.Errorf("no string holds %q", n)
			}
		}
	case reports.FormatJUnit:
		if scriptTag.MatchString(text) || markupTag.MatchString(text) {
			t.Error("markup from the data reached the XML unescaped")
		}
		strs := map[string]bool{}
		dec := xml.NewDecoder(bytes.NewReader(out))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("the XML is not well formed: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				for _, a := range tok.Attr {
					strs[a.Value] = true
				}
			case xml.CharData:
				strs[string(tok)] = true
			}
		}
		for _, n := range names {
			if !containsCell(strs, n) {
				t.Errorf("no attribute or text holds %q", n)
			}
		}
	default:
		t.Fatalf("no inertness check for %s", format)
	}
}

var (
	cspMeta    = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	codeScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
)

// checkCSP checks that the page forbids every load and allows exactly its own script, by hash.
func checkCSP(t *testing.T, page string) {
	t.Helper()
	m := cspMeta.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy meta element")
	}
	policy := html.UnescapeString(m[1])
	scripts := codeScript.FindAllStringSubmatch(page, -1)
	if len(scripts) != 1 {
		t.Fatalf("%d executable scripts, want 1", len(scripts))
	}
	sum := sha256.Sum256([]byte(scripts[0][1]))
	want := "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
	if policy != want {
		t.Errorf("Content-Security-Policy = %q, want %q", policy, want)
	}
}

func containsCell(cells map[string]bool, s string) bool {
	for c := range cells {
		if strings.Contains(c, s) {
			return true
		}
	}
	return false
}

func collectStrings(v any, out map[string]bool) {
	switch v := v.(type) {
	case string:
		out[v] = true
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	case map[string]any:
		for k, x := range v {
			out[k] = true
			collectStrings(x, out)
		}
	}
}

func firstLineWith(text, chars string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.ContainsAny(l, chars) {
			return l
		}
	}
	return ""
}

// unescapedPipes counts the | not preceded by a backslash.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// checkMarkdownTables checks that the rows of each table have the header's column count.
func checkMarkdownTables(t *testing.T, text string) {
	t.Helper()
	want := -1
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		n := unescapedPipes(line)
		if want < 0 {
			want = n
			continue
		}
		if n != want {
			t.Errorf("table row has %d separators, its header %d: %q", n, want, line)
		}
	}
}

// mdEscaped is how the Markdown renderer writes text.
func mdEscaped(s string) string {
	return strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
		"|", `\|`, "~", `\~`, "!", `\!`, "#", `\#`, "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
