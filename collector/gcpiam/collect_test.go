package gcpiam_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

var update = flag.Bool("update", false, "rewrite golden files")

func collect(t *testing.T, c *gcpiam.Collector) *collector.Result {
	t.Helper()
	res, err := c.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return res
}

// golden compares v, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// withoutMethod blanks what legitimately differs between the two policy paths.
func withoutMethod(res *collector.Result) *collector.Result {
	out := *res
	out.Coverage = slices.Clone(res.Coverage)
	for i := range out.Coverage {
		out.Coverage[i].Method = ""
	}
	return &out
}

// TestCollectOrganization checks the whole result for the test estate against a reviewed golden
// file, through both policy paths and with every list paged one item at a time.
func TestCollectOrganization(t *testing.T) {
	tests := []struct {
		name       string
		asset      bool
		pageSize   int
		wantMethod string
	}{
		{"per-resource", false, 0, gcpiam.MethodGetIamPolicy},
		{"asset-inventory", true, 0, gcpiam.MethodAssetInventory},
		{"per-resource paged by one", false, 1, gcpiam.MethodGetIamPolicy},
		{"asset-inventory paged by one", true, 1, gcpiam.MethodAssetInventory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testOrg(), gcpfake.Options{PageSize: tt.pageSize})
			res := collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: tt.asset, ExpandGroups: true}))
			for _, cov := range res.Coverage {
				want := tt.wantMethod
				if cov.Scope == "cloudidentity/groups" {
					want = "searchTransitiveMemberships"
				}
				if cov.Method != want {
					t.Errorf("coverage %s: method %q, want %q", cov.Scope, cov.Method, want)
				}
			}
			golden(t, "organization.json", withoutMethod(res))
		})
	}
}

