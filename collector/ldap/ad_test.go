package ldap_test

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"strconv"
	"testing"
	"time"
	"unicode/utf16"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

// fileTime is t as an Active Directory FILETIME string.
func fileTime(t time.Time) string {
	return strconv.FormatInt((t.Unix()+11_644_473_600)*10_000_000, 10)
}

// setPassword sets an AD account's password over LDAPS: unicodePwd is the quoted password in
// UTF-16LE, and AD accepts it only on an encrypted connection.
func setPassword(t *testing.T, srv testpeer.SambaServer, dn, password string) {
	t.Helper()
	pool, err := testpeer.CertPool(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := goldap.DialURL(srv.LDAPSURL, goldap.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(srv.BindDN, srv.Password); err != nil {
		t.Fatal(err)
	}
	units := utf16.Encode([]rune(`"` + password + `"`))
	pw := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(pw[2*i:], u)
	}
	req := goldap.NewModifyRequest(dn, nil)
	req.Replace("unicodePwd", []string{string(pw)})
	if err := conn.Modify(req); err != nil {
		t.Fatalf("set the password of %s: %v", dn, err)
	}
}

// TestActiveDirectory seeds Samba AD with accounts that exercise each AD rule
// (userAccountControl, accountExpires, objectGUID, memberOf, manager, proxyAddresses,
// pwdLastSet, computers left out) and reads them back with the flavor detected.
func TestActiveDirectory(t *testing.T) {
	srv := testpeer.Samba(t)
	t.Logf("Samba provisioned in %s (0 = cached), started in %s", srv.Provisioned, srv.Started)
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	base := srv.BaseDN
	people, groups := "OU=people,"+base, "OU=groups,"+base
	d.add(people, "objectClass: organizationalUnit", "ou: people")
	d.add(groups, "objectClass: organizationalUnit", "ou: groups")
	ada, bob, cy, eve, svc := "CN=Ada Lovelace,"+people, "CN=Bob Smith,"+people, "CN=Cy Young,"+people, "CN=Eve Adams,"+people, "CN=svc-backup,"+people
	d.add(ada, "objectClass: user", "sAMAccountName: ada", "displayName: Ada Lovelace", "givenName: Ada", "sn: Lovelace",
		"mail: ada@corp.example", "proxyAddresses: SMTP:ada@corp.example", "proxyAddresses: smtp:ada.l@corp.example",
		"proxyAddresses: X500:/o=corp/cn=ada", "userPrincipalName: ada@provost.test", "employeeID: E100",
		"department: Engineering", "title: CTO")
	d.add(bob, "objectClass: user", "sAMAccountName: bob", "displayName: Bob Smith", "mail: bob@corp.example",
		"employeeID: E200", "department: Sales", "title: Account Executive", "manager: "+ada)
	d.add(cy, "objectClass: user", "sAMAccountName: cy", "displayName: Cy Young", "mail: cy@corp.example",
		"employeeID: E300", "department: Sales", "title: Rep", "manager: "+bob, "employeeType: LOA")
	d.add(eve, "objectClass: user", "sAMAccountName: eve", "displayName: Eve Adams", "mail: eve@corp.example",
		"employeeID: E500", "department: Finance", "title: Analyst", "manager: "+ada)
	d.add(svc, "objectClass: user", "sAMAccountName: svc-backup")
	d.add("CN=WS1,"+people, "objectClass: computer", "sAMAccountName: WS1$")
	for dn, uac := range map[string]string{ada: "512", bob: "514", cy: "512", eve: "512", svc: "66048"} {
		d.replace(dn, "userAccountControl", uac)
	}
	d.replace(cy, "accountExpires", fileTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	d.replace(eve, "accountExpires", fileTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
	setPassword(t, srv, ada, "Ada-Lovelace-1843!")
	d.add("CN=admins,"+groups, "objectClass: group", "member: "+ada)

	op := map[string]operational{}
	for _, dn := range []string{ada, bob, cy, eve, svc, "CN=admins," + groups} {
		op[dn] = d.operational(dn, true)
	}
	res, err := d.conn.Search(goldap.NewSearchRequest(ada, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"pwdLastSet"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	adaPwd, err := ldap.ParseFileTime(res.Entries[0].GetAttributeValue("pwdLastSet"))
	if err != nil || adaPwd.IsZero() {
		t.Fatalf("pwdLastSet of %s: %v %v", ada, adaPwd, err)
	}

	gid := inventory.LDAPPrincipalID("CN=admins," + groups)
	user := func(dn, name, email, person string, disabled bool, attrs map[string]string) inventory.Principal {
		attrs["dn"] = dn
		return inventory.Principal{ID: inventory.LDAPPrincipalID(dn), Provider: inventory.ProviderLDAP, Account: base,
			Kind: inventory.KindUser, Name: name, Email: email, NativeID: op[dn].NativeID, CreatedAt: op[dn].Created,
			Disabled: disabled, Attributes: attrs, PersonID: person, LinkRule: collector.RuleSource}
	}
	adaP := user(ada, "ada", "ada@corp.example", "ad:E100", false,
		map[string]string{"employee_id": "E100", "user_account_control": "512", "uac_flags": "NORMAL_ACCOUNT"})
	adaP.Groups = []string{gid}
	adaP.Credentials = []inventory.Credential{{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: adaPwd}}
	svcID := "ad:" + op[svc].NativeID
	wantPrincipals := []inventory.Principal{
		adaP,
		user(bob, "bob", "bob@corp.example", "ad:E200", true,
			map[string]string{"employee_id": "E200", "user_account_control": "514", "uac_flags": "ACCOUNTDISABLE|NORMAL_ACCOUNT"}),
		user(cy, "cy", "cy@corp.example", "ad:E300", false,
			map[string]string{"employee_id": "E300", "user_account_control": "512", "uac_flags": "NORMAL_ACCOUNT", "account_expires": "2030-01-01T00:00:00Z"}),
		user(eve, "eve", "eve@corp.example", "ad:E500", true,
			map[string]string{"employee_id": "E500", "user_account_control": "512", "uac_flags": "NORMAL_ACCOUNT", "account_expires": "2025-01-01T00:00:00Z"}),
		user(svc, "svc-backup", "", svcID, false,
			map[string]string{"user_account_control": "66048", "uac_flags": "NORMAL_ACCOUNT|DONT_EXPIRE_PASSWORD"}),
		{ID: gid, Provider: inventory.ProviderLDAP, Account: base, Kind: inventory.KindGroup, Name: "admins",
			NativeID: op["CN=admins,"+groups].NativeID, CreatedAt: op["CN=admins,"+groups].Created,
			Attributes: map[string]string{"dn": "CN=admins," + groups}},
	}
	wantPeople := []inventory.Person{
		{ID: "ad:E100", Source: "ad", EmployeeID: "E100", Emails: []string{"ada@corp.example", "ada.l@corp.example"},
			Aliases: []string{"ada", "ada@provost.test"}, Name: "Ada Lovelace", Department: "Engineering", Title: "CTO", Status: inventory.PersonActive},
		{ID: "ad:E200", Source: "ad", EmployeeID: "E200", Emails: []string{"bob@corp.example"}, Aliases: []string{"bob"},
			Name: "Bob Smith", Department: "Sales", Title: "Account Executive", Manager: "E100", Status: inventory.PersonTerminated},
		{ID: "ad:E300", Source: "ad", EmployeeID: "E300", Emails: []string{"cy@corp.example"}, Aliases: []string{"cy"},
			Name: "Cy Young", Department: "Sales", Title: "Rep", Manager: "E200", Status: inventory.PersonLeave,
			EndDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "ad:E500", Source: "ad", EmployeeID: "E500", Emails: []string{"eve@corp.example"}, Aliases: []string{"eve"},
			Name: "Eve Adams", Department: "Finance", Title: "Analyst", Manager: "E100", Status: inventory.PersonTerminated,
			EndDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: svcID, Source: "ad", Aliases: []string{"svc-backup"}, Name: "svc-backup", Status: inventory.PersonActive},
	}

	for _, tc := range []struct {
		name string
		opts func(*ldap.Options)
	}{
		{"plain LDAP", func(*ldap.Options) {}},
		{"LDAPS", func(o *ldap.Options) { o.URL, o.CAFile = srv.LDAPSURL, srv.CAFile }},
		{"StartTLS", func(o *ldap.Options) { o.StartTLS, o.CAFile = true, srv.CAFile }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ldap.Options{Name: "ad", URL: srv.URL, BindDN: srv.BindDN, BindPassword: srv.Password, BaseDN: base,
				Groups: true, PageSize: 2, Attributes: ldap.Attributes{Status: "employeeType"},
				StatusValues: map[string]inventory.PersonStatus{"loa": inventory.PersonLeave}, Now: clock()}
			tc.opts(&opts)
			src, err := ldap.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := src.Collect(context.Background())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			wantCov := []inventory.Coverage{{Source: "ad", Provider: inventory.ProviderLDAP, Scope: base, Method: "ldap:ad",
				Status: inventory.CoverageComplete, Counts: map[string]int{"people": 5, "users": 5, "groups": 1, "disabled": 2, "problems": 0},
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
		})
	}

	t.Run("anonymous search", func(t *testing.T) {
		src, err := ldap.New(ldap.Options{Name: "ad", URL: srv.URL, BaseDN: base, Flavor: ldap.FlavorAD, Now: clock()})
		if err != nil {
			t.Fatal(err)
		}
		res, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []inventory.Coverage{{Source: "ad", Provider: inventory.ProviderLDAP, Scope: base, Method: "ldap:ad",
			Status: inventory.CoverageFailed, ErrorKind: inventory.ErrPermissionDenied,
			Error: "search users under " + base + " with " + ldap.DefaultFilter(ldap.FlavorAD) + `: LDAP Result Code 1 "Operations Error": ` +
				"00002020: Operation unavailable without authentication; the directory does not answer anonymous searches: set bind_dn and bind_password",
			StartedAt: fixedNow.Add(time.Second), FinishedAt: fixedNow.Add(2 * time.Second)}}
		if diff := cmp.Diff(want, res.Coverage); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
	})

	t.Run("wrong bind password", func(t *testing.T) {
		src, err := ldap.New(ldap.Options{Name: "ad", URL: srv.URL, BindDN: srv.BindDN, BindPassword: "not-it", BaseDN: base, Now: clock()})
		if err != nil {
			t.Fatal(err)
		}
		res, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []inventory.Coverage{{Source: "ad", Provider: inventory.ProviderLDAP, Scope: base, Method: "ldap",
			Status: inventory.CoverageFailed, ErrorKind: inventory.ErrPermissionDenied,
			Error: "bind to ldap://127.0.0.1:389 as " + srv.BindDN + `: LDAP Result Code 49 "Invalid Credentials": ` +
				"80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1; " +
				"the bind DN or password is wrong, or the bind account is disabled, locked or expired",
			StartedAt: fixedNow.Add(time.Second), FinishedAt: fixedNow.Add(2 * time.Second)}}
		if diff := cmp.Diff(want, res.Coverage); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
	})
}
