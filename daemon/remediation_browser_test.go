package daemon

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/sandbox"
)

// movingClock is the sandbox's, the runs' and the daemon's clock.
type movingClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *movingClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// apiCall calls the daemon's API with the test token (or none) and decodes the answer into out.
func apiCall(t *testing.T, method, url, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
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
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

// TestBrowserRemediationApproval runs real audits of the sandbox with remediation through the
// daemon: day 0 marks, day 8 deactivates the two stale keys automatically and leaves the
// console login of an Identity Center account's IAM user waiting for approval. In headless
// Chromium the Remediation page lists the plan; Approve records the approval (the API shows it,
// the token is required), and the next run removes exactly that login through the SDK.
func TestBrowserRemediationApproval(t *testing.T) {
	ctx := context.Background()
	art := testpeer.ArtifactDir(t)
	org := sandbox.Generate(sandbox.GenerateOptions{Seed: 7, Scale: 120})
	clock := &movingClock{at: org.Now}
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir(), Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pol := &remediate.Policy{BreakGlassTag: sandbox.ProtectedTag, MaxActions: 10, MaxPercent: 5, MaxRosterShrinkPercent: 10,
		Rules: []remediate.Rule{
			{Check: "PV-AWS-006", Action: remediate.ActDeactivateAccessKey, Enabled: true, Automatic: true, Grace: 7 * 24 * time.Hour},
			{Check: "PV-AWS-007", Action: remediate.ActDeactivateAccessKey, Enabled: true, Grace: 7 * 24 * time.Hour},
			{Check: "PV-AWS-013", Action: remediate.ActRemoveConsoleLogin, Enabled: true, Grace: 7 * 24 * time.Hour},
		}}
	base := env.AWSConfig()
	base.BaseEndpoint = aws.String(env.AWSURL)
	rem := &audit.Remediation{Policy: pol, Executors: map[inventory.Provider]remediate.Executor{
		inventory.ProviderAWS: awsiam.NewAssumeRole(base, "OrganizationAccountAccessRole", "")}}
	db := openStore(t)
	done := make(chan Run, 1)
	d := newTestDaemon(t, Options{Config: DefaultConfig(), Store: db, Now: clock.now, OnRun: func(_ context.Context, r Run) { done <- r },
		Run: func(runCtx context.Context) (*audit.Result, error) {
			srcs, err := env.Sources(runCtx)
			if err != nil {
				return nil, err
			}
			return audit.Run(runCtx, audit.Options{Sources: srcs, Collect: env.RunOptions(), Store: db, Library: lib, Remediation: rem, Now: clock.now})
		}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.Serve(sctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	baseURL := "http://" + ln.Addr().String()
	runNow := func(what string) *audit.Result {
		t.Helper()
		if _, err := d.StartRun(); err != nil {
			t.Fatal(err)
		}
		r := recv(t, done, what)
		if r.Status != StatusSucceeded {
			t.Fatalf("%s: %s %s", what, r.Status, r.Error)
		}
		return r.Result
	}

	var none apiError
	if code := apiCall(t, "GET", baseURL+"/api/v1/remediation/plans", testToken, &none); code != http.StatusNotFound {
		t.Errorf("plans before any run: %d, want 404", code)
	}
	runNow("day 0 run")
	clock.add(8 * 24 * time.Hour)
	res := runNow("day 8 run")
	planID := audit.PlanID(res.SnapshotID)
	var pending []string
	for _, s := range res.Remediation.Plan.Acting() {
		if !s.Automatic {
			pending = append(pending, s.ID)
		}
	}
	if len(pending) != 2 || res.Remediation.Pending != 2 || res.Remediation.Applied != 2 {
		t.Fatalf("day 8: pending %v (%d), applied %d; want two steps waiting and two applied", pending, res.Remediation.Pending, res.Remediation.Applied)
	}

	if code := apiCall(t, "POST", baseURL+"/api/v1/remediation/plans/"+planID+"/approve", "", nil); code != http.StatusUnauthorized {
		t.Errorf("approve without the token: %d, want 401", code)
	}
	if code := apiCall(t, "POST", baseURL+"/api/v1/remediation/plans/plan-nope/approve", testToken, nil); code != http.StatusNotFound {
		t.Errorf("approve an unknown plan: %d, want 404", code)
	}

	b := newBrowser(t)
	b.do(t, "open the dashboard", chromedp.Navigate(baseURL+"/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	b.do(t, "sign in", chromedp.SendKeys(chromedp.CSS("#token"), testToken), chromedp.Click(chromedp.CSS("#login-form button")))
	b.waitFor(t, "overview", `document.body.getAttribute("data-loaded") === "overview"`, `document.getElementById("page").innerText`)
	b.do(t, "remediation", chromedp.Navigate(baseURL+"/dashboard/#remediation"))
	b.waitFor(t, "remediation page", `document.body.getAttribute("data-loaded") === "remediation"`, `document.getElementById("page").innerText`)
	if got, want := eval[string](t, b, `document.getElementById("plan-counts").textContent`), "0 marked · 2 applied · 2 awaiting approval · 1 blocked"; got != want {
		t.Errorf("plan counts %q, want %q", got, want)
	}
	rows := eval[string](t, b, `Array.from(document.querySelectorAll("#steps-body tr")).map(function (r) { return r.getAttribute("data-step") + " " + r.querySelector(".step-state").textContent; }).join(",")`)
	var wantRows []string
	for _, s := range res.Remediation.Plan.Steps {
		st := "awaiting approval"
		if s.Automatic {
			st = "done"
		}
		wantRows = append(wantRows, s.ID+" "+st)
	}
	if got, want := rows, strings.Join(wantRows, ","); got != want {
		t.Errorf("step rows %q, want %q", got, want)
	}
	if n := eval[int](t, b, `document.querySelectorAll("#blocked-body tr").length`); n != 1 {
		t.Errorf("blocked rows %d, want 1 (the break-glass user)", n)
	}
	b.shot(t, art, "dashboard-remediation.png")
	b.do(t, "approve", chromedp.Click(chromedp.CSS("#approve")))
	b.waitFor(t, "approval", `document.body.getAttribute("data-approved") === "`+planID+`"`, `document.getElementById("page").innerText`)
	for _, id := range pending {
		if got := eval[string](t, b, `document.querySelector("#steps-body tr[data-step='`+id+`'] .step-state").textContent`); got != "approved" {
			t.Errorf("approved step %s shows %q, want approved", id, got)
		}
	}
	b.shot(t, art, "dashboard-remediation-approved.png")

	var ans plansAnswer
	if code := apiCall(t, "GET", baseURL+"/api/v1/remediation/plans", testToken, &ans); code != http.StatusOK {
		t.Fatalf("plans: %d", code)
	}
	if ans.Plan.ID != planID || ans.Plan.Approval == nil {
		t.Fatalf("plan %s approval %v, want %s approved", ans.Plan.ID, ans.Plan.Approval, planID)
	}
	if d := cmp.Diff(audit.Approval{PlanID: planID, Steps: pending, At: clock.now().UTC()}, *ans.Plan.Approval); d != "" {
		t.Errorf("approval (-want +got):\n%s", d)
	}

	// The next run applies the approved steps: kemal.lopez's old key is deactivated through
	// the SDK; hana.moreau has no console password, so re-reading finds it done without a call.
	clock.add(24 * time.Hour)
	env.AWS.ResetCalls()
	next := runNow("run after the approval")
	byStep := map[string]remediate.Step{}
	for _, s := range res.Remediation.Plan.Steps {
		byStep[s.ID] = s
	}
	var outs []string
	for _, o := range next.Remediation.Outcomes {
		if s, ok := byStep[o.StepID]; ok && !s.Automatic {
			outs = append(outs, s.Target.Name+" "+string(o.State)+" "+o.Detail)
		}
	}
	slices.Sort(outs)
	want := []string{"hana.moreau done user hana.moreau has no console password", "kemal.lopez done deactivate key " + kemalKey(t, env) + " (access_key_1) of kemal.lopez"}
	if d := cmp.Diff(want, outs); d != "" {
		t.Errorf("approved steps' outcomes (-want +got):\n%s", d)
	}
	writes := map[string]int{}
	for op, n := range env.AWS.Calls() {
		if strings.HasPrefix(op, "iam:Update") || strings.HasPrefix(op, "iam:Delete") || strings.HasPrefix(op, "iam:Tag") {
			writes[op] = n
		}
	}
	if d := cmp.Diff(map[string]int{"iam:UpdateAccessKey": 1}, writes); d != "" {
		t.Errorf("write calls of the approved run (-want +got):\n%s", d)
	}
	if next.Remediation.Pending != 0 {
		t.Errorf("pending after the approved run %d, want 0", next.Remediation.Pending)
	}

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("browser problems:\n%s", strings.Join(p, "\n"))
	}
}

// kemalKey is the ID of kemal.lopez's access key in the sandbox.
func kemalKey(t *testing.T, env *sandbox.Env) string {
	t.Helper()
	for _, a := range env.AWS.Organization().Accounts {
		for _, u := range a.Users {
			if u.Name == "kemal.lopez" && len(u.AccessKeys) == 1 {
				return u.AccessKeys[0].ID
			}
		}
	}
	t.Fatal("no kemal.lopez with one access key in the sandbox")
	return ""
}