// TestPolicyPathsCallCounts pins the API calls each path makes for the test estate: asset
// inventory replaces every getIamPolicy with one search.
func TestPolicyPathsCallCounts(t *testing.T) {
	common := map[string]int{
		"cloudresourcemanager.organizations.get":                           1,
		"cloudresourcemanager.folders.list":                                4,
		"cloudresourcemanager.projects.list":                               4,
		"iam.projects.serviceAccounts.list":                                4,
		"iam.projects.serviceAccounts.keys.list":                           3,
		"policyanalyzer.projects.locations.activityTypes.activities.query": 8,
		"iam.roles.get":               10,
		"iam.organizations.roles.get": 1,
		"iam.projects.roles.get":      1,
	}
	perResource := map[string]int{
		"cloudresourcemanager.organizations.getIamPolicy": 1,
		"cloudresourcemanager.folders.getIamPolicy":       3,
		"cloudresourcemanager.projects.getIamPolicy":      4,
	}
	asset := map[string]int{"cloudasset.v1.searchAllIamPolicies": 1}
	for _, tt := range []struct {
		name  string
		asset bool
		extra map[string]int
	}{{"per-resource", false, perResource}, {"asset-inventory", true, asset}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testOrg(), gcpfake.Options{})
			collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: tt.asset}))
			want := map[string]int{}
			for k, v := range common {
				want[k] = v
			}
			for k, v := range tt.extra {
				want[k] = v
			}
			if diff := cmp.Diff(want, e.fake.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

func principal(t *testing.T, res *collector.Result, id string) inventory.Principal {
	t.Helper()
	for _, p := range res.Principals {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no principal %s", id)
	return inventory.Principal{}
}

func coverage(t *testing.T, res *collector.Result, scope string) inventory.Coverage {
	t.Helper()
	for _, c := range res.Coverage {
		if c.Scope == scope {
			return c
		}
	}
	t.Fatalf("no coverage for %s", scope)
	return inventory.Coverage{}
}

// TestInheritedAndConditionalGrants: a binding on a folder appears on that folder as direct and
// on every scope below it as inherited from the folder, with its condition.
func TestInheritedAndConditionalGrants(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{}))
	tests := []struct {
		id   string
		want []inventory.Grant
	}{
		{"gcp:user:alice@corp.example", []inventory.Grant{
			{What: "roles/owner", Where: "projects/pay-prod-1", Via: "direct", Privilege: inventory.PrivilegeAdmin},
			{What: "roles/storage.objectViewer", Where: "folders/101", Via: "direct", Privilege: inventory.PrivilegeRead, Condition: untilEnd},
			{What: "roles/storage.objectViewer", Where: "projects/pay-prod-1", Via: "inherited:folders/101", Privilege: inventory.PrivilegeRead, Condition: untilEnd},
		}},
		{"gcp:group:prod-ops@corp.example", []inventory.Grant{
			{What: "roles/editor", Where: "folders/100", Via: "direct", Privilege: inventory.PrivilegeAdmin},
			{What: "roles/editor", Where: "folders/101", Via: "inherited:folders/100", Privilege: inventory.PrivilegeAdmin},
			{What: "roles/editor", Where: "projects/pay-prod-1", Via: "inherited:folders/100", Privilege: inventory.PrivilegeAdmin},
			{What: "roles/editor", Where: "projects/web-prod-01", Via: "inherited:folders/100", Privilege: inventory.PrivilegeAdmin},
		}},
		{"gcp:domain:corp.example", []inventory.Grant{
			{What: "roles/browser", Where: "folders/100", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "folders/101", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "folders/200", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: orgName, Via: "direct", Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "projects/pay-prod-1", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "projects/sandbox-dev", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "projects/shared-tools", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
			{What: "roles/browser", Where: "projects/web-prod-01", Via: "inherited:" + orgName, Privilege: inventory.PrivilegeRead},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, principal(t, res, tt.id).Grants); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
		})
	}
	wantAccounts := []inventory.Account{
		{ID: orgName, Provider: inventory.ProviderGCP, Name: "corp.example", Kind: "organization", Status: "ACTIVE"},
		{ID: "folders/100", Provider: inventory.ProviderGCP, Name: "Prod", Kind: "folder", Status: "ACTIVE", Parent: orgName, Path: []string{"corp.example"}},
		{ID: "folders/200", Provider: inventory.ProviderGCP, Name: "Dev", Kind: "folder", Status: "ACTIVE", Parent: orgName, Path: []string{"corp.example"}},
		{ID: "folders/101", Provider: inventory.ProviderGCP, Name: "Payments", Kind: "folder", Status: "ACTIVE", Parent: "folders/100", Path: []string{"corp.example", "Prod"}},
		{ID: "projects/shared-tools", Provider: inventory.ProviderGCP, Name: "Shared tools", Kind: "project", Status: "ACTIVE", Parent: orgName, Path: []string{"corp.example"}},
		{ID: "projects/web-prod-01", Provider: inventory.ProviderGCP, Name: "Web prod", Kind: "project", Status: "ACTIVE", Parent: "folders/100", Path: []string{"corp.example", "Prod"}},
		{ID: "projects/sandbox-dev", Provider: inventory.ProviderGCP, Name: "Sandbox", Kind: "project", Status: "ACTIVE", Parent: "folders/200", Path: []string{"corp.example", "Dev"}},
		{ID: "projects/pay-prod-1", Provider: inventory.ProviderGCP, Name: "Payments prod", Kind: "project", Status: "ACTIVE", Parent: "folders/101",
			Path: []string{"corp.example", "Prod", "Payments"}, Tags: map[string]string{"owner": "alice"}},
	}
	if diff := cmp.Diff(wantAccounts, res.Accounts); diff != "" {
		t.Errorf("accounts (hierarchy walk) (-want +got):\n%s", diff)
	}
}

