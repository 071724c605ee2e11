package policy

import (
	"context"
	"runtime"
	"testing"
	"time"
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

var benchLib = bundledLib

func benchEvaluate(b *testing.B, n, batchSize int) {
	lib, err := benchLib()
	if err != nil {
		b.Fatal(err)
	}
	snap := genSnapshot(n, 1)
	cfg := DefaultConfig()
	cfg.OrgDomains = []string{"corp.com"}
	ev, err := lib.NewEvaluator(cfg, EvalOptions{BatchSize: batchSize})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stop := make(chan struct{})
	peak := peakHeap(stop)
	var findings int
	b.ResetTimer()
	for b.Loop() {
		res, err := ev.Evaluate(context.Background(), snap)
		if err != nil {
			b.Fatal(err)
		}
		findings = len(res.Findings)
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "principals/s")
	b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(findings), "findings")
}

// BenchmarkEvaluate compares batched evaluation with one evaluation per principal, on the
// full bundled library and a synthetic estate, with one goroutine per CPU.
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
