package policy

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// peakHeap samples HeapInuse until stop is closed and returns the maximum seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var ms runtime.MemStats
		var peak uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// cpuTime is the CPU time this process has used, user and system: the benchmark reports it
// per principal because wall time depends on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchEvaluate(b *testing.B, n, batchSize int) {
	lib := loadBundled(b)
	snap := genSnapshot(n, 1)
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	ev, err := lib.NewEvaluator(cfg, EvalOptions{BatchSize: batchSize})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse // the library and the snapshot
	stop := make(chan struct{})
	peak := peakHeap(stop)
	var findings int
	c0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		res, err := ev.Evaluate(context.Background(), snap)
		if err != nil {
			b.Fatal(err)
		}
		findings = len(res.Findings)
	}
	b.StopTimer()
	cpu := cpuTime() - c0
	close(stop)
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "principals/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/principal")
	p := <-peak
	b.ReportMetric(float64(p)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(p-min(p, base))/(1<<20), "eval-heap-MiB") // peak above the library and snapshot
	b.ReportMetric(float64(findings)/float64(n), "findings/principal")
}

// BenchmarkEvaluate compares batched evaluation with one evaluation per principal, on the
// full bundled library and a synthetic estate of 100k principals (genSnapshot), with one
// goroutine per CPU. Run: go test ./policy -run x -bench Evaluate -benchtime 3x
func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range []struct {
		name     string
		n, batch int
	}{
		{"batched/100k", 100_000, DefaultBatchSize},
		{"per-principal/100k", 100_000, 1},
	} {
		b.Run(bc.name, func(b *testing.B) { benchEvaluate(b, bc.n, bc.batch) })
	}
}

// BenchmarkDocLookup measures the ways a check can reach the policy document a grant names:
// from data (what Provost does), from the input item (each item carrying the documents its
// grants name), through a rule evaluated per batch, and through the value Provost derives once
// per snapshot (provost.lib.aws.admin_docs).
func BenchmarkDocLookup(b *testing.B) {
	lib := loadBundled(b)
	snap := genSnapshot(5000, 1)
	ev, err := lib.NewEvaluator(DefaultConfig(), EvalOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r, err := ev.newRun(context.Background(), snap)
	if err != nil {
		b.Fatal(err)
	}
	docs := map[string]*ast.Term{}
	for i := range snap.PolicyDocs {
		docs[snap.PolicyDocs[i].ID] = policyDocTerm(&snap.PolicyDocs[i])
	}
	var plain, withDocs []ast.Value
	for _, bt := range r.batches() {
		if bt.plan != r.plans[classKey{"aws", "user"}] {
			continue
		}
		items := make([]*ast.Term, len(bt.principals))
		items2 := make([]*ast.Term, len(bt.principals))
		for i, p := range bt.principals {
			items[i] = r.ix.item(p)
			own := ast.NewObject()
			for _, g := range p.Grants {
				if d, ok := docs[g.What]; ok {
					own.Insert(ast.StringTerm(g.What), d)
				}
			}
			it := items[i].Value.(ast.Object).Copy()
			it.Insert(ast.StringTerm("policy_docs"), ast.NewTerm(own))
			items2[i] = ast.NewTerm(it)
		}
		plain = append(plain, batchInput(items))
		withDocs = append(withDocs, batchInput(items2))
	}
	for _, v := range []struct {
		name, body string
		inputs     []ast.Value
	}{
		{"data", `some x in input.items; some g in x.principal.grants; data.provost.policy_docs[g.what].privilege == "admin"`, plain},
		{"input", `some x in input.items; some g in x.principal.grants; x.policy_docs[g.what].privilege == "admin"`, withDocs},
		{"rule-per-batch", `some x in input.items; some g in x.principal.grants; per_batch[g.what].admin == true`, plain},
		{"derived-per-snapshot", `some x in input.items; some g in x.principal.grants; aws.admin_docs[g.what].admin == true`, plain},
	} {
		b.Run(v.name, func(b *testing.B) {
			src := "package bench\nimport data.provost.lib.aws\n" +
				"per_batch[id] := aws.doc_info(doc) if { doc := data.provost.policy_docs[id] }\n" +
				"hits contains x.principal.id if { " + v.body + " }\n"
			mods := map[string]*ast.Module{"bench.rego": ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})}
			for k, m := range lib.modules {
				mods[k] = m
			}
			c := newCompiler()
			if c.Compile(mods); c.Failed() {
				b.Fatal(c.Errors)
			}
			q, err := rego.New(rego.Compiler(c), rego.Store(r.store), rego.Query("x = data.bench.hits")).PrepareForEval(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			b.ResetTimer()
			for b.Loop() {
				for _, in := range v.inputs {
					if _, err := q.Eval(context.Background(), rego.EvalParsedInput(in), rego.EvalTime(r.at)); err != nil {
						b.Fatal(err)
					}
					n += in.(ast.Object).Get(ast.StringTerm("items")).Value.(*ast.Array).Len()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(n), "µs/principal")
		})
	}
}
