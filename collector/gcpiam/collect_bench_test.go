package gcpiam_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// syntheticOrg builds an organization of nProjects projects spread over ten folders, each
// project with nBindings two-member bindings and nSAs service accounts holding one user-managed
// and one system-managed key.
func syntheticOrg(nProjects, nBindings, nSAs int) *gcpfake.Organization {
	roles := make([]string, 0, 32)
	for _, r := range gcpfake.PredefinedRoles() {
		roles = append(roles, r.Name)
	}
	o := &gcpfake.Organization{ID: orgID, DisplayName: "corp.example", Domain: "corp.example",
		Policies: map[string]gcpfake.Policy{
			orgName: {Bindings: []gcpfake.Binding{
				{Role: "roles/resourcemanager.organizationAdmin", Members: []string{"user:admin@corp.example"}},
				{Role: "roles/browser", Members: []string{"domain:corp.example"}},
				{Role: "roles/iam.securityReviewer", Members: []string{"group:security@corp.example"}},
			}},
		},
	}
	for f := range 10 {
		id := fmt.Sprint(1000 + f)
		o.Folders = append(o.Folders, gcpfake.Folder{ID: id, DisplayName: "Team " + id, Parent: orgName})
		o.Policies["folders/"+id] = gcpfake.Policy{Bindings: []gcpfake.Binding{
			{Role: "roles/editor", Members: []string{"group:team-" + id + "@corp.example"}},
			{Role: "roles/viewer", Members: []string{"user:lead-" + id + "@corp.example"}},
		}}
	}
	keyTime := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for p := range nProjects {
		pid := fmt.Sprintf("proj-%05d", p)
		proj := gcpfake.Project{ID: pid, Number: int64(100000 + p), DisplayName: pid, Parent: fmt.Sprintf("folders/%d", 1000+p%10)}
		for s := range nSAs {
			proj.ServiceAccounts = append(proj.ServiceAccounts, gcpfake.ServiceAccount{
				Email: fmt.Sprintf("sa-%02d@%s.iam.gserviceaccount.com", s, pid), LastAuth: day(2026, 2, 1+s%28),
				Keys: []gcpfake.Key{
					{Type: gcpfake.UserManaged, ValidAfter: keyTime, ValidBefore: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), LastAuth: day(2026, 2, 1)},
					{Type: gcpfake.SystemManaged, ValidAfter: keyTime, ValidBefore: keyTime.AddDate(2, 0, 0)},
				},
			})
		}
		o.Projects = append(o.Projects, proj)
		var bs []gcpfake.Binding
		for i := range nBindings {
			bs = append(bs, gcpfake.Binding{Role: roles[i%len(roles)], Members: []string{
				fmt.Sprintf("user:user-%04d@corp.example", (p*nBindings+i)%3000),
				fmt.Sprintf("serviceAccount:sa-%02d@%s.iam.gserviceaccount.com", i%max(nSAs, 1), pid),
			}})
		}
		o.Policies["projects/"+pid] = gcpfake.Policy{Bindings: bs}
	}
	return o
}

// BenchmarkCollect scans an organization of 200 projects × 50 bindings × 20 service accounts
// over loopback through both policy paths, reporting API calls and principals per scan. The
// latency variants add a fixed delay to every call, as a real API's round trip would, so the
// wall time shows what the default parallelism (8) buys.
func BenchmarkCollect(b *testing.B) {
	org := syntheticOrg(200, 50, 20)
	for _, tt := range []struct {
		name    string
		asset   bool
		latency time.Duration
	}{
		{"asset-inventory", true, 0}, {"per-resource", false, 0},
		{"asset-inventory/latency=5ms", true, 5 * time.Millisecond}, {"per-resource/latency=5ms", false, 5 * time.Millisecond},
	} {
		b.Run(tt.name, func(b *testing.B) {
			e := newEnv(b, org, gcpfake.Options{})
			if tt.latency > 0 {
				e.fake.Inject(gcpfake.Fault{Delay: tt.latency})
			}
			c := e.collector(b, gcpiam.Options{UseAssetInventory: tt.asset})
			var calls, principals int
			b.ReportAllocs()
			for b.Loop() {
				e.fake.ResetCalls()
				res, err := c.Collect(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				for _, cov := range res.Coverage {
					if !cov.Complete() {
						b.Fatalf("coverage %s: %s %s", cov.Scope, cov.Status, cov.Error)
					}
				}
				calls = 0
				for _, n := range e.fake.Calls() {
					calls += n
				}
				principals = len(res.Principals)
			}
			b.ReportMetric(float64(calls), "calls/op")
			b.ReportMetric(float64(principals), "principals/op")
		})
	}
}
