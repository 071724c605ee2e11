package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/internal/testpeer"
)

// browser is one headless Chromium tab that records console errors, exceptions, error log
// entries and dialogs.
// browser is one headless Chromium tab; see testpeer.Browser.
type browser struct {
	*testpeer.Browser
}

func newBrowser(t *testing.T) *browser { return &browser{testpeer.NewBrowser(t)} }

func (b *browser) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate, failing with what show evaluates to.
func (b *browser) waitFor(t *testing.T, what, pred, show string) {
	t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.Poll[chromedp.Void](pred, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		problems := strings.Join(b.Problems(), "\n")
		t.Fatalf("%s: %v (page shows %s)\nbrowser problems:\n%s", what, err, eval[string](t, b, show), problems)
	}
}

func (b *browser) shot(t *testing.T, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDashboard signs in to the dashboard in headless Chromium with the API token and
// walks its pages over real audit data: the overview's severity counts, a findings filter that
// changes the count exactly, a principal page with its history, the drift timeline and the
// runs; no console error on the way, and a screenshot of each page as an artifact.
func TestBrowserDashboard(t *testing.T) {
	art := testpeer.ArtifactDir(t)
	l := startLive(t, DefaultConfig(), nil)
	run1 := l.runNow(t)
	writeOrg(t, l.orgPath, changedOrg(t))
	run2 := l.runNow(t)
	res := run2.Result

	b := newBrowser(t)
	b.do(t, "open the dashboard", chromedp.Navigate(l.base+"/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	b.do(t, "sign in", chromedp.SendKeys(chromedp.CSS("#token"), testToken), chromedp.Click(chromedp.CSS("#login-form button")))
	b.waitFor(t, "overview", `document.body.getAttribute("data-loaded") === "overview"`, `document.body.getAttribute("data-loaded") + " " + document.getElementById("page").innerText`)
	var tiles []string
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		tiles = append(tiles, fmt.Sprintf("%s %d", s, res.Open[s]))
	}
	got := eval[string](t, b, `Array.from(document.querySelectorAll("#sev-tiles .sev-tile")).map(function (a) { return a.getAttribute("data-severity") + " " + a.querySelector(".n").textContent; }).join(",")`)
	if got != strings.Join(tiles, ",") {
		t.Errorf("overview tiles %q, want %q", got, strings.Join(tiles, ","))
	}
	if n := eval[int](t, b, `document.querySelectorAll("#trend circle").length`); n != 2 {
		t.Errorf("trend has %d points, want 2", n)
	}
	if css := eval[string](t, b, `getComputedStyle(document.querySelector(".topbar")).backgroundColor`); css != "rgb(255, 255, 255)" {
		t.Errorf("topbar background %q: the report stylesheet did not load", css)
	}
	b.shot(t, art, "dashboard-overview.png")

	b.do(t, "findings", chromedp.Navigate(l.base+"/dashboard/#findings"))
	b.waitFor(t, "all findings", fmt.Sprintf(`document.getElementById("f-count") && document.getElementById("f-count").getAttribute("data-count") === "%d"`, len(res.Findings)), `document.getElementById("page").innerText`)
	crit := 0
	for _, f := range res.Findings {
		if f.Severity == finding.SeverityCritical {
			crit++
		}
	}
	eval[string](t, b, `(function () { var s = document.getElementById("f-severity"); s.value = "critical"; s.dispatchEvent(new Event("change")); return s.value; })()`)
	b.waitFor(t, "severity filter", fmt.Sprintf(`document.getElementById("f-count") && document.getElementById("f-count").getAttribute("data-count") === "%d"`, crit), `document.getElementById("f-count").getAttribute("data-count")`)
	if rows := eval[int](t, b, `document.querySelectorAll("#findings-body tr[data-finding]").length`); rows != crit {
		t.Errorf("%d rows after the critical filter, want %d", rows, crit)
	}
	b.shot(t, art, "dashboard-findings.png")

	ci := "arn:aws:iam::111122223333:user/ci-deploy"
	b.do(t, "principal", chromedp.Navigate(l.base+"/dashboard/#principal/"+ci))
	b.waitFor(t, "principal page", `document.body.getAttribute("data-loaded") === "principal"`, `document.getElementById("page").innerText`)
	if h := eval[string](t, b, `document.querySelector("#principal-card h2").textContent`); h != ci {
		t.Errorf("principal page heading %q, want %q", h, ci)
	}
	if n := eval[int](t, b, `document.querySelectorAll("#history-body tr").length`); n != 2 {
		t.Errorf("history rows %d, want 2", n)
	}
	b.shot(t, art, "dashboard-principal.png")

	b.do(t, "drift", chromedp.Navigate(l.base+"/dashboard/#drift"))
	b.waitFor(t, "drift page", `document.body.getAttribute("data-loaded") === "drift"`, `document.getElementById("page").innerText`)
	if n := eval[int](t, b, `document.querySelectorAll("#drift-list li").length`); n != len(res.Drift) {
		t.Errorf("drift timeline has %d events, want %d", n, len(res.Drift))
	}
	b.shot(t, art, "dashboard-drift.png")

	b.do(t, "runs", chromedp.Navigate(l.base+"/dashboard/#runs"))
	b.waitFor(t, "runs page", `document.body.getAttribute("data-loaded") === "runs"`, `document.getElementById("page").innerText`)
	if got := eval[string](t, b, `Array.from(document.querySelectorAll("#runs-body tr")).map(function (r) { return r.getAttribute("data-run"); }).join(",")`); got != run2.ID+","+run1.ID {
		t.Errorf("runs %q, want %q", got, run2.ID+","+run1.ID)
	}
	b.shot(t, art, "dashboard-runs.png")

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems:\n%s", strings.Join(p, "\n"))
	}
}
