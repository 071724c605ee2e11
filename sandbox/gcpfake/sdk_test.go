package gcpfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	cloudasset "google.golang.org/api/cloudasset/v1"
	cloudidentity "google.golang.org/api/cloudidentity/v1"
	crm "google.golang.org/api/cloudresourcemanager/v3"
	"google.golang.org/api/googleapi"
	iam "google.golang.org/api/iam/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/policyanalyzer/v1"

	"github.com/provost-dev/provost/sandbox/gcpfake"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	org  = "organizations/42"
	sa1  = "app@alpha-prod.iam.gserviceaccount.com"
	cond = `resource.name.startsWith("projects/_/buckets/logs")`
)

func estate() *gcpfake.Organization {
	return &gcpfake.Organization{
		ID: "42", DisplayName: "corp.example", Domain: "corp.example", CustomerID: "C0abc",
		Folders: []gcpfake.Folder{
			{ID: "10", DisplayName: "Prod", Parent: org},
			{ID: "11", DisplayName: "Payments", Parent: "folders/10"},
			{ID: "20", DisplayName: "Dev", Parent: org},
		},
		Projects: []gcpfake.Project{
			{ID: "alpha-prod", Number: 501, DisplayName: "Alpha", Parent: "folders/11", Labels: map[string]string{"env": "prod"},
				ServiceAccounts: []gcpfake.ServiceAccount{
					{Email: sa1, UniqueID: "100000000000000000001", DisplayName: "App", LastAuth: time.Date(2026, 2, 20, 7, 0, 0, 0, time.UTC),
						Keys: []gcpfake.Key{
							{ID: "k1", Type: gcpfake.UserManaged, ValidAfter: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
								ValidBefore: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), LastAuth: time.Date(2026, 2, 19, 7, 0, 0, 0, time.UTC)},
							{ID: "k2", Type: gcpfake.SystemManaged, ValidAfter: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
								ValidBefore: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
						}},
					{Email: "b@alpha-prod.iam.gserviceaccount.com", UniqueID: "100000000000000000002"},
					{Email: "c@alpha-prod.iam.gserviceaccount.com", UniqueID: "100000000000000000003", Disabled: true},
				}},
			{ID: "beta-dev", Number: 502, DisplayName: "Beta", Parent: "folders/20"},
			{ID: "gamma-tools", Number: 503, DisplayName: "Gamma", Parent: org},
		},
		Policies: map[string]gcpfake.Policy{
			org: {Bindings: []gcpfake.Binding{{Role: "roles/browser", Members: []string{"domain:corp.example"}}}},
			"folders/11": {Bindings: []gcpfake.Binding{
				{Role: "roles/storage.objectViewer", Members: []string{"user:alice@corp.example"},
					Condition: &gcpfake.Condition{Title: "logs only", Expression: cond}},
			}},
			"projects/alpha-prod": {Bindings: []gcpfake.Binding{
				{Role: "roles/owner", Members: []string{"user:alice@corp.example"}},
				{Role: "roles/viewer", Members: []string{"group:eng@corp.example", "serviceAccount:" + sa1}},
			}},
			"projects/502": {Bindings: []gcpfake.Binding{{Role: "roles/editor", Members: []string{"user:bob@corp.example"}}}},
		},
		Groups: []gcpfake.Group{
			{Email: "eng@corp.example", ID: "g-eng", Members: []string{"user:alice@corp.example", "group:sre@corp.example", "serviceAccount:" + sa1}},
			{Email: "sre@corp.example", ID: "g-sre", Members: []string{"user:bob@corp.example", "user:alice@corp.example"}},
		},
		CustomRoles: []gcpfake.Role{
			{Name: "organizations/42/roles/auditor", Title: "Auditor", Permissions: []string{"resourcemanager.projects.get"}},
			{Name: "projects/alpha-prod/roles/deployer", Title: "Deployer", Permissions: []string{"run.services.update"}, Stage: "BETA"},
		},
	}
}

type clients struct {
	fake *gcpfake.Server
	crm  *crm.Service
	ca   *cloudasset.Service
	iam  *iam.Service
	pa   *policyanalyzer.Service
	ci   *cloudidentity.Service
}

func newClients(t *testing.T, opts gcpfake.Options) *clients {
	t.Helper()
	opts.Now = func() time.Time { return now }
	f := gcpfake.New(opts)
	f.SetOrganization(estate())
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	return connect(t, f, srv.URL+"/")
}

