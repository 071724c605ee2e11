package reports

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

//go:embed assets
var assets embed.FS

// htmlLimits bound the server-rendered tables of the HTML report; the findings table is
// rendered in the browser, a page at a time, and has no limit.
const (
	htmlMaxAccounts    = 1000
	htmlMaxDrift       = 500
	htmlMaxGrants      = 100
	htmlMaxLeavers     = 200
	htmlMaxOutsideIdP  = 200
	htmlExpiringWindow = 14 * 24 * time.Hour
)

var (
	reportTemplate = template.Must(template.New("report.html.tmpl").Funcs(htmlFuncs).ParseFS(assets, "assets/report.html.tmpl", "assets/common.html.tmpl"))
	reviewTemplate = template.Must(template.New("review.html.tmpl").Funcs(htmlFuncs).ParseFS(assets, "assets/review.html.tmpl", "assets/common.html.tmpl"))
	reportCSS      = mustAsset("assets/report.css")
	reportJS       = mustAsset("assets/report.js")
	reviewJS       = mustAsset("assets/review.js")
)

func mustAsset(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("reports: embedded asset %s: %v", name, err)) // the build embeds it
	}
	return string(b)
}

// csp is the page's Content-Security-Policy: nothing may load from anywhere, and only the
// script whose hash is given runs, so text that escaped escaping still could not execute.
func csp(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}

var htmlFuncs = template.FuncMap{
	"sev":      func(s finding.Severity) string { return s.String() },
	"sevTitle": sevTitle,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"isoTime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"duration": humanDuration,
	"score":    func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"pct": func(part, whole int) string {
		if whole <= 0 {
			return "0"
		}
		return fmt.Sprintf("%.1f", 100*float64(part)/float64(whole))
	},
	"humanKind": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"upper":     strings.ToUpper,
	"join":      strings.Join,
	"add":       func(a, b int) int { return a + b },
	"severities": func() []finding.Severity {
		return severitiesDesc()
	},
	"countOf": func(c SeverityCounts, s finding.Severity) int { return c.Of(s) },
	"scoreClass": func(f float64) string {
		switch {
		case f >= 90:
			return "good"
		case f >= 70:
			return "fair"
		}
		return "poor"
	},
}

// htmlPage is what report.html.tmpl renders.
type htmlPage struct {
	Title      string
	Snapshot   SnapshotMeta
	Previous   SnapshotMeta
	Generated  time.Time
	CSP        string
	CSS        template.CSS
	Script     template.JS
	Data       template.JS
	Summary    Summary
	Totals     Totals
	Coverage   []inventory.Coverage
	Incomplete []inventory.Coverage
	ScoreRing  scoreRing
	Trend      trendChart
	Accounts   []AccountSummary
	MoreAccts  int
	Drift      []drift.Event
	MoreDrift  int
	DriftKinds []kindCount
	Waivers    []waiverRow
	KPIs       *kpiView
	Checks     []CheckSummary
	ReviewLink string
	Review     *reviewStats
	Filters    filterOptions
}

type scoreRing struct {
	Circumference float64
	Dash          float64
}

type kindCount struct {
	Kind  string
	Count int
}

type waiverRow struct {
	Waiver
	State string // active, expiring, expired
	Left  string // "in 5 days", "3 days ago"
}

type kpiView struct {
	KPIs
	OpenLeavers    []Leaver
	RemovedLeavers []Leaver
	MoreOpen       int
	Outside        []OutsideAccount
	MoreOutside    int
}

type reviewStats struct {
	Reviewers int
	People    int
	Accounts  int
	Admin     int
	Leavers   int
	Unowned   int
}

type filterOptions struct {
	Providers  []string
	Frameworks []string
	Checks     []CheckSummary
}

// trendChart is the inline SVG trend: stacked bars of open findings by severity per
// snapshot, and the score as a line.
type trendChart struct {
	Width, Height int
	Bars          []trendBar
	Line          string // SVG points of the score line
	Dots          []trendDot
	YTicks        []trendTick
	XLabels       []trendTick
	Empty         bool
	Single        bool
}

type trendBar struct {
	X, Width float64
	Segments []trendSegment
	Title    string
}

type trendSegment struct {
	Y, Height float64
	Class     string
}

type trendDot struct {
	X, Y  float64
	Title string
}

type trendTick struct {
	X, Y  float64
	Label string
}

const (
	trendW, trendH                               = 640, 200
	trendLeft, trendRight, trendTop, trendBottom = 40, 40, 12, 26
)

