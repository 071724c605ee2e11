package daemon

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/store"
)

// API error kinds, the label of provost_api_errors_total.
const (
	errUnauthorized = "unauthorized"
	errBadRequest   = "bad_request"
	errNotFound     = "not_found"
	errTooLarge     = "too_large"
	errConflict     = "conflict"
	errUnavailable  = "unavailable"
	errInternal     = "internal"
)

// Paging bounds of list endpoints.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// apiError is the JSON body of every error answer.
type apiError struct {
	Error string `json:"error"`
	Kind  string `json:"kind"`
}

func (d *Daemon) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", d.handleReady)
	mux.HandleFunc("GET /dashboard/{$}", d.dashboard)
	mux.HandleFunc("GET /dashboard/assets/{name}", d.dashboardAsset)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/dashboard/", http.StatusFound) })
	auth := func(h http.Handler) http.Handler { return d.authenticate(h) }
	mux.Handle("GET /metrics", auth(promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{})))
	api := map[string]http.HandlerFunc{
		"GET /api/v1/snapshots":                       d.listSnapshots,
		"GET /api/v1/snapshots/{id}":                  d.getSnapshot,
		"GET /api/v1/findings":                        d.listFindings,
		"GET /api/v1/drift":                           d.getDrift,
		"GET /api/v1/runs":                            d.listRuns,
		"POST /api/v1/runs":                           d.handleStartRun,
		"GET /api/v1/runs/{id}":                       d.getRun,
		"GET /api/v1/principals/{id...}":              d.getPrincipal,
		"GET /api/v1/reports/{format}":                d.getReport,
		"GET /api/v1/trend":                           d.getTrend,
		"GET /api/v1/remediation/plans":               d.getPlans,
		"POST /api/v1/remediation/plans/{id}/approve": d.approvePlan,
		"GET /api/v1/":                                func(w http.ResponseWriter, r *http.Request) { d.fail(w, errNotFound, "no such endpoint: "+r.URL.Path) },
	}
	for pattern, h := range api {
		mux.Handle(pattern, auth(h))
	}
	return d.limit(mux)
}

// limit bounds every request body (http.MaxBytesReader answers 413 beyond it).
func (d *Daemon) limit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, d.cfg.MaxBodyBytes)
		h.ServeHTTP(w, r)
	})
}

