package awsfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// benchAccount is an account with n users in the shape the sandbox generator produces: most
// users have a key, a third a password and MFA, each is in one or two of 20 groups, some have
// managed and inline policies and tags; n/10 roles; 10 customer-managed policies.
func benchAccount(id string, n int) *Account {
	a := &Account{ID: id, Name: "bench-" + id, Root: Root{Created: day(-2000), MFA: true}}
	for i := range 10 {
		a.Policies = append(a.Policies, &Policy{Name: fmt.Sprintf("policy-%02d", i),
			Versions: []PolicyVersion{{Document: deployV1}, {Document: deployV2}}})
	}
	for i := range 20 {
		a.Groups = append(a.Groups, &Group{Name: fmt.Sprintf("group-%02d", i),
			AttachedPolicies: []string{PolicyARN(id, "/", fmt.Sprintf("policy-%02d", i%10)), "arn:aws:iam::aws:policy/ReadOnlyAccess"}})
	}
	for i := range n {
		u := &User{
			Name:    fmt.Sprintf("user-%06d", i),
			Created: day(-i % 1000),
			Groups:  []string{fmt.Sprintf("group-%02d", i%20)},
			Tags:    map[string]string{"email": fmt.Sprintf("user-%06d@example.com", i)},
		}
		if i%3 == 0 {
			u.PasswordEnabled, u.PasswordLastUsed, u.MFADevices = true, day(-i%90), []string{"arn:aws:iam::" + id + ":mfa/" + u.Name}
		}
		if i%4 != 0 {
			u.AccessKeys = []AccessKey{{ID: fmt.Sprintf("AKIA%s%04d", id[:12], i%10000) + strconv.Itoa(i/10000), Created: day(-i % 400), LastUsed: day(-i % 30), LastUsedService: "s3", LastUsedRegion: "us-east-1"}}
		}
		if i%5 == 0 {
			u.Groups = append(u.Groups, fmt.Sprintf("group-%02d", (i+7)%20))
			u.AttachedPolicies = []string{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
		}
		if i%10 == 0 {
			u.InlinePolicies = map[string]string{"inline": s3ReadInline}
		}
		a.Users = append(a.Users, u)
	}
	for i := range n / 10 {
		a.Roles = append(a.Roles, &Role{Name: fmt.Sprintf("role-%05d", i), AssumeRolePolicy: trustEC2, LastUsed: day(-i % 60), LastUsedRegion: "us-east-1",
			AttachedPolicies: []string{PolicyARN(id, "/", fmt.Sprintf("policy-%02d", i%10))}})
	}
	return a
}

func benchOrg(accounts, users int) *Organization {
	org := &Organization{ManagementAccount: fmt.Sprintf("%012d", 100000000000)}
	for i := range accounts {
		org.Accounts = append(org.Accounts, benchAccount(fmt.Sprintf("%012d", 100000000000+i), users))
	}
	return org
}

// BenchmarkGetAccountAuthorizationDetails pages through a 10,000-user account (11,000 users and
// roles, 11,031 entities) with MaxItems=1000 through the real SDK client, as the collector does.
func BenchmarkGetAccountAuthorizationDetails(b *testing.B) {
	f := newFixture(b, benchOrg(1, 10000))
	client := f.iam()
	b.ReportAllocs()
	pages, entities := 0, 0
	for b.Loop() {
		p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)})
		for p.HasMorePages() {
			page, err := p.NextPage(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			pages++
			entities += len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies)
		}
	}
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	b.ReportMetric(float64(entities)/b.Elapsed().Seconds(), "entities/s")
}

// discard is a ResponseWriter that counts bytes and keeps the tail (where the Marker is), to
// time the server alone.
type discard struct {
	h    http.Header
	n    int
	tail []byte
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(int)     {}
func (d *discard) Write(p []byte) (int, error) {
	d.n += len(p)
	d.tail = append(d.tail, p[max(0, len(p)-512):]...)
	d.tail = d.tail[max(0, len(d.tail)-512):]
	return len(p), nil
}

// BenchmarkGetAccountAuthorizationDetailsServer is the server's share of the above: every page
// rendered into a discarding writer, without HTTP or SDK parsing.
func BenchmarkGetAccountAuthorizationDetailsServer(b *testing.B) {
	s := New(Options{Now: (&clock{t: t0}).Now})
	s.SetOrganization(benchOrg(1, 10000))
	b.ReportAllocs()
	bytes, pages := 0, 0
	for b.Loop() {
		marker := ""
		for {
			body := "Action=GetAccountAuthorizationDetails&Version=2010-05-08&MaxItems=1000"
			if marker != "" {
				body += "&Marker=" + marker // base64url: no escaping needed
			}
			req, err := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", iamAuth)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := &discard{h: http.Header{}}
			s.ServeHTTP(w, req)
			bytes += w.n
			pages++
			tail := string(w.tail)
			i := strings.Index(tail, "<Marker>")
			if i < 0 {
				break
			}
			marker = tail[i+len("<Marker>") : i+strings.Index(tail[i:], "</Marker>")]
		}
	}
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/op")
}

// BenchmarkCredentialReport generates and downloads the report of a 10,000-user account.
func BenchmarkCredentialReport(b *testing.B) {
	f := newFixture(b, benchOrg(1, 10000))
	client := f.iam()
	b.ReportAllocs()
	for b.Loop() {
		gen, err := client.GenerateCredentialReport(b.Context(), &iam.GenerateCredentialReportInput{})
		if err != nil || gen.State != "STARTED" {
			b.Fatalf("generate: %v %v", gen, err)
		}
		if _, err := client.GetCredentialReport(b.Context(), &iam.GetCredentialReportInput{}); err != nil {
			b.Fatal(err)
		}
		f.clock.Advance(4 * time.Hour) // the report expires: the next Generate starts a new one
	}
}

// BenchmarkSetOrganization loads a one-million-user organization (200 accounts of 5,000 users,
// 100,000 roles): deep copy, defaults and indexes.
func BenchmarkSetOrganization(b *testing.B) {
	org := benchOrg(200, 5000)
	s := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		s.SetOrganization(org)
	}
	b.ReportMetric(float64(1_000_000)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
}
