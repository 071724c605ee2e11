package drift_test

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
)

// BenchmarkDiffStore diffs two stored snapshots of 1M principals with 1% churn (2,000 removed,
// 2,000 added, 8,000 edited: 5,000 in activity times only, 3,000 in ways that are drift), so
// 10,000 records a side differ. The fixture database is
// written once per run. Reported: ns/op, peak-heap-MB (the highest live-plus-garbage heap above
// what it was before the diff, sampled every millisecond), rss-MB (the process's peak resident
// set during the diff, after the fixture's memory was returned to the OS; it includes the pages
// of the database file bbolt has mapped; rss-before-MB is the resident set before the first
// diff), decoded/op (records decoded, both sides) and events/op.
func BenchmarkDiffStore(b *testing.B) {
	const n = 1_000_000
	ps1, cov := genEstate(n, 1)
	ps2 := churn(ps1, 0.01, 2, n)
	prev := &inventory.Snapshot{ID: "day1", StartedAt: t0, Coverage: cov, Principals: ps1}
	cur := &inventory.Snapshot{ID: "day2", StartedAt: t0.Add(24 * time.Hour), Coverage: cov, Principals: ps2}
	db := openStore(b)
	start := time.Now()
	put(b, db, prev, cur)
	b.Logf("fixture: %d + %d principals written in %v", len(ps1), len(ps2), time.Since(start).Round(time.Millisecond))
	prev, cur = header(prev), header(cur)
	ps1, ps2 = nil, nil
	debug.FreeOSMemory()

	c := &counting{DB: db, decoded: map[string]*atomic.Int64{prev.ID: {}, cur.ID: {}}}
	var (
		events            int
		peakHeap, peakRSS uint64
		baseRSS           = residentBytes()
	)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		stop := sampleMemory()
		b.StartTimer()
		evs, err := drift.DiffStore(context.Background(), c, prev, cur)
		b.StopTimer()
		heap, rss := stop()
		b.StartTimer()
		if err != nil {
			b.Fatal(err)
		}
		events = len(evs)
		peakHeap, peakRSS = max(peakHeap, heap), max(peakRSS, rss)
	}
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRSS)/(1<<20), "rss-MB")
	b.ReportMetric(float64(baseRSS)/(1<<20), "rss-before-MB")
	b.ReportMetric(float64(c.decoded[prev.ID].Load()+c.decoded[cur.ID].Load())/float64(b.N), "decoded/op")
	b.ReportMetric(float64(events), "events/op")
}

// sampleMemory samples the heap and the resident set every millisecond until the returned
// function is called; that returns the peak heap above its level at the start and the peak
// resident set.
func sampleMemory() func() (heap, rss uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	peakHeap, peakRSS := base, residentBytes()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: sample[0].Name}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peakHeap, peakRSS = max(peakHeap, s[0].Value.Uint64()), max(peakRSS, residentBytes())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return peakHeap - base, peakRSS
	}
}

// residentBytes returns the process's resident set size from /proc/self/statm (0 where that
// file does not exist).
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
