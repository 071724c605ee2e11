package ldap_test

import (
	"context"
	"fmt"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/internal/testpeer"
)

// BenchmarkCollectOpenLDAP reads 5,000 users and 50 groups from slapd over loopback with paged
// searches: the directory side of a scan of a mid-size company.
func BenchmarkCollectOpenLDAP(b *testing.B) {
	const users, groups = 5000, 50
	srv := testpeer.LDAP(b)
	conn, err := srv.Dial()
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for i := range users {
		req := goldap.NewAddRequest(fmt.Sprintf("uid=user%d,%s", i, srv.BaseDN), nil)
		req.Attribute("objectClass", []string{"inetOrgPerson"})
		req.Attribute("uid", []string{fmt.Sprintf("user%d", i)})
		req.Attribute("cn", []string{fmt.Sprintf("User %d", i)})
		req.Attribute("sn", []string{"User"})
		req.Attribute("mail", []string{fmt.Sprintf("user%d@corp.example", i)})
		req.Attribute("employeeNumber", []string{fmt.Sprintf("E%05d", i)})
		req.Attribute("manager", []string{fmt.Sprintf("uid=user%d,%s", i/10, srv.BaseDN)})
		if err := conn.Add(req); err != nil {
			b.Fatal(err)
		}
	}
	for g := range groups {
		req := goldap.NewAddRequest(fmt.Sprintf("cn=group%d,%s", g, srv.BaseDN), nil)
		req.Attribute("objectClass", []string{"groupOfNames"})
		var members []string
		for i := g; i < users; i += groups {
			members = append(members, fmt.Sprintf("uid=user%d,%s", i, srv.BaseDN))
		}
		req.Attribute("member", members)
		if err := conn.Add(req); err != nil {
			b.Fatal(err)
		}
	}
	for _, page := range []int{100, 1000} {
		b.Run(fmt.Sprintf("users=%d/page=%d", users, page), func(b *testing.B) {
			src, err := ldap.New(ldap.Options{Name: "corp", URL: srv.URL, BindDN: srv.BindDN, BindPassword: srv.Password,
				BaseDN: srv.BaseDN, Flavor: ldap.FlavorOpenLDAP, Groups: true, PageSize: page})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := src.Collect(context.Background())
				if err != nil || res.Coverage[0].Counts["people"] != users {
					b.Fatalf("Collect: %v %+v", err, res.Coverage)
				}
			}
			b.ReportMetric(float64(users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
		})
	}
}
