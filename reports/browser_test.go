package reports_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/reports"
)

// browserPage is one headless Chromium tab (testpeer.Browser) that also counts JavaScript
// dialogs instead of showing them: an alert that runs means a hostile name ran.
type browserPage struct {
	*testpeer.Browser
}

// close stops the browser.
func (b *browserPage) close() { b.Close() }

func (b *browserPage) must(tb testing.TB, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		tb.Fatal(err)
	}
}

func newBrowserPage(t testing.TB) *browserPage {
	t.Helper()
	b := &browserPage{testpeer.NewBrowser(t)}
	// An alert that runs anyway is counted, not shown.
	if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__alerts = 0; window.alert = window.confirm = window.prompt = function () { window.__alerts++; };`,
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func (b *browserPage) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func evalIn[T any](t *testing.T, b *browserPage, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitCount waits until the findings count shows want, and fails with what it shows.
func (b *browserPage) waitCount(t *testing.T, what string, want int) {
	t.Helper()
	expr := fmt.Sprintf(`document.getElementById("f-count").getAttribute("data-count") === "%d"`, want)
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		got := evalIn[string](t, b, `document.getElementById("f-count").getAttribute("data-count")`)
		t.Fatalf("%s: the table shows %s findings, want %d (%v)", what, got, want, err)
	}
	rows := evalIn[int](t, b, `document.querySelectorAll("#f-body tr[data-finding]").length`)
	if wantRows := min(want, 50); rows != wantRows {
		t.Fatalf("%s: %d rows in the DOM, want %d (one page)", what, rows, wantRows)
	}
}

// setControl sets an input's or select's value and fires the event the page listens to.
func (b *browserPage) setControl(t *testing.T, selector, value, event string) {
	t.Helper()
	expr := fmt.Sprintf(`(function () { var e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event(%q)); return e.value; })()`, selector, value, event)
	if got := evalIn[string](t, b, expr); got != value {
		t.Fatalf("set %s to %q: it holds %q", selector, value, got)
	}
}

func writeReport(t *testing.T, dir, name string, format reports.Format, r *reports.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.Render(&buf, format, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileURL(path string) string { return (&url.URL{Scheme: "file", Path: path}).String() }

// TestBrowserReport opens the fixture report in headless Chromium: it loads with no console
// error, no hostile name runs, search and the severity filter change the row count exactly,
// the detail view opens with the principal's evidence and remediation, and screenshots are
// written as artifacts.
func TestBrowserReport(t *testing.T) {
	art := testpeer.ArtifactDir(t)
	path := writeReport(t, t.TempDir(), "report.html", reports.FormatHTML, fixtureReport(t))
	b := newBrowserPage(t)
	b.do(t, "open the report", chromedp.Navigate(fileURL(path)), chromedp.WaitVisible(chromedp.CSS("#f-body tr[data-finding]")))

	// 15 findings, one resolved: the default view hides resolved ones.
	b.waitCount(t, "initial view", 14)
	if got := evalIn[int](t, b, `document.querySelectorAll("#coverage-banner li").length`); got != 1 {
		t.Errorf("coverage banner lists %d incomplete scopes, want 1", got)
	}

	b.do(t, "search", chromedp.SendKeys(chromedp.CSS("#f-search"), "mallory"))
	b.waitCount(t, "search mallory", 1)
	b.setControl(t, "#f-search", "", "input")
	b.waitCount(t, "search cleared", 14)

	b.do(t, "filter critical", chromedp.Click(chromedp.CSS(`.chip[data-sev="critical"]`)))
	b.waitCount(t, "critical only", 3)
	b.do(t, "add high", chromedp.Click(chromedp.CSS(`.chip[data-sev="high"]`)))
	b.waitCount(t, "critical and high", 6)
	b.setControl(t, "#f-status", "all", "change")
	b.waitCount(t, "critical and high, resolved included", 6)
	b.setControl(t, "#f-framework", "CIS-GCP", "change")
	b.waitCount(t, "critical and high in CIS GCP", 1)
	b.do(t, "reset", chromedp.Click(chromedp.CSS("#f-reset")))
	b.waitCount(t, "reset", 14)

	shot, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "report.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}

	// The detail view of the leaver's principal, whose owner's name is a script tag.
	b.do(t, "search leaver", chromedp.SendKeys(chromedp.CSS("#f-search"), "PV-IDN-002"))
	b.waitCount(t, "search PV-IDN-002", 1)
	b.do(t, "open detail", chromedp.Click(chromedp.CSS("#f-body tr[data-finding] button.principal")), chromedp.WaitVisible(chromedp.CSS("#detail")))
	if got := evalIn[bool](t, b, `document.getElementById("detail").open`); !got {
		t.Fatal("the detail dialog is not open")
	}
	for _, c := range []struct{ expr, want string }{
		{`document.getElementById("detail-title").textContent`, "mallory@corp.com"},
		{`document.getElementById("detail-id").textContent`, mallory},
		{`document.querySelector("#detail-body .facts dd").textContent`, "corp.com (organizations/1)"},
		{`document.querySelectorAll("#detail-body .facts dd")[1].textContent`, hostileScript + " <mallory@corp.com>"},
		{`document.querySelector("#detail-body .finding-card.focus h4").textContent`, "Leaver still has access"},
		{`document.querySelector("#detail-body .finding-card.focus .remediation").textContent`, "Suggested remediation (disable_principal): Disable the account, then remove its grants."},
		{`Array.from(document.querySelectorAll("#detail-body .evidence tbody tr")).map(r => r.textContent).join("|")`,
			"end_date2025-05-20|grants[\"roles/owner\"]|personhr:2|person_name" + hostileScript},
		{`Array.from(document.querySelectorAll("#detail-body h3")).map(h => h.textContent).join("|")`, "Findings (1)|Grants (3)"},
	} {
		if got := evalIn[string](t, b, c.expr); got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
	shot, err = chromedp.Run(b.Ctx, chromedp.Screenshot(chromedp.CSS("#detail")))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "report-detail.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}
	b.do(t, "close detail", chromedp.Click(chromedp.CSS("#detail-close")))
	if got := evalIn[bool](t, b, `document.getElementById("detail").open`); got {
		t.Error("the detail dialog is still open after Close")
	}

	// No hostile name became markup anywhere.
	if n := evalIn[int](t, b, `window.__alerts`); n != 0 {
		t.Errorf("%d alert() calls ran: a hostile name was executed", n)
	}
	if n := evalIn[int](t, b, `document.querySelectorAll("main script, main img, dialog script, dialog img").length`); n != 0 {
		t.Errorf("%d script or img elements inside the report body: a hostile name became markup", n)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
	t.Logf("screenshots in %s", art)
}

// TestBrowserReview opens the access review workbook: no console error, one row per account
// to certify, and a decision survives a reload.
func TestBrowserReview(t *testing.T) {
	art := testpeer.ArtifactDir(t)
	path := writeReport(t, t.TempDir(), "review.html", reports.FormatReviewHTML, fixtureReport(t))
	b := newBrowserPage(t)
	b.do(t, "open the workbook", chromedp.Navigate(fileURL(path)), chromedp.WaitReady(chromedp.CSS("tr[data-principal]")))
	if got := evalIn[int](t, b, `document.querySelectorAll("tr[data-principal]").length`); got != 6 {
		t.Errorf("%d rows to certify, want 6", got)
	}
	if got := evalIn[int](t, b, `document.querySelectorAll("section.review-group").length`); got != 3 {
		t.Errorf("%d review groups, want 3", got)
	}
	b.setControl(t, `tr[data-principal="gcp:user:mallory@corp.com"] select`, "revoke", "change")
	b.do(t, "reload", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("tr[data-principal]")))
	if got := evalIn[string](t, b, `document.querySelector('tr[data-principal="gcp:user:mallory@corp.com"] select').value`); got != "revoke" {
		t.Errorf("decision after reload = %q, want revoke", got)
	}
	shot, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(art, "review.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := evalIn[int](t, b, `window.__alerts`); n != 0 {
		t.Errorf("%d alert() calls ran: a hostile name was executed", n)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported problems:\n%s", strings.Join(p, "\n"))
	}
}