func connect(t *testing.T, f *gcpfake.Server, url string) *clients {
	t.Helper()
	ctx := context.Background()
	o := []option.ClientOption{option.WithEndpoint(url), option.WithoutAuthentication()}
	c := &clients{fake: f}
	var err error
	if c.crm, err = crm.NewService(ctx, o...); err != nil {
		t.Fatal(err)
	}
	if c.ca, err = cloudasset.NewService(ctx, o...); err != nil {
		t.Fatal(err)
	}
	if c.iam, err = iam.NewService(ctx, o...); err != nil {
		t.Fatal(err)
	}
	if c.pa, err = policyanalyzer.NewService(ctx, o...); err != nil {
		t.Fatal(err)
	}
	if c.ci, err = cloudidentity.NewService(ctx, o...); err != nil {
		t.Fatal(err)
	}
	return c
}

// apiErr asserts err is a Google API error with code and a message containing msg.
func apiErr(t *testing.T, err error, code int, msg string) {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("error %v (%T), want *googleapi.Error %d", err, err, code)
	}
	if ge.Code != code || !strings.Contains(ge.Message, msg) {
		t.Errorf("error %d %q, want %d containing %q", ge.Code, ge.Message, code, msg)
	}
}

// ignoreServer drops the response metadata the client adds.
var ignoreServer = cmpopts.IgnoreFields(googleapi.ServerResponse{}, "Header", "HTTPStatusCode")

func TestResourceManager(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	ctx := context.Background()
	ts := "2026-03-01T12:00:00Z"

	o, err := c.crm.Organizations.Get(org).Do()
	if err != nil {
		t.Fatal(err)
	}
	wantOrg := &crm.Organization{Name: org, DisplayName: "corp.example", DirectoryCustomerId: "C0abc", State: "ACTIVE",
		CreateTime: ts, UpdateTime: ts, Etag: o.Etag}
	if diff := cmp.Diff(wantOrg, o, ignoreServer); diff != "" || o.Etag == "" {
		t.Errorf("organization (-want +got):\n%s", diff)
	}

	names := func(fs []*crm.Folder) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name+"<"+f.Parent+">"+f.DisplayName+"/"+f.State)
		}
		return out
	}
	var all []*crm.Folder
	if err := c.crm.Folders.List().Parent(org).PageSize(1).Pages(ctx, func(r *crm.ListFoldersResponse) error {
		if len(r.Folders) != 1 {
			t.Errorf("page of %d folders, want 1", len(r.Folders))
		}
		all = append(all, r.Folders...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"folders/10<" + org + ">Prod/ACTIVE", "folders/20<" + org + ">Dev/ACTIVE"}, names(all)); diff != "" {
		t.Errorf("folders.list (-want +got):\n%s", diff)
	}
	s, err := c.crm.Folders.Search().Query("parent=folders/10").Do()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"folders/11<folders/10>Payments/ACTIVE"}, names(s.Folders)); diff != "" {
		t.Errorf("folders.search (-want +got):\n%s", diff)
	}
	f, err := c.crm.Folders.Get("folders/11").Do()
	if err != nil || f.Parent != "folders/10" || f.DisplayName != "Payments" {
		t.Errorf("folders.get = %+v, %v", f, err)
	}

	p, err := c.crm.Projects.Get("projects/alpha-prod").Do()
	if err != nil {
		t.Fatal(err)
	}
	wantProj := &crm.Project{Name: "projects/501", Parent: "folders/11", ProjectId: "alpha-prod", State: "ACTIVE",
		DisplayName: "Alpha", CreateTime: ts, UpdateTime: ts, Etag: p.Etag, Labels: map[string]string{"env": "prod"}}
	if diff := cmp.Diff(wantProj, p, ignoreServer); diff != "" {
		t.Errorf("projects.get (-want +got):\n%s", diff)
	}
	byNumber, err := c.crm.Projects.Get("projects/501").Do()
	if err != nil || byNumber.ProjectId != "alpha-prod" {
		t.Errorf("projects.get by number = %+v, %v", byNumber, err)
	}
	lp, err := c.crm.Projects.List().Parent(org).Do()
	if err != nil || len(lp.Projects) != 1 || lp.Projects[0].ProjectId != "gamma-tools" || lp.NextPageToken != "" {
		t.Errorf("projects.list(org) = %+v, %v", lp, err)
	}
	sp, err := c.crm.Projects.Search().Do()
	if err != nil || len(sp.Projects) != 3 {
		t.Errorf("projects.search() = %d projects, %v", len(sp.Projects), err)
	}

	_, err = c.crm.Projects.List().Parent("folders/999").Do()
	apiErr(t, err, 403, "folders/999")
	_, err = c.crm.Folders.List().Do()
	apiErr(t, err, 400, "parent is required")
	_, err = c.crm.Projects.Get("projects/nope-nope").Do()
	apiErr(t, err, 403, "projects/nope-nope")
	_, err = c.crm.Folders.Search().Query("displayName=Prod*").Do()
	apiErr(t, err, 400, "only parent=")
	_, err = c.crm.Folders.List().Parent(org).PageToken("garbage").Do()
	apiErr(t, err, 400, "invalid argument")
}

