package awsiam_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

func principalIDs(r *collector.Result, account string) []string {
	var ids []string
	for _, p := range r.Principals {
		if p.Account == account {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

func coverageOf(t *testing.T, r *collector.Result, scope string) inventory.Coverage {
	t.Helper()
	for _, c := range r.Coverage {
		if c.Scope == scope {
			return c
		}
	}
	t.Fatalf("no coverage for %s in %+v", scope, r.Coverage)
	return inventory.Coverage{}
}

// TestCollectFakeAccountFailures breaks the prod account in one way each and checks that its
// coverage says how, keeps what could be read, and that the other accounts are complete.
func TestCollectFakeAccountFailures(t *testing.T) {
	const badReport = "user,arn,mfa_active\nbob,arn:aws:iam::222222222222:user/bob,sometimes\n"
	bob := "arn:aws:iam::" + fakeProd + ":user/bob"
	auditor := "arn:aws:iam::" + fakeProd + ":role/auditor"
	prodRoot := "arn:aws:iam::" + fakeProd + ":root"
	tests := []struct {
		name    string
		org     func(*awsfake.Organization)
		faults  []awsfake.Fault
		opts    func(*awsiam.Options)
		status  inventory.CoverageStatus
		kind    inventory.ErrorKind
		errHas  []string
		wantIDs []string
	}{
		{
			name:   "assume role denied",
			org:    func(o *awsfake.Organization) { o.Accounts[1].RoleNames = []string{} },
			status: inventory.CoverageFailed, kind: inventory.ErrPermissionDenied,
			errHas: []string{"assume role arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", "AccessDenied"},
		},
		{
			name:   "external id missing",
			org:    func(o *awsfake.Organization) { o.Accounts[1].ExternalID = "ext-4711" },
			status: inventory.CoverageFailed, kind: inventory.ErrPermissionDenied,
			errHas: []string{"assume role", "AccessDenied"},
		},
		{
			name:   "external id given",
			org:    func(o *awsfake.Organization) { o.Accounts[1].ExternalID = "ext-4711" },
			opts:   func(o *awsiam.Options) { o.ExternalID = "ext-4711" },
			status: inventory.CoverageComplete, wantIDs: []string{auditor, prodRoot, bob},
		},
		{
			name: "custom role name",
			org: func(o *awsfake.Organization) {
				o.Accounts[1].RoleNames = []string{"ProvostAudit"}
				o.Accounts[2].RoleNames = []string{"ProvostAudit"}
			},
			opts:   func(o *awsiam.Options) { o.RoleName = "ProvostAudit" },
			status: inventory.CoverageComplete, wantIDs: []string{auditor, prodRoot, bob},
		},
		{
			name:   "authorization details denied",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails", Account: fakeProd, Code: "AccessDenied"}},
			status: inventory.CoverageFailed, kind: inventory.ErrPermissionDenied,
			errHas: []string{"authorization details: ", "AccessDenied"},
		},
		{
			name:   "authorization details fail on the second page",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails", Account: fakeProd, Code: "InternalFailure", AfterCalls: 1}},
			opts:   func(o *awsiam.Options) { o.MaxAttempts = 2 },
			status: inventory.CoveragePartial, kind: inventory.ErrUnavailable,
			errHas: []string{"authorization details: ", "InternalFailure"},
			// The first page holds bob and the auditor role; the root comes from the report.
			wantIDs: []string{auditor, prodRoot, bob},
		},
		{
			name:   "throttled beyond the retries",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails", Account: fakeProd, Code: "Throttling"}},
			opts:   func(o *awsiam.Options) { o.MaxAttempts = 2 },
			status: inventory.CoverageFailed, kind: inventory.ErrThrottled,
			errHas: []string{"authorization details: ", "Throttling"},
		},
		{
			name:   "credential report denied",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetCredentialReport", Account: fakeProd, Code: "AccessDenied"}},
			status: inventory.CoveragePartial, kind: inventory.ErrPermissionDenied,
			errHas:  []string{"credential report: ", "AccessDenied"},
			wantIDs: []string{auditor, bob},
		},
		{
			name:   "malformed credential report",
			org:    func(o *awsfake.Organization) { o.Accounts[1].CredentialReportCSV = badReport },
			status: inventory.CoveragePartial, kind: inventory.ErrInvalid,
			errHas:  []string{`credential report: malformed credential report: line 2, column mfa_active: invalid flag "sometimes"`},
			wantIDs: []string{auditor, bob},
		},
		{
			name:   "credential report generation rate limited",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GenerateCredentialReport", Account: fakeProd, Code: "LimitExceeded", Times: 2}},
			status: inventory.CoverageComplete, wantIDs: []string{auditor, prodRoot, bob},
		},
		{
			name:   "account summary unavailable",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetAccountSummary", Account: fakeProd, Code: "ServiceUnavailable"}},
			opts:   func(o *awsiam.Options) { o.MaxAttempts = 2 },
			status: inventory.CoveragePartial, kind: inventory.ErrUnavailable,
			errHas:  []string{"account summary: ", "ServiceUnavailable"},
			wantIDs: []string{auditor, prodRoot, bob},
		},
		{
			name:   "account deadline",
			faults: []awsfake.Fault{{Service: "iam", Operation: "GetAccountAuthorizationDetails", Account: fakeProd, Delay: 5 * time.Second}},
			opts:   func(o *awsiam.Options) { o.AccountTimeout = 300 * time.Millisecond },
			status: inventory.CoverageFailed, kind: inventory.ErrTimeout,
			errHas: []string{"authorization details: ", "deadline exceeded"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := fakeOrg()
			if tt.org != nil {
				tt.org(org)
			}
			srv, cfg := fakeServer(t, org, awsfake.Options{})
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			opts := fakeOptions(srv, &cfg)
			// Identity Center is not the subject here; it would read the AWS managed policies
			// that only a broken prod attaches with GetPolicy, with calls of its own.
			opts.IdentityCenter = false
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c, err := awsiam.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Collect(t.Context())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			prod := coverageOf(t, got, fakeProd)
			if prod.Status != tt.status || prod.ErrorKind != tt.kind {
				t.Errorf("prod coverage = %s/%q (%s), want %s/%q", prod.Status, prod.ErrorKind, prod.Error, tt.status, tt.kind)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(prod.Error, s) {
					t.Errorf("prod coverage error %q does not contain %q", prod.Error, s)
				}
			}
			if tt.status == inventory.CoverageComplete && prod.Error != "" {
				t.Errorf("complete coverage has error %q", prod.Error)
			}
			if diff := cmp.Diff(tt.wantIDs, principalIDs(got, fakeProd)); diff != "" {
				t.Errorf("prod principals mismatch (-want +got):\n%s", diff)
			}
			for _, other := range []string{fakeMgmt, fakeDev} {
				if c := coverageOf(t, got, other); c.Status != inventory.CoverageComplete {
					t.Errorf("coverage of %s = %s (%s), want complete", other, c.Status, c.Error)
				}
			}
		})
	}
}

// TestCollectFakeThrottlingStorm throttles IAM, Organizations, SSO and the identity store:
// the adaptive retryer absorbs it and the result equals an undisturbed run, with one extra
// call per throttled one. The adaptive mode's client-side rate limiter slows a throttled
// client to as little as half a request per second before it recovers, so each storm costs
// seconds; the storms run in parallel, each against its own fake.
func TestCollectFakeThrottlingStorm(t *testing.T) {
	collect := func(t *testing.T, faults ...awsfake.Fault) (*collector.Result, int) {
		srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
		for _, f := range faults {
			srv.Inject(f)
		}
		c, err := awsiam.New(fakeOptions(srv, &cfg))
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Collect(t.Context())
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		n := 0
		for _, v := range srv.Calls() {
			n += v
		}
		return res, n
	}
	calm, calmCalls := collect(t)
	tests := []struct {
		name   string
		faults []awsfake.Fault
		extra  int
	}{
		{"iam across accounts", []awsfake.Fault{{Service: "iam", Code: "Throttling", Times: 6}}, 6},
		{"iam mid-run", []awsfake.Fault{{Service: "iam", Code: "Throttling", Times: 4, AfterCalls: 8}}, 4},
		{"organizations", []awsfake.Fault{{Service: "organizations", Code: "Throttling", Times: 2}}, 2},
		{"identity center", []awsfake.Fault{
			{Service: "sso", Code: "Throttling", Times: 1},
			{Service: "identitystore", Code: "Throttling", Times: 1},
		}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stormy, calls := collect(t, tt.faults...)
			if diff := cmp.Diff(calm, stormy); diff != "" {
				t.Errorf("throttled run differs from the calm one (-calm +stormy):\n%s", diff)
			}
			if calls-calmCalls != tt.extra {
				t.Errorf("storm made %d extra calls, want one retry per throttled call (%d)", calls-calmCalls, tt.extra)
			}
		})
	}
}

func TestCollectFakeReadsNothing(t *testing.T) {
	tests := []struct {
		name   string
		fault  awsfake.Fault
		kind   inventory.ErrorKind
		errHas string
	}{
		{"caller identity expired", awsfake.Fault{Service: "sts", Operation: "GetCallerIdentity", Code: "ExpiredToken"},
			inventory.ErrPermissionDenied, "get caller identity: "},
		{"organization denied", awsfake.Fault{Service: "organizations", Operation: "ListRoots", Code: "AccessDenied"},
			inventory.ErrPermissionDenied, "list organization roots: "},
		{"organization unit listing unavailable", awsfake.Fault{Service: "organizations", Operation: "ListOrganizationalUnitsForParent", Code: "ServiceUnavailable"},
			inventory.ErrUnavailable, "list organizational units under r-ab12: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// newCollector starts a fake with the fault: each fake numbers its request IDs from
			// the start, so two give the same error.
			newCollector := func() *awsiam.Collector {
				srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
				srv.Inject(tt.fault)
				opts := fakeOptions(srv, &cfg)
				opts.MaxAttempts = 2
				c, err := awsiam.New(opts)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			res, err := newCollector().Collect(t.Context())
			if err == nil {
				t.Fatalf("Collect: nil error and %d principals, want an error", len(res.Principals))
			}
			if k := collector.KindOf(err); k != tt.kind {
				t.Errorf("KindOf(%v) = %q, want %q", err, k, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("error %q does not contain %q", err, tt.errHas)
			}

			// Through the runner, the one failed entry keeps the collector's provider and method.
			c := newCollector()
			snap, rerr := collector.Run(t.Context(), []collector.Source{c}, collector.RunOptions{Now: func() time.Time { return fixedNow }})
			if rerr != nil {
				t.Fatalf("Run: %v", rerr)
			}
			want := []inventory.Coverage{{Source: c.Name(), Provider: inventory.ProviderAWS, Method: awsiam.Method,
				Status: inventory.CoverageFailed, ErrorKind: tt.kind, Error: err.Error(), StartedAt: fixedNow, FinishedAt: fixedNow}}
			if diff := cmp.Diff(want, snap.Coverage); diff != "" {
				t.Errorf("coverage through collector.Run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectFakeIdentityCenterDenied(t *testing.T) {
	srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
	srv.Inject(awsfake.Fault{Service: "sso", Operation: "ListPermissionSets", Code: "AccessDenied"})
	c, err := awsiam.New(fakeOptions(srv, &cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	mgmt := coverageOf(t, got, fakeMgmt)
	if mgmt.Status != inventory.CoveragePartial || mgmt.ErrorKind != inventory.ErrPermissionDenied ||
		!strings.Contains(mgmt.Error, "identity center instance "+fakeInstance+": list permission sets: ") {
		t.Errorf("management coverage = %s/%q (%s), want partial/permission_denied naming the instance", mgmt.Status, mgmt.ErrorKind, mgmt.Error)
	}
	// The identity store was read: its users are there, without grants.
	for _, id := range []string{"aws-sso:" + fakeStore + ":u-alice", "aws-sso:" + fakeStore + ":u-bob"} {
		found := false
		for _, p := range got.Principals {
			if p.ID == id {
				found = true
				if len(p.Grants) != 0 {
					t.Errorf("%s has grants %v although permission sets could not be read", id, p.Grants)
				}
			}
		}
		if !found {
			t.Errorf("principal %s missing", id)
		}
	}
}

func TestCollectCancelled(t *testing.T) {
	srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
	srv.Inject(awsfake.Fault{Service: "iam", Delay: 10 * time.Second})
	c, err := awsiam.New(fakeOptions(srv, &cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Collect(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Collect error = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Collect returned after %s, want promptly after the deadline", elapsed)
	}
}

// TestCollectFakeReportNeverReady: a report that has always expired by the time it is fetched
// makes the collector generate it a bounded number of times, then give up with a partial
// coverage instead of looping until the deadline.
func TestCollectFakeReportNeverReady(t *testing.T) {
	var mu sync.Mutex
	clock := fixedNow
	tick := func() time.Time { // every look at the clock is a second later
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{ReportLifetime: time.Nanosecond, ReportDelay: time.Nanosecond, Now: tick})
	opts := fakeOptions(srv, &cfg)
	opts.Organization, opts.IdentityCenter = false, false
	c, err := awsiam.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	mgmt := coverageOf(t, got, fakeMgmt)
	if mgmt.Status != inventory.CoveragePartial || mgmt.ErrorKind != inventory.ErrUnavailable ||
		!strings.Contains(mgmt.Error, "credential report: still not present in 111111111111 after 3 generations") {
		t.Errorf("coverage = %s/%q (%s), want partial/unavailable after 3 generations", mgmt.Status, mgmt.ErrorKind, mgmt.Error)
	}
	if n := srv.Calls()["iam:GenerateCredentialReport"]; n != 3 {
		t.Errorf("GenerateCredentialReport called %d times, want 3", n)
	}
}
