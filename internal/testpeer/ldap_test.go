package testpeer

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestLDAP(t *testing.T) {
	a, b := LDAP(t), LDAP(t)
	if a.BaseDN == b.BaseDN || !strings.HasSuffix(a.BaseDN, ","+a.Suffix) {
		t.Fatalf("base DNs %q and %q are not distinct OUs under %q", a.BaseDN, b.BaseDN, a.Suffix)
	}
	pool, err := CertPool(a.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	// LDAPS and StartTLS verify against the test CA.
	conn, err := ldap.DialURL(a.LDAPSURL, ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatalf("LDAPS: %v", err)
	}
	if err := conn.Bind(a.BindDN, a.Password); err != nil {
		t.Fatalf("LDAPS bind: %v", err)
	}
	conn.Close()
	conn, err = ldap.DialURL(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.StartTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if err := conn.Bind(a.BindDN, a.Password); err != nil {
		t.Fatalf("bind: %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest(a.BaseDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=organizationalUnit)", []string{"ou"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("search %s: %v (%d entries)", a.BaseDN, err, len(res.Entries))
	}
}