func TestGetIamPolicyVersions(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	get := func(v int64) (*crm.Policy, error) {
		return c.crm.Folders.GetIamPolicy("folders/11", &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: v}}).Do()
	}
	v3, err := get(3)
	if err != nil {
		t.Fatal(err)
	}
	want := &crm.Policy{Version: 3, Etag: v3.Etag, Bindings: []*crm.Binding{{
		Role: "roles/storage.objectViewer", Members: []string{"user:alice@corp.example"},
		Condition: &crm.Expr{Title: "logs only", Expression: cond},
	}}}
	if diff := cmp.Diff(want, v3, ignoreServer); diff != "" || v3.Etag == "" {
		t.Errorf("v3 policy (-want +got):\n%s", diff)
	}
	v1, err := get(1)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || len(v1.Bindings) != 1 || v1.Bindings[0].Condition != nil ||
		!strings.HasPrefix(v1.Bindings[0].Role, "roles/storage.objectViewer_withcond_") {
		t.Errorf("v1 view of a conditional policy: %+v %+v", v1, v1.Bindings[0])
	}
	_, err = get(2)
	apiErr(t, err, 400, "Invalid requested policy version 2")

	// A project with no policy set answers an empty policy with an etag.
	empty, err := c.crm.Projects.GetIamPolicy("projects/gamma-tools", &crm.GetIamPolicyRequest{}).Do()
	if err != nil || len(empty.Bindings) != 0 || empty.Etag == "" || empty.Version != 1 {
		t.Errorf("empty policy = %+v, %v", empty, err)
	}
	// Policies keyed by project number are served by ID and number.
	byID, err := c.crm.Projects.GetIamPolicy("projects/beta-dev", &crm.GetIamPolicyRequest{}).Do()
	if err != nil || len(byID.Bindings) != 1 || byID.Bindings[0].Role != "roles/editor" {
		t.Errorf("policy by project ID = %+v, %v", byID, err)
	}
}

func TestSetIamPolicyEtag(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	req := &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}
	cur, err := c.crm.Projects.GetIamPolicy("projects/alpha-prod", req).Do()
	if err != nil {
		t.Fatal(err)
	}
	stale := cur.Etag
	cur.Bindings = cur.Bindings[1:] // drop roles/owner
	set, err := c.crm.Projects.SetIamPolicy("projects/alpha-prod", &crm.SetIamPolicyRequest{Policy: cur}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if set.Etag == stale || len(set.Bindings) != 1 {
		t.Errorf("set returned %+v", set)
	}
	want := gcpfake.Policy{Etag: set.Etag, Bindings: []gcpfake.Binding{
		{Role: "roles/viewer", Members: []string{"group:eng@corp.example", "serviceAccount:" + sa1}},
	}}
	if diff := cmp.Diff(want, c.fake.Policy("projects/501")); diff != "" {
		t.Errorf("stored policy (-want +got):\n%s", diff)
	}

	// A writer holding the old etag loses.
	cur.Etag = stale
	_, err = c.crm.Projects.SetIamPolicy("projects/alpha-prod", &crm.SetIamPolicyRequest{Policy: cur}).Do()
	apiErr(t, err, 409, "concurrent policy changes")
	var ge *googleapi.Error
	if errors.As(err, &ge) && !strings.Contains(string(ge.Body), `"status":"ABORTED"`) {
		t.Errorf("409 body %s lacks status ABORTED", ge.Body)
	}

	// Conditions need version 3; without an etag the write is blind.
	condPolicy := &crm.Policy{Version: 1, Bindings: []*crm.Binding{{Role: "roles/viewer", Members: []string{"user:x@corp.example"},
		Condition: &crm.Expr{Expression: "true"}}}}
	_, err = c.crm.Folders.SetIamPolicy("folders/20", &crm.SetIamPolicyRequest{Policy: condPolicy}).Do()
	apiErr(t, err, 400, "conditions require policy version 3")
	condPolicy.Version = 3
	if _, err := c.crm.Folders.SetIamPolicy("folders/20", &crm.SetIamPolicyRequest{Policy: condPolicy}).Do(); err != nil {
		t.Errorf("blind set with version 3: %v", err)
	}
	bad := &crm.Policy{Bindings: []*crm.Binding{{Role: "roles/viewer", Members: []string{"robot:x@y"}}}}
	_, err = c.crm.Organizations.SetIamPolicy(org, &crm.SetIamPolicyRequest{Policy: bad}).Do()
	apiErr(t, err, 400, `unknown type "robot"`)
}

