package policy

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego test rule (test_*).
type TestResult struct {
	Package  string        `json:"package"`
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Pass     bool          `json:"pass"`
	Skip     bool          `json:"skip,omitempty"`
	Error    string        `json:"error,omitempty"`
	Output   string        `json:"output,omitempty"` // print() output
	Duration time.Duration `json:"duration"`
}

// RunTests runs the library's _test.rego tests (bundled and user) with OPA's tester, the
// hardened capabilities and strict builtin errors. data.provost.config holds DefaultConfig
// (tests override it with `with`), data.provost.policy_docs is empty, and the user's data
// documents are loaded. filter, when not empty, is a regular expression selecting tests by
// package and name as `opa test --run` does. It fails when the tests do not compile.
func (l *Library) RunTests(ctx context.Context, filter string) ([]TestResult, error) {
	cfg, err := DefaultConfig().value()
	if err != nil {
		return nil, err
	}
	root := ast.NewObject()
	for _, k := range slices.Sorted(maps.Keys(l.data)) {
		v, err := ast.InterfaceToValue(l.data[k])
		if err != nil {
			return nil, fmt.Errorf("policy data %s: %w", k, err)
		}
		root.Insert(ast.StringTerm(k), ast.NewTerm(v))
	}
	root.Insert(ast.StringTerm("provost"), ast.ObjectTerm(
		[2]*ast.Term{ast.StringTerm("config"), ast.NewTerm(cfg)},
		[2]*ast.Term{ast.StringTerm("policy_docs"), ast.ObjectTerm()},
	))
	modules := make(map[string]*ast.Module, len(l.modules)+len(l.tests))
	maps.Copy(modules, l.modules)
	maps.Copy(modules, l.tests)
	runner := tester.NewRunner().
		SetCompiler(newCompiler()).
		SetStore(inmem.NewFromASTObject(root)).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		SetTimeout(30 * time.Second)
	if filter != "" {
		runner = runner.Filter(filter)
	}
	ch, err := runner.Run(ctx, modules)
	if err != nil {
		return nil, fmt.Errorf("compile policy tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{
			Package:  trimData(r.Package),
			Name:     r.Name,
			Pass:     r.Pass(),
			Skip:     r.Skip,
			Output:   string(r.Output),
			Duration: r.Duration,
		}
		if r.Location != nil {
			tr.File, tr.Line = r.Location.File, r.Location.Row
		}
		switch {
		case r.Error != nil:
			tr.Error = r.Error.Error()
		case r.Fail:
			tr.Error = "test failed"
			if r.FailedAt != nil && r.FailedAt.Location != nil {
				tr.Error = fmt.Sprintf("test failed at %s: %s", r.FailedAt.Location, r.FailedAt)
			}
		}
		out = append(out, tr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b TestResult) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}
