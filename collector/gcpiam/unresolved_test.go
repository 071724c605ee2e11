package gcpiam_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// TestUnresolvedRoles: a role whose definition cannot be read past the retries leaves the
// privilege of its grants a guess from its name, so every scope those grants are on (the
// binding's own and, materialised, those below it) is partial, naming the role; and drift
// against the complete snapshot before reports only the coverage change there: no lost access,
// and no grant added or escalated where the guessed privilege differs from the real one
// (serviceAccountUser: admin by its permissions, write by its name; auditor: read by its
// permissions, write by its name), because drift takes a grant that differs only in privilege,
// in a scope the current snapshot did not see whole, as unchanged. Both runs go through the real
// runner and the fake over the SDK.
func TestUnresolvedRoles(t *testing.T) {
	const (
		sau     = "roles/iam.serviceAccountUser"
		auditor = "organizations/" + orgID + "/roles/auditor"
	)
	complete := func(scope string, counts map[string]int) cov {
		return cov{scope, inventory.CoverageComplete, "", "", counts}
	}
	// The fake does not know roles/cloudbuild.builds.builder (bound in web-prod-01): a 404 is an
	// answer, counted but not a gap, so it never makes a scope partial.
	orgCounts := map[string]int{"bindings": 5, "folders": 3, "projects": 4, "roles": 12, "roles_unresolved": 2}
	payCounts := map[string]int{"bindings": 5, "keys": 4, "service_accounts": 2}
	webCounts := map[string]int{"bindings": 2, "keys": 0, "service_accounts": 1, "roles_unresolved": 1}
	none := map[string]int{"bindings": 0, "keys": 0, "service_accounts": 0}
	with := func(m map[string]int, k string, v int) map[string]int {
		out := map[string]int{k: v}
		for k, v := range m {
			out[k] = v
		}
		return out
	}

	tests := []struct {
		name      string
		fault     gcpfake.Fault
		wantCov   []cov
		wantDrift []string
	}{
		{
			name:  "predefined role unavailable, bound on a project",
			fault: gcpfake.Fault{API: "iam", Method: "roles.get", Resource: sau, Status: 503},
			wantCov: []cov{
				complete(orgName, orgCounts),
				{"projects/pay-prod-1", inventory.CoveragePartial, inventory.ErrUnavailable,
					"roles unresolved: " + sau + " (get role " + sau + ": googleapi: Error 503: The service is currently unavailable., backendError)",
					with(payCounts, "roles_unresolved", 1)},
				complete("projects/sandbox-dev", none),
				complete("projects/shared-tools", none),
				complete("projects/web-prod-01", webCounts),
			},
			wantDrift: []string{
				"coverage_changed gcp-test projects/pay-prod-1 complete→partial",
			},
		},
		{
			name:  "custom role denied, bound on the organization",
			fault: gcpfake.Fault{API: "iam", Method: "organizations.roles.get", Resource: orgName, Status: 403},
			wantCov: func() []cov {
				msg := "roles unresolved: " + auditor + " (get role " + auditor +
					": googleapi: Error 403: The caller does not have permission, forbidden)"
				part := func(scope string, counts map[string]int) cov {
					return cov{scope, inventory.CoveragePartial, inventory.ErrPermissionDenied, msg, counts}
				}
				return []cov{
					part(orgName, with(orgCounts, "roles_unresolved", 2)),
					part("projects/pay-prod-1", payCounts),
					part("projects/sandbox-dev", none),
					part("projects/shared-tools", none),
					part("projects/web-prod-01", webCounts),
				}
			}(),
			wantDrift: []string{
				"coverage_changed gcp-test " + orgName + " complete→partial",
				"coverage_changed gcp-test projects/pay-prod-1 complete→partial",
				"coverage_changed gcp-test projects/sandbox-dev complete→partial",
				"coverage_changed gcp-test projects/shared-tools complete→partial",
				"coverage_changed gcp-test projects/web-prod-01 complete→partial",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, testOrg(), gcpfake.Options{})
			run := func() *inventory.Snapshot {
				t.Helper()
				src := e.collector(t, gcpiam.Options{MaxRetries: 1})
				snap, err := collector.Run(t.Context(), []collector.Source{src}, collector.RunOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return snap
			}
			prev := run()
			for _, c := range prev.Coverage {
				if c.Status != inventory.CoverageComplete {
					t.Fatalf("undisturbed run: coverage %s is %s: %s", c.Scope, c.Status, c.Error)
				}
			}
			e.fake.Inject(tt.fault)
			cur := run()

			var gotCov []cov
			for _, c := range cur.Coverage {
				gotCov = append(gotCov, cov{c.Scope, c.Status, c.ErrorKind, c.Error, c.Counts})
			}
			if diff := cmp.Diff(tt.wantCov, gotCov); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}

			events, err := drift.Diff(prev, cur)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range events {
				switch {
				case ev.Kind == drift.CoverageChanged:
					got = append(got, fmt.Sprintf("%s %s %s %s→%s", ev.Kind, ev.Source, ev.Scope, ev.Before, ev.After))
				case ev.Grant != nil:
					s := fmt.Sprintf("%s %s %s %s %s", ev.Kind, ev.Principal, ev.Scope, ev.Grant.What, ev.Grant.Privilege)
					if ev.Escalation || ev.Uncertain {
						s += fmt.Sprintf(" escalation=%t uncertain=%t", ev.Escalation, ev.Uncertain)
					}
					got = append(got, s)
				default:
					got = append(got, fmt.Sprintf("%s %s %s", ev.Kind, ev.Principal, ev.Message))
				}
			}
			if diff := cmp.Diff(tt.wantDrift, got); diff != "" {
				t.Errorf("drift (-want +got):\n%s", diff)
			}
		})
	}
}

// cov is the part of a Coverage entry the test pins (not its times, source or method).
type cov struct {
	Scope  string
	Status inventory.CoverageStatus
	Kind   inventory.ErrorKind
	Error  string
	Counts map[string]int
}
