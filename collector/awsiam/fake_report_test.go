package awsiam_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

// testClock is a settable clock shared by the fake and the collector. It starts at the wall
// clock so that the SDK's credential caches, which compare expiries with the wall clock, keep
// the fake's session credentials.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// principal returns the principal with the given ID, failing the test when it is absent.
func principal(t *testing.T, r *collector.Result, id string) inventory.Principal {
	t.Helper()
	for _, p := range r.Principals {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("principal %s missing", id)
	return inventory.Principal{}
}

// TestCollectFakeCredentialReportReuse: the report is read first and generated only when IAM
// has none, it expired, or it is older than ReportMaxAge. Alice's console password is deleted
// after the priming report, so her Console flag tells which report was used.
func TestCollectFakeCredentialReportReuse(t *testing.T) {
	stale := awsfake.Options{ReportLifetime: 48 * time.Hour, ReportRegenerateAfter: 4 * time.Hour} // IAM serving an old report
	tests := []struct {
		name        string
		fake        awsfake.Options
		maxAge      time.Duration
		prime       bool          // a report exists, generated before the password was deleted
		advance     time.Duration // time between that report and the collection
		get, gen    int           // GetCredentialReport and GenerateCredentialReport calls
		wantConsole bool          // the report predates the deletion
	}{
		{name: "none present", get: 2, gen: 1},
		{name: "one hour old: reused", prime: true, advance: time.Hour, get: 1, wantConsole: true},
		{name: "expired", prime: true, advance: 5 * time.Hour, get: 2, gen: 1},
		{name: "served but older than ReportMaxAge: regenerated", fake: stale, prime: true, advance: 5 * time.Hour, get: 2, gen: 1},
		{name: "served and within a longer ReportMaxAge: reused", fake: stale, maxAge: 24 * time.Hour, prime: true, advance: 5 * time.Hour,
			get: 1, wantConsole: true},
		{name: "older than ReportMaxAge but IAM does not regenerate: used after one generation",
			fake: awsfake.Options{ReportLifetime: 48 * time.Hour}, prime: true, advance: 5 * time.Hour, get: 2, gen: 1, wantConsole: true},
		{name: "old report served while the new one is generated: polled until new",
			fake:  awsfake.Options{ReportLifetime: 48 * time.Hour, ReportRegenerateAfter: 4 * time.Hour, ReportPolls: 1, ReportStaleWhileGenerating: true},
			prime: true, advance: 5 * time.Hour, get: 3, gen: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newTestClock()
			fo := tt.fake
			fo.Now = clock.Now
			srv, cfg := fakeServer(t, fakeOrg(), fo)
			client := iam.NewFromConfig(cfg)
			if tt.prime {
				if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
					t.Fatal(err)
				}
				for {
					_, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
					if err == nil {
						break
					}
					if !strings.Contains(err.Error(), "ReportInProgress") {
						t.Fatal(err)
					}
				}
			}
			if _, err := client.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.advance)
			srv.ResetCalls()

			opts := fakeOptions(srv, &cfg)
			opts.Organization, opts.IdentityCenter, opts.MaxItems = false, false, 1000
			opts.ReportMaxAge, opts.Now = tt.maxAge, clock.Now
			c, err := awsiam.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Collect(t.Context())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if cov := coverageOf(t, got, fakeMgmt); cov.Status != inventory.CoverageComplete {
				t.Errorf("coverage %s: %s", cov.Status, cov.Error)
			}
			want := map[string]int{
				"sts:GetCallerIdentity": 1, "iam:GetAccountAuthorizationDetails": 1, "iam:GetAccountSummary": 1,
				"iam:GetAccountPasswordPolicy": 1, "iam:GetCredentialReport": tt.get,
			}
			if tt.gen > 0 {
				want["iam:GenerateCredentialReport"] = tt.gen
			}
			if diff := cmp.Diff(want, srv.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if alice := principal(t, got, "arn:aws:iam::"+fakeMgmt+":user/alice"); alice.Console != tt.wantConsole {
				t.Errorf("alice Console = %v, want %v (the report predates the password's deletion: %v)", alice.Console, tt.wantConsole, tt.wantConsole)
			}
		})
	}
}

