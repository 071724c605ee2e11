package policy

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/inventory"
)

// benchRun is the untimed setup of the benchmarks that time OPA on Evaluate's own batches
// (BenchmarkCheckCost, BenchmarkRuleShape, BenchmarkWasmTarget): the bundled library, an
// evaluator with cfg, a run over 10k synthetic principals, its batches and each batch's input.
type benchRun struct {
	snap    *inventory.Snapshot
	lib     *Library
	ev      *Evaluator
	r       *run
	batches []batch
	inputs  []ast.Value // inputs[i] is batches[i]'s input
}

func newBenchRun(ctx context.Context, b *testing.B, cfg Config) *benchRun {
	b.Helper()
	br := &benchRun{snap: genSnapshot(10_000, 1), lib: loadBundled(b)}
	var err error
	if br.ev, err = br.lib.NewEvaluator(cfg, EvalOptions{}); err != nil {
		b.Fatal(err)
	}
	if br.r, err = br.ev.newRun(ctx, br.snap); err != nil {
		b.Fatal(err)
	}
	br.batches = br.r.batches()
	br.inputs = make([]ast.Value, len(br.batches))
	for i, bt := range br.batches {
		items := make([]*ast.Term, len(bt.principals))
		for j, p := range bt.principals {
			items[j] = br.r.ix.item(p)
		}
		br.inputs[i] = batchInput(items)
	}
	return br
}
