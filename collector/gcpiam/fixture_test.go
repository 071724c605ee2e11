package gcpiam_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// now is the fixed collection time of every test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 7, 0, 0, 0, time.UTC) }

const (
	orgID    = "123456789012"
	orgName  = "organizations/" + orgID
	deployer = "deployer@pay-prod-1.iam.gserviceaccount.com"
	untilEnd = `request.time < timestamp("2027-01-01T00:00:00Z")`
)

// testOrg is a small estate that exercises every feature: three folder levels, inherited and
// conditional bindings, every member kind, custom roles at both levels, service accounts with
// user- and system-managed keys, and nested groups.
func testOrg() *gcpfake.Organization {
	return &gcpfake.Organization{
		ID: orgID, DisplayName: "corp.example", Domain: "corp.example", CustomerID: "C01abc234",
		Folders: []gcpfake.Folder{
			{ID: "100", DisplayName: "Prod", Parent: orgName},
			{ID: "101", DisplayName: "Payments", Parent: "folders/100"},
			{ID: "200", DisplayName: "Dev", Parent: orgName},
		},
		Projects: []gcpfake.Project{
			{ID: "pay-prod-1", Number: 1001, DisplayName: "Payments prod", Parent: "folders/101",
				Labels: map[string]string{"owner": "alice"},
				ServiceAccounts: []gcpfake.ServiceAccount{
					{Email: deployer, UniqueID: "111111111111111111111", DisplayName: "Deployer",
						LastAuth: day(2026, 2, 27),
						Keys: []gcpfake.Key{
							{ID: "aaaa000000000000000000000000000000000001", Type: gcpfake.UserManaged,
								ValidAfter: day(2025, 1, 10), ValidBefore: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
								LastAuth: day(2026, 2, 27)},
							{ID: "aaaa000000000000000000000000000000000002", Type: gcpfake.UserManaged,
								ValidAfter: day(2024, 1, 10), ValidBefore: day(2025, 1, 10)},
							{ID: "aaaa000000000000000000000000000000000003", Type: gcpfake.UserManaged,
								ValidAfter: day(2025, 6, 1), ValidBefore: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
								Disabled: true},
							{ID: "bbbb000000000000000000000000000000000001", Type: gcpfake.SystemManaged,
								ValidAfter: day(2026, 2, 1), ValidBefore: day(2026, 2, 17).AddDate(0, 0, 30)},
						}},
					{Email: "old-batch@pay-prod-1.iam.gserviceaccount.com", UniqueID: "111111111111111111112",
						Disabled: true},
				}},
			{ID: "web-prod-01", Number: 1002, DisplayName: "Web prod", Parent: "folders/100",
				ServiceAccounts: []gcpfake.ServiceAccount{
					{Email: "web@web-prod-01.iam.gserviceaccount.com", UniqueID: "222222222222222222221",
						LastAuth: day(2026, 1, 5)},
				}},
			{ID: "sandbox-dev", Number: 1003, DisplayName: "Sandbox", Parent: "folders/200"},
			{ID: "shared-tools", Number: 1004, DisplayName: "Shared tools", Parent: orgName},
		},
		Policies: map[string]gcpfake.Policy{
			orgName: {Bindings: []gcpfake.Binding{
				{Role: "roles/resourcemanager.organizationAdmin", Members: []string{"user:Root.Admin@corp.example"}},
				{Role: "roles/browser", Members: []string{"domain:corp.example"}},
				{Role: "organizations/" + orgID + "/roles/auditor", Members: []string{"group:auditors@corp.example"}},
			}},
			"folders/100": {Bindings: []gcpfake.Binding{
				{Role: "roles/editor", Members: []string{"group:prod-ops@corp.example"}},
			}},
			"folders/101": {Bindings: []gcpfake.Binding{
				{Role: "roles/storage.objectViewer", Members: []string{"user:alice@corp.example"},
					Condition: &gcpfake.Condition{Title: "until 2027", Expression: untilEnd}},
			}},
			"projects/pay-prod-1": {Bindings: []gcpfake.Binding{
				{Role: "roles/owner", Members: []string{"user:alice@corp.example"}},
				{Role: "roles/iam.serviceAccountUser", Members: []string{"serviceAccount:" + deployer}},
				{Role: "projects/pay-prod-1/roles/keyRotator", Members: []string{"serviceAccount:" + deployer}},
				{Role: "roles/run.invoker", Members: []string{"allUsers", "allAuthenticatedUsers"}},
				{Role: "roles/viewer", Members: []string{
					"deleted:user:Bob@corp.example?uid=987654321",
					"principal://iam.googleapis.com/locations/global/workforcePools/contractors/subject/dana",
					"principalSet://iam.googleapis.com/locations/global/workforcePools/contractors/group/eng",
					"serviceAccount:service-1001@gcp-sa-cloudbuild.iam.gserviceaccount.com",
				}},
			}},
			"projects/web-prod-01": {Bindings: []gcpfake.Binding{
				{Role: "roles/storage.admin", Members: []string{"serviceAccount:web@web-prod-01.iam.gserviceaccount.com"}},
				{Role: "roles/cloudbuild.builds.builder", Members: []string{"user:carol@corp.example"}},
			}},
		},
		Groups: []gcpfake.Group{
			{Email: "prod-ops@corp.example", Members: []string{"user:carol@corp.example", "group:oncall@corp.example"}},
			{Email: "oncall@corp.example", Members: []string{"user:erin@corp.example", "serviceAccount:" + deployer}},
			{Email: "auditors@corp.example", Members: []string{"user:frank@corp.example"}},
		},
		CustomRoles: []gcpfake.Role{
			{Name: "organizations/" + orgID + "/roles/auditor", Title: "Auditor", Permissions: []string{
				"resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy", "iam.roles.list"}},
			{Name: "projects/pay-prod-1/roles/keyRotator", Title: "Key rotator", Permissions: []string{
				"iam.serviceAccountKeys.create", "iam.serviceAccountKeys.delete", "iam.serviceAccountKeys.list"}},
		},
	}
}

// env is a fake serving an estate and a way to build collectors against it.
type env struct {
	fake *gcpfake.Server
	url  string
}

func newEnv(t testing.TB, org *gcpfake.Organization, fopts gcpfake.Options) *env {
	t.Helper()
	if fopts.Now == nil {
		fopts.Now = func() time.Time { return now }
	}
	f := gcpfake.New(fopts)
	f.SetOrganization(org)
	if err := org.Validate(); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	return &env{fake: f, url: srv.URL}
}

func (e *env) collector(t testing.TB, opts gcpiam.Options) *gcpiam.Collector {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "gcp-test"
	}
	if opts.Organization == "" && opts.Projects == nil {
		opts.Organization = orgName
	}
	opts.Endpoint = e.url
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := gcpiam.New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}
