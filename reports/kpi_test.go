package reports_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// kpiSnap builds a small snapshot at day d of June 2025: account 111 (AWS) and organizations/9
// (GCP, named corp.com) with the given coverage status, people and principals.
func kpiSnap(d int, cov inventory.CoverageStatus, people []inventory.Person, principals ...inventory.Principal) *inventory.Snapshot {
	at := time.Date(2025, 6, d, 0, 0, 0, 0, time.UTC)
	return &inventory.Snapshot{
		ID: at.Format("snap-2006-01-02"), StartedAt: at,
		Coverage: []inventory.Coverage{
			{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111", Status: cov},
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "organizations/9", Status: inventory.CoverageComplete},
		},
		Accounts: []inventory.Account{
			{ID: "111", Provider: inventory.ProviderAWS},
			{ID: "organizations/9", Provider: inventory.ProviderGCP, Kind: "organization", Name: "corp.com"},
		},
		People:     people,
		Principals: principals,
	}
}

func jun(d int) time.Time { return time.Date(2025, 6, d, 0, 0, 0, 0, time.UTC) }

func person(id string, status inventory.PersonStatus, end time.Time) inventory.Person {
	return inventory.Person{ID: id, Source: "hr", Name: "name of " + id, Status: status, EndDate: end}
}

func awsUser(name, personID string) inventory.Principal {
	return inventory.Principal{ID: "arn:aws:iam::111:user/" + name, Provider: inventory.ProviderAWS, Account: "111",
		Kind: inventory.KindUser, Name: name, PersonID: personID}
}

func ssoUser(name, personID string) inventory.Principal {
	return inventory.Principal{ID: "aws-sso:d-1:" + name, Provider: inventory.ProviderAWS, Account: "111",
		Kind: inventory.KindSSOUser, Name: name, PersonID: personID}
}

func gcpUser(email, personID string) inventory.Principal {
	return inventory.Principal{ID: "gcp:user:" + email, Provider: inventory.ProviderGCP, Account: "organizations/9",
		Kind: inventory.KindUser, Name: email, Email: email, PersonID: personID}
}

