package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// Run the large ones a few times and take medians:
//
//	go test -run '^$' -bench 'PutSnapshot|ReadSnapshot|History' -benchtime=1x -count=3 ./store/

var benchSizes = []struct {
	name string
	n    int
}{{"100k", 100_000}, {"1M", 1_000_000}}

// estates caches generated principals across benchmarks: generating 1M takes seconds.
var estates = map[int][]inventory.Principal{}

func estate(n int) []inventory.Principal {
	if ps, ok := estates[n]; ok {
		return ps
	}
	ps := genPrincipals(n, 1)
	estates[n] = ps
	return ps
}

func benchOpen(b *testing.B, dir string) *DB {
	b.Helper()
	db, err := Open(filepath.Join(dir, "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkPutSnapshot writes a whole snapshot into an empty store: the first night, and the
// worst case (every principal is new).
func BenchmarkPutSnapshot(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			snap := genSnapshot("s", estate(sz.n), genEpoch)
			var elapsed time.Duration
			var size int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := b.TempDir()
				db := benchOpen(b, dir)
				b.StartTimer()
				start := time.Now()
				if err := db.PutSnapshot(context.Background(), snap); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				b.StopTimer()
				size = fileSize(b, db.Path())
				db.Close()
				os.RemoveAll(dir)
				b.StartTimer()
			}
			b.ReportMetric(float64(sz.n*b.N)/elapsed.Seconds(), "principals/s")
			b.ReportMetric(float64(size)/float64(sz.n), "bytes/principal")
		})
	}
}

// BenchmarkPutSnapshotNightly writes a snapshot in which 1% of the principals changed on top of
// an existing one: every other night.
func BenchmarkPutSnapshotNightly(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			base := estate(sz.n)
			db := benchOpen(b, b.TempDir())
			defer db.Close()
			if err := db.PutSnapshot(context.Background(), genSnapshot("base", base, genEpoch)); err != nil {
				b.Fatal(err)
			}
			var elapsed time.Duration
			cur := base
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cur = mutate(cur, 0.01, uint64(i))
				snap := genSnapshot(fmt.Sprintf("n%d", i), cur, genEpoch.AddDate(0, 0, i+1))
				b.StartTimer()
				start := time.Now()
				if err := db.PutSnapshot(context.Background(), snap); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(sz.n*b.N)/elapsed.Seconds(), "principals/s")
		})
	}
}

// BenchmarkReadSnapshot streams and decodes every principal of a snapshot with EachPrincipal.
func BenchmarkReadSnapshot(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			db := benchOpen(b, b.TempDir())
			defer db.Close()
			if err := db.PutSnapshot(context.Background(), genSnapshot("s", estate(sz.n), genEpoch)); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				n := 0
				if err := db.EachPrincipal("s", func(p *inventory.Principal) error {
					n += len(p.Grants)
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatal("no grants decoded")
				}
			}
			b.ReportMetric(float64(sz.n*b.N)/time.Since(start).Seconds(), "principals/s")
			b.ReportMetric(float64(fileSize(b, db.Path()))/float64(sz.n), "bytes/principal")
		})
	}
}

// BenchmarkReadSnapshotHashes streams (ID, hash) pairs with EachPrincipalHash, as drift does.
func BenchmarkReadSnapshotHashes(b *testing.B) {
	n := 100_000
	db := benchOpen(b, b.TempDir())
	defer db.Close()
	if err := db.PutSnapshot(context.Background(), genSnapshot("s", estate(n), genEpoch)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := db.EachPrincipalHash("s", func(string, inventory.Hash) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "principals/s")
}

// BenchmarkHistory30x100k writes thirty nightly snapshots of 100k principals, 1% changing each
// night, and reports the file size against that of the first snapshot alone (target ≤ 1.5), and
// how fast the latest snapshot (merged from 30 segments) reads.
func BenchmarkHistory30x100k(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		db := benchOpen(b, dir)
		b.StartTimer()
		cur := estate(n)
		if err := db.PutSnapshot(context.Background(), genSnapshot("day00", cur, genEpoch)); err != nil {
			b.Fatal(err)
		}
		one := fileSize(b, db.Path())
		for day := 1; day < 30; day++ {
			b.StopTimer()
			cur = mutate(cur, 0.01, uint64(day))
			snap := genSnapshot(fmt.Sprintf("day%02d", day), cur, genEpoch.AddDate(0, 0, day))
			b.StartTimer()
			if err := db.PutSnapshot(context.Background(), snap); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		thirty := fileSize(b, db.Path())
		start := time.Now()
		count := 0
		if err := db.EachPrincipal("day29", func(*inventory.Principal) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		if count != n {
			b.Fatalf("latest snapshot has %d principals, want %d", count, n)
		}
		b.ReportMetric(float64(thirty)/float64(one), "size-ratio")
		b.ReportMetric(float64(thirty)/n, "bytes/principal")
		b.ReportMetric(float64(n)/read.Seconds(), "latest-read-principals/s")
		db.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
