package collector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// synthetic builds n principals in one account and people for a tenth of them plus one in ten
// principals as owned non-humans, so that every rule has work.
func synthetic(source string, n int) *Result {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	account := fmt.Sprintf("%012d", len(source))
	r := &Result{Coverage: []inventory.Coverage{{Provider: inventory.ProviderAWS, Scope: account, Status: inventory.CoverageComplete}}}
	for i := range n {
		name := fmt.Sprintf("%s.user%d", source, i)
		p := inventory.Principal{
			ID: "arn:aws:iam::" + account + ":user/" + name, Provider: inventory.ProviderAWS, Account: account,
			Kind: inventory.KindUser, Name: name, CreatedAt: t0, Console: i%2 == 0, MFA: i%3 == 0,
			Groups: []string{"g2", "g1"},
			Credentials: []inventory.Credential{
				{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: inventory.CredActive, CreatedAt: t0},
				{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: t0},
			},
			Grants: []inventory.Grant{{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: account, Via: "direct", Privilege: inventory.PrivilegeRead}},
		}
		if i%10 == 9 {
			p.Kind, p.Tags = inventory.KindRole, map[string]string{"owner": fmt.Sprintf("%s.user%d@acme.example", source, i-1)}
		}
		r.Principals = append(r.Principals, p)
	}
	return r
}

func people(sources []string, n int) *Result {
	r := &Result{Coverage: []inventory.Coverage{{Provider: inventory.ProviderHR, Scope: "file:hr.csv", Status: inventory.CoverageComplete}}}
	for _, s := range sources {
		for i := 0; i < n; i += 10 {
			r.People = append(r.People, inventory.Person{
				ID: fmt.Sprintf("hr:%s-%d", s, i), EmployeeID: fmt.Sprintf("%s-%d", s, i), Name: fmt.Sprintf("First%d Last%d", i, i),
				Emails: []string{fmt.Sprintf("%s.user%d@acme.example", s, i)}, Status: inventory.PersonActive,
			})
		}
	}
	return r
}

var benchLinking = LinkOptions{
	Order:            []string{RuleMapping, RuleEmail, RuleTag, RuleExternalID, RuleUsername},
	OwnerTags:        []string{"owner", "email"},
	UsernamePatterns: []string{"{local}", "{first}.{last}"},
}

// BenchmarkRun measures collecting, merging and linking 100k principals from four sources and
// 10k people; sources hand over prebuilt results, so this is the runner's own cost.
func BenchmarkRun(b *testing.B) {
	names := []string{"aws-a", "aws-b", "aws-c", "aws-d"}
	const perSource = 25_000
	results := map[string]*Result{"hr": people(names, perSource)}
	for _, n := range names {
		results[n] = synthetic(n, perSource)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		var sources []Source
		for _, n := range append(names, "hr") {
			r := *results[n]
			r.Principals = append([]inventory.Principal(nil), r.Principals...)
			sources = append(sources, &fakeSource{name: n, collect: func(context.Context) (*Result, error) { return &r, nil }})
		}
		b.StartTimer()
		snap, err := Run(b.Context(), sources, RunOptions{Parallelism: 4, Linking: benchLinking})
		if err != nil || len(snap.Principals) != 4*perSource {
			b.Fatalf("Run: %v, %d principals", err, len(snap.Principals))
		}
	}
	b.ReportMetric(float64(4*perSource*b.N)/b.Elapsed().Seconds(), "principals/s")
}

// BenchmarkLink measures linking 100k principals to 10k people with every rule enabled.
func BenchmarkLink(b *testing.B) {
	names := []string{"aws-a", "aws-b", "aws-c", "aws-d"}
	snap := &inventory.Snapshot{People: people(names, 25_000).People}
	for _, n := range names {
		snap.Principals = append(snap.Principals, synthetic(n, 25_000).Principals...)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range snap.Principals {
			snap.Principals[i].PersonID = ""
		}
		Link(snap, benchLinking)
	}
	b.ReportMetric(float64(len(snap.Principals)*b.N)/b.Elapsed().Seconds(), "principals/s")
}
