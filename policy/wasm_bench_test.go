package policy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	_ "github.com/open-policy-agent/opa/v1/features/wasm" // OPA's Wasm engine (wazero), for rego.Target("wasm")
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// BenchmarkWasmTarget measures OPA's Wasm target against its topdown evaluator on the class
// queries Evaluate runs, over the same prebuilt batches of the synthetic estate, on one
// goroutine (so CPU per principal is what it costs; input building is not timed):
//
//   - topdown: what Evaluate does;
//   - wasm: the same queries compiled to Wasm by OPA (rego.Target("wasm")) and run by OPA's
//     Wasm SDK on wazero, with the same data and evaluation time;
//   - wasm-input-only: a query that reads nothing (x := 1) with the same inputs: what the Wasm
//     path spends getting each batch's input into the module (OPA serialises the input
//     and the module parses it with opa_value_parse on every evaluation).
//
// Before timing it checks that both targets give the same findings on every batch, and it
// reports how long compiling the class queries to Wasm took. This is why Evaluate does not use
// the Wasm target (doc.go, Caveats).
// Run: go test ./policy -run x -bench WasmTarget -benchtime 3x
func BenchmarkWasmTarget(b *testing.B) {
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	ctx := context.Background()
	br := newBenchRun(ctx, b, cfg)
	lib, r, batches, inputs := br.lib, br.r, br.batches, br.inputs
	byIDs := make([]map[string]*inventory.Principal, len(batches))
	for i, bt := range batches {
		byIDs[i] = map[string]*inventory.Principal{}
		for _, p := range bt.principals {
			byIDs[i][p.ID] = p
		}
	}
	// OPA's Wasm engine reads data from the store as Go values: an AST-valued store (what
	// Evaluate builds) reaches the module as nothing at all, so hand it the same data as JSON.
	root, err := storage.ReadOne(ctx, r.store, storage.RootPath)
	if err != nil {
		b.Fatal(err)
	}
	rootJSON, err := ast.JSON(root.(ast.Value))
	if err != nil {
		b.Fatal(err)
	}
	store := inmem.NewFromObject(rootJSON.(map[string]any))
	start := time.Now()
	wasm := map[*plan]*rego.PreparedEvalQuery{}
	for _, bt := range batches {
		if _, ok := wasm[bt.plan]; ok {
			continue
		}
		q, err := rego.New(
			rego.Compiler(lib.compiler),
			rego.Store(store),
			rego.ParsedQuery(queryFor(bt.plan.checks)),
			rego.StrictBuiltinErrors(true),
			rego.Capabilities(capabilities()),
			rego.Target("wasm"),
		).PrepareForEval(ctx)
		if err != nil {
			b.Fatalf("compile class query to wasm: %v", err)
		}
		wasm[bt.plan] = &q
	}
	compile := time.Since(start)
	nop, err := rego.New(rego.Compiler(lib.compiler), rego.Store(store), rego.Query("x := 1"), rego.Target("wasm")).PrepareForEval(ctx)
	if err != nil {
		b.Fatal(err)
	}

	findings := func(q *rego.PreparedEvalQuery, i int) []finding.Finding {
		rs, err := q.Eval(ctx, rego.EvalParsedInput(inputs[i]), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm))
		if err != nil {
			b.Fatalf("batch %d: %v", i, err)
		}
		c := newCollector(byIDs[i])
		for k, ch := range batches[i].plan.checks {
			if err := c.add(ch, rs[0].Bindings[fmt.Sprintf("v%d", k)], rs[0].Bindings[fmt.Sprintf("u%d", k)]); err != nil {
				b.Fatalf("batch %d: %v", i, err)
			}
		}
		return c.findings()
	}
	total := 0
	for i, bt := range batches {
		want, got := findings(bt.plan.query, i), findings(wasm[bt.plan], i)
		if d := cmp.Diff(want, got); d != "" {
			b.Fatalf("batch %d: wasm findings differ from topdown (-topdown +wasm):\n%s", i, d)
		}
		total += len(want)
	}
	b.Logf("%d principals, %d batches, %d findings; wasm compile of %d class queries: %v", len(br.snap.Principals), len(batches), total, len(wasm), compile)

	for _, mode := range []string{"topdown", "wasm", "wasm-input-only"} {
		b.Run(mode, func(b *testing.B) {
			n := 0
			c0 := cpuTime()
			for b.Loop() {
				for i, bt := range batches {
					q := bt.plan.query
					switch mode {
					case "wasm":
						q = wasm[bt.plan]
					case "wasm-input-only":
						q = &nop
					}
					if _, err := q.Eval(ctx, rego.EvalParsedInput(inputs[i]), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm)); err != nil {
						b.Fatal(err)
					}
					n += len(bt.principals)
				}
			}
			cpu := cpuTime() - c0
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(n), "µs/principal")
			b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(n), "cpu-µs/principal")
			b.ReportMetric(float64(compile.Milliseconds()), "wasm-compile-ms")
		})
	}
}