// TestCollectFakeAccountSummaryModes: GetAccountSummary per account, only where the credential
// report failed, or never; Settings hold what was read.
func TestCollectFakeAccountSummaryModes(t *testing.T) {
	mgmtSummary := summary(map[string]int{"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 1, "Groups": 1, "MFADevices": 2,
		"MFADevicesInUse": 2, "Policies": 1, "PolicyVersionsInUse": 2, "Roles": 2, "Users": 2})
	prodSummary := summary(map[string]int{"Policies": 1, "PolicyVersionsInUse": 1, "Roles": 1, "Users": 1})
	devSummary := summary(nil)
	reportDenied := awsfake.Fault{Service: "iam", Operation: "GetCredentialReport", Account: fakeProd, Code: "AccessDenied"}
	tests := []struct {
		name         string
		mode         awsiam.SummaryMode
		faults       []awsfake.Fault
		wantSettings map[string]map[string]int // by account
		wantCalls    map[string]int            // GetAccountSummary calls by account
		prodStatus   inventory.CoverageStatus
	}{
		{name: "always", mode: awsiam.SummaryAlways,
			wantSettings: map[string]map[string]int{fakeMgmt: mgmtSummary, fakeProd: prodSummary, fakeDev: devSummary},
			wantCalls:    map[string]int{fakeMgmt: 1, fakeProd: 1, fakeDev: 1}, prodStatus: inventory.CoverageComplete},
		{name: "always, prod's report denied", mode: awsiam.SummaryAlways, faults: []awsfake.Fault{reportDenied},
			wantSettings: map[string]map[string]int{fakeMgmt: mgmtSummary, fakeProd: prodSummary, fakeDev: devSummary},
			wantCalls:    map[string]int{fakeMgmt: 1, fakeProd: 1, fakeDev: 1}, prodStatus: inventory.CoveragePartial},
		{name: "on report failure, none failed", mode: awsiam.SummaryOnReportFailure,
			wantSettings: map[string]map[string]int{fakeMgmt: nil, fakeProd: nil, fakeDev: nil},
			wantCalls:    map[string]int{fakeMgmt: 0, fakeProd: 0, fakeDev: 0}, prodStatus: inventory.CoverageComplete},
		{name: "on report failure, prod's report denied", mode: awsiam.SummaryOnReportFailure, faults: []awsfake.Fault{reportDenied},
			wantSettings: map[string]map[string]int{fakeMgmt: nil, fakeProd: prodSummary, fakeDev: nil},
			wantCalls:    map[string]int{fakeMgmt: 0, fakeProd: 1, fakeDev: 0}, prodStatus: inventory.CoveragePartial},
		{name: "never, prod's report denied", mode: awsiam.SummaryNever, faults: []awsfake.Fault{reportDenied},
			wantSettings: map[string]map[string]int{fakeMgmt: nil, fakeProd: nil, fakeDev: nil},
			wantCalls:    map[string]int{fakeMgmt: 0, fakeProd: 0, fakeDev: 0}, prodStatus: inventory.CoveragePartial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			opts := fakeOptions(srv, &cfg)
			opts.IdentityCenter, opts.AccountSummary = false, tt.mode
			c, err := awsiam.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Collect(t.Context())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			settings := map[string]map[string]int{}
			calls := map[string]int{}
			for _, a := range got.Accounts {
				settings[a.ID] = a.Settings
				calls[a.ID] = srv.CallsFor(a.ID)["iam:GetAccountSummary"]
			}
			if diff := cmp.Diff(tt.wantSettings, settings); diff != "" {
				t.Errorf("settings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("GetAccountSummary calls (-want +got):\n%s", diff)
			}
			if prod := coverageOf(t, got, fakeProd); prod.Status != tt.prodStatus {
				t.Errorf("prod coverage %s (%s), want %s", prod.Status, prod.Error, tt.prodStatus)
			}
		})
	}
}
