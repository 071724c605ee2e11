package sandbox_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/sandbox"
)

func TestGenerateDeterministic(t *testing.T) {
	for _, opts := range []sandbox.GenerateOptions{{}, {Seed: 7, Scale: 900}} {
		a, b := sandbox.Generate(opts), sandbox.Generate(opts)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("Generate(%+v) twice differs (-first +second):\n%s", opts, diff)
		}
	}
	a, b := sandbox.Generate(sandbox.GenerateOptions{Seed: 1}), sandbox.Generate(sandbox.GenerateOptions{Seed: 2})
	if string(a.HRCSV) == string(b.HRCSV) {
		t.Error("seeds 1 and 2 generated the same roster")
	}
}

func TestGenerateScale(t *testing.T) {
	small := sandbox.Generate(sandbox.GenerateOptions{Scale: 300})
	big := sandbox.Generate(sandbox.GenerateOptions{Scale: 3000})
	for _, tc := range []struct {
		org   *sandbox.Org
		scale int
	}{{small, 300}, {big, 3000}} {
		if lo, hi := tc.scale*85/100, tc.scale*120/100; tc.org.Principals < lo || tc.org.Principals > hi {
			t.Errorf("scale %d: %d principals, want %d..%d", tc.scale, tc.org.Principals, lo, hi)
		}
	}
	// Planted problems grow with the organisation, except the account-level ones.
	perCheck := func(o *sandbox.Org) map[string]int {
		m := map[string]int{}
		for _, p := range o.Planted {
			m[p.CheckID]++
		}
		return m
	}
	s, b := perCheck(small), perCheck(big)
	for check, n := range s {
		want := n * 10
		if strings.HasPrefix(check, "PV-AWS-00") && check <= "PV-AWS-003" || check == "PV-AWS-012" || check == "PV-GCP-002" {
			want = n
		}
		if b[check] != want {
			t.Errorf("%s: %d planted at scale 3000, want %d (%d at 300)", check, b[check], want, n)
		}
	}
	if pr, ps := float64(big.People)/float64(big.Principals), float64(small.People)/float64(small.Principals); pr < ps*0.9 || pr > ps*1.1 {
		t.Errorf("people per principal %.3f at 3000, %.3f at 300: proportions not kept", pr, ps)
	}
}

// TestScanFindsPlanted scans the generated organisation with the real collectors over loopback
// and evaluates the bundled checks: the findings are exactly the planted problems.
func TestScanFindsPlanted(t *testing.T) {
	for _, days := range []int{0, 1} {
		t.Run(map[int]string{0: "generated", 1: "advanced"}[days], func(t *testing.T) {
			org := sandbox.Generate(sandbox.GenerateOptions{})
			if days > 0 {
				org = sandbox.Advance(org, days)
			}
			got, snap := scan(t, org)
			if diff := cmp.Diff(org.Planted, got); diff != "" {
				t.Errorf("findings differ from the planted problems (-planted +found):\n%s", diff)
			}
			checks := map[string]bool{}
			for _, p := range org.Planted {
				checks[p.CheckID] = true
			}
			l, err := policy.Load(context.Background(), policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, c := range l.Checks() {
				// Drift checks compare two snapshots; the day-1 rotation removes the one
				// PV-AWS-007 problem of the default scale.
				if strings.HasPrefix(c.ID, "PV-DRF-") || days > 0 && c.ID == "PV-AWS-007" {
					continue
				}
				n++
				if !checks[c.ID] {
					t.Errorf("check %s: nothing planted", c.ID)
				}
			}
			if n < 28 {
				t.Errorf("%d snapshot checks, want at least 28", n)
			}
			for _, id := range []string{"arn:aws:iam::210000000001:user/breakglass", "arn:aws:iam::210000000001:role/BreakGlassRole"} {
				i := slices.IndexFunc(snap.Principals, func(p inventory.Principal) bool { return p.ID == id })
				if i < 0 {
					t.Errorf("%s not collected", id)
					continue
				}
				if v := snap.Principals[i].Tags[sandbox.ProtectedTag]; v != "break-glass" {
					t.Errorf("%s: tag %s = %q, want break-glass", id, sandbox.ProtectedTag, v)
				}
			}
		})
	}
}

func scan(t *testing.T, org *sandbox.Org) ([]sandbox.Planted, *inventory.Snapshot) {
	t.Helper()
	ctx := context.Background()
	env, err := sandbox.Start(ctx, org, sandbox.StartOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	sources, err := env.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := collector.Run(ctx, sources, env.RunOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range snap.Coverage {
		if !c.Complete() {
			t.Errorf("coverage %s %s: %s %s %s", c.Source, c.Scope, c.Status, c.ErrorKind, c.Error)
		}
	}
	lib, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := policy.DefaultConfig()
	cfg.OrgDomains, cfg.ProtectedPrincipals = org.OrgDomains, org.Protected
	ev, err := lib.NewEvaluator(cfg, policy.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	var got []sandbox.Planted
	seen := map[sandbox.Planted]bool{}
	for _, f := range res.Findings {
		// Identity Center and Google do not report MFA: their admins cannot be judged by PV-IDN-005.
		if f.Status == finding.StatusCannotEvaluate && f.CheckID == "PV-IDN-005" && !strings.HasPrefix(f.Principal, "arn:") {
			continue
		}
		if f.Status != finding.StatusOpen {
			t.Errorf("finding %s %s: status %s: %s", f.CheckID, f.Principal, f.Status, f.Message)
			continue
		}
		p := sandbox.Planted{CheckID: f.CheckID, PrincipalID: f.Principal}
		if !seen[p] {
			seen[p] = true
			got = append(got, p)
		}
	}
	slices.SortFunc(got, func(a, b sandbox.Planted) int {
		if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
			return c
		}
		return strings.Compare(a.PrincipalID, b.PrincipalID)
	})
	_ = time.Second
	return got, snap
}
