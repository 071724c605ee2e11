package audit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/notify"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/store"
)

// sandboxClock is the sandbox's and the run's clock, moved forward between runs.
type sandboxClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *sandboxClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *sandboxClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// remediationSandbox is a running sandbox organisation with a clock the test moves.
type remediationSandbox struct {
	env   *sandbox.Env
	clock *sandboxClock
}

func startRemediationSandbox(t *testing.T) *remediationSandbox {
	t.Helper()
	return startRemediationSandboxScale(t, 120)
}

func startRemediationSandboxScale(t testing.TB, scale int) *remediationSandbox {
	t.Helper()
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 7, Scale: scale})
	c := &sandboxClock{at: org.Now}
	env, err := sandbox.Start(context.Background(), org, sandbox.StartOptions{Dir: t.TempDir(), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return &remediationSandbox{env: env, clock: c}
}

// run runs a real audit of the sandbox with rem (the AWS executor reaching the fake
// through the SDK, assuming the collector's role in member accounts).
func (s *remediationSandbox) run(t testing.TB, db *store.DB, pol *remediate.Policy, n Notifier) *Result {
	t.Helper()
	ctx := context.Background()
	srcs, err := s.env.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := s.env.AWSConfig()
	base.BaseEndpoint = aws.String(s.env.AWSURL)
	rem := &Remediation{Policy: pol, Executors: map[inventory.Provider]remediate.Executor{
		inventory.ProviderAWS: awsiam.NewAssumeRole(base, "OrganizationAccountAccessRole", "")}}
	res, err := Run(ctx, Options{Sources: srcs, Collect: s.env.RunOptions(), Store: db, Library: loadLibrary(t),
		Remediation: rem, Notifier: n, Now: s.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// writes counts the fake's IAM write calls.
func writes(srv *awsfake.Server) map[string]int {
	out := map[string]int{}
	for op, n := range srv.Calls() {
		name := strings.TrimPrefix(op, "iam:")
		for _, verb := range []string{"Update", "Delete", "Tag", "Untag", "Put", "Remove", "Detach", "Attach", "Create"} {
			if name != op && strings.HasPrefix(name, verb) {
				out[op] += n
			}
		}
	}
	return out
}

// keyStatus is the fake's status of the first access key of user in account.
func keyStatus(t *testing.T, srv *awsfake.Server, account, user string) string {
	t.Helper()
	for _, a := range srv.Organization().Accounts {
		if a.ID != account {
			continue
		}
		for _, u := range a.Users {
			if u.Name == user && len(u.AccessKeys) > 0 {
				return u.AccessKeys[0].Status
			}
		}
	}
	t.Fatalf("no user %s with a key in account %s", user, account)
	return ""
}

func sandboxPolicy(maxActions int) *remediate.Policy {
	return &remediate.Policy{BreakGlassTag: sandbox.ProtectedTag, MaxActions: maxActions, MaxPercent: 5, MaxRosterShrinkPercent: 10,
		Rules: []remediate.Rule{
			{Check: "PV-AWS-006", Action: remediate.ActDeactivateAccessKey, Enabled: true, Automatic: true, Grace: 7 * 24 * time.Hour},
			{Check: "PV-AWS-013", Action: remediate.ActRemoveConsoleLogin, Enabled: true, Grace: 7 * 24 * time.Hour},
		}}
}

const (
	amir      = "arn:aws:iam::210000000004:user/amir.tanaka"
	luca      = "arn:aws:iam::210000000004:user/luca.weber"
	hana      = "arn:aws:iam::210000000003:user/hana.moreau"
	breakUser = "arn:aws:iam::210000000001:user/breakglass"
)

type stepView struct {
	Phase     remediate.Phase
	Action    remediate.Action
	Principal string
	Automatic bool
}

func stepViews(p *remediate.Plan) []stepView {
	var out []stepView
	for _, s := range p.Steps {
		out = append(out, stepView{s.Phase, s.Action, s.Target.Principal, s.Automatic})
	}
	return out
}

func sortedViews(v []stepView) []stepView {
	out := slices.Clone(v)
	slices.SortStableFunc(out, func(a, b stepView) int { return strings.Compare(a.Principal, b.Principal) })
	return out
}

// TestRemediationAgainstSandbox: day 0 only marks (tags) the two stale keys' users and the
// Identity Center account user, tells the owners when they will be acted on, and changes
// nothing else; the break-glass user is blocked; eight days later exactly the two stale keys
// are deactivated through the SDK and the console login waits for approval.
func TestRemediationAgainstSandbox(t *testing.T) {
	sb := startRemediationSandbox(t)
	db := openStore(t)
	var (
		mu      sync.Mutex
		digests []notify.Digest
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p notify.WebhookPayload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		digests = append(digests, p.Digest)
		mu.Unlock()
	}))
	defer hook.Close()
	n := &notify.Notifier{Senders: []notify.Sender{&notify.Webhook{URL: hook.URL, Client: hook.Client()}}}
	srv := sb.env.AWS
	srv.ResetCalls()

	day0 := sb.run(t, db, sandboxPolicy(10), n)
	r := day0.Remediation
	if r == nil {
		t.Fatal("no remediation record")
	}
	wantMarks := []stepView{
		{remediate.PhaseMark, remediate.ActMark, hana, false},
		{remediate.PhaseMark, remediate.ActMark, amir, true},
		{remediate.PhaseMark, remediate.ActMark, luca, true},
	}
	if d := cmp.Diff(wantMarks, sortedViews(stepViews(r.Plan))); d != "" {
		t.Errorf("day 0 steps (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{3, 0, 1, 0}, []int{r.Marked, r.Applied, r.Blocked, r.Pending}); d != "" {
		t.Errorf("day 0 marked, applied, blocked, pending (-want +got):\n%s", d)
	}
	if len(r.Plan.Blocked) != 1 || r.Plan.Blocked[0].Principal != breakUser || r.Plan.Blocked[0].Guard != "protected" {
		t.Errorf("day 0 blocked = %+v, want the break-glass user blocked as protected", r.Plan.Blocked)
	}
	if d := cmp.Diff(map[string]int{"iam:TagUser": 3}, writes(srv)); d != "" {
		t.Errorf("day 0 write calls (-want +got):\n%s", d)
	}
	if got := keyStatus(t, srv, "210000000004", "amir.tanaka") + keyStatus(t, srv, "210000000004", "luca.weber"); got != "ActiveActive" {
		t.Errorf("day 0 key statuses %s, want both Active", got)
	}
	mu.Lock()
	if len(digests) != 1 {
		t.Fatalf("day 0: %d digests, want 1", len(digests))
	}
	var got []string
	for _, f := range digests[0].Findings {
		got = append(got, f.Principal+" | "+f.Message[strings.Index(f.Message, "marked for"):])
	}
	mu.Unlock()
	acted := sb.clock.now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	want := []string{
		hana + " | marked for remove_console_login of hana.moreau password; acted on once approved, not before " + acted + " unless resolved",
		amir + " | marked for deactivate_access_key of amir.tanaka access_key_1; acted on from " + acted + " unless resolved",
		luca + " | marked for deactivate_access_key of luca.weber access_key_1; acted on from " + acted + " unless resolved",
	}
	if d := cmp.Diff(sortStrings(want), sortStrings(got)); d != "" {
		t.Errorf("owner digest (-want +got):\n%s", d)
	}

	// Eight days later: the automatic rule acts on exactly the two marked keys.
	sb.clock.add(8 * 24 * time.Hour)
	srv.ResetCalls()
	day8 := sb.run(t, db, sandboxPolicy(10), n)
	r = day8.Remediation
	wantActs := []stepView{
		{remediate.PhaseAct, remediate.ActRemoveConsoleLogin, hana, false},
		{remediate.PhaseAct, remediate.ActDeactivateAccessKey, amir, true},
		{remediate.PhaseAct, remediate.ActDeactivateAccessKey, luca, true},
	}
	if d := cmp.Diff(wantActs, sortedViews(stepViews(r.Plan))); d != "" {
		t.Errorf("day 8 steps (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{0, 2, 1, 1}, []int{r.Marked, r.Applied, r.Blocked, r.Pending}); d != "" {
		t.Errorf("day 8 marked, applied, blocked, pending (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"iam:UpdateAccessKey": 2}, writes(srv)); d != "" {
		t.Errorf("day 8 write calls (-want +got):\n%s", d)
	}
	if got := keyStatus(t, srv, "210000000004", "amir.tanaka") + keyStatus(t, srv, "210000000004", "luca.weber"); got != "InactiveInactive" {
		t.Errorf("day 8 key statuses %s, want both Inactive", got)
	}
	mu.Lock()
	// Day 8 sends one digest more: the outcomes of the two acting steps (no new marks).
	if len(digests) != 2 {
		t.Fatalf("day 8 sent %d more digests, want 1 (the outcomes)", len(digests)-1)
	}
	var outcomes []string
	for _, o := range digests[1].Remediation {
		outcomes = append(outcomes, o.State+" "+o.Action+" "+o.Principal+" "+o.Target)
	}
	wantOutcomes := []string{
		"done deactivate_access_key " + amir + " access_key_1",
		"done deactivate_access_key " + luca + " access_key_1",
	}
	if d := cmp.Diff(sortStrings(wantOutcomes), sortStrings(outcomes)); d != "" || len(digests[1].Findings) != 0 {
		t.Errorf("day 8 outcome digest (-want +got):\n%s", d)
	}
	mu.Unlock()
	stored, err := LatestPlan(db)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ID != PlanID(day8.SnapshotID) || stored.Applied != 2 || stored.Approval != nil {
		t.Errorf("stored plan %s applied %d approval %v, want %s, 2, none", stored.ID, stored.Applied, stored.Approval, PlanID(day8.SnapshotID))
	}
}

// TestRemediationCapAbortsRun: with max_actions 1 and two keys due, the whole run is refused
// with the guard's text and nothing is written to the cloud.
func TestRemediationCapAbortsRun(t *testing.T) {
	sb := startRemediationSandbox(t)
	db := openStore(t)
	sb.run(t, db, sandboxPolicy(1), nil)
	sb.clock.add(8 * 24 * time.Hour)
	sb.env.AWS.ResetCalls()
	res := sb.run(t, db, sandboxPolicy(1), nil)
	r := res.Remediation
	want := "remediation refused by cap_count guard: plan has 3 acting steps, more than max_actions 1: nothing was done"
	if r.Refused != want {
		t.Errorf("refused = %q, want %q", r.Refused, want)
	}
	if d := cmp.Diff([]int{0, 0, 0}, []int{r.Marked, r.Applied, len(r.Outcomes)}); d != "" {
		t.Errorf("marked, applied, outcomes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{}, writes(sb.env.AWS)); d != "" {
		t.Errorf("write calls (-want +got):\n%s", d)
	}
}

func sortStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
