package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
)

var at = time.Date(2026, 3, 19, 9, 0, 0, 0, time.UTC)

func testDigest() Digest {
	fs := []finding.Finding{
		{ID: "f-1", CheckID: "PV-AWS-007", Severity: finding.SeverityMedium, Principal: "arn:aws:iam::1:user/a", Message: "old key", Status: finding.StatusOpen, FirstSeen: at},
		{ID: "f-2", CheckID: "PV-AWS-004", Severity: finding.SeverityHigh, Principal: "arn:aws:iam::1:user/b", Message: "no MFA", Status: finding.StatusOpen, FirstSeen: at},
		{ID: "f-3", CheckID: "PV-AWS-002", Severity: finding.SeverityCritical, Principal: "arn:aws:iam::1:root", Message: "root key", Status: finding.StatusOpen, FirstSeen: at},
		{ID: "f-4", CheckID: "PV-AWS-002", Severity: finding.SeverityCritical, Principal: "arn:aws:iam::2:root", Message: "root key", Status: finding.StatusOpen, FirstSeen: at.Add(-24 * time.Hour)},
		{ID: "f-5", CheckID: "PV-AWS-004", Severity: finding.SeverityHigh, Principal: "arn:aws:iam::1:user/c", Message: "no MFA", Status: finding.StatusWaived, FirstSeen: at},
		{ID: "f-6", CheckID: "PV-AWS-004", Severity: finding.SeverityHigh, Principal: "arn:aws:iam::1:user/d", Message: "no MFA", Status: finding.StatusOpen, FirstSeen: at},
	}
	evs := []drift.Event{
		{Kind: drift.PrincipalAdded, Principal: "arn:aws:iam::1:user/new"},
		{Kind: drift.PrincipalRemoved, Principal: "arn:aws:iam::1:user/old"},
		{Kind: drift.PersonLeft, Person: "e-42"},
	}
	return NewDigest("snap-2", "snap-1", at, fs, evs, finding.SeverityHigh, 2)
}

func TestNewDigest(t *testing.T) {
	d := testDigest()
	var ids []string
	for _, f := range d.Findings {
		ids = append(ids, f.ID)
	}
	// New (first seen now), open, high or above; most severe first; at most 2.
	if diff := cmp.Diff([]string{"f-3", "f-2"}, ids); diff != "" || d.OmittedFindings != 1 || len(d.Drift) != 2 || d.OmittedDrift != 1 {
		t.Errorf("findings (-want +got):\n%s\nomitted %d, drift %d omitted %d; want 1, 2, 1", diff, d.OmittedFindings, len(d.Drift), d.OmittedDrift)
	}
	want := "Provost: 3 new finding(s), 3 drift event(s) in snapshot snap-2\n\n" +
		"New findings:\n• [CRITICAL] PV-AWS-002 arn:aws:iam::1:root: root key\n• [HIGH] PV-AWS-004 arn:aws:iam::1:user/b: no MFA\n… and 1 more\n\n" +
		"Drift:\n• principal_added arn:aws:iam::1:user/new\n• principal_removed arn:aws:iam::1:user/old\n… and 1 more\n"
	if diff := cmp.Diff(want, Text(d)); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if empty := NewDigest("s", "", at, nil, nil, finding.SeverityHigh, 10); !empty.Empty() {
		t.Errorf("digest of nothing is not empty: %+v", empty)
	}
}

// receiver is an httptest server that answers each request with the next status of a script
// (200 once the script is used up) and keeps what it received.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	script  []int
	bodies  [][]byte
	headers []http.Header
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.headers = append(r.headers, req.Header.Clone())
		code := http.StatusOK
		if len(r.script) > 0 {
			code, r.script = r.script[0], r.script[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}))
	t.Cleanup(r.Close)
	return r
}

func TestSlack(t *testing.T) {
	rcv := newReceiver(t)
	n := &Notifier{Senders: []Sender{&Slack{URL: rcv.URL + "/services/T0/B0/secret"}}}
	if err := n.Notify(context.Background(), testDigest()); err != nil {
		t.Fatal(err)
	}
	var msg map[string]string
	if len(rcv.bodies) != 1 || json.Unmarshal(rcv.bodies[0], &msg) != nil {
		t.Fatalf("received %q", rcv.bodies)
	}
	if diff := cmp.Diff(map[string]string{"text": Text(testDigest())}, msg); diff != "" || rcv.headers[0].Get("Content-Type") != "application/json" {
		t.Errorf("slack message (-want +got):\n%s", diff)
	}
}