// TestMemberKinds: every member kind in the estate becomes the principal docs/inventory.md says.
func TestMemberKinds(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{}))
	type shape struct {
		Account    string
		Kind       inventory.PrincipalKind
		Name       string
		Email      string
		Attributes map[string]string
	}
	tests := []struct {
		id   string
		want shape
	}{
		{"gcp:user:root.admin@corp.example", shape{orgName, inventory.KindUser, "root.admin@corp.example", "root.admin@corp.example", nil}},
		{"gcp:group:auditors@corp.example", shape{orgName, inventory.KindGroup, "auditors@corp.example", "auditors@corp.example", nil}},
		{"gcp:domain:corp.example", shape{orgName, inventory.KindGroup, "corp.example", "", nil}},
		{"gcp:allUsers", shape{orgName, inventory.KindGroup, "allUsers", "", nil}},
		{"gcp:allAuthenticatedUsers", shape{orgName, inventory.KindGroup, "allAuthenticatedUsers", "", nil}},
		{"gcp:deleted:user:bob@corp.example?uid=987654321", shape{orgName, inventory.KindUser, "bob@corp.example", "bob@corp.example",
			map[string]string{"deleted": "true", "uid": "987654321"}}},
		{"gcp:principal://iam.googleapis.com/locations/global/workforcePools/contractors/subject/dana", shape{orgName, inventory.KindUser,
			"principal://iam.googleapis.com/locations/global/workforcePools/contractors/subject/dana", "", nil}},
		{"gcp:principalSet://iam.googleapis.com/locations/global/workforcePools/contractors/group/eng", shape{orgName, inventory.KindGroup,
			"principalSet://iam.googleapis.com/locations/global/workforcePools/contractors/group/eng", "", nil}},
		{"gcp:serviceAccount:service-1001@gcp-sa-cloudbuild.iam.gserviceaccount.com", shape{orgName, inventory.KindServiceAccount,
			"service-1001@gcp-sa-cloudbuild.iam.gserviceaccount.com", "service-1001@gcp-sa-cloudbuild.iam.gserviceaccount.com",
			map[string]string{"google_managed": "true"}}},
		{"gcp:serviceAccount:" + deployer, shape{"projects/pay-prod-1", inventory.KindServiceAccount, deployer, deployer,
			map[string]string{"display_name": "Deployer"}}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			p := principal(t, res, tt.id)
			got := shape{p.Account, p.Kind, p.Name, p.Email, p.Attributes}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
			if p.Provider != inventory.ProviderGCP {
				t.Errorf("provider %q", p.Provider)
			}
		})
	}
}

// TestServiceAccountKeys: user- and system-managed keys with their validity, status and last use;
// the account's last authentication from Policy Analyzer.
func TestServiceAccountKeys(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{}))
	never := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	want := inventory.Principal{
		ID: "gcp:serviceAccount:" + deployer, Provider: inventory.ProviderGCP, Account: "projects/pay-prod-1",
		Kind: inventory.KindServiceAccount, Name: deployer, Email: deployer, NativeID: "111111111111111111111",
		LastActivity: day(2026, 2, 27),
		Credentials: []inventory.Credential{
			{Kind: inventory.CredSAKey, ID: "aaaa000000000000000000000000000000000001", Status: inventory.CredActive,
				CreatedAt: day(2025, 1, 10), LastUsed: day(2026, 2, 27), ExpiresAt: never, Managed: "user"},
			{Kind: inventory.CredSAKey, ID: "aaaa000000000000000000000000000000000002", Status: inventory.CredExpired,
				CreatedAt: day(2024, 1, 10), ExpiresAt: day(2025, 1, 10), Managed: "user"},
			{Kind: inventory.CredSAKey, ID: "aaaa000000000000000000000000000000000003", Status: inventory.CredInactive,
				CreatedAt: day(2025, 6, 1), ExpiresAt: never, Managed: "user"},
			{Kind: inventory.CredSAKey, ID: "bbbb000000000000000000000000000000000001", Status: inventory.CredActive,
				CreatedAt: day(2026, 2, 1), ExpiresAt: day(2026, 3, 19), Managed: "system"},
		},
		Grants: []inventory.Grant{
			{What: "projects/pay-prod-1/roles/keyRotator", Where: "projects/pay-prod-1", Via: "direct", Privilege: inventory.PrivilegeAdmin},
			{What: "roles/iam.serviceAccountUser", Where: "projects/pay-prod-1", Via: "direct", Privilege: inventory.PrivilegeAdmin},
		},
		Attributes: map[string]string{"display_name": "Deployer"},
	}
	if diff := cmp.Diff(want, principal(t, res, want.ID)); diff != "" {
		t.Errorf("deployer (-want +got):\n%s", diff)
	}
	old := principal(t, res, "gcp:serviceAccount:old-batch@pay-prod-1.iam.gserviceaccount.com")
	if !old.Disabled || len(old.Credentials) != 0 || !old.LastActivity.IsZero() {
		t.Errorf("old-batch: disabled %v, credentials %v, last activity %v; want disabled, none, zero", old.Disabled, old.Credentials, old.LastActivity)
	}
}

