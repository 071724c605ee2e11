package daemon

import (
	"bytes"
	"embed"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/store"
)

//go:embed assets
var assets embed.FS

// dashboardCSP allows only the daemon's own scripts, styles and API.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// reportCSS is the HTML report's stylesheet, so the dashboard looks like the report. The
// reports package does not export it, so it is taken from the <style> element of a rendered
// empty report, once.
var reportCSS = sync.OnceValues(func() ([]byte, error) {
	rep, err := reports.FromSnapshot(&inventory.Snapshot{ID: "dashboard"}, nil, time.Unix(0, 0).UTC())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := reports.Render(&buf, reports.FormatHTML, rep); err != nil {
		return nil, err
	}
	_, after, ok := bytes.Cut(buf.Bytes(), []byte("<style>"))
	css, _, ok2 := bytes.Cut(after, []byte("</style>"))
	if !ok || !ok2 {
		return nil, errors.New("the HTML report has no <style> element")
	}
	return css, nil
})

// dashboard serves the page shell: it holds no data (the script fetches it from the API with
// the bearer token), so it needs no token itself.
func (d *Daemon) dashboard(w http.ResponseWriter, _ *http.Request) {
	b, err := assets.ReadFile("assets/dashboard.html")
	if err != nil {
		d.fail(w, errInternal, err.Error())
		return
	}
	staticHeaders(w, "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

var assetTypes = map[string]string{
	"dashboard.js":  "text/javascript; charset=utf-8",
	"dashboard.css": "text/css; charset=utf-8",
	"report.css":    "text/css; charset=utf-8",
}

func (d *Daemon) dashboardAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctype, ok := assetTypes[name]
	if !ok {
		d.fail(w, errNotFound, "no such asset")
		return
	}
	var b []byte
	var err error
	if name == "report.css" {
		b, err = reportCSS()
	} else {
		b, err = assets.ReadFile("assets/" + name)
	}
	if err != nil {
		d.fail(w, errInternal, err.Error())
		return
	}
	staticHeaders(w, ctype)
	_, _ = w.Write(b)
}

func staticHeaders(w http.ResponseWriter, ctype string) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// trendAnswer is the answer of GET /api/v1/trend: one point per snapshot with findings, oldest
// first (the HTML report's history points).
type trendAnswer struct {
	Points []reports.HistoryPoint `json:"points"`
}

func (d *Daemon) getTrend(w http.ResponseWriter, _ *http.Request) {
	ms, err := d.db.Snapshots()
	if err != nil {
		d.failErr(w, err)
		return
	}
	ans := trendAnswer{Points: []reports.HistoryPoint{}}
	for _, m := range ms {
		fs, err := d.findings(m.ID)
		if errors.Is(err, store.ErrNoFindings) {
			continue
		}
		if err != nil {
			d.failErr(w, err)
			return
		}
		ans.Points = append(ans.Points, reports.NewHistoryPoint(m.ID, m.StartedAt, fs, m.Principals))
	}
	writeJSON(w, http.StatusOK, ans)
}