func TestWebhookSignature(t *testing.T) {
	secret := []byte("shared-secret")
	rcv := newReceiver(t)
	n := &Notifier{Senders: []Sender{&Webhook{URL: rcv.URL, Secret: secret}}}
	if err := n.Notify(context.Background(), testDigest()); err != nil {
		t.Fatal(err)
	}
	body, sig := rcv.bodies[0], rcv.headers[0].Get(SignatureHeader)
	if !Verify(secret, body, sig) || !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Errorf("signature %q does not verify", sig)
	}
	if Verify([]byte("other"), body, sig) || Verify(secret, append(body, ' '), sig) {
		t.Error("signature verifies under a wrong secret or body")
	}
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	want := testDigest()
	if diff := cmp.Diff(want.Snapshot, p.Digest.Snapshot); diff != "" || p.Type != "provost.digest" || len(p.Digest.Findings) != 2 || p.Digest.Findings[0].ID != "f-3" || p.Digest.OmittedFindings != 1 {
		t.Errorf("payload: %+v", p)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		script   []int
		requests int
		sleeps   []time.Duration
		err      string
	}{
		{name: "succeeds first time", requests: 1},
		{name: "retries 503 and 429", script: []int{503, 429}, requests: 3, sleeps: []time.Duration{time.Second, 2 * time.Second}},
		{name: "gives up after attempts", script: []int{500, 500, 500, 500}, requests: 4, sleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, err: "notify webhook: answer 500: Internal Server Error"},
		{name: "4xx is permanent", script: []int{404}, requests: 1, err: "notify webhook: answer 404: Not Found: permanent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.script...)
			var sleeps []time.Duration
			n := &Notifier{
				Senders: []Sender{&Webhook{URL: rcv.URL + "/hook?token=SECRET"}},
				Retry:   Retry{Attempts: 4, Base: time.Second, Max: 3 * time.Second},
				Sleep:   func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil },
			}
			err := n.Notify(context.Background(), testDigest())
			if (err == nil) != (tt.err == "") || err != nil && err.Error() != tt.err {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks the webhook URL: %v", err)
			}
			if diff := cmp.Diff(tt.sleeps, sleeps); diff != "" || len(rcv.bodies) != tt.requests {
				t.Errorf("%d requests, want %d; backoff (-want +got):\n%s", len(rcv.bodies), tt.requests, diff)
			}
		})
	}
}

func TestOneChannelFailingDoesNotStopOthers(t *testing.T) {
	bad, good := newReceiver(t, 400), newReceiver(t)
	n := &Notifier{Senders: []Sender{&Webhook{URL: bad.URL}, &Slack{URL: good.URL}}}
	err := n.Notify(context.Background(), testDigest())
	if !errors.Is(err, ErrPermanent) || len(good.bodies) != 1 {
		t.Errorf("error %v, slack got %d messages; want a permanent webhook error and 1 slack message", err, len(good.bodies))
	}
	if err := n.Notify(context.Background(), Digest{}); err != nil || len(good.bodies) != 1 {
		t.Errorf("an empty digest was sent: %v", err)
	}
}

func TestTextRemediationOutcomes(t *testing.T) {
	d := Digest{Snapshot: "s2", Remediation: []Outcome{
		{Step: "a-1", Action: "deactivate_access_key", Principal: "arn:aws:iam::1:user/amir", Target: "access_key_1", State: "done"},
		{Action: "run", State: "refused", Detail: "cap_count guard"},
	}}
	if d.Empty() {
		t.Fatal("a digest with remediation outcomes is empty")
	}
	want := "Provost: 0 new finding(s), 0 drift event(s) in snapshot s2\n\nRemediation:\n" +
		"• done deactivate_access_key arn:aws:iam::1:user/amir access_key_1\n" +
		"• refused run: cap_count guard\n"
	if got := Text(d); got != want {
		t.Errorf("Text =\n%q\nwant\n%q", got, want)
	}
}
