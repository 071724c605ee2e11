package sandbox_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox"
)

// BenchmarkCollectMemory measures what a scan of the generated organisation costs the audit
// process in memory, through the real collectors over loopback: kept-B/principal is the heap
// the finished snapshot holds, peak-B/principal the highest heap above the fakes' own during
// collection (sampled every 5ms; the fakes' answers in flight are included).
func BenchmarkCollectMemory(b *testing.B) {
	for _, scale := range []int{20000} {
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			ctx := context.Background()
			env, err := sandbox.Start(ctx, sandbox.Generate(sandbox.GenerateOptions{Scale: scale}), sandbox.StartOptions{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer env.Close()
			var kept, peak, n float64
			b.ResetTimer()
			for range b.N {
				base := liveHeap()
				stop := sampleHeap()
				snap := collect(ctx, b, env)
				high := stop()
				after := liveHeap()
				n = float64(len(snap.Principals))
				kept += float64(after-base) / n
				peak += float64(high-base) / n
				runtime.KeepAlive(snap)
			}
			b.ReportMetric(kept/float64(b.N), "kept-B/principal")
			b.ReportMetric(peak/float64(b.N), "peak-B/principal")
			b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "principals/s")
		})
	}
}

func collect(ctx context.Context, b *testing.B, env *sandbox.Env) *inventory.Snapshot {
	srcs, err := env.Sources(ctx)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := collector.Run(ctx, srcs, env.RunOptions())
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range snap.Coverage {
		if !c.Complete() {
			b.Fatalf("coverage %s %s: %s %s", c.Source, c.Scope, c.Status, c.Error)
		}
	}
	return snap
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// sampleHeap samples the heap's object bytes every 5ms until stop, which returns the highest.
func sampleHeap() (stop func() uint64) {
	done, high := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var h uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			h = max(h, s[0].Value.Uint64())
			select {
			case <-done:
				high <- h
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-high
	}
}
