package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// BenchmarkRuleShape measures what the shape of the checks costs per principal, on the AWS user
// batches of the synthetic estate, with 60 stand-in rules that never fire (about as many rule
// bodies as the AWS user class evaluates):
//
//   - body-field: each rule iterates input.items and fails on one field comparison (the
//     bundled checks' shape: the floor of one rule body per item);
//   - body-rule-ref: the first expression reads a library rule (lib.rotation_cutoff_ns), which
//     costs several field reads even though it is cached;
//   - one-pass: a single rule iterates the items once and calls each check as a function of
//     the item inside a comprehension (the "checks as functions of one item" alternative);
//   - bundled: the real query of the class, all its checks.
//
// Run: go test ./policy -run x -bench RuleShape -benchtime 3x
func BenchmarkRuleShape(b *testing.B) {
	ctx := context.Background()
	br := newBenchRun(ctx, b, DefaultConfig())
	lib, r := br.lib, br.r
	pl := r.plans[classKey{"aws", "user"}]
	var inputs []ast.Value
	n := 0
	for i, bt := range br.batches {
		if bt.plan != pl {
			continue
		}
		n += len(bt.principals)
		inputs = append(inputs, br.inputs[i])
	}
	const rules = 60
	standIn := func(body string) (string, string) {
		var src strings.Builder
		q := make([]string, rules)
		for i := range rules {
			fmt.Fprintf(&src, "r%d contains x.principal.id if { some x in input.items; %s }\n", i, body)
			q[i] = fmt.Sprintf("v%d = data.bench.r%d", i, i)
		}
		return src.String(), strings.Join(q, "; ")
	}
	onePass := func() (string, string) {
		var src strings.Builder
		calls := make([]string, rules)
		for i := range rules {
			fmt.Fprintf(&src, "c%d(x) := x.principal.id if { x.principal.mfa == \"never\" }\n", i)
			calls[i] = fmt.Sprintf("[v | v := c%d(x)]", i)
		}
		fmt.Fprintf(&src, "res contains r if { some x in input.items; r := [%s]; r != [] }\n", strings.Join(calls, ", "))
		return src.String(), "v = data.bench.res"
	}
	for _, v := range []struct {
		name       string
		src, query string
	}{
		{name: "body-field"}, {name: "body-rule-ref"}, {name: "one-pass"}, {name: "bundled"},
	} {
		switch v.name {
		case "body-field":
			v.src, v.query = standIn(`x.principal.mfa == "never"`)
		case "body-rule-ref":
			v.src, v.query = standIn(`lib.rotation_cutoff_ns == 1`)
		case "one-pass":
			v.src, v.query = onePass()
		}
		b.Run(v.name, func(b *testing.B) {
			q := pl.query
			if v.src != "" {
				mods := map[string]*ast.Module{"bench.rego": ast.MustParseModuleWithOpts("package bench\nimport data.provost.lib\n"+v.src, ast.ParserOptions{RegoVersion: ast.RegoV1})}
				for k, m := range lib.modules {
					mods[k] = m
				}
				c := newCompiler()
				if c.Compile(mods); c.Failed() {
					b.Fatal(c.Errors)
				}
				pq, err := rego.New(rego.Compiler(c), rego.Store(r.store), rego.Query(v.query)).PrepareForEval(ctx)
				if err != nil {
					b.Fatal(err)
				}
				q = &pq
			}
			evals := 0
			for b.Loop() {
				for _, in := range inputs {
					if _, err := q.Eval(ctx, rego.EvalParsedInput(in), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm)); err != nil {
						b.Fatal(err)
					}
				}
				evals += n
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(evals), "µs/principal")
		})
	}
}
