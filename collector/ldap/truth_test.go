package ldap_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

// rosterPerson is one person of the roster every source of truth is seeded with.
type rosterPerson struct {
	id, user, given, family, email, dept, title, manager string
	status                                               inventory.PersonStatus
}

var roster = []rosterPerson{
	{"E100", "ada", "Ada", "Lovelace", "ada@corp.example", "Engineering", "CTO", "", inventory.PersonActive},
	{"E200", "bob", "Bob", "Smith", "bob@corp.example", "Sales", "Account Executive", "E100", inventory.PersonTerminated},
	{"E300", "cy", "Cy", "Young", "cy@corp.example", "Sales", "Rep", "E200", inventory.PersonLeave},
	{"E400", "dee", "Dee", "Dee", "dee@corp.example", "Engineering", "SRE", "E100", inventory.PersonActive},
	{"E500", "eve", "Eve", "Adams", "eve@corp.example", "Finance", "Analyst", "E100", inventory.PersonTerminated},
}

func (r rosterPerson) name() string { return r.given + " " + r.family }

// seedHR writes the roster as a Workday-style CSV export.
func seedHR(t *testing.T) string {
	var b strings.Builder
	b.WriteString("Employee ID,Work Email,Username,Legal Name,Department,Job Title,Manager ID,Worker Status\n")
	status := map[inventory.PersonStatus]string{inventory.PersonActive: "Active", inventory.PersonLeave: "Leave of Absence",
		inventory.PersonTerminated: "Terminated"}
	for _, p := range roster {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s\n", p.id, p.email, p.user, p.name(), p.dept, p.title, p.manager, status[p.status])
	}
	path := filepath.Join(t.TempDir(), "workday.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedOpenLDAP adds the roster as inetOrgPerson entries: leavers are administratively locked,
// people on leave have employeeType LOA.
func seedOpenLDAP(t *testing.T, srv testpeer.LDAPServer) {
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	dn := func(user string) string { return "uid=" + user + "," + srv.BaseDN }
	byID := map[string]string{}
	for _, p := range roster {
		byID[p.id] = p.user
	}
	for _, p := range roster {
		lines := []string{"objectClass: inetOrgPerson", "uid: " + p.user, "cn: " + p.name(), "sn: " + p.family,
			"givenName: " + p.given, "displayName: " + p.name(), "mail: " + p.email, "employeeNumber: " + p.id,
			"departmentNumber: " + p.dept, "title: " + p.title}
		if p.manager != "" {
			lines = append(lines, "manager: "+dn(byID[p.manager]))
		}
		switch p.status {
		case inventory.PersonTerminated:
			lines = append(lines, "pwdAccountLockedTime: 000001010000Z")
		case inventory.PersonLeave:
			lines = append(lines, "employeeType: LOA")
		}
		d.add(dn(p.user), lines...)
	}
}

// seedAD adds the roster as Active Directory users: leavers have userAccountControl 514.
func seedAD(t *testing.T, srv testpeer.SambaServer) {
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	dn := func(p rosterPerson) string { return "CN=" + p.name() + "," + srv.BaseDN }
	byID := map[string]rosterPerson{}
	for _, p := range roster {
		byID[p.id] = p
	}
	for _, p := range roster {
		lines := []string{"objectClass: user", "sAMAccountName: " + p.user, "givenName: " + p.given, "sn: " + p.family,
			"displayName: " + p.name(), "mail: " + p.email, "employeeID: " + p.id, "department: " + p.dept, "title: " + p.title}
		if p.manager != "" {
			lines = append(lines, "manager: "+dn(byID[p.manager]))
		}
		if p.status == inventory.PersonLeave {
			lines = append(lines, "employeeType: LOA")
		}
		d.add(dn(p), lines...)
		uac := "512"
		if p.status == inventory.PersonTerminated {
			uac = "514"
		}
		d.replace(dn(p), "userAccountControl", uac)
	}
}

// seedSCIM POSTs the roster as SCIM users with the enterprise extension: leavers are inactive,
// people on leave have userType LOA.
func seedSCIM(t *testing.T, srv testpeer.SCIMServer) {
	ids := map[string]string{}
	for _, p := range roster { // managers come before their reports
		ext := map[string]any{"employeeNumber": p.id, "department": p.dept}
		if p.manager != "" {
			ext["manager"] = map[string]any{"value": ids[p.manager]}
		}
		u := map[string]any{
			"schemas":                 []string{scim.SchemaUser, scim.SchemaEnterpriseUser},
			"userName":                p.user,
			"name":                    map[string]any{"givenName": p.given, "familyName": p.family, "formatted": p.name()},
			"emails":                  []map[string]any{{"value": p.email, "type": "work", "primary": true}},
			"title":                   p.title,
			"active":                  p.status != inventory.PersonTerminated,
			"userType":                map[bool]string{true: "LOA", false: "Employee"}[p.status == inventory.PersonLeave],
			scim.SchemaEnterpriseUser: ext,
		}
		ids[p.id] = srv.Create(t, "Users", u)["id"].(string)
	}
}

// TestSourcesOfTruthAgree seeds one roster into an HR export, OpenLDAP, Active Directory and a
// SCIM identity provider, collects all four through the runner, and requires the same people
// from each: the same employee IDs, emails, usernames, names, departments, titles, managers and
// statuses (terminated and on leave included).
func TestSourcesOfTruthAgree(t *testing.T) {
	hrPath := seedHR(t)
	slapd := testpeer.LDAP(t)
	seedOpenLDAP(t, slapd)
	samba := testpeer.Samba(t)
	seedAD(t, samba)
	idp := testpeer.SCIM(t)
	seedSCIM(t, idp)

	hr, err := hrfile.New(hrfile.Options{Name: "workday", Path: hrPath,
		Columns: hrfile.Columns{EmployeeID: "Employee ID", Email: "Work Email", Aliases: "Username", Name: "Legal Name",
			Department: "Department", Title: "Job Title", Manager: "Manager ID", Status: "Worker Status"},
		StatusValues: map[string]inventory.PersonStatus{"Leave of Absence": inventory.PersonLeave}})
	if err != nil {
		t.Fatal(err)
	}
	leave := map[string]inventory.PersonStatus{"LOA": inventory.PersonLeave}
	openldap, err := ldap.New(ldap.Options{Name: "openldap", URL: slapd.URL, BindDN: slapd.BindDN, BindPassword: slapd.Password,
		BaseDN: slapd.BaseDN, Attributes: ldap.Attributes{Status: "employeeType"}, StatusValues: leave})
	if err != nil {
		t.Fatal(err)
	}
	ad, err := ldap.New(ldap.Options{Name: "ad", URL: samba.LDAPSURL, CAFile: samba.CAFile, BindDN: samba.BindDN,
		BindPassword: samba.Password, BaseDN: samba.BaseDN, Attributes: ldap.Attributes{Status: "employeeType"}, StatusValues: leave})
	if err != nil {
		t.Fatal(err)
	}
	okta, err := scim.New(scim.Options{Name: "okta", URL: idp.URL, Token: idp.Token, PageSize: 2,
		StatusAttribute: "userType", StatusValues: leave})
	if err != nil {
		t.Fatal(err)
	}
	sources := []collector.Source{hr, openldap, ad, okta}
	snap, err := collector.Run(context.Background(), sources, collector.RunOptions{Linking: collector.LinkOptions{Order: []string{"email"}}})
	if err != nil {
		t.Fatal(err)
	}

	var want []inventory.Person
	for _, p := range roster {
		want = append(want, inventory.Person{ID: p.id, EmployeeID: p.id, Emails: []string{p.email}, Aliases: []string{p.user},
			Name: p.name(), Department: p.dept, Title: p.title, Manager: p.manager, Status: p.status})
	}
	got := map[string][]inventory.Person{}
	for _, p := range snap.People {
		src := p.Source
		p.ID = strings.TrimPrefix(p.ID, src+":")
		p.Source = ""
		got[src] = append(got[src], p)
	}
	for _, src := range sources {
		t.Run(src.Name(), func(t *testing.T) {
			if diff := cmp.Diff(want, got[src.Name()], sortPeople); diff != "" {
				t.Errorf("people of %s differ from the roster (-want +got):\n%s", src.Name(), diff)
			}
		})
	}
	for _, c := range snap.Coverage {
		if c.Status != inventory.CoverageComplete || c.Counts["people"] != len(roster) {
			t.Errorf("coverage of %s: %s %s %q, %d people", c.Source, c.Status, c.ErrorKind, c.Error, c.Counts["people"])
		}
	}
	if len(snap.Coverage) != len(sources) {
		t.Errorf("%d coverage entries for %d sources", len(snap.Coverage), len(sources))
	}
	// Every directory account is linked, by rule "source", to a person of the snapshot.
	ids := map[string]bool{}
	for _, p := range snap.People {
		ids[p.ID] = true
	}
	users := 0
	for _, p := range snap.Principals {
		if p.Kind != inventory.KindUser {
			continue
		}
		users++
		if p.LinkRule != collector.RuleSource || !ids[p.PersonID] {
			t.Errorf("principal %s linked to %q by %q", p.ID, p.PersonID, p.LinkRule)
		}
	}
	if users != 3*len(roster) {
		t.Errorf("%d directory user principals, want %d", users, 3*len(roster))
	}
}