func TestLifecycleKPIs(t *testing.T) {
	day := int64(24 * 3600)
	complete, partial := inventory.CoverageComplete, inventory.CoveragePartial
	active, terminated := inventory.PersonActive, inventory.PersonTerminated
	tests := []struct {
		name      string
		snapshots []*inventory.Snapshot
		opts      reports.LifecycleOptions
		want      reports.KPIs
	}{{
		name: "removed three days after termination",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", active, time.Time{})}, ssoUser("a", "hr:1")),
			kpiSnap(2, complete, []inventory.Person{person("hr:1", terminated, jun(2))}, ssoUser("a", "hr:1")),
			kpiSnap(5, complete, []inventory.Person{person("hr:1", terminated, jun(2))}),
		},
		want: reports.KPIs{From: jun(1), To: jun(5), Snapshots: 3, SLASeconds: day,
			Leavers: []reports.Leaver{{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(2), RemovedAt: jun(5), Seconds: 3 * day, OverSLA: true, Principals: []string{}}},
			Removed: 1, MedianRemovalSeconds: 3 * day, RemovedLate: 1, WorstSeconds: 3 * day},
	}, {
		name: "access already gone in the snapshot that first shows the termination",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", active, time.Time{})}, ssoUser("a", "hr:1")),
			kpiSnap(2, complete, []inventory.Person{person("hr:1", terminated, jun(1).Add(12*time.Hour))}),
		},
		want: reports.KPIs{From: jun(1), To: jun(2), Snapshots: 2, SLASeconds: day,
			Leavers: []reports.Leaver{{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(1).Add(12 * time.Hour), RemovedAt: jun(2), Seconds: day / 2, Principals: []string{}}},
			Removed: 1, MedianRemovalSeconds: day / 2, WorstSeconds: day / 2},
	}, {
		name: "absence in a partly collected account is not a removal",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", terminated, jun(1))}, ssoUser("a", "hr:1")),
			kpiSnap(3, partial, []inventory.Person{person("hr:1", terminated, jun(1))}),
		},
		want: reports.KPIs{From: jun(1), To: jun(3), Snapshots: 2, SLASeconds: day,
			Leavers:      []reports.Leaver{{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(1), Seconds: 2 * day, OverSLA: true, Principals: []string{"aws-sso:d-1:a"}}},
			WorstSeconds: 2 * day, StillWithAccess: 1, OverSLA: 1},
	}, {
		name: "partial, then seen whole: removed when seen whole",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", terminated, jun(1))}, ssoUser("a", "hr:1")),
			kpiSnap(3, partial, []inventory.Person{person("hr:1", terminated, jun(1))}),
			kpiSnap(4, complete, []inventory.Person{person("hr:1", terminated, jun(1))}),
		},
		want: reports.KPIs{From: jun(1), To: jun(4), Snapshots: 3, SLASeconds: day,
			Leavers: []reports.Leaver{{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(1), RemovedAt: jun(4), Seconds: 3 * day, OverSLA: true, Principals: []string{}}},
			Removed: 1, MedianRemovalSeconds: 3 * day, RemovedLate: 1, WorstSeconds: 3 * day},
	}, {
		name: "dropped from the HR export while the account lives on",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", terminated, jun(1))}, ssoUser("a", "hr:1")),
			kpiSnap(2, complete, nil, ssoUser("a", "")),
		},
		want: reports.KPIs{From: jun(1), To: jun(2), Snapshots: 2, SLASeconds: 2 * day,
			Leavers:      []reports.Leaver{{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(1), Seconds: day, Principals: []string{"aws-sso:d-1:a"}}},
			WorstSeconds: day, StillWithAccess: 1},
		opts: reports.LifecycleOptions{SLA: 48 * time.Hour},
	}, {
		name: "rehired: not a leaver; never had access: not counted; disabled is no access",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", terminated, jun(1)), person("hr:2", terminated, jun(1))}, ssoUser("a", "hr:1")),
			kpiSnap(2, complete, []inventory.Person{person("hr:1", active, time.Time{}), person("hr:2", terminated, jun(1)), person("hr:3", terminated, jun(2))},
				ssoUser("a", "hr:1"), func() inventory.Principal { p := ssoUser("c", "hr:3"); p.Disabled = true; return p }()),
		},
		want: reports.KPIs{From: jun(1), To: jun(2), Snapshots: 2, SLASeconds: day, Leavers: []reports.Leaver{}},
	}, {
		name: "access back after removal reopens; median of two removals",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, []inventory.Person{person("hr:1", terminated, jun(1)), person("hr:2", terminated, jun(1))}, ssoUser("a", "hr:1"), ssoUser("b", "hr:2")),
			kpiSnap(2, complete, []inventory.Person{person("hr:1", terminated, jun(1)), person("hr:2", terminated, jun(1))}, ssoUser("b", "hr:2")),
			kpiSnap(3, complete, []inventory.Person{person("hr:1", terminated, jun(1)), person("hr:2", terminated, jun(1))}, ssoUser("a2", "hr:1")),
			kpiSnap(5, complete, []inventory.Person{person("hr:1", terminated, jun(1)), person("hr:2", terminated, jun(1))}),
		},
		want: reports.KPIs{From: jun(1), To: jun(5), Snapshots: 4, SLASeconds: day,
			Leavers: []reports.Leaver{
				{Person: "hr:1", Name: "name of hr:1", TerminatedAt: jun(1), RemovedAt: jun(5), Seconds: 4 * day, OverSLA: true, Principals: []string{}},
				{Person: "hr:2", Name: "name of hr:2", TerminatedAt: jun(1), RemovedAt: jun(3), Seconds: 2 * day, OverSLA: true, Principals: []string{}},
			},
			Removed: 2, MedianRemovalSeconds: 3 * day, RemovedLate: 2, WorstSeconds: 4 * day},
	}, {
		name: "accounts created outside the identity provider",
		snapshots: []*inventory.Snapshot{
			kpiSnap(1, complete, nil, awsUser("old", ""), ssoUser("s", ""), gcpUser("in@corp.com", "")),
			kpiSnap(2, complete, nil, awsUser("old", ""), awsUser("new", ""), ssoUser("s", ""), gcpUser("in@corp.com", ""),
				gcpUser("x@gmail.com", ""), gcpUser("y@partner.com", ""),
				func() inventory.Principal { p := awsUser("off", ""); p.Disabled = true; return p }()),
		},
		opts: reports.LifecycleOptions{SLA: 24 * time.Hour, Domains: []string{"Partner.com"}},
		want: reports.KPIs{From: jun(1), To: jun(2), Snapshots: 2, SLASeconds: day, Leavers: []reports.Leaver{},
			OutsideIdP: 3,
			NewOutsideIdP: []reports.OutsideAccount{
				{Principal: "arn:aws:iam::111:user/new", Name: "new", Provider: inventory.ProviderAWS, Account: "111", FirstSeen: jun(2)},
				{Principal: "gcp:user:x@gmail.com", Name: "x@gmail.com", Provider: inventory.ProviderGCP, Account: "organizations/9", FirstSeen: jun(2)},
			}},
	}, {
		name:      "nothing observed",
		snapshots: nil,
		want:      reports.KPIs{SLASeconds: day, Leavers: []reports.Leaver{}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts.SLA == 0 {
				opts.SLA = 24 * time.Hour
			}
			got := reports.ComputeKPIs(tc.snapshots, opts)
			want := tc.want
			if want.NewOutsideIdP == nil {
				want.NewOutsideIdP = []reports.OutsideAccount{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("KPIs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLifecycleIgnoresOlderSnapshot: snapshots must come oldest first; a late older one is
// ignored rather than rewinding time.
func TestLifecycleIgnoresOlderSnapshot(t *testing.T) {
	l := reports.NewLifecycle(reports.LifecycleOptions{SLA: time.Hour})
	l.Observe(kpiSnap(5, inventory.CoverageComplete, nil, awsUser("a", "")))
	l.Observe(kpiSnap(2, inventory.CoverageComplete, nil, awsUser("b", "")))
	l.Observe(nil)
	got := l.KPIs()
	if got.Snapshots != 1 || !got.To.Equal(jun(5)) || got.OutsideIdP != 1 {
		t.Errorf("after an older snapshot: %d snapshots to %s, %d outside the IdP; want 1 to 2025-06-05, 1", got.Snapshots, got.To, got.OutsideIdP)
	}
}
