package testpeer

import (
	"crypto/tls"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestSamba(t *testing.T) {
	srv := Samba(t)
	t.Logf("Samba: provisioned in %s (0 = cached template), answered a bind %s after start", srv.Provisioned, srv.Started)
	pool, err := CertPool(srv.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ldap.DialURL(srv.LDAPSURL, ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil {
		t.Fatalf("LDAPS: %v", err)
	}
	defer conn.Close()
	if err := conn.Bind(srv.BindDN, srv.Password); err != nil {
		t.Fatalf("bind: %v", err)
	}
	res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"defaultNamingContext"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("root DSE: %v", err)
	}
	if got := res.Entries[0].GetAttributeValue("defaultNamingContext"); got != srv.DomainDN {
		t.Errorf("defaultNamingContext = %q, want %q", got, srv.DomainDN)
	}
}
