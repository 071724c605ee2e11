package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// hostileHRFile is an HR export whose names, titles and departments are hostile; the manager
// column names employee IDs.
const hostileHRFile = `employee_id,email,aliases,name,department,title,manager,status,start_date,end_date
H1,boss@corp.com,,"Robert ""Bobby"" O'Hara <b>",Security & <Ops>,=1+1,,active,2020-01-01,
H2,ann@corp.com,,<script>alert('hr')</script>,"=HYPERLINK(""http://evil.example"",""x"")",@SUM(A1),H1,terminated,2021-01-01,2025-05-20
H3,ben@corp.com,,"+cmd|' /C calc'!A0",-2+3,Engineer | **lead**,H1,active,2022-01-01,
`

// scimUsers are SCIM 2.0 users (RFC 7643) whose display names are hostile.
var scimUsers = []string{
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"s1","userName":"cat@corp.com","displayName":"<img src=x onerror=alert('scim')>","active":true,"emails":[{"value":"cat@corp.com","primary":true}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"s2","userName":"dan@corp.com","displayName":"Dan [click](http://evil.example) | ` + "`x`" + `","active":false,"emails":[{"value":"dan@corp.com","primary":true}]}`,
}

// collectHostilePeople reads the hostile HR file and SCIM users through the real sources.
func collectHostilePeople(t *testing.T) ([]inventory.Person, []inventory.Principal, []inventory.Coverage) {
	t.Helper()
	now := func() time.Time { return fixtureStart }
	path := filepath.Join(t.TempDir(), "hr.csv")
	if err := os.WriteFile(path, []byte(hostileHRFile), 0o600); err != nil {
		t.Fatal(err)
	}
	hr, err := hrfile.New(hrfile.Options{Name: "hr", Path: path, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	hrRes, err := hr.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !hrRes.Coverage[0].Complete() {
		t.Fatalf("HR file not read whole: %+v", hrRes.Coverage[0])
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/scim/v2/Users" || r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		fmt.Fprintf(w, `{"schemas":[%q],"totalResults":%d,"startIndex":1,"itemsPerPage":%d,"Resources":[%s]}`,
			scim.SchemaListResponse, len(scimUsers), len(scimUsers), strings.Join(scimUsers, ","))
	}))
	t.Cleanup(srv.Close)
	src, err := scim.New(scim.Options{Name: "okta", URL: srv.URL + "/scim/v2", Token: "tok", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	scimRes, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !scimRes.Coverage[0].Complete() || len(scimRes.People) != 2 {
		t.Fatalf("SCIM not read whole: %+v, %d people", scimRes.Coverage[0], len(scimRes.People))
	}
	people := append(slices.Clone(hrRes.People), scimRes.People...)
	coverage := append(slices.Clone(hrRes.Coverage), scimRes.Coverage...)
	return people, scimRes.Principals, coverage
}

// TestHostileNamesFromSources: names from an HR export and a SCIM directory, read by the real
// sources, reach every format as inert text.
func TestHostileNamesFromSources(t *testing.T) {
	people, scimPrincipals, coverage := collectHostilePeople(t)
	names := map[string]string{} // person ID → name
	for _, p := range people {
		names[p.ID] = p.Name
	}
	for id, want := range map[string]string{
		"hr:H1": `Robert "Bobby" O'Hara <b>`, "hr:H2": `<script>alert('hr')</script>`, "hr:H3": `+cmd|' /C calc'!A0`,
		"okta:s1": `<img src=x onerror=alert('scim')>`,
	} {
		if names[id] != want {
			t.Fatalf("person %s is named %q, want %q (people: %v)", id, names[id], want, names)
		}
	}

	snap := &inventory.Snapshot{ID: "snap-hostile", StartedAt: fixtureStart,
		Coverage: append(coverage, inventory.Coverage{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "projects/p", Status: inventory.CoverageComplete}),
		Accounts: []inventory.Account{{ID: "projects/p", Provider: inventory.ProviderGCP, Kind: "project", Name: "P"}},
		People:   people,
	}
	var fs []finding.Finding
	for _, p := range people {
		email := p.Emails[0]
		id := "gcp:user:" + email
		snap.Principals = append(snap.Principals, inventory.Principal{ID: id, Provider: inventory.ProviderGCP, Account: "projects/p",
			Kind: inventory.KindUser, Name: email, Email: email, PersonID: p.ID, LinkRule: "email",
			Grants: []inventory.Grant{{What: "roles/owner", Where: "projects/p", Via: "direct", Privilege: inventory.PrivilegeAdmin}}})
		fs = append(fs, finding.Finding{ID: finding.ID("PV-IDN-005", id, ""), CheckID: "PV-IDN-005", Title: "Administrator without MFA",
			Severity: finding.SeverityHigh, Principal: id, Account: "projects/p", Provider: inventory.ProviderGCP,
			Message: "administrator " + p.Name + " has no MFA", Evidence: map[string]any{"person": p.Name, "title": p.Title},
			Status: finding.StatusOpen, FirstSeen: fixtureStart, LastSeen: fixtureStart})
	}
	snap.Principals = append(snap.Principals, scimPrincipals...)
	for _, p := range scimPrincipals {
		fs = append(fs, finding.Finding{ID: finding.ID("PV-IDN-004", p.ID, ""), CheckID: "PV-IDN-004", Title: "Shared or generic account",
			Severity: finding.SeverityMedium, Principal: p.ID, Account: p.Account, Provider: p.Provider,
			Message: "account " + p.Name + " looks shared", Status: finding.StatusOpen})
	}
	r, err := reports.FromSnapshot(snap, fs, fixtureGenerated)
	if err != nil {
		t.Fatal(err)
	}
	r.Review = reports.BuildReview(snap, fs, fixtureGenerated)
	kpis := reports.ComputeKPIs([]*inventory.Snapshot{snap}, reports.LifecycleOptions{SLA: 24 * time.Hour})
	r.KPIs = &kpis

	hrNames := []string{names["hr:H1"], names["hr:H2"], names["hr:H3"]}
	all := append(slices.Clone(hrNames), names["okta:s1"], names["okta:s2"])
	for _, c := range []inertCase{
		{reports.FormatHTML, all},
		{reports.FormatReviewHTML, append(slices.Clone(hrNames), names["okta:s1"], names["okta:s2"])},
		{reports.FormatJSON, all},
		{reports.FormatCSV, all},
		{reports.FormatReviewCSV, all},
		{reports.FormatMarkdown, hrNames},
		{reports.FormatOCSF, all},
		{reports.FormatSARIF, all},
		{reports.FormatJUnit, all},
	} {
		t.Run(string(c.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := reports.Render(&b, c.format, r); err != nil {
				t.Fatal(err)
			}
			assertInert(t, c.format, b.Bytes(), c.names)
		})
	}
}
