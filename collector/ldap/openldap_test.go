package ldap_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

var (
	sortPeople     = cmpopts.SortSlices(func(a, b inventory.Person) bool { return a.ID < b.ID })
	sortPrincipals = cmpopts.SortSlices(func(a, b inventory.Principal) bool { return a.ID < b.ID })
)

// TestOpenLDAP seeds slapd with accounts that exercise each OpenLDAP rule and reads them back
// over plain LDAP, StartTLS and LDAPS, two entries a page.
func TestOpenLDAP(t *testing.T) {
	srv := testpeer.LDAP(t)
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	base := srv.BaseDN
	people, groups := "ou=people,"+base, "ou=groups,"+base
	d.add(people, "objectClass: organizationalUnit", "ou: people")
	d.add(groups, "objectClass: organizationalUnit", "ou: groups")
	ada, adaAdmin, bob, cy, dee := "uid=ada,"+people, "uid=ada-admin,"+people, "uid=bob,"+people, "uid=cy,"+people, "uid=dee,"+people
	d.add(ada, "objectClass: inetOrgPerson", "uid: ada", "cn: Ada Lovelace", "sn: Lovelace", "displayName: Ada Lovelace",
		"mail: ada@corp.example", "mail: ada.lovelace@corp.example", "employeeNumber: E100", "departmentNumber: Engineering", "title: CTO")
	d.add(adaAdmin, "objectClass: inetOrgPerson", "uid: ada-admin", "cn: Ada Admin", "sn: Admin", "employeeNumber: E100")
	d.add(bob, "objectClass: inetOrgPerson", "uid: bob", "cn: Bob Smith", "sn: Smith", "mail: bob@corp.example",
		"employeeNumber: E200", "departmentNumber: Sales", "title: Account Executive", "manager: "+ada,
		"pwdAccountLockedTime: 000001010000Z")
	d.add(cy, "objectClass: inetOrgPerson", "uid: cy", "cn: Cy Young", "sn: Young", "mail: cy@corp.example",
		"employeeNumber: E300", "departmentNumber: Sales", "title: Rep", "manager: "+bob, "employeeType: LOA",
		"pwdAccountLockedTime: 20261130100000Z")
	d.add(dee, "objectClass: inetOrgPerson", "objectClass: shadowAccount", "uid: dee", "cn: Dee Dee", "sn: Dee",
		"mail: dee@corp.example", "shadowExpire: 20422")
	d.add("cn=admins,"+groups, "objectClass: groupOfNames", "cn: admins", "member: "+ada, "member: "+adaAdmin)
	d.add("cn=legacy,"+groups, "objectClass: groupOfUniqueNames", "cn: legacy", "uniqueMember: "+cy)
	d.add("cn=ops,"+groups, "objectClass: posixGroup", "cn: ops", "gidNumber: 1000", "memberUid: dee")
	op := map[string]operational{}
	for _, dn := range []string{ada, adaAdmin, bob, cy, dee, "cn=admins," + groups, "cn=legacy," + groups, "cn=ops," + groups} {
		op[dn] = d.operational(dn, false)
	}

	gid := func(cn string) string { return inventory.LDAPPrincipalID("cn=" + cn + "," + groups) }
	user := func(dn, name, email, person string, disabled bool, grps []string, attrs map[string]string) inventory.Principal {
		attrs["dn"] = dn
		return inventory.Principal{ID: inventory.LDAPPrincipalID(dn), Provider: inventory.ProviderLDAP, Account: base,
			Kind: inventory.KindUser, Name: name, Email: email, NativeID: op[dn].NativeID, CreatedAt: op[dn].Created,
			Disabled: disabled, Groups: grps, Attributes: attrs, PersonID: person, LinkRule: collector.RuleSource}
	}
	group := func(cn string) inventory.Principal {
		dn := "cn=" + cn + "," + groups
		return inventory.Principal{ID: inventory.LDAPPrincipalID(dn), Provider: inventory.ProviderLDAP, Account: base,
			Kind: inventory.KindGroup, Name: cn, NativeID: op[dn].NativeID, CreatedAt: op[dn].Created,
			Attributes: map[string]string{"dn": dn}}
	}
	deeID := "corp:" + op[dee].NativeID
	wantPeople := []inventory.Person{
		{ID: "corp:E100", Source: "corp", EmployeeID: "E100", Emails: []string{"ada@corp.example", "ada.lovelace@corp.example"},
			Aliases: []string{"ada", "ada-admin"}, Name: "Ada Lovelace", Department: "Engineering", Title: "CTO", Status: inventory.PersonActive},
		{ID: "corp:E200", Source: "corp", EmployeeID: "E200", Emails: []string{"bob@corp.example"}, Aliases: []string{"bob"},
			Name: "Bob Smith", Department: "Sales", Title: "Account Executive", Manager: "E100", Status: inventory.PersonTerminated},
		{ID: "corp:E300", Source: "corp", EmployeeID: "E300", Emails: []string{"cy@corp.example"}, Aliases: []string{"cy"},
			Name: "Cy Young", Department: "Sales", Title: "Rep", Manager: "E200", Status: inventory.PersonLeave},
		{ID: deeID, Source: "corp", Emails: []string{"dee@corp.example"}, Aliases: []string{"dee"}, Name: "Dee Dee",
			Status: inventory.PersonTerminated, EndDate: time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)},
	}
	wantPrincipals := []inventory.Principal{
		user(ada, "ada", "ada@corp.example", "corp:E100", false, []string{gid("admins")}, map[string]string{"employee_id": "E100"}),
		user(adaAdmin, "ada-admin", "", "corp:E100", false, []string{gid("admins")}, map[string]string{"employee_id": "E100"}),
		user(bob, "bob", "bob@corp.example", "corp:E200", true, nil, map[string]string{"employee_id": "E200", "locked": "permanent"}),
		user(cy, "cy", "cy@corp.example", "corp:E300", false, []string{gid("legacy")},
			map[string]string{"employee_id": "E300", "locked": "lockout", "locked_since": "2026-11-30T10:00:00Z"}),
		user(dee, "dee", "dee@corp.example", deeID, true, []string{gid("ops")}, map[string]string{"account_expires": "2025-11-30T00:00:00Z"}),
		group("admins"), group("legacy"), group("ops"),
	}

	tests := []struct {
		name string
		opts func(*ldap.Options)
	}{
		{"plain LDAP on loopback", func(o *ldap.Options) {}},
		{"StartTLS verified by the CA file", func(o *ldap.Options) { o.StartTLS, o.CAFile = true, srv.CAFile }},
		{"LDAPS verified by the CA file", func(o *ldap.Options) { o.URL, o.CAFile = srv.LDAPSURL, srv.CAFile }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := ldap.Options{Name: "corp", URL: srv.URL, BindDN: srv.BindDN, BindPassword: srv.Password, BaseDN: base,
				Groups: true, PageSize: 2, Attributes: ldap.Attributes{Status: "employeeType"},
				StatusValues: map[string]inventory.PersonStatus{"LOA": inventory.PersonLeave}, Now: clock()}
			tt.opts(&opts)
			src, err := ldap.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			wantCov := []inventory.Coverage{{Source: "corp", Provider: inventory.ProviderLDAP, Scope: base, Method: "ldap:openldap",
				Status: inventory.CoverageComplete, Counts: map[string]int{"people": 4, "users": 5, "groups": 3, "disabled": 2, "problems": 0},
				StartedAt: fixedNow.Add(time.Second), FinishedAt: fixedNow.Add(2 * time.Second)}}
			if diff := cmp.Diff(wantCov, res.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantPeople, res.People, sortPeople); diff != "" {
				t.Errorf("people (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantPrincipals, res.Principals, sortPrincipals); diff != "" {
				t.Errorf("principals (-want +got):\n%s", diff)
			}
			wantAccounts := []inventory.Account{{ID: base, Provider: inventory.ProviderLDAP, Name: "corp", Kind: "directory"}}
			if diff := cmp.Diff(wantAccounts, res.Accounts); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenLDAPFailures: each way of not reading the directory is a failed coverage with a clear
// message and kind, and no people: a failed source is never read as nobody working here.
func TestOpenLDAPFailures(t *testing.T) {
	srv := testpeer.LDAP(t)
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	d.add("uid=ada,"+srv.BaseDN, "objectClass: inetOrgPerson", "uid: ada", "cn: Ada", "sn: L", "employeeNumber: E1")
	empty := testpeer.LDAP(t).BaseDN
	tests := []struct {
		name     string
		opts     func(*ldap.Options)
		wantKind inventory.ErrorKind
		wantErr  string
	}{
		{"wrong bind password", func(o *ldap.Options) { o.BindPassword = "wrong" }, inventory.ErrPermissionDenied,
			`bind to {url} as cn=admin,dc=provost,dc=test: LDAP Result Code 49 "Invalid Credentials": ; the bind DN or password is wrong, or the bind account is disabled, locked or expired`},
		{"unreachable directory", func(o *ldap.Options) { o.URL = "ldap://127.0.0.1:1" }, inventory.ErrUnavailable,
			`connect to ldap://127.0.0.1:1: LDAP Result Code 200 "Network Error": dial tcp 127.0.0.1:1: connect: connection refused`},
		{"base DN that does not exist", func(o *ldap.Options) { o.BaseDN = "ou=nope,dc=provost,dc=test" }, inventory.ErrNotFound,
			`search users under ou=nope,dc=provost,dc=test with (objectClass=inetOrgPerson): LDAP Result Code 32 "No Such Object": ; check base_dn`},
		{"nobody under the base", func(o *ldap.Options) { o.BaseDN = empty }, inventory.ErrInvalid,
			"no entry under " + empty + " matches (objectClass=inetOrgPerson); an empty directory is taken as a failed read, not as nobody working here"},
		{"LDAPS with an untrusted certificate", func(o *ldap.Options) { o.URL = srv.LDAPSURL }, inventory.ErrInvalid,
			`connect to {ldaps}: LDAP Result Code 200 "Network Error": tls: failed to verify certificate: x509: certificate signed by unknown authority; check ca_file and tls_server_name`},
		{"StartTLS to the wrong name", func(o *ldap.Options) { o.StartTLS, o.CAFile, o.TLSServerName = true, srv.CAFile, "ldap.corp.example" },
			inventory.ErrInvalid,
			`StartTLS with {url}: LDAP Result Code 200 "Network Error": TLS handshake failed (tls: failed to verify certificate: x509: certificate is valid for localhost, not ldap.corp.example); check ca_file and tls_server_name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := ldap.Options{Name: "corp", URL: srv.URL, BindDN: srv.BindDN, BindPassword: srv.Password, BaseDN: srv.BaseDN,
				Flavor: ldap.FlavorOpenLDAP, Now: clock(), DialTimeout: 5 * time.Second}
			tt.opts(&opts)
			src, err := ldap.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect returned an error instead of coverage: %v", err)
			}
			if len(res.Coverage) != 1 {
				t.Fatalf("coverage %+v", res.Coverage)
			}
			c := res.Coverage[0]
			want := strings.NewReplacer("{url}", srv.URL, "{ldaps}", srv.LDAPSURL, "{base}", srv.BaseDN).Replace(tt.wantErr)
			if c.Status != inventory.CoverageFailed || c.ErrorKind != tt.wantKind || c.Error != want {
				t.Errorf("coverage %s/%s %q\nwant failed/%s %q", c.Status, c.ErrorKind, c.Error, tt.wantKind, want)
			}
			if len(res.People) != 0 || len(res.Principals) != 0 {
				t.Errorf("a failed source produced %d people and %d principals", len(res.People), len(res.Principals))
			}
		})
	}
}

// A cancelled context ends a collection promptly with ctx's error.
func TestOpenLDAPCancelled(t *testing.T) {
	srv := testpeer.LDAP(t)
	src, err := ldap.New(ldap.Options{Name: "corp", URL: srv.URL, BindDN: srv.BindDN, BindPassword: srv.Password, BaseDN: srv.BaseDN})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := src.Collect(ctx); err == nil || res != nil || collector.KindOf(err) != inventory.ErrTimeout {
		t.Fatalf("Collect = %v, %v; want ctx's error", res, err)
	}
}