func buildTrend(h []HistoryPoint) trendChart {
	c := trendChart{Width: trendW, Height: trendH}
	if len(h) == 0 {
		c.Empty = true
		return c
	}
	c.Single = len(h) == 1
	maxOpen := 1
	for _, p := range h {
		maxOpen = max(maxOpen, p.Open.Total())
	}
	maxOpen = niceCeil(maxOpen)
	plotW := float64(trendW - trendLeft - trendRight)
	plotH := float64(trendH - trendTop - trendBottom)
	slot := plotW / float64(len(h))
	barW := math.Min(slot*0.62, 36)
	var line []string
	for i, p := range h {
		x := float64(trendLeft) + slot*float64(i) + (slot-barW)/2
		bar := trendBar{X: round1(x), Width: round1(barW),
			Title: fmt.Sprintf("%s · %s: %d open (critical %d, high %d, medium %d, low %d, info %d) · score %.1f",
				p.At.UTC().Format("2006-01-02"), p.Snapshot, p.Open.Total(), p.Open.Critical, p.Open.High, p.Open.Medium, p.Open.Low, p.Open.Info, p.Score)}
		y := float64(trendTop) + plotH
		for _, s := range []finding.Severity{finding.SeverityInfo, finding.SeverityLow, finding.SeverityMedium, finding.SeverityHigh, finding.SeverityCritical} {
			n := p.Open.Of(s)
			if n == 0 {
				continue
			}
			hgt := plotH * float64(n) / float64(maxOpen)
			y -= hgt
			bar.Segments = append(bar.Segments, trendSegment{Y: round1(y), Height: round1(hgt), Class: s.String()})
		}
		c.Bars = append(c.Bars, bar)
		cx := float64(trendLeft) + slot*float64(i) + slot/2
		cy := float64(trendTop) + plotH*(1-p.Score/100)
		line = append(line, fmt.Sprintf("%.1f,%.1f", cx, cy))
		c.Dots = append(c.Dots, trendDot{X: round1(cx), Y: round1(cy), Title: fmt.Sprintf("score %.1f on %s", p.Score, p.At.UTC().Format("2006-01-02"))})
	}
	c.Line = strings.Join(line, " ")
	for _, frac := range []float64{0, 0.5, 1} {
		c.YTicks = append(c.YTicks, trendTick{X: trendLeft - 6, Y: round1(float64(trendTop) + plotH*(1-frac)), Label: compactNumber(int(float64(maxOpen) * frac))})
	}
	labels := []int{0}
	if len(h) > 2 {
		labels = append(labels, len(h)/2)
	}
	if len(h) > 1 {
		labels = append(labels, len(h)-1)
	}
	for _, i := range labels {
		c.XLabels = append(c.XLabels, trendTick{X: round1(float64(trendLeft) + slot*float64(i) + slot/2), Y: trendH - 8, Label: h[i].At.UTC().Format("Jan 2")})
	}
	return c
}

