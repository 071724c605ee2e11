package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/static"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/notify"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// liveDaemon is a Daemon serving on 127.0.0.1 whose runs are real audit passes over the
// example organisation (a static source file the test may rewrite between runs).
type liveDaemon struct {
	d       *Daemon
	base    string
	db      *store.DB
	orgPath string
	done    chan Run
	stop    func() error
}

func startLive(t *testing.T, cfg Config, run RunFunc, more ...func(*Options)) *liveDaemon {
	t.Helper()
	l := &liveDaemon{db: openStore(t), orgPath: filepath.Join(t.TempDir(), "org.json"), done: make(chan Run, 10)}
	writeOrg(t, l.orgPath, sandbox.ExampleOrg())
	if run == nil {
		lib, err := policy.Load(context.Background(), policy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		clock := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
		run = func(ctx context.Context) (*audit.Result, error) {
			mu.Lock()
			clock = clock.Add(24 * time.Hour)
			now := clock
			mu.Unlock()
			return audit.Run(ctx, audit.Options{
				Sources: []collector.Source{static.New("acme-health", l.orgPath)},
				Store:   l.db, Library: lib, Now: func() time.Time { return now },
			})
		}
	}
	opts := Options{Config: cfg, Store: l.db, Run: run, Token: testToken, OnRun: func(_ context.Context, r Run) { l.done <- r }}
	for _, fn := range more {
		fn(&opts)
	}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l.d = d
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.base = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- d.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	l.stop = func() error {
		once.Do(func() { cancel(); serveErr = <-served })
		return serveErr
	}
	t.Cleanup(func() { _ = l.stop() })
	// ln already listens: requests wait in its backlog until Serve accepts them.
	return l
}

func writeOrg(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// do sends a request with token ("" for none) and returns the status, content type and body.
func (l *liveDaemon) do(t *testing.T, method, path, token, body string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, l.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func (l *liveDaemon) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	code, _, b := l.do(t, "GET", path, testToken, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

// runNow starts a manual run through the API and waits for its record.
func (l *liveDaemon) runNow(t *testing.T) Run {
	t.Helper()
	code, _, b := l.do(t, "POST", "/api/v1/runs", testToken, "")
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/runs = %d: %s", code, b)
	}
	var started Run
	if err := json.Unmarshal(b, &started); err != nil {
		t.Fatal(err)
	}
	run := recv(t, l.done, "run to finish")
	if run.ID != started.ID || run.Status != StatusSucceeded {
		t.Fatalf("run %s: %s %s (started %s)", run.ID, run.Status, run.Error, started.ID)
	}
	return run
}

var protected = []struct{ method, path string }{
	{"GET", "/metrics"},
	{"GET", "/api/v1/snapshots"},
	{"GET", "/api/v1/snapshots/x"},
	{"GET", "/api/v1/findings"},
	{"GET", "/api/v1/drift"},
	{"GET", "/api/v1/runs"},
	{"POST", "/api/v1/runs"},
	{"GET", "/api/v1/runs/x"},
	{"GET", "/api/v1/principals/arn:aws:iam::111122223333:user/raj.patel"},
	{"GET", "/api/v1/reports/json"},
	{"GET", "/api/v1/trend"},
	{"GET", "/api/v1/nothing-here"},
}

func TestAuth(t *testing.T) {
	l := startLive(t, DefaultConfig(), func(context.Context) (*audit.Result, error) { return nil, errors.New("never started") })
	for _, r := range protected {
		for _, tok := range []struct{ name, header string }{
			{"none", ""},
			{"wrong", "Bearer wrong-token"},
			{"prefix of the token", "Bearer " + testToken[:10]},
			{"token plus a byte", "Bearer " + testToken + "x"},
			{"basic scheme", "Basic " + testToken},
			{"bare token", testToken},
		} {
			t.Run(r.method+" "+r.path+" "+tok.name, func(t *testing.T) {
				req, _ := http.NewRequest(r.method, l.base+r.path, nil)
				if tok.header != "" {
					req.Header.Set("Authorization", tok.header)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Bearer realm="provost"` {
					t.Fatalf("status %d, WWW-Authenticate %q, want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
				}
				if diff := cmp.Diff(`{"error":"missing or wrong bearer token","kind":"unauthorized"}`, compact(t, b)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		}
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		code, _, b := l.do(t, "GET", path, "", "")
		if code != http.StatusOK {
			t.Errorf("GET %s without a token = %d %s, want 200", path, code, b)
		}
	}
	if got := l.d.Runs(); len(got) != 0 {
		t.Errorf("unauthenticated POST started runs: %v", got)
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func TestLimits(t *testing.T) {
	br := newBlockingRun()
	l := startLive(t, configWith(func(c *Config) { c.MaxBodyBytes = 64 }), br.run)
	tests := []struct {
		name   string
		body   string
		status int
		kind   string
	}{
		{name: "body over the limit", body: `{"reason":"` + strings.Repeat("a", 100) + `"}`, status: 413, kind: errTooLarge},
		{name: "not JSON", body: "run please", status: 400, kind: errBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, b := l.do(t, "POST", "/api/v1/runs", testToken, tt.body)
			var e apiError
			_ = json.Unmarshal(b, &e)
			if code != tt.status || e.Kind != tt.kind {
				t.Errorf("got %d %s, want %d kind %s", code, b, tt.status, tt.kind)
			}
		})
	}
	code, _, b := l.do(t, "POST", "/api/v1/runs", testToken, `{}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST = %d %s", code, b)
	}
	recv(t, br.started, "run start")
	if code, _, b := l.do(t, "POST", "/api/v1/runs", testToken, ""); code != http.StatusConflict {
		t.Errorf("POST while running = %d %s, want 409", code, b)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "offset=-1", "severity=urgent", "min_severity=x"} {
		if code, _, b := l.do(t, "GET", "/api/v1/findings?"+q, testToken, ""); code != http.StatusBadRequest {
			t.Errorf("findings?%s = %d %s, want 400", q, code, b)
		}
	}
	if code, _, b := l.do(t, "GET", "/api/v1/reports/pdf", testToken, ""); code != http.StatusBadRequest {
		t.Errorf("reports/pdf = %d %s, want 400", code, b)
	}
	// Readiness drops while the daemon drains; the blocked run is let go so shutdown is clean.
	br.release <- struct{}{}
	recv(t, l.done, "run to finish")
	if err := l.stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if got := fmt.Sprint(apiErrorsByKind(l.d)); got != "map[bad_request:8 conflict:1 too_large:1]" {
		t.Errorf("provost_api_errors_total = %s", got)
	}
}

func apiErrorsByKind(d *Daemon) map[string]int {
	out := map[string]int{}
	mfs, _ := d.metrics.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "provost_api_errors_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[m.GetLabel()[0].GetValue()] = int(m.GetCounter().GetValue())
		}
	}
	return out
}

func TestShutdownCancelsRunAtDeadline(t *testing.T) {
	br := newBlockingRun()
	l := startLive(t, configWith(func(c *Config) { c.ShutdownTimeout = time.Millisecond }), br.run)
	code, _, b := l.do(t, "POST", "/api/v1/runs", testToken, "")
	if code != http.StatusAccepted {
		t.Fatalf("POST = %d %s", code, b)
	}
	recv(t, br.started, "run start")
	err := l.stop()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want the run cancelled at the deadline", err)
	}
	if run := recv(t, l.done, "run record"); run.Status != StatusCancelled {
		t.Errorf("run status %q, want cancelled", run.Status)
	}
	if ms, err := l.db.Snapshots(); err != nil || len(ms) != 0 {
		t.Errorf("snapshots after a cancelled run: %v %v, want none", ms, err)
	}
}

func TestAPI(t *testing.T) {
	l := startLive(t, DefaultConfig(), nil)
	run1 := l.runNow(t)
	writeOrg(t, l.orgPath, changedOrg(t))
	run2 := l.runNow(t)
	s1, s2 := run1.Result.SnapshotID, run2.Result.SnapshotID

	t.Run("snapshots", func(t *testing.T) {
		var got struct{ Snapshots []store.SnapshotMeta }
		l.getJSON(t, "/api/v1/snapshots", &got)
		var ids []string
		for _, m := range got.Snapshots {
			ids = append(ids, m.ID)
		}
		if diff := cmp.Diff([]string{s2, s1}, ids); diff != "" {
			t.Errorf("snapshots (-want +got):\n%s", diff)
		}
		var one store.SnapshotMeta
		l.getJSON(t, "/api/v1/snapshots/"+s1, &one)
		if diff := cmp.Diff(got.Snapshots[1], one); diff != "" {
			t.Errorf("snapshot %s (-want +got):\n%s", s1, diff)
		}
		if code, _, b := l.do(t, "GET", "/api/v1/snapshots/nope", testToken, ""); code != 404 {
			t.Errorf("unknown snapshot = %d %s", code, b)
		}
	})

	t.Run("findings", func(t *testing.T) {
		all := run2.Result.Findings
		filter := func(keep func(finding.Finding) bool) []string {
			var out []string
			for _, f := range all {
				if keep(f) {
					out = append(out, f.ID)
				}
			}
			return out
		}
		tests := []struct {
			query string
			want  []string
			total int
		}{
			{"", filter(func(finding.Finding) bool { return true })[:min(100, len(all))], len(all)},
			{"?severity=critical", filter(func(f finding.Finding) bool { return f.Severity == finding.SeverityCritical }), -1},
			{"?min_severity=high&status=open", filter(func(f finding.Finding) bool {
				return f.Severity.AtLeast(finding.SeverityHigh) && f.Status == finding.StatusOpen
			}), -1},
			{"?check=PV-AWS-007", filter(func(f finding.Finding) bool { return f.CheckID == "PV-AWS-007" }), -1},
			{"?principal=arn:aws:iam::111122223333:user/ci-deploy", filter(func(f finding.Finding) bool { return f.Principal == "arn:aws:iam::111122223333:user/ci-deploy" }), -1},
			{"?q=CI-DEPLOY", filter(func(f finding.Finding) bool {
				return strings.Contains(strings.ToLower(f.Principal+f.CheckID+f.Message), "ci-deploy")
			}), -1},
			{"?limit=5&offset=3", filter(func(finding.Finding) bool { return true })[3:8], len(all)},
			{"?offset=100000", nil, len(all)},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				var page findingsPage
				l.getJSON(t, "/api/v1/findings"+tt.query, &page)
				var ids []string
				for _, f := range page.Findings {
					ids = append(ids, f.ID)
				}
				if diff := cmp.Diff(tt.want, ids); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
				total := tt.total
				if total < 0 {
					total = len(tt.want)
				}
				if page.Total != total || page.Snapshot != s2 {
					t.Errorf("total %d snapshot %s, want %d %s", page.Total, page.Snapshot, total, s2)
				}
			})
		}
		// The first snapshot: the example organisation's two critical findings.
		var page findingsPage
		l.getJSON(t, "/api/v1/findings?severity=critical&snapshot="+s1, &page)
		if page.Total != 2 || page.Snapshot != s1 {
			t.Errorf("critical findings in %s: %d, want 2", s1, page.Total)
		}
	})

	t.Run("drift", func(t *testing.T) {
		var got driftAnswer
		l.getJSON(t, "/api/v1/drift", &got)
		var kinds []string
		for _, e := range got.Events {
			if e.Kind == drift.PrincipalAdded || e.Kind == drift.PrincipalRemoved {
				kinds = append(kinds, string(e.Kind)+" "+e.Principal)
			}
		}
		want := []string{
			"principal_added arn:aws:iam::111122223333:user/new.hire",
			"principal_removed arn:aws:iam::111122223333:user/raj.patel",
		}
		slices.Sort(kinds)
		if diff := cmp.Diff(want, kinds); diff != "" || got.Previous != s1 || got.Snapshot != s2 {
			t.Errorf("drift %s → %s (-want +got):\n%s", got.Previous, got.Snapshot, diff)
		}
		if len(got.Events) != len(run2.Result.Drift) {
			t.Errorf("%d events, the run computed %d", len(got.Events), len(run2.Result.Drift))
		}
		var first driftAnswer
		l.getJSON(t, "/api/v1/drift?snapshot="+s1, &first)
		if first.Previous != "" || len(first.Events) != 0 {
			t.Errorf("drift of the first snapshot: %+v, want none", first)
		}
	})

	t.Run("runs", func(t *testing.T) {
		var got struct{ Runs []Run }
		l.getJSON(t, "/api/v1/runs", &got)
		var ids []string
		for _, r := range got.Runs {
			ids = append(ids, r.ID+" "+r.Trigger+" "+r.Status+" "+r.Result.SnapshotID)
		}
		want := []string{run2.ID + " manual succeeded " + s2, run1.ID + " manual succeeded " + s1}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("runs (-want +got):\n%s", diff)
		}
		var one Run
		l.getJSON(t, "/api/v1/runs/"+run1.ID, &one)
		if one.ID != run1.ID || one.Result.SnapshotID != s1 || one.Result.New != 58 {
			t.Errorf("run %s: %+v", run1.ID, one)
		}
	})

	t.Run("principal history", func(t *testing.T) {
		var raj principalAnswer
		id := "arn:aws:iam::111122223333:user/raj.patel"
		l.getJSON(t, "/api/v1/principals/"+id+"?snapshot="+s1, &raj)
		if raj.Principal == nil || raj.Principal.ID != id || raj.Snapshot != s1 {
			t.Fatalf("principal: %+v", raj)
		}
		var present []string
		for _, h := range raj.History {
			present = append(present, fmt.Sprintf("%s present=%v changed=%v open=%v", h.Snapshot, h.Present, h.Changed, h.Findings))
		}
		want := []string{s1 + " present=true changed=true open=[PV-AWS-004 PV-AWS-007 PV-AWS-009 PV-AWS-010 PV-AWS-013 PV-IDN-003]", s2 + " present=false changed=true open=[]"}
		if diff := cmp.Diff(want, present); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		var checks []string
		for _, f := range raj.Findings {
			checks = append(checks, f.CheckID+" "+string(f.Status))
		}
		wantChecks := []string{"PV-AWS-004 open", "PV-AWS-007 open", "PV-AWS-009 open", "PV-AWS-010 open", "PV-AWS-013 open", "PV-IDN-003 open"}
		if diff := cmp.Diff(wantChecks, checks); diff != "" {
			t.Errorf("findings of %s in %s (-want +got):\n%s", id, s1, diff)
		}
		if code, _, b := l.do(t, "GET", "/api/v1/principals/"+id, testToken, ""); code != 404 {
			t.Errorf("removed principal in the latest snapshot = %d %s, want 404", code, b)
		}
	})

	t.Run("reports", func(t *testing.T) {
		code, ctype, b := l.do(t, "GET", "/api/v1/reports/json", testToken, "")
		if code != 200 || ctype != "application/json" {
			t.Fatalf("json report: %d %s", code, ctype)
		}
		var rep struct {
			Snapshot struct{ ID string } `json:"snapshot"`
			Findings []finding.Finding   `json:"findings"`
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Snapshot.ID != s2 || len(rep.Findings) != len(run2.Result.Findings) {
			t.Errorf("report of %s with %d findings, want %s with %d", rep.Snapshot.ID, len(rep.Findings), s2, len(run2.Result.Findings))
		}
		code, ctype, b = l.do(t, "GET", "/api/v1/reports/html?snapshot="+s1, testToken, "")
		if code != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(string(b), s1) {
			t.Errorf("html report: %d %s (%d bytes)", code, ctype, len(b))
		}
	})

	t.Run("metrics", func(t *testing.T) {
		code, _, b := l.do(t, "GET", "/metrics", testToken, "")
		if code != 200 {
			t.Fatalf("metrics = %d", code)
		}
		text := string(b)
		crit := 0
		for _, f := range run2.Result.Findings {
			if f.Status == finding.StatusOpen && f.Severity == finding.SeverityCritical && f.CheckID == "PV-AWS-002" {
				crit++
			}
		}
		for _, line := range []string{
			`provost_runs_total{status="succeeded",trigger="manual"} 2`,
			fmt.Sprintf(`provost_findings_open{check="PV-AWS-002",severity="critical"} %d`, crit),
			`provost_run_stage_duration_seconds_count{stage="collect"} 2`,
			`provost_run_in_progress 0`,
			fmt.Sprintf(`provost_principals{source="acme-health"} %d`, principals(run2.Result)),
			`provost_last_success_timestamp_seconds `,
		} {
			if !strings.Contains(text, line) {
				t.Errorf("metrics lack %q", line)
			}
		}
	})
}

func principals(r *audit.Result) int {
	n := 0
	for _, c := range r.Coverage {
		if c.Source == "acme-health" {
			n += c.Counts["principals"]
		}
	}
	return n
}

func changedOrg(t *testing.T) []byte {
	t.Helper()
	var org map[string]any
	if err := json.Unmarshal(sandbox.ExampleOrg(), &org); err != nil {
		t.Fatal(err)
	}
	for _, p := range org["principals"].([]any) {
		m := p.(map[string]any)
		if m["id"] == "arn:aws:iam::111122223333:user/raj.patel" {
			m["id"] = "arn:aws:iam::111122223333:user/new.hire"
			m["name"] = "new.hire"
			m["native_id"] = "AIDA4XJ7NK2QRAJP0099"
		}
	}
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNotifyAfterRun: each successful run sends one signed digest of its new high-severity
// findings and drift to a webhook receiver.
func TestNotifyAfterRun(t *testing.T) {
	secret := []byte("hook-secret")
	var mu sync.Mutex
	var got []notify.WebhookPayload
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !notify.Verify(secret, b, r.Header.Get(notify.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p notify.WebhookPayload
		if err := json.Unmarshal(b, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
	}))
	defer rcv.Close()
	l := startLive(t, DefaultConfig(), nil, func(o *Options) {
		o.Notifier = &notify.Notifier{Senders: []notify.Sender{&notify.Webhook{URL: rcv.URL, Secret: secret}}}
		o.NotifyLimit = 100
	})
	run1 := l.runNow(t)
	writeOrg(t, l.orgPath, changedOrg(t))
	run2 := l.runNow(t)

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("%d digests, want 2", len(got))
	}
	// The first run: the example organisation's 12 open findings at high or above, all new.
	d1 := got[0].Digest
	if d1.Run != run1.ID || d1.Snapshot != run1.Result.SnapshotID || len(d1.Findings) != 12 || len(d1.Drift) != 0 {
		t.Errorf("first digest: run %s snapshot %s, %d findings, %d drift; want %s %s 12 0", d1.Run, d1.Snapshot, len(d1.Findings), len(d1.Drift), run1.ID, run1.Result.SnapshotID)
	}
	d2 := got[1].Digest
	want := notify.NewDigest(run2.Result.SnapshotID, run2.Result.PreviousID, run2.Result.EvalTime, run2.Result.Findings, run2.Result.Drift, finding.SeverityHigh, 100)
	var gotIDs, wantIDs []string
	for _, f := range d2.Findings {
		gotIDs = append(gotIDs, f.CheckID+" "+f.Principal)
	}
	for _, f := range want.Findings {
		wantIDs = append(wantIDs, f.CheckID+" "+f.Principal)
	}
	if diff := cmp.Diff(wantIDs, gotIDs); diff != "" || len(d2.Drift) != len(run2.Result.Drift) || d2.Previous != run1.Result.SnapshotID {
		t.Errorf("second digest findings (-want +got):\n%s\ndrift %d, want %d", diff, len(d2.Drift), len(run2.Result.Drift))
	}
}