func TestSearchAllIamPolicies(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	ctx := context.Background()
	search := func(scope string, pageSize int64, types []string, query string) []*cloudasset.IamPolicySearchResult {
		t.Helper()
		var out []*cloudasset.IamPolicySearchResult
		call := c.ca.V1.SearchAllIamPolicies(scope).PageSize(pageSize).AssetTypes(types...).Query(query)
		if err := call.Pages(ctx, func(r *cloudasset.SearchAllIamPoliciesResponse) error {
			out = append(out, r.Results...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := []*cloudasset.IamPolicySearchResult{
		{Resource: "//cloudresourcemanager.googleapis.com/" + org, AssetType: "cloudresourcemanager.googleapis.com/Organization",
			Organization: org, Policy: &cloudasset.Policy{Version: 1, Bindings: []*cloudasset.Binding{
				{Role: "roles/browser", Members: []string{"domain:corp.example"}}}}},
		{Resource: "//cloudresourcemanager.googleapis.com/folders/11", AssetType: "cloudresourcemanager.googleapis.com/Folder",
			Organization: org, Folders: []string{"folders/11", "folders/10"}, Policy: &cloudasset.Policy{Version: 3, Bindings: []*cloudasset.Binding{
				{Role: "roles/storage.objectViewer", Members: []string{"user:alice@corp.example"},
					Condition: &cloudasset.Expr{Title: "logs only", Expression: cond}}}}},
		{Resource: "//cloudresourcemanager.googleapis.com/projects/alpha-prod", AssetType: "cloudresourcemanager.googleapis.com/Project",
			Project: "projects/501", Organization: org, Folders: []string{"folders/11", "folders/10"},
			Policy: &cloudasset.Policy{Version: 1, Bindings: []*cloudasset.Binding{
				{Role: "roles/owner", Members: []string{"user:alice@corp.example"}},
				{Role: "roles/viewer", Members: []string{"group:eng@corp.example", "serviceAccount:" + sa1}}}}},
		{Resource: "//cloudresourcemanager.googleapis.com/projects/beta-dev", AssetType: "cloudresourcemanager.googleapis.com/Project",
			Project: "projects/502", Organization: org, Folders: []string{"folders/20"},
			Policy: &cloudasset.Policy{Version: 1, Bindings: []*cloudasset.Binding{
				{Role: "roles/editor", Members: []string{"user:bob@corp.example"}}}}},
	}
	if diff := cmp.Diff(want, search(org, 500, nil, "")); diff != "" {
		t.Errorf("org scope (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, search(org, 1, nil, "")); diff != "" {
		t.Errorf("org scope paged by one (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[2:], search(org, 0, []string{"cloudresourcemanager.googleapis.com/Project"}, "")); diff != "" {
		t.Errorf("projects only (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:3], search("folders/10", 0, nil, "")); diff != "" {
		t.Errorf("folder scope (-want +got):\n%s", diff)
	}
	got := search(org, 0, nil, "policy:alice@")
	if len(got) != 2 || len(got[1].Policy.Bindings) != 1 || got[1].Policy.Bindings[0].Role != "roles/owner" {
		t.Errorf("policy:alice@ query = %d results", len(got))
	}
	_, err := c.ca.V1.SearchAllIamPolicies(org).Query("resource:foo").Do()
	apiErr(t, err, 400, "only policy:")
}

func TestServiceAccountsAndKeys(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	ctx := context.Background()
	var emails []string
	pages := 0
	if err := c.iam.Projects.ServiceAccounts.List("projects/alpha-prod").PageSize(2).Pages(ctx, func(r *iam.ListServiceAccountsResponse) error {
		pages++
		for _, a := range r.Accounts {
			emails = append(emails, a.Email)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{sa1, "b@alpha-prod.iam.gserviceaccount.com", "c@alpha-prod.iam.gserviceaccount.com"}, emails); diff != "" || pages != 2 {
		t.Errorf("%d pages, accounts (-want +got):\n%s", pages, diff)
	}
	got, err := c.iam.Projects.ServiceAccounts.Get("projects/alpha-prod/serviceAccounts/" + sa1).Do()
	if err != nil {
		t.Fatal(err)
	}
	want := &iam.ServiceAccount{Name: "projects/alpha-prod/serviceAccounts/" + sa1, ProjectId: "alpha-prod",
		UniqueId: "100000000000000000001", Email: sa1, DisplayName: "App", Etag: got.Etag, Oauth2ClientId: "100000000000000000001"}
	if diff := cmp.Diff(want, got, ignoreServer); diff != "" {
		t.Errorf("serviceAccounts.get (-want +got):\n%s", diff)
	}

	keys, err := c.iam.Projects.ServiceAccounts.Keys.List("projects/-/serviceAccounts/" + sa1).Do()
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []*iam.ServiceAccountKey{
		{Name: "projects/alpha-prod/serviceAccounts/" + sa1 + "/keys/k1", ValidAfterTime: "2025-01-01T00:00:00Z",
			ValidBeforeTime: "9999-12-31T23:59:59Z", KeyAlgorithm: "KEY_ALG_RSA_2048", KeyOrigin: "GOOGLE_PROVIDED", KeyType: "USER_MANAGED"},
		{Name: "projects/alpha-prod/serviceAccounts/" + sa1 + "/keys/k2", ValidAfterTime: "2026-02-01T00:00:00Z",
			ValidBeforeTime: "2026-04-01T00:00:00Z", KeyAlgorithm: "KEY_ALG_RSA_2048", KeyOrigin: "GOOGLE_PROVIDED", KeyType: "SYSTEM_MANAGED"},
	}
	if diff := cmp.Diff(wantKeys, keys.Keys); diff != "" {
		t.Errorf("keys.list (-want +got):\n%s", diff)
	}
	userKeys, err := c.iam.Projects.ServiceAccounts.Keys.List("projects/alpha-prod/serviceAccounts/100000000000000000001").KeyTypes("USER_MANAGED").Do()
	if err != nil || len(userKeys.Keys) != 1 || !strings.HasSuffix(userKeys.Keys[0].Name, "/keys/k1") {
		t.Errorf("keys.list USER_MANAGED by unique ID = %+v, %v", userKeys, err)
	}

	// Remediation calls: disable is visible to the next read; system-managed keys refuse.
	keyName := "projects/alpha-prod/serviceAccounts/" + sa1 + "/keys/k1"
	if _, err := c.iam.Projects.ServiceAccounts.Keys.Disable(keyName, &iam.DisableServiceAccountKeyRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	k, err := c.iam.Projects.ServiceAccounts.Keys.Get(keyName).Do()
	if err != nil || !k.Disabled {
		t.Errorf("key after disable = %+v, %v", k, err)
	}
	_, err = c.iam.Projects.ServiceAccounts.Keys.Disable("projects/alpha-prod/serviceAccounts/"+sa1+"/keys/k2", &iam.DisableServiceAccountKeyRequest{}).Do()
	apiErr(t, err, 400, "system-managed keys cannot be disabled")
	_, err = c.iam.Projects.ServiceAccounts.Keys.Get("projects/alpha-prod/serviceAccounts/" + sa1 + "/keys/nope").Do()
	apiErr(t, err, 404, "nope")

	saName := "projects/alpha-prod/serviceAccounts/b@alpha-prod.iam.gserviceaccount.com"
	if _, err := c.iam.Projects.ServiceAccounts.Disable(saName, &iam.DisableServiceAccountRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	if b, err := c.iam.Projects.ServiceAccounts.Get(saName).Do(); err != nil || !b.Disabled {
		t.Errorf("account after disable = %+v, %v", b, err)
	}
	if _, err := c.iam.Projects.ServiceAccounts.Enable(saName, &iam.EnableServiceAccountRequest{}).Do(); err != nil {
		t.Fatal(err)
	}
	if b, err := c.iam.Projects.ServiceAccounts.Get(saName).Do(); err != nil || b.Disabled {
		t.Errorf("account after enable = %+v, %v", b, err)
	}

	_, err = c.iam.Projects.ServiceAccounts.Get("projects/alpha-prod/serviceAccounts/ghost@alpha-prod.iam.gserviceaccount.com").Do()
	apiErr(t, err, 404, "Unknown service account")
	_, err = c.iam.Projects.ServiceAccounts.Keys.List("projects/-/serviceAccounts/ghost@alpha-prod.iam.gserviceaccount.com").Do()
	apiErr(t, err, 403, "Permission denied")
	_, err = c.iam.Projects.ServiceAccounts.Get("projects/beta-dev/serviceAccounts/" + sa1).Do()
	apiErr(t, err, 404, "Unknown service account")
}

func TestRoles(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	tests := []struct {
		name string
		get  func() (*iam.Role, error)
		want *iam.Role
		code int
	}{
		{"predefined", func() (*iam.Role, error) { return c.iam.Roles.Get("roles/iam.serviceAccountUser").Do() },
			&iam.Role{Name: "roles/iam.serviceAccountUser", Title: "Service Account User", Stage: "GA",
				IncludedPermissions: []string{"iam.serviceAccounts.actAs", "iam.serviceAccounts.get", "iam.serviceAccounts.list"}}, 0},
		{"organization custom", func() (*iam.Role, error) { return c.iam.Organizations.Roles.Get("organizations/42/roles/auditor").Do() },
			&iam.Role{Name: "organizations/42/roles/auditor", Title: "Auditor", Stage: "GA", IncludedPermissions: []string{"resourcemanager.projects.get"}}, 0},
		{"project custom", func() (*iam.Role, error) { return c.iam.Projects.Roles.Get("projects/alpha-prod/roles/deployer").Do() },
			&iam.Role{Name: "projects/alpha-prod/roles/deployer", Title: "Deployer", Stage: "BETA", IncludedPermissions: []string{"run.services.update"}}, 0},
		{"unknown predefined", func() (*iam.Role, error) { return c.iam.Roles.Get("roles/nope").Do() }, nil, 404},
		{"other project's role", func() (*iam.Role, error) { return c.iam.Projects.Roles.Get("projects/beta-dev/roles/deployer").Do() }, nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			if tt.code != 0 {
				apiErr(t, err, tt.code, "was not found")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreServer, cmpopts.IgnoreFields(iam.Role{}, "Etag")); diff != "" {
				t.Errorf("role (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActivities(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	query := func(typ, filter string, pageSize int64) []*policyanalyzer.GoogleCloudPolicyanalyzerV1Activity {
		t.Helper()
		var out []*policyanalyzer.GoogleCloudPolicyanalyzerV1Activity
		call := c.pa.Projects.Locations.ActivityTypes.Activities.Query("projects/alpha-prod/locations/global/activityTypes/" + typ).Filter(filter).PageSize(pageSize)
		if err := call.Pages(context.Background(), func(r *policyanalyzer.GoogleCloudPolicyanalyzerV1QueryActivityResponse) error {
			out = append(out, r.Activities...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	period := &policyanalyzer.GoogleCloudPolicyanalyzerV1ObservationPeriod{StartTime: "2025-12-01T07:00:00Z", EndTime: "2026-03-01T07:00:00Z"}
	saName := "//iam.googleapis.com/projects/alpha-prod/serviceAccounts/" + sa1
	acts := query("serviceAccountLastAuthentication", "", 0)
	want := []*policyanalyzer.GoogleCloudPolicyanalyzerV1Activity{{FullResourceName: saName, ActivityType: "serviceAccountLastAuthentication",
		ObservationPeriod: period}}
	if diff := cmp.Diff(want, acts, cmpopts.IgnoreFields(policyanalyzer.GoogleCloudPolicyanalyzerV1Activity{}, "Activity")); diff != "" {
		t.Fatalf("service account activities (-want +got):\n%s", diff)
	}
	var body map[string]any
	if err := json.Unmarshal(acts[0].Activity, &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{"lastAuthenticatedTime": "2026-02-20T07:00:00Z", "serviceAccount": map[string]any{
		"fullResourceName": saName, "projectNumber": "501", "serviceAccountId": "100000000000000000001"}}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("activity body (-want +got):\n%s", diff)
	}

	keys := query("serviceAccountKeyLastAuthentication", "", 1)
	if len(keys) != 1 || keys[0].FullResourceName != saName+"/keys/k1" {
		t.Errorf("key activities = %+v", keys)
	}
	if got := query("serviceAccountLastAuthentication", `activities.fullResourceName = "`+saName+`"`, 0); len(got) != 1 {
		t.Errorf("filtered to the account: %d", len(got))
	}
	if got := query("serviceAccountLastAuthentication", `activities.full_resource_name="//iam.googleapis.com/x"`, 0); len(got) != 0 {
		t.Errorf("filtered to nothing: %d", len(got))
	}
	_, err := c.pa.Projects.Locations.ActivityTypes.Activities.Query("projects/alpha-prod/locations/global/activityTypes/nope").Do()
	apiErr(t, err, 400, "unsupported activity type")
}

func TestCloudIdentity(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	look, err := c.ci.Groups.Lookup().GroupKeyId("ENG@corp.example").Do()
	if err != nil || look.Name != "groups/g-eng" {
		t.Fatalf("lookup = %+v, %v", look, err)
	}
	list, err := c.ci.Groups.Memberships.List("groups/g-eng").View("FULL").Do()
	if err != nil {
		t.Fatal(err)
	}
	var direct []string
	for _, m := range list.Memberships {
		direct = append(direct, m.Type+" "+m.PreferredMemberKey.Id+" "+m.Roles[0].Name)
	}
	wantDirect := []string{"USER alice@corp.example MEMBER", "GROUP sre@corp.example MEMBER", "SERVICE_ACCOUNT " + sa1 + " MEMBER"}
	if diff := cmp.Diff(wantDirect, direct); diff != "" {
		t.Errorf("memberships.list (-want +got):\n%s", diff)
	}
	tr, err := c.ci.Groups.Memberships.SearchTransitiveMemberships("groups/g-eng").Do()
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, m := range tr.Memberships {
		rels = append(rels, strings.SplitN(m.Member, "/", 2)[0]+" "+m.PreferredMemberKey[0].Id+" "+m.RelationType+" "+m.Roles[0].Role)
	}
	wantRels := []string{
		"users alice@corp.example DIRECT_AND_INDIRECT MEMBER", "groups sre@corp.example DIRECT MEMBER",
		"users bob@corp.example INDIRECT MEMBER", "users " + sa1 + " DIRECT MEMBER",
	}
	if diff := cmp.Diff(wantRels, rels); diff != "" {
		t.Errorf("searchTransitiveMemberships (-want +got):\n%s", diff)
	}
	if tr.Memberships[1].Member != "groups/g-sre" {
		t.Errorf("nested group member %q, want groups/g-sre", tr.Memberships[1].Member)
	}
	_, err = c.ci.Groups.Lookup().GroupKeyId("partners@other.example").Do()
	apiErr(t, err, 403, "Permission denied")
}

func TestFaults(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	get := func() error {
		_, err := c.crm.Projects.GetIamPolicy("projects/alpha-prod", &crm.GetIamPolicyRequest{}).Do()
		return err
	}

	// Times: a burst of two 429s, then success.
	remove := c.fake.Inject(gcpfake.Fault{API: "cloudresourcemanager", Method: "projects.getIamPolicy", Resource: "projects/alpha-prod", Status: 429, Times: 2})
	for i := range 2 {
		err := get()
		apiErr(t, err, 429, "Quota exceeded")
		var ge *googleapi.Error
		if errors.As(err, &ge) && (len(ge.Errors) != 1 || ge.Errors[0].Reason != "rateLimitExceeded") {
			t.Errorf("429 #%d errors %+v", i, ge.Errors)
		}
	}
	if err := get(); err != nil {
		t.Errorf("third call: %v", err)
	}
	remove()

	// Resource scoping: another project is untouched; project numbers map to IDs.
	remove = c.fake.Inject(gcpfake.Fault{Resource: "projects/alpha-prod", Status: 403})
	if _, err := c.crm.Projects.GetIamPolicy("projects/beta-dev", &crm.GetIamPolicyRequest{}).Do(); err != nil {
		t.Errorf("other project: %v", err)
	}
	_, err := c.iam.Projects.ServiceAccounts.List("projects/501").Do()
	apiErr(t, err, 403, "does not have permission")
	remove()
	if err := get(); err != nil {
		t.Errorf("after remove: %v", err)
	}

	// AfterCalls: the second page fails.
	c.fake.Inject(gcpfake.Fault{Method: "projects.serviceAccounts.list", Status: 503, AfterCalls: 1})
	first, err := c.iam.Projects.ServiceAccounts.List("projects/alpha-prod").PageSize(1).Do()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.iam.Projects.ServiceAccounts.List("projects/alpha-prod").PageSize(1).PageToken(first.NextPageToken).Do()
	apiErr(t, err, 503, "unavailable")

	// Delay honours the caller's deadline.
	c.fake.Inject(gcpfake.Fault{API: "cloudidentity", Delay: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.ci.Groups.Lookup().GroupKeyId("eng@corp.example").Context(ctx).Do()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("delayed call: %v after %v", err, time.Since(start))
	}
}

func TestCalls(t *testing.T) {
	c := newClients(t, gcpfake.Options{})
	c.fake.Inject(gcpfake.Fault{Method: "projects.serviceAccounts.keys.list", Status: 429, Times: 1})
	_, _ = c.iam.Projects.ServiceAccounts.Keys.List("projects/-/serviceAccounts/" + sa1).Do()
	_, _ = c.iam.Projects.ServiceAccounts.Keys.List("projects/-/serviceAccounts/" + sa1).Do()
	_, _ = c.iam.Projects.ServiceAccounts.List("projects/501").Do()
	_, _ = c.crm.Projects.GetIamPolicy("projects/beta-dev", &crm.GetIamPolicyRequest{}).Do()
	_, _ = c.crm.Folders.List().Parent(org).Do()
	_, _ = c.ca.V1.SearchAllIamPolicies(org).Do()
	wantAll := map[string]int{
		"iam.projects.serviceAccounts.keys.list":     2,
		"iam.projects.serviceAccounts.list":          1,
		"cloudresourcemanager.projects.getIamPolicy": 1,
		"cloudresourcemanager.folders.list":          1,
		"cloudasset.v1.searchAllIamPolicies":         1,
	}
	if diff := cmp.Diff(wantAll, c.fake.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
	wantAlpha := map[string]int{"iam.projects.serviceAccounts.keys.list": 2, "iam.projects.serviceAccounts.list": 1}
	if diff := cmp.Diff(wantAlpha, c.fake.CallsFor("alpha-prod")); diff != "" {
		t.Errorf("CallsFor(alpha-prod) (-want +got):\n%s", diff)
	}
	c.fake.ResetCalls()
	if diff := cmp.Diff(map[string]int{}, c.fake.Calls()); diff != "" {
		t.Errorf("after reset (-want +got):\n%s", diff)
	}
}

func TestPageSizeOption(t *testing.T) {
	c := newClients(t, gcpfake.Options{PageSize: 1})
	r, err := c.iam.Projects.ServiceAccounts.List("projects/alpha-prod").PageSize(100).Do()
	if err != nil || len(r.Accounts) != 1 || r.NextPageToken == "" {
		t.Errorf("capped page = %d accounts, next %q, %v", len(r.Accounts), r.NextPageToken, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*gcpfake.Organization)
		want   string
	}{
		{"unknown folder parent", func(o *gcpfake.Organization) { o.Folders[0].Parent = "folders/9" }, `folder folders/10: unknown parent "folders/9"`},
		{"duplicate project", func(o *gcpfake.Organization) { o.Projects[1].ID = "alpha-prod" }, "project alpha-prod: duplicate"},
		{"project number reused", func(o *gcpfake.Organization) { o.Projects[1].Number = 501 }, "number 501 already used by alpha-prod"},
		{"policy on unknown resource", func(o *gcpfake.Organization) { o.Policies["projects/zeta"] = gcpfake.Policy{} }, `policy on "projects/zeta"`},
		{"bad member", func(o *gcpfake.Organization) {
			o.Policies[org] = gcpfake.Policy{Bindings: []gcpfake.Binding{{Role: "roles/viewer", Members: []string{"bob"}}}}
		}, `invalid member "bob"`},
		{"bad role", func(o *gcpfake.Organization) {
			o.Policies[org] = gcpfake.Policy{Bindings: []gcpfake.Binding{{Role: "viewer", Members: []string{"user:a@b"}}}}
		}, `invalid role "viewer"`},
		{"bad group member", func(o *gcpfake.Organization) { o.Groups[0].Members = []string{"domain:x"} }, "group eng@corp.example"},
		{"custom role elsewhere", func(o *gcpfake.Organization) { o.CustomRoles[0].Name = "organizations/7/roles/x" }, "unknown parent organizations/7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := estate()
			tt.mutate(o)
			err := o.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want %q", err, tt.want)
			}
			// The server refuses to serve an invalid estate rather than trimming it.
			f := gcpfake.New(gcpfake.Options{})
			f.SetOrganization(o)
			srv := httptest.NewServer(f.Handler())
			defer srv.Close()
			c := connect(t, f, srv.URL+"/")
			_, err = c.crm.Organizations.Get(org).Do()
			apiErr(t, err, 500, tt.want)
		})
	}
	if err := estate().Validate(); err != nil {
		t.Errorf("valid estate: %v", err)
	}
}

func TestStartAndUnknownPaths(t *testing.T) {
	f := gcpfake.New(gcpfake.Options{})
	f.SetOrganization(estate())
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.HasPrefix(f.URL(), "http://127.0.0.1:") || !strings.HasSuffix(f.URL(), "/") {
		t.Errorf("URL %q", f.URL())
	}
	c := connect(t, f, f.URL())
	if o, err := c.crm.Organizations.Get(org).Do(); err != nil || o.DisplayName != "corp.example" {
		t.Errorf("organizations.get over Start = %+v, %v", o, err)
	}
	for _, path := range []string{"v3/projects/alpha-prod:undelete", "v9/x", "v1/projects/alpha-prod/widgets"} {
		resp, err := http.Post(f.URL()+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
	if err := f.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := http.Get(f.URL() + "v3/organizations/42"); err == nil {
		t.Error("server still answers after Close")
	}
}