// TestDeniedProject: a project that answers 403 to everything is failed with permission_denied;
// the other projects complete and their principals are there.
func TestDeniedProject(t *testing.T) {
	for _, asset := range []bool{false, true} {
		t.Run(map[bool]string{false: "per-resource", true: "asset-inventory"}[asset], func(t *testing.T) {
			e := newEnv(t, testOrg(), gcpfake.Options{})
			e.fake.Inject(gcpfake.Fault{Resource: "projects/web-prod-01", Status: 403})
			res := collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: asset}))
			var statuses []string
			for _, c := range res.Coverage {
				statuses = append(statuses, c.Scope+"="+string(c.Status)+"/"+string(c.ErrorKind))
			}
			want := []string{
				orgName + "=complete/", "projects/shared-tools=complete/", "projects/web-prod-01=failed/permission_denied",
				"projects/sandbox-dev=complete/", "projects/pay-prod-1=complete/",
			}
			if diff := cmp.Diff(want, statuses); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			cov := coverage(t, res, "projects/web-prod-01")
			for _, part := range []string{"list service accounts in projects/web-prod-01", "The caller does not have permission"} {
				if !strings.Contains(cov.Error, part) {
					t.Errorf("coverage error %q does not say %q", cov.Error, part)
				}
			}
			principal(t, res, "gcp:serviceAccount:"+deployer)
			for _, p := range res.Principals {
				if p.ID == "gcp:serviceAccount:web@web-prod-01.iam.gserviceaccount.com" && p.NativeID != "" {
					t.Errorf("web SA was listed despite the denied project: %+v", p)
				}
			}
		})
	}
}

