package policy

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// BenchmarkCheckCost evaluates each bundled check alone over the batches of the classes it
// applies to, reporting its CPU cost per principal evaluated: where the batched evaluation's
// time goes. Run: go test ./policy -run x -bench CheckCost -benchtime 1x
func BenchmarkCheckCost(b *testing.B) {
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	ctx := context.Background()
	br := newBenchRun(ctx, b, cfg)
	ev, r, batches, inputs := br.ev, br.r, br.batches, br.inputs
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
