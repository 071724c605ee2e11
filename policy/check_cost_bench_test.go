package policy

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// BenchmarkCheckCost evaluates each bundled check alone over the batches of the classes it
// applies to, reporting its CPU cost per principal evaluated: where the batched evaluation's
// time goes. Run: go test ./policy -run x -bench CheckCost -benchtime 1x
func BenchmarkCheckCost(b *testing.B) {
	lib := loadBundled(b)
	snap := genSnapshot(10_000, 1)
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	ev, err := lib.NewEvaluator(cfg, EvalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r, err := ev.newRun(ctx, snap)
	if err != nil {
		b.Fatal(err)
	}
	batches := r.batches()
	inputs := make([]ast.Value, len(batches))
	for i, bt := range batches {
		items := make([]*ast.Term, len(bt.principals))
		for j, p := range bt.principals {
			items[j] = r.ix.item(p)
		}
		inputs[i] = batchInput(items)
	}
	for _, ch := range ev.enabled {
		b.Run(ch.ID, func(b *testing.B) {
			q, err := r.singleQuery(ctx, ch)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				for i, bt := range batches {
					if !ch.AppliesTo(string(bt.principals[0].Provider), string(bt.principals[0].Kind)) {
						continue
					}
					if _, err := q.Eval(ctx, rego.EvalParsedInput(inputs[i]), rego.EvalTime(r.at), rego.EvalGenerateJSON(keepTerm)); err != nil {
						b.Fatal(err)
					}
					n += len(bt.principals)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(max(n, 1)), "µs/principal")
		})
	}
}