// TestThrottling: a burst of 429s (then 503s) on every API is retried and the scan completes as
// if nothing happened; the retries show in the call counts.
func TestThrottling(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	clean := collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: true, ExpandGroups: true}))
	cleanCalls := e.fake.Calls()
	e.fake.ResetCalls()

	for _, f := range []gcpfake.Fault{
		{API: "cloudasset", Status: 429, Times: 3},
		{API: "cloudresourcemanager", Method: "folders.list", Status: 429, Times: 2},
		{API: "iam", Method: "projects.serviceAccounts.list", Resource: "projects/pay-prod-1", Status: 503, Times: 2},
		{API: "policyanalyzer", Status: 429, Times: 1},
		{API: "cloudidentity", Method: "groups.memberships.searchTransitiveMemberships", Status: 429, Times: 1},
	} {
		e.fake.Inject(f)
	}
	got := collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: true, ExpandGroups: true}))
	if diff := cmp.Diff(clean, got); diff != "" {
		t.Errorf("throttled result differs (-clean +throttled):\n%s", diff)
	}
	want := cleanCalls
	want["cloudasset.v1.searchAllIamPolicies"] += 3
	want["cloudresourcemanager.folders.list"] += 2
	want["iam.projects.serviceAccounts.list"] += 2
	want["policyanalyzer.projects.locations.activityTypes.activities.query"]++
	want["cloudidentity.groups.memberships.searchTransitiveMemberships"]++
	if diff := cmp.Diff(want, e.fake.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestThrottledBeyondRetries: throttling that outlasts the retries marks the project partial
// with kind throttled.
func TestThrottledBeyondRetries(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	e.fake.Inject(gcpfake.Fault{API: "policyanalyzer", Resource: "projects/pay-prod-1", Status: 429})
	res := collect(t, e.collector(t, gcpiam.Options{MaxRetries: 2}))
	cov := coverage(t, res, "projects/pay-prod-1")
	if cov.Status != inventory.CoveragePartial || cov.ErrorKind != inventory.ErrThrottled {
		t.Errorf("coverage %s/%s, want partial/throttled", cov.Status, cov.ErrorKind)
	}
	if got := e.fake.CallsFor("pay-prod-1")["policyanalyzer.projects.locations.activityTypes.activities.query"]; got != 6 {
		t.Errorf("activity queries = %d, want 2 types × 3 attempts", got)
	}
	// Without last-use data the deployer's activity is unknown, and the coverage says so.
	if p := principal(t, res, "gcp:serviceAccount:"+deployer); !p.LastActivity.IsZero() {
		t.Errorf("LastActivity %v, want zero", p.LastActivity)
	}
}

// TestAssetInventoryFallback: asset inventory denied (API disabled) → per-resource reads, the
// same principals, and the coverage says which path was used and why.
func TestAssetInventoryFallback(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	want := collect(t, e.collector(t, gcpiam.Options{}))
	for _, status := range []int{403, 404} {
		e.fake.ResetCalls()
		remove := e.fake.Inject(gcpfake.Fault{API: "cloudasset", Status: status})
		got := collect(t, e.collector(t, gcpiam.Options{UseAssetInventory: true}))
		remove()
		if diff := cmp.Diff(want.Principals, got.Principals); diff != "" {
			t.Errorf("%d: principals differ (-per-resource +fallback):\n%s", status, diff)
		}
		kind := map[int]string{403: "permission_denied", 404: "not_found"}[status]
		if m := coverage(t, got, orgName).Method; m != "get-iam-policy (asset-inventory fallback: "+kind+")" {
			t.Errorf("%d: method %q", status, m)
		}
		if n := e.fake.Calls()["cloudresourcemanager.projects.getIamPolicy"]; n != 4 {
			t.Errorf("%d: projects.getIamPolicy calls = %d, want 4", status, n)
		}
	}
}

// TestAncestorPolicyDenied: when a folder's policy cannot be read, the organization and every
// project below the folder are partial (their inherited grants are unknown); others complete.
func TestAncestorPolicyDenied(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	e.fake.Inject(gcpfake.Fault{Method: "folders.getIamPolicy", Resource: "folders/101", Status: 403})
	res := collect(t, e.collector(t, gcpiam.Options{}))
	got := map[string]string{}
	for _, c := range res.Coverage {
		got[c.Scope] = string(c.Status) + "/" + string(c.ErrorKind)
	}
	want := map[string]string{
		orgName: "partial/permission_denied", "projects/pay-prod-1": "partial/permission_denied",
		"projects/web-prod-01": "complete/", "projects/sandbox-dev": "complete/", "projects/shared-tools": "complete/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if e := coverage(t, res, "projects/pay-prod-1").Error; !strings.HasPrefix(e, "inherited grants unknown: get iam policy of folders/101: ") {
		t.Errorf("error %q", e)
	}
}

// TestGroupExpansionFallback: without Cloud Identity Premium searchTransitiveMemberships is 403;
// a recursive memberships.list gives the same members.
func TestGroupExpansionFallback(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	want := collect(t, e.collector(t, gcpiam.Options{ExpandGroups: true}))
	e.fake.Inject(gcpfake.Fault{Method: "groups.memberships.searchTransitiveMemberships", Status: 403})
	e.fake.ResetCalls()
	got := collect(t, e.collector(t, gcpiam.Options{ExpandGroups: true}))
	if diff := cmp.Diff(want.Principals, got.Principals); diff != "" {
		t.Errorf("principals differ (-transitive +list):\n%s", diff)
	}
	cov := coverage(t, got, "cloudidentity/groups")
	wantCov := inventory.Coverage{
		Source: "gcp-test", Provider: inventory.ProviderGCP, Scope: "cloudidentity/groups", Status: inventory.CoverageComplete,
		Method: "memberships.list", Counts: map[string]int{"groups": 2, "expanded": 2, "memberships": 5},
		StartedAt: now, FinishedAt: now,
	}
	if diff := cmp.Diff(wantCov, cov); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	calls := e.fake.Calls()
	// Two bound groups plus the nested oncall group: three listings, three lookups.
	if calls["cloudidentity.groups.memberships.list"] != 3 || calls["cloudidentity.groups.lookup"] != 3 {
		t.Errorf("calls %v", calls)
	}
}

// TestGroupExpansionPartial: a bound group Cloud Identity cannot resolve (another domain's) makes
// the groups coverage partial; the others are expanded.
func TestGroupExpansionPartial(t *testing.T) {
	org := testOrg()
	pol := org.Policies["projects/sandbox-dev"]
	pol.Bindings = append(pol.Bindings, gcpfake.Binding{Role: "roles/viewer", Members: []string{"group:partners@other.example"}})
	org.Policies["projects/sandbox-dev"] = pol
	e := newEnv(t, org, gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{ExpandGroups: true}))
	cov := coverage(t, res, "cloudidentity/groups")
	if cov.Status != inventory.CoveragePartial || cov.ErrorKind != inventory.ErrPermissionDenied ||
		!strings.HasPrefix(cov.Error, "look up group partners@other.example: ") {
		t.Errorf("coverage %s/%s %q", cov.Status, cov.ErrorKind, cov.Error)
	}
	if diff := cmp.Diff(map[string]int{"groups": 3, "expanded": 2, "memberships": 5}, cov.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// TestProjectScan: an explicit project list reads just those projects; principals belong to the
// first listed project they are bound in, and no inherited grants are invented.
func TestProjectScan(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{Projects: []string{"web-prod-01", "projects/pay-prod-1"}}))
	wantAccounts := []inventory.Account{
		{ID: "projects/web-prod-01", Provider: inventory.ProviderGCP, Name: "Web prod", Kind: "project", Status: "ACTIVE", Parent: "folders/100"},
		{ID: "projects/pay-prod-1", Provider: inventory.ProviderGCP, Name: "Payments prod", Kind: "project", Status: "ACTIVE", Parent: "folders/101",
			Tags: map[string]string{"owner": "alice"}},
	}
	if diff := cmp.Diff(wantAccounts, res.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	var scopes []string
	for _, c := range res.Coverage {
		scopes = append(scopes, c.Scope+" "+string(c.Status)+" "+c.Method)
	}
	if diff := cmp.Diff([]string{"projects/web-prod-01 complete get-iam-policy", "projects/pay-prod-1 complete get-iam-policy"}, scopes); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	alice := principal(t, res, "gcp:user:alice@corp.example")
	wantAlice := []inventory.Grant{{What: "roles/owner", Where: "projects/pay-prod-1", Via: "direct", Privilege: inventory.PrivilegeAdmin}}
	if diff := cmp.Diff(wantAlice, alice.Grants); diff != "" || alice.Account != "projects/pay-prod-1" {
		t.Errorf("alice account %q, grants (-want +got):\n%s", alice.Account, diff)
	}
	if carol := principal(t, res, "gcp:user:carol@corp.example"); carol.Account != "projects/web-prod-01" {
		t.Errorf("carol account %q, want projects/web-prod-01", carol.Account)
	}
	for _, p := range res.Principals {
		if strings.HasPrefix(p.ID, "gcp:domain:") || p.ID == "gcp:user:root.admin@corp.example" {
			t.Errorf("organization-level principal %s in a project scan", p.ID)
		}
	}
}

// TestProjectTimeout: a project slower than ProjectTimeout is failed with kind timeout; the
// others complete.
func TestProjectTimeout(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	e.fake.Inject(gcpfake.Fault{Resource: "projects/sandbox-dev", Delay: time.Second})
	res := collect(t, e.collector(t, gcpiam.Options{ProjectTimeout: 100 * time.Millisecond}))
	got := map[string]string{}
	for _, c := range res.Coverage {
		got[c.Scope] = string(c.Status) + "/" + string(c.ErrorKind)
	}
	want := map[string]string{
		orgName: "complete/", "projects/pay-prod-1": "complete/", "projects/web-prod-01": "complete/",
		"projects/sandbox-dev": "failed/timeout", "projects/shared-tools": "complete/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

// TestCollectFails: Collect returns a classified error only when it could read nothing, and the
// runner's one failed entry for it keeps the collector's provider and method (none when asset
// inventory was asked for: whether it answers is known only while collecting).
func TestCollectFails(t *testing.T) {
	tests := []struct {
		name   string
		opts   gcpiam.Options
		fault  gcpfake.Fault
		kind   inventory.ErrorKind
		msg    string
		method string
	}{
		{"organization denied", gcpiam.Options{}, gcpfake.Fault{Method: "organizations.get", Status: 403},
			inventory.ErrPermissionDenied, "get " + orgName + ": ", gcpiam.MethodGetIamPolicy},
		{"organization unavailable", gcpiam.Options{MaxRetries: 1}, gcpfake.Fault{Method: "organizations.get", Status: 503},
			inventory.ErrUnavailable, "get " + orgName + ": ", gcpiam.MethodGetIamPolicy},
		{"organization denied, asset inventory asked for", gcpiam.Options{UseAssetInventory: true}, gcpfake.Fault{Method: "organizations.get", Status: 403},
			inventory.ErrPermissionDenied, "get " + orgName + ": ", ""},
		{"every project denied", gcpiam.Options{Projects: []string{"web-prod-01", "sandbox-dev"}}, gcpfake.Fault{Status: 403},
			inventory.ErrPermissionDenied, "collect gcp-test: every project failed: get projects/web-prod-01: ", gcpiam.MethodGetIamPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testOrg(), gcpfake.Options{})
			e.fake.Inject(tt.fault)
			c := e.collector(t, tt.opts)
			res, err := c.Collect(context.Background())
			if err == nil || res != nil {
				t.Fatalf("Collect = %v, %v; want an error", res, err)
			}
			if k := collector.KindOf(err); k != tt.kind {
				t.Errorf("kind %q, want %q (%v)", k, tt.kind, err)
			}
			if !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("error %q, want prefix %q", err, tt.msg)
			}

			snap, rerr := collector.Run(t.Context(), []collector.Source{c}, collector.RunOptions{Now: func() time.Time { return now }})
			if rerr != nil {
				t.Fatalf("Run: %v", rerr)
			}
			want := []inventory.Coverage{{Source: "gcp-test", Provider: inventory.ProviderGCP, Method: tt.method,
				Status: inventory.CoverageFailed, ErrorKind: tt.kind, Error: err.Error(), StartedAt: now, FinishedAt: now}}
			if diff := cmp.Diff(want, snap.Coverage); diff != "" {
				t.Errorf("coverage through collector.Run (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectCanceled: a cancelled context ends Collect promptly with a timeout-kind error.
func TestCollectCanceled(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{})
	e.fake.Inject(gcpfake.Fault{API: "iam", Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.collector(t, gcpiam.Options{}).Collect(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || collector.KindOf(err) != inventory.ErrTimeout {
		t.Fatalf("err = %v, want a deadline error of kind timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Collect took %v after cancellation", d)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts gcpiam.Options
		want string
	}{
		{"no name", gcpiam.Options{Organization: orgName}, "name is empty"},
		{"no scope", gcpiam.Options{Name: "g"}, "set organization (organizations/<number>) or projects"},
		{"both scopes", gcpiam.Options{Name: "g", Organization: orgName, Projects: []string{"abc-123456"}}, "not both"},
		{"bad organization", gcpiam.Options{Name: "g", Organization: "123"}, `organization "123": want organizations/<number>`},
		{"bad project", gcpiam.Options{Name: "g", Projects: []string{"Bad_Project"}}, `projects[0] "Bad_Project": not a project ID`},
		{"duplicate project", gcpiam.Options{Name: "g", Projects: []string{"abc-123456", "projects/abc-123456"}}, `projects[1] "projects/abc-123456": listed twice`},
		{"bad impersonation", gcpiam.Options{Name: "g", Organization: orgName, ImpersonateServiceAccount: "alice@corp.example"}, "want a service account email"},
		{"bad endpoint", gcpiam.Options{Name: "g", Organization: orgName, Endpoint: "127.0.0.1:9"}, "want an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gcpiam.New(context.Background(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestFailureMidPaging: a listing that fails after its first page leaves the project partial;
// what was read is kept (with its keys), and nothing after the failure is invented.
func TestFailureMidPaging(t *testing.T) {
	e := newEnv(t, testOrg(), gcpfake.Options{PageSize: 1})
	e.fake.Inject(gcpfake.Fault{Method: "projects.serviceAccounts.list", Resource: "projects/pay-prod-1", Status: 403, AfterCalls: 1})
	res := collect(t, e.collector(t, gcpiam.Options{}))
	cov := coverage(t, res, "projects/pay-prod-1")
	want := inventory.Coverage{
		Source: "gcp-test", Provider: inventory.ProviderGCP, Scope: "projects/pay-prod-1", Status: inventory.CoveragePartial,
		ErrorKind: inventory.ErrPermissionDenied,
		Error:     "list service accounts in projects/pay-prod-1: googleapi: Error 403: The caller does not have permission, forbidden",
		Method:    gcpiam.MethodGetIamPolicy, Counts: map[string]int{"bindings": 5, "service_accounts": 1, "keys": 4},
		StartedAt: now, FinishedAt: now,
	}
	if diff := cmp.Diff(want, cov); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if p := principal(t, res, "gcp:serviceAccount:"+deployer); p.NativeID != "111111111111111111111" || len(p.Credentials) != 4 {
		t.Errorf("deployer: native ID %q, %d credentials; want listed with its 4 keys", p.NativeID, len(p.Credentials))
	}
	for _, p := range res.Principals {
		if p.ID == "gcp:serviceAccount:old-batch@pay-prod-1.iam.gserviceaccount.com" {
			t.Errorf("old-batch is on the page that failed but appeared: %+v", p)
		}
	}
}

// TestServiceAccountMembers: service accounts known only from bindings belong to the project in
// their address; Google's service agents are marked google_managed and belong to the scan.
func TestServiceAccountMembers(t *testing.T) {
	members := []string{
		"serviceAccount:app@other-proj-1.iam.gserviceaccount.com",
		"serviceAccount:service-1003@compute-system.iam.gserviceaccount.com",
		"serviceAccount:service-1003@gcp-sa-pubsub.iam.gserviceaccount.com",
		"serviceAccount:1003@cloudservices.gserviceaccount.com",
		"serviceAccount:1003-compute@developer.gserviceaccount.com",
		"serviceAccount:sandbox-dev@appspot.gserviceaccount.com",
	}
	org := testOrg()
	org.Policies["projects/sandbox-dev"] = gcpfake.Policy{Bindings: []gcpfake.Binding{{Role: "roles/viewer", Members: members}}}
	e := newEnv(t, org, gcpfake.Options{})
	res := collect(t, e.collector(t, gcpiam.Options{Projects: []string{"sandbox-dev"}}))
	managed := map[string]string{"google_managed": "true"}
	tests := []struct {
		email, account string
		attrs          map[string]string
	}{
		{"app@other-proj-1.iam.gserviceaccount.com", "projects/other-proj-1", nil},
		{"service-1003@compute-system.iam.gserviceaccount.com", "projects/sandbox-dev", managed},
		{"service-1003@gcp-sa-pubsub.iam.gserviceaccount.com", "projects/sandbox-dev", managed},
		{"1003@cloudservices.gserviceaccount.com", "projects/sandbox-dev", managed},
		{"1003-compute@developer.gserviceaccount.com", "projects/sandbox-dev", nil},
		{"sandbox-dev@appspot.gserviceaccount.com", "projects/sandbox-dev", nil},
	}
	for _, tt := range tests {
		p := principal(t, res, "gcp:serviceAccount:"+tt.email)
		if diff := cmp.Diff([2]any{tt.account, tt.attrs}, [2]any{p.Account, p.Attributes}); diff != "" {
			t.Errorf("%s: account, attributes (-want +got):\n%s", tt.email, diff)
		}
	}
}
