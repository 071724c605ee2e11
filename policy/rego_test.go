package policy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// bundled loads the bundled library once per test binary.
var bundledLib = sync.OnceValues(func() (*Library, error) { return Load(context.Background(), Options{}) })

func loadBundled(t testing.TB) *Library {
	t.Helper()
	lib, err := bundledLib()
	if err != nil {
		t.Fatalf("Load bundled library: %v", err)
	}
	if err := lib.Err(); err != nil {
		t.Fatalf("bundled library has problems:\n%v", err)
	}
	return lib
}

// TestBundledRegoTests runs every _test.rego test of the bundled library through OPA's tester
// and fails on any failure or error.
func TestBundledRegoTests(t *testing.T) {
	lib := loadBundled(t)
	results, err := lib.RunTests(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	perPackage := map[string]int{}
	for _, r := range results {
		perPackage[r.Package]++
		t.Run(r.Package+"/"+r.Name, func(t *testing.T) {
			if !r.Pass {
				t.Errorf("%s:%d: %s: %s\n%s", r.File, r.Line, r.Name, r.Error, r.Output)
			}
		})
	}
	// Every check has a test package with at least a positive, a negative and a third case.
	for _, c := range lib.Checks() {
		if n := perPackage[c.Package+"_test"]; n < 3 {
			t.Errorf("%s (%s): %d tests in package %s_test, want at least 3", c.ID, c.Package, n, c.Package)
		}
	}
}

// TestBundledRegoTestsCanFail proves the harness reports failures: a failing test rule added
// to the library must come back as failed.
func TestBundledRegoTestsCanFail(t *testing.T) {
	lib := loadBundled(t)
	mod := ast.MustParseModuleWithOpts(`package provost.harness_test
test_always_fails if { 1 == 2 }
test_errors if { to_number("x") == 1 }
`, ast.ParserOptions{RegoVersion: ast.RegoV1})
	lib2 := *lib
	lib2.tests = maps.Clone(lib.tests)
	lib2.tests["harness_test.rego"] = mod
	results, err := lib2.RunTests(context.Background(), "harness_test")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range results {
		got[r.Name] = r.Pass
	}
	want := map[string]bool{"test_always_fails": false, "test_errors": false}
	if !maps.Equal(got, want) {
		t.Errorf("harness results = %v, want %v", got, want)
	}
}

// TestBundledTestsCatchMutants shows that every check's tests are positive and negative: with
// its violation rule replaced by one that never fires, some test must fail; with one that fires
// on every principal, some test must fail too. A check's tests read only its own package and the
// helpers, so all checks are mutated at once and compiled once per mutant.
func TestBundledTestsCatchMutants(t *testing.T) {
	lib := loadBundled(t)
	mutants := map[string]string{
		"never fires":  `violation contains v if { some x in input.items; x == "never"; v := {"principal": x.principal.id, "msg": "mutant", "qualifier": x.principal.id, "evidence": x} }`,
		"always fires": `violation contains v if { some x in input.items; v := {"principal": x.principal.id, "msg": "mutant", "qualifier": x.principal.id, "evidence": x} }`,
	}
	for name, rule := range mutants {
		t.Run(name, func(t *testing.T) {
			m := mutate(t, lib, rule)
			results, err := m.RunTests(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			failed := map[string]int{}
			ran := map[string]int{}
			for _, r := range results {
				ran[r.Package]++
				if !r.Pass {
					failed[r.Package]++
				}
			}
			for _, c := range lib.Checks() {
				pkg := c.Package + "_test"
				if ran[pkg] == 0 {
					t.Errorf("%s: no tests ran in %s", c.ID, pkg)
				} else if failed[pkg] == 0 {
					t.Errorf("%s: every test passes with the violation rule replaced by one that %s: the tests do not cover that case", c.ID, name)
				}
			}
		})
	}
}

// mutate returns a copy of lib in which every check's violation rules are replaced by rule.
func mutate(t *testing.T, lib *Library, rule string) *Library {
	t.Helper()
	m := *lib
	m.modules = maps.Clone(lib.modules)
	for _, c := range lib.Checks() {
		replaced := false
		for name, mod := range lib.modules {
			if mod.Package.Path.String() != "data."+c.Package {
				continue
			}
			cp := mod.Copy()
			cp.Rules = slices.DeleteFunc(cp.Rules, func(r *ast.Rule) bool { return r.Head.Name.String() == "violation" })
			if !replaced {
				src := fmt.Sprintf("package %s\n%s\n", c.Package, rule)
				extra := ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
				for _, r := range extra.Rules {
					r.Module = cp
					cp.Rules = append(cp.Rules, r)
				}
				replaced = true
			}
			m.modules[name] = cp
		}
		if !replaced {
			t.Fatalf("no module for %s", c.Package)
		}
	}
	return &m
}
