package ldap_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	rldap "github.com/provost-dev/provost/remediate/ldap"
	"github.com/provost-dev/provost/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}

var now = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func dial(t *testing.T, url, bindDN, pw string) *goldap.Conn {
	t.Helper()
	c, err := goldap.DialURL(url)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Bind(bindDN, pw); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func add(t *testing.T, c *goldap.Conn, dn string, attrs map[string][]string) {
	t.Helper()
	r := goldap.NewAddRequest(dn, nil)
	for k, v := range attrs {
		r.Attribute(k, v)
	}
	if err := c.Add(r); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}

func attr(t *testing.T, c *goldap.Conn, dn, name string) (string, bool) {
	t.Helper()
	res, err := c.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 0, false, "(objectClass=*)", []string{name}, nil))
	if goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return res.Entries[0].GetAttributeValue(name), true
}

// run plans disable for the first DN and delete for the second, applies, and returns the applier.
func run(t *testing.T, dir rldap.Directory, disable, del string) (*remediate.Applier, *remediate.Plan) {
	t.Helper()
	p := func(dn string) inventory.Principal {
		return inventory.Principal{ID: inventory.LDAPPrincipalID(dn), Provider: inventory.ProviderLDAP, Account: dir.BaseDN, Kind: inventory.KindUser, Name: dn}
	}
	snap := &inventory.Snapshot{ID: "s1", StartedAt: now.Add(-time.Hour), Principals: []inventory.Principal{p(disable), p(del)},
		Coverage: []inventory.Coverage{{Source: "dir", Provider: inventory.ProviderLDAP, Scope: dir.BaseDN, Status: inventory.CoverageComplete}}}
	fs := []finding.Finding{{CheckID: "L", Principal: snap.Principals[0].ID}, {CheckID: "D", Principal: snap.Principals[1].ID}}
	marks := map[string]remediate.Mark{}
	acts := []remediate.Action{remediate.ActDisableUser, remediate.ActDeleteUser}
	for i := range fs {
		fs[i].ID = finding.ID(fs[i].CheckID, fs[i].Principal, "")
		fs[i].Status, fs[i].Severity, fs[i].Message = finding.StatusOpen, finding.SeverityHigh, "leaver"
		marks[remediate.MarkKey(fs[i].ID, acts[i])] = remediate.Mark{MarkedAt: now.AddDate(0, -1, 0)}
	}
	pol := &remediate.Policy{MaxActions: 5, MaxPercent: 100, Rules: []remediate.Rule{
		{Check: "L", Action: remediate.ActDisableUser, Enabled: true}, {Check: "D", Action: remediate.ActDeleteUser, Enabled: true}}}
	plan, err := remediate.MakePlan(pol, snap, fs, marks, now)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &remediate.Applier{Policy: pol, Journal: db, Now: func() time.Time { return now },
		Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderLDAP: &rldap.Executor{Directories: []rldap.Directory{dir}}}}
	out, err := a.Apply(context.Background(), plan, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s1", StartedAt: snap.StartedAt}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]remediate.State{}
	for _, o := range out {
		got[o.Detail] = o.State
	}
	want := map[string]remediate.State{"delete " + del: remediate.StateDone}
	if dir.AD {
		want["set ACCOUNTDISABLE on "+disable] = remediate.StateDone
	} else {
		want["lock "+disable+" (pwdAccountLockedTime)"] = remediate.StateDone
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	return a, plan
}

func undoAll(t *testing.T, a *remediate.Applier, plan *remediate.Plan) {
	t.Helper()
	for _, s := range plan.Steps {
		err := a.Undo(context.Background(), s.ID)
		if s.Action == remediate.ActDeleteUser {
			if err == nil {
				t.Error("a deletion was undone")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenLDAPLockAndDelete(t *testing.T) {
	srv := testpeer.LDAP(t)
	c := dial(t, srv.URL, srv.BindDN, srv.Password)
	alice, bob := "uid=alice,"+srv.BaseDN, "uid=bob,"+srv.BaseDN
	for dn, n := range map[string]string{alice: "alice", bob: "bob"} {
		add(t, c, dn, map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {n}, "cn": {n}, "sn": {n}})
	}
	a, plan := run(t, rldap.Directory{BaseDN: srv.BaseDN, URL: srv.URL, BindDN: srv.BindDN, Password: srv.Password}, alice, bob)
	if v, _ := attr(t, c, alice, "pwdAccountLockedTime"); v != "000001010000Z" {
		t.Errorf("pwdAccountLockedTime = %q", v)
	}
	if _, ok := attr(t, c, bob, "cn"); ok {
		t.Error("bob still exists")
	}
	undoAll(t, a, plan)
	if v, ok := attr(t, c, alice, "pwdAccountLockedTime"); !ok || v != "" {
		t.Errorf("after undo pwdAccountLockedTime = %q (exists %v)", v, ok)
	}
}

func TestActiveDirectoryDisableAndDelete(t *testing.T) {
	srv := testpeer.Samba(t)
	c := dial(t, srv.URL, srv.BindDN, srv.Password)
	ada, bob := "CN=Ada Remediate,"+srv.BaseDN, "CN=Bob Remediate,"+srv.BaseDN
	add(t, c, ada, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"ada-rem"}})
	add(t, c, bob, map[string][]string{"objectClass": {"user"}, "sAMAccountName": {"bob-rem"}})
	m := goldap.NewModifyRequest(ada, nil)
	m.Replace("userAccountControl", []string{"66048"}) // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
	if err := c.Modify(m); err != nil {
		t.Fatal(err)
	}
	a, plan := run(t, rldap.Directory{BaseDN: srv.BaseDN, URL: srv.URL, BindDN: srv.BindDN, Password: srv.Password, AD: true}, ada, bob)
	if v, _ := attr(t, c, ada, "userAccountControl"); v != "66050" {
		t.Errorf("userAccountControl = %q, want 66050 (ACCOUNTDISABLE added, other bits kept)", v)
	}
	if _, ok := attr(t, c, bob, "cn"); ok {
		t.Error("bob still exists")
	}
	undoAll(t, a, plan)
	if v, _ := attr(t, c, ada, "userAccountControl"); v != "66048" {
		t.Errorf("after undo userAccountControl = %q, want 66048", v)
	}
}