// compactNumber writes 1200 as 1.2k and 3500000 as 3.5M, for axis labels.
func compactNumber(n int) string {
	trim := func(f float64, unit string) string {
		return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", f), "0"), ".") + unit
	}
	switch {
	case n >= 1_000_000:
		return trim(float64(n)/1e6, "M")
	case n >= 1000:
		return trim(float64(n)/1e3, "k")
	}
	return fmt.Sprint(n)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(n int) int {
	if n <= 5 {
		return max(n, 1)
	}
	p := 1
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return n
}

func renderHTML(w io.Writer, v *view) error {
	data, err := v.htmlData()
	if err != nil {
		return fmt.Errorf("encode findings: %w", err)
	}
	page := htmlPage{
		Title: v.title(), Snapshot: v.Snapshot, Previous: v.Previous, Generated: v.Generated,
		CSP: csp(reportJS), CSS: template.CSS(reportCSS), Script: template.JS(reportJS), Data: template.JS(data),
		Summary: v.summary, Totals: v.Totals, Coverage: v.Coverage, Checks: v.summary.Checks,
		Trend: buildTrend(v.History), ReviewLink: v.ReviewLink,
	}
	for _, c := range v.Coverage {
		if !c.Complete() {
			page.Incomplete = append(page.Incomplete, c)
		}
	}
	const r = 52
	page.ScoreRing = scoreRing{Circumference: round1(2 * math.Pi * r), Dash: round1(2 * math.Pi * r * v.summary.Score / 100)}
	page.Accounts = v.summary.Accounts
	if len(page.Accounts) > htmlMaxAccounts {
		page.MoreAccts = len(page.Accounts) - htmlMaxAccounts
		page.Accounts = page.Accounts[:htmlMaxAccounts]
	}
	page.Drift = v.Drift
	if len(page.Drift) > htmlMaxDrift {
		page.MoreDrift = len(page.Drift) - htmlMaxDrift
		page.Drift = page.Drift[:htmlMaxDrift]
	}
	for _, k := range drift.Kinds() {
		if n := v.summary.Drift[string(k)]; n > 0 {
			page.DriftKinds = append(page.DriftKinds, kindCount{string(k), n})
		}
	}
	for _, wv := range v.Waivers {
		row := waiverRow{Waiver: wv, State: "active"}
		left := wv.Expires.Sub(v.Generated)
		switch {
		case wv.Expired || left <= 0:
			row.State = "expired"
			row.Left = humanDuration(int64(-left/time.Second)) + " ago"
		case left < htmlExpiringWindow:
			row.State = "expiring"
			row.Left = "in " + humanDuration(int64(left/time.Second))
		default:
			row.Left = "in " + humanDuration(int64(left/time.Second))
		}
		page.Waivers = append(page.Waivers, row)
	}
	if v.KPIs != nil {
		kv := &kpiView{KPIs: *v.KPIs}
		for _, l := range v.KPIs.Leavers {
			if l.RemovedAt.IsZero() {
				kv.OpenLeavers = append(kv.OpenLeavers, l)
			} else {
				kv.RemovedLeavers = append(kv.RemovedLeavers, l)
			}
		}
		if len(kv.OpenLeavers) > htmlMaxLeavers {
			kv.MoreOpen = len(kv.OpenLeavers) - htmlMaxLeavers
			kv.OpenLeavers = kv.OpenLeavers[:htmlMaxLeavers]
		}
		if len(kv.RemovedLeavers) > htmlMaxLeavers {
			kv.RemovedLeavers = kv.RemovedLeavers[:htmlMaxLeavers]
		}
		kv.Outside = v.KPIs.NewOutsideIdP
		if len(kv.Outside) > htmlMaxOutsideIdP {
			kv.MoreOutside = len(kv.Outside) - htmlMaxOutsideIdP
			kv.Outside = kv.Outside[:htmlMaxOutsideIdP]
		}
		page.KPIs = kv
	}
	if v.Review != nil {
		page.Review = newReviewStats(v.Review)
	}
	providers := map[string]bool{}
	for _, f := range v.findings {
		if f.Provider != "" {
			providers[string(f.Provider)] = true
		}
	}
	page.Filters.Providers = sortedKeys(providers)
	for _, fw := range v.summary.Frameworks {
		page.Filters.Frameworks = append(page.Filters.Frameworks, fw.Framework)
	}
	page.Filters.Checks = slices.Clone(v.summary.Checks)
	slices.SortFunc(page.Filters.Checks, func(a, b CheckSummary) int { return compareRefs(a.ID, b.ID) })
	return reportTemplate.Execute(w, page)
}

func newReviewStats(rv *Review) *reviewStats {
	s := &reviewStats{}
	for _, g := range rv.Groups {
		if g.Kind == ReviewManager {
			s.Reviewers++
		}
		for _, p := range g.People {
			if g.Kind != ReviewUnowned {
				s.People++
				if p.Person.Status == inventory.PersonTerminated {
					s.Leavers++
				}
			}
			for _, a := range p.Access {
				s.Accounts++
				if a.Privilege == inventory.PrivilegeAdmin {
					s.Admin++
				}
				if g.Kind == ReviewUnowned {
					s.Unowned++
				}
			}
		}
	}
	return s
}

// newDirectoryCached returns the view's directory of people, built once.
func newDirectoryCached(v *view) *directory {
	if v.dir == nil {
		v.dir = newDirectory(v.People)
	}
	return v.dir
}

// renderReviewHTML writes the access review workbook as one self-contained page.
func renderReviewHTML(w io.Writer, v *view) error {
	page := struct {
		Title     string
		Snapshot  SnapshotMeta
		Generated time.Time
		CSP       string
		CSS       template.CSS
		Script    template.JS
		Review    *Review
		Stats     *reviewStats
	}{
		Title: v.title(), Snapshot: v.Snapshot, Generated: v.Review.Generated, CSP: csp(reviewJS),
		CSS: template.CSS(reportCSS), Script: template.JS(reviewJS), Review: v.Review, Stats: newReviewStats(v.Review),
	}
	return reviewTemplate.Execute(w, page)
}
