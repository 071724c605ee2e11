package scim_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}

var fixedNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func clock() func() time.Time {
	t := fixedNow
	return func() time.Time { t = t.Add(time.Second); return t }
}

// user builds a SCIM user resource with the enterprise extension.
func user(userName, given, family, email, employee, dept, title string, active bool, extra map[string]any) map[string]any {
	u := map[string]any{
		"schemas":  []string{scim.SchemaUser, scim.SchemaEnterpriseUser},
		"userName": userName,
		"name":     map[string]any{"givenName": given, "familyName": family, "formatted": given + " " + family},
		"active":   active,
		"title":    title,
		scim.SchemaEnterpriseUser: map[string]any{
			"employeeNumber": employee,
			"department":     dept,
		},
	}
	if email != "" {
		u["emails"] = []map[string]any{{"value": email, "type": "work", "primary": true}}
	}
	for k, v := range extra {
		u[k] = v
	}
	return u
}

func created(t *testing.T, r map[string]any) time.Time {
	t.Helper()
	meta, _ := r["meta"].(map[string]any)
	s, _ := meta["created"].(string)
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("meta.created %q: %v", s, err)
	}
	return v.UTC()
}

// TestCollectFromSCIMServer seeds the scimmy server with a small roster and reads it back
// through paging (two users a page), groups and the enterprise extension.
func TestCollectFromSCIMServer(t *testing.T) {
	srv := testpeer.SCIM(t)
	ada := srv.Create(t, "Users", user("ada", "Ada", "Lovelace", "ada@corp.example", "E100", "Engineering", "Staff Engineer", true,
		map[string]any{"externalId": "okta-ada", "userType": "Employee"}))
	adaID := ada["id"].(string)
	bob := srv.Create(t, "Users", user("bob@corp.example", "Bob", "Smith", "bob@corp.example", "E200", "Sales", "Rep", false,
		map[string]any{"userType": "Employee"}))
	cy := srv.Create(t, "Users", user("cy", "Cy", "Young", "cy@corp.example", "E300", "Sales", "Rep", true, map[string]any{
		"userType": "LOA",
		scim.SchemaEnterpriseUser: map[string]any{"employeeNumber": "E300", "department": "Sales",
			"manager": map[string]any{"value": adaID}},
	}))
	adaAdmin := srv.Create(t, "Users", user("ada-admin", "Ada", "Lovelace", "", "E100", "Engineering", "Staff Engineer", true,
		map[string]any{"emails": []map[string]any{{"value": "ada.admin@corp.example", "type": "other"}}}))
	svc := srv.Create(t, "Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "svc-backup", "active": true})
	admins := srv.Create(t, "Groups", map[string]any{"schemas": []string{scim.SchemaGroup}, "displayName": "admins",
		"members": []map[string]any{{"value": adaID}, {"value": adaAdmin["id"]}}})
	gid := inventory.SCIMPrincipalID("okta", admins["id"].(string))

	src, err := scim.New(scim.Options{
		Name: "okta", URL: srv.URL, Token: srv.Token, PageSize: 2, Groups: true,
		StatusAttribute: "userType", StatusValues: map[string]inventory.PersonStatus{"LOA": inventory.PersonLeave},
		Now: clock(),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}

	wantCov := []inventory.Coverage{{
		Source: "okta", Provider: inventory.ProviderSCIM, Scope: srv.URL, Method: "scim2", Status: inventory.CoverageComplete,
		Counts:    map[string]int{"people": 4, "users": 5, "groups": 1, "disabled": 1, "rejected": 0},
		StartedAt: fixedNow.Add(time.Second), FinishedAt: fixedNow.Add(2 * time.Second),
	}}
	if diff := cmp.Diff(wantCov, res.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	wantPeople := []inventory.Person{
		{ID: "okta:E100", Source: "okta", EmployeeID: "E100", Emails: []string{"ada@corp.example", "ada.admin@corp.example"},
			Aliases: []string{"ada", "ada-admin"}, Name: "Ada Lovelace", Department: "Engineering", Title: "Staff Engineer",
			Status: inventory.PersonActive, ExternalID: "okta-ada"},
		{ID: "okta:E200", Source: "okta", EmployeeID: "E200", Emails: []string{"bob@corp.example"}, Name: "Bob Smith",
			Department: "Sales", Title: "Rep", Status: inventory.PersonTerminated},
		{ID: "okta:E300", Source: "okta", EmployeeID: "E300", Emails: []string{"cy@corp.example"}, Aliases: []string{"cy"},
			Name: "Cy Young", Department: "Sales", Title: "Rep", Manager: "E100", Status: inventory.PersonLeave},
		{ID: "okta:" + svc["id"].(string), Source: "okta", Aliases: []string{"svc-backup"}, Status: inventory.PersonActive},
	}
	if diff := cmp.Diff(wantPeople, res.People); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}

	pid := func(r map[string]any) string { return inventory.SCIMPrincipalID("okta", r["id"].(string)) }
	account := srv.URL
	wantPrincipals := []inventory.Principal{
		{ID: pid(ada), Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindUser, Name: "ada",
			Email: "ada@corp.example", NativeID: adaID, CreatedAt: created(t, ada), Groups: []string{gid},
			Attributes: map[string]string{collector.AttrExternalID: "okta-ada", scim.AttrUserType: "Employee", scim.AttrEmployeeNumber: "E100"},
			PersonID:   "okta:E100", LinkRule: collector.RuleSource},
		{ID: pid(bob), Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindUser, Name: "bob@corp.example",
			Email: "bob@corp.example", NativeID: bob["id"].(string), CreatedAt: created(t, bob), Disabled: true,
			Attributes: map[string]string{scim.AttrUserType: "Employee", scim.AttrEmployeeNumber: "E200"},
			PersonID:   "okta:E200", LinkRule: collector.RuleSource},
		{ID: pid(cy), Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindUser, Name: "cy",
			Email: "cy@corp.example", NativeID: cy["id"].(string), CreatedAt: created(t, cy),
			Attributes: map[string]string{scim.AttrUserType: "LOA", scim.AttrEmployeeNumber: "E300"},
			PersonID:   "okta:E300", LinkRule: collector.RuleSource},
		{ID: pid(adaAdmin), Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindUser, Name: "ada-admin",
			Email: "ada.admin@corp.example", NativeID: adaAdmin["id"].(string), CreatedAt: created(t, adaAdmin), Groups: []string{gid},
			Attributes: map[string]string{scim.AttrEmployeeNumber: "E100"},
			PersonID:   "okta:E100", LinkRule: collector.RuleSource},
		{ID: pid(svc), Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindUser, Name: "svc-backup",
			NativeID: svc["id"].(string), CreatedAt: created(t, svc),
			PersonID: "okta:" + svc["id"].(string), LinkRule: collector.RuleSource},
		{ID: gid, Provider: inventory.ProviderSCIM, Account: account, Kind: inventory.KindGroup, Name: "admins",
			NativeID: admins["id"].(string), CreatedAt: created(t, admins)},
	}
	if diff := cmp.Diff(wantPrincipals, res.Principals); diff != "" {
		t.Errorf("principals (-want +got):\n%s", diff)
	}
	wantAccounts := []inventory.Account{{ID: account, Provider: inventory.ProviderSCIM, Name: "okta", Kind: "directory"}}
	if diff := cmp.Diff(wantAccounts, res.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
}

// TestCollectFilters runs filters through the real server, including a complex filter that
// users without the attribute simply fail to match.
func TestCollectFilters(t *testing.T) {
	srv := testpeer.SCIM(t)
	srv.Create(t, "Users", user("ada", "Ada", "Lovelace", "ada@corp.example", "E1", "Eng", "SE", true, map[string]any{"userType": "Employee"}))
	srv.Create(t, "Users", user("bob", "Bob", "Smith", "bob@corp.example", "E2", "Eng", "SE", true, map[string]any{"userType": "Contractor"}))
	srv.Create(t, "Users", map[string]any{"schemas": []string{scim.SchemaUser}, "userName": "svc", "userType": "Employee"})
	tests := []struct {
		filter string
		want   []string // person IDs
	}{
		{`userType eq "Employee"`, []string{"f:E1", "f:svc"}},
		{`emails[type eq "work" and value ew "@corp.example"]`, []string{"f:E1", "f:E2"}},
		{`userName sw "b"`, []string{"f:E2"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			src, err := scim.New(scim.Options{Name: "f", URL: srv.URL, Token: srv.Token, Filter: tt.filter, PageSize: 1, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Coverage[0].Status != inventory.CoverageComplete {
				t.Fatalf("coverage %+v", res.Coverage[0])
			}
			var got []string
			for _, p := range res.People {
				if p.EmployeeID == "" {
					got = append(got, "f:svc")
					continue
				}
				got = append(got, p.ID)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectFailures: an expired token, a wrong token, a wrong path and an unreachable server
// are each a failed coverage with a clear message and kind; never an empty roster read as
// complete.
func TestCollectFailures(t *testing.T) {
	srv := testpeer.SCIM(t)
	srv.Create(t, "Users", user("ada", "Ada", "Lovelace", "ada@corp.example", "E1", "Eng", "SE", true, nil))
	tests := []struct {
		name, url, token string
		wantKind         inventory.ErrorKind
		wantErr          string
	}{
		{"expired token", srv.URL, srv.ExpiredToken, inventory.ErrPermissionDenied,
			"list users: GET /Users?count=100&startIndex=1: 401 Unauthorized: The bearer token has expired; the token is expired, revoked or wrong"},
		{"wrong token", srv.URL, "not-the-token", inventory.ErrPermissionDenied,
			"list users: GET /Users?count=100&startIndex=1: 401 Unauthorized: The bearer token is not valid; the token is expired, revoked or wrong"},
		{"wrong base path", srv.URL + "/nope", srv.Token, inventory.ErrNotFound,
			"list users: GET /Users?count=100&startIndex=1: 404 Not Found: Endpoint Not Found"},
		{"unreachable", "http://127.0.0.1:1/scim/v2", srv.Token, inventory.ErrUnavailable,
			"list users: GET /Users?count=100&startIndex=1: dial tcp 127.0.0.1:1: connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := scim.New(scim.Options{Name: "okta", URL: tt.url, Token: tt.token, Now: clock(), RetryBaseDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect returned an error instead of coverage: %v", err)
			}
			want := []inventory.Coverage{{Source: "okta", Provider: inventory.ProviderSCIM, Scope: tt.url, Method: "scim2",
				Status: inventory.CoverageFailed, ErrorKind: tt.wantKind, Error: tt.wantErr,
				StartedAt: fixedNow.Add(time.Second), FinishedAt: fixedNow.Add(2 * time.Second)}}
			if diff := cmp.Diff(want, res.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			if len(res.People) != 0 || len(res.Principals) != 0 {
				t.Errorf("a failed source produced %d people and %d principals", len(res.People), len(res.Principals))
			}
		})
	}
}