// authenticate requires "Authorization: Bearer <token>". Both sides are hashed before the
// constant-time compare so that neither the content nor the length of the token leaks.
func (d *Daemon) authenticate(h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(d.token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="provost"`)
			d.fail(w, errUnauthorized, "missing or wrong bearer token")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (d *Daemon) handleReady(w http.ResponseWriter, _ *http.Request) {
	if !d.isReady() {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ready\n")
}

var kindStatus = map[string]int{
	errUnauthorized: http.StatusUnauthorized,
	errBadRequest:   http.StatusBadRequest,
	errNotFound:     http.StatusNotFound,
	errTooLarge:     http.StatusRequestEntityTooLarge,
	errConflict:     http.StatusConflict,
	errUnavailable:  http.StatusServiceUnavailable,
	errInternal:     http.StatusInternalServerError,
}

func (d *Daemon) fail(w http.ResponseWriter, kind, msg string) {
	d.metrics.apiErrors.WithLabelValues(kind).Inc()
	if kind == errInternal {
		d.log.Error("api error", "error", msg)
	}
	writeJSON(w, kindStatus[kind], apiError{Error: msg, Kind: kind})
}

// failErr maps a store error to its kind.
func (d *Daemon) failErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrNoFindings):
		d.fail(w, errNotFound, err.Error())
	default:
		d.fail(w, errInternal, err.Error())
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// snapshotMeta resolves ?snapshot= (default: the latest).
func (d *Daemon) snapshotMeta(r *http.Request) (store.SnapshotMeta, error) {
	if id := r.URL.Query().Get("snapshot"); id != "" {
		return d.db.Meta(id)
	}
	m, err := d.db.Latest()
	if errors.Is(err, store.ErrNotFound) {
		return m, fmt.Errorf("no snapshot stored yet: %w", err)
	}
	return m, err
}

func (d *Daemon) listSnapshots(w http.ResponseWriter, _ *http.Request) {
	ms, err := d.db.Snapshots()
	if err != nil {
		d.failErr(w, err)
		return
	}
	slices.Reverse(ms) // newest first
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": nonNil(ms)})
}

func (d *Daemon) getSnapshot(w http.ResponseWriter, r *http.Request) {
	m, err := d.db.Meta(r.PathValue("id"))
	if err != nil {
		d.failErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// findingsPage is the answer of GET /api/v1/findings.
type findingsPage struct {
	Snapshot string            `json:"snapshot"`
	Total    int               `json:"total"`
	Offset   int               `json:"offset"`
	Limit    int               `json:"limit"`
	Findings []finding.Finding `json:"findings"`
}

// listFindings filters a snapshot's findings: severity (comma list, exact), min_severity,
// check, status (comma list), principal (exact), q (substring of principal, check or message),
// then pages them with offset and limit.
func (d *Daemon) listFindings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, limit, err := paging(q.Get("offset"), q.Get("limit"))
	if err != nil {
		d.fail(w, errBadRequest, err.Error())
		return
	}
	var sevs []finding.Severity
	for s := range strings.SplitSeq(q.Get("severity"), ",") {
		if s == "" {
			continue
		}
		sev, err := finding.ParseSeverity(s)
		if err != nil {
			d.fail(w, errBadRequest, "severity: "+err.Error())
			return
		}
		sevs = append(sevs, sev)
	}
	var minSev finding.Severity
	if s := q.Get("min_severity"); s != "" {
		if minSev, err = finding.ParseSeverity(s); err != nil {
			d.fail(w, errBadRequest, "min_severity: "+err.Error())
			return
		}
	}
	var statuses []string
	for s := range strings.SplitSeq(q.Get("status"), ",") {
		if s != "" {
			statuses = append(statuses, s)
		}
	}
	m, err := d.snapshotMeta(r)
	if err != nil {
		d.failErr(w, err)
		return
	}
	fs, err := d.findings(m.ID)
	if err != nil && !errors.Is(err, store.ErrNoFindings) {
		d.failErr(w, err)
		return
	}
	check, principal, text := q.Get("check"), q.Get("principal"), strings.ToLower(q.Get("q"))
	// Keep indices, not copies: only the page's findings are copied out.
	var match []int
	for i := range fs {
		f := &fs[i]
		if len(sevs) > 0 && !slices.Contains(sevs, f.Severity) ||
			minSev != 0 && !f.Severity.AtLeast(minSev) ||
			len(statuses) > 0 && !slices.Contains(statuses, string(f.Status)) ||
			check != "" && f.CheckID != check ||
			principal != "" && f.Principal != principal ||
			text != "" && !containsFold(text, f.Principal, f.CheckID, f.Message) {
			continue
		}
		match = append(match, i)
	}
	page := findingsPage{Snapshot: m.ID, Total: len(match), Offset: offset, Limit: limit, Findings: []finding.Finding{}}
	if offset < len(match) {
		for _, i := range match[offset:min(len(match), offset+limit)] {
			page.Findings = append(page.Findings, fs[i])
		}
	}
	writeJSON(w, http.StatusOK, page)
}

// containsFold reports whether any of fields contains lower (already lower-case), ignoring case.
func containsFold(lower string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), lower) {
			return true
		}
	}
	return false
}

func paging(off, lim string) (offset, limit int, err error) {
	limit = defaultLimit
	if off != "" {
		if offset, err = strconv.Atoi(off); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("offset %q: want a non-negative integer", off)
		}
	}
	if lim != "" {
		if limit, err = strconv.Atoi(lim); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, fmt.Errorf("limit %q: want an integer from 1 to %d", lim, maxLimit)
		}
	}
	return offset, limit, nil
}

// driftAnswer is the answer of GET /api/v1/drift.
type driftAnswer struct {
	Snapshot string        `json:"snapshot"`
	Previous string        `json:"previous,omitempty"`
	Events   []drift.Event `json:"events"`
}

// getDrift diffs ?snapshot= (default latest) against the snapshot stored before it.
func (d *Daemon) getDrift(w http.ResponseWriter, r *http.Request) {
	m, err := d.snapshotMeta(r)
	if err != nil {
		d.failErr(w, err)
		return
	}
	ans := driftAnswer{Snapshot: m.ID, Events: []drift.Event{}}
	pm, err := d.db.Previous(m.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, ans)
		return
	}
	if err != nil {
		d.failErr(w, err)
		return
	}
	prev, err := d.db.SnapshotHeader(pm.ID)
	if err != nil {
		d.failErr(w, err)
		return
	}
	cur, err := d.db.SnapshotHeader(m.ID)
	if err != nil {
		d.failErr(w, err)
		return
	}
	evs, err := drift.DiffStore(r.Context(), d.db, prev, cur)
	if err != nil {
		d.failErr(w, err)
		return
	}
	ans.Previous, ans.Events = pm.ID, nonNil(evs)
	writeJSON(w, http.StatusOK, ans)
}

func (d *Daemon) listRuns(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"runs": d.runner.list()})
}

func (d *Daemon) getRun(w http.ResponseWriter, r *http.Request) {
	run, ok := d.runner.get(r.PathValue("id"))
	if !ok {
		d.fail(w, errNotFound, "no run "+strconv.Quote(r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, run)
}

// handleStartRun starts a manual run: 202 with the run record, 409 when one is going, 503 while
// shutting down. The body, when present, must be a JSON object (it is otherwise ignored).
func (d *Daemon) handleStartRun(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			d.fail(w, errTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit))
			return
		}
		d.fail(w, errBadRequest, "body: want a JSON object: "+err.Error())
		return
	}
	run, err := d.startRun(TriggerManual)
	switch {
	case errors.Is(err, ErrBusy):
		d.fail(w, errConflict, err.Error())
	case errors.Is(err, ErrStopping):
		d.fail(w, errUnavailable, err.Error())
	case err != nil:
		d.fail(w, errInternal, err.Error())
	default:
		w.Header().Set("Location", "/api/v1/runs/"+run.ID)
		writeJSON(w, http.StatusAccepted, run)
	}
}

// principalVersion is a principal's state in one snapshot.
type principalVersion struct {
	Snapshot  string   `json:"snapshot"`
	StartedAt string   `json:"started_at"`
	Present   bool     `json:"present"`
	Hash      string   `json:"hash,omitempty"`
	Changed   bool     `json:"changed"` // differs from the version in the snapshot before
	Findings  []string `json:"findings,omitempty"`
}

// principalAnswer is the answer of GET /api/v1/principals/{id}.
type principalAnswer struct {
	Principal *inventory.Principal `json:"principal"`
	Snapshot  string               `json:"snapshot"`
	Findings  []finding.Finding    `json:"findings"`
	History   []principalVersion   `json:"history"`
}

// getPrincipal returns the principal in ?snapshot= (default latest), its findings there, and
// its history over every stored snapshot (oldest first).
func (d *Daemon) getPrincipal(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m, err := d.snapshotMeta(r)
	if err != nil {
		d.failErr(w, err)
		return
	}
	p, err := d.db.Principal(m.ID, id)
	if err != nil {
		d.failErr(w, err)
		return
	}
	ans := principalAnswer{Principal: p, Snapshot: m.ID, Findings: []finding.Finding{}, History: []principalVersion{}}
	ms, err := d.db.Snapshots()
	if err != nil {
		d.failErr(w, err)
		return
	}
	var last string
	for _, sm := range ms {
		v := principalVersion{Snapshot: sm.ID, StartedAt: sm.StartedAt.UTC().Format("2006-01-02T15:04:05Z")}
		sp, err := d.db.Principal(sm.ID, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			d.failErr(w, err)
			return
		default:
			v.Present = true
			h := sp.ContentHash()
			v.Hash = hex.EncodeToString(h[:])
		}
		v.Changed = v.Hash != last
		last = v.Hash
		fs, err := d.findings(sm.ID)
		if err != nil && !errors.Is(err, store.ErrNoFindings) {
			d.failErr(w, err)
			return
		}
		for _, f := range fs {
			if f.Principal != id {
				continue
			}
			if f.Status == finding.StatusOpen {
				v.Findings = append(v.Findings, f.CheckID)
			}
			if sm.ID == m.ID {
				ans.Findings = append(ans.Findings, f)
			}
		}
		ans.History = append(ans.History, v)
	}
	writeJSON(w, http.StatusOK, ans)
}

// getReport renders ?snapshot= (default latest) with its findings and drift in {format}.
func (d *Daemon) getReport(w http.ResponseWriter, r *http.Request) {
	f, err := reports.ParseFormat(r.PathValue("format"))
	if err != nil {
		d.fail(w, errBadRequest, err.Error())
		return
	}
	m, err := d.snapshotMeta(r)
	if err != nil {
		d.failErr(w, err)
		return
	}
	snap, err := d.db.Snapshot(m.ID)
	if err != nil {
		d.failErr(w, err)
		return
	}
	fs, err := d.findings(m.ID)
	if err != nil && !errors.Is(err, store.ErrNoFindings) {
		d.failErr(w, err)
		return
	}
	var prev *inventory.Snapshot
	var evs []drift.Event
	if pm, err := d.db.Previous(m.ID); err == nil {
		if prev, err = d.db.SnapshotHeader(pm.ID); err != nil {
			d.failErr(w, err)
			return
		}
		cur := *snap
		cur.Principals = nil
		if evs, err = drift.DiffStore(r.Context(), d.db, prev, &cur); err != nil {
			d.failErr(w, err)
			return
		}
	}
	rep, err := audit.BuildReport(d.db, snap, fs, evs, prev, nil, nil, d.now())
	if err != nil {
		d.failErr(w, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", audit.ReportFile(f)))
	if err := reports.Render(w, f, rep); err != nil {
		d.log.Error("render report", "format", f, "error", err)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
