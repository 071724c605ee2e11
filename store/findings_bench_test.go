package store

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPutFindings stores and reads back 100k findings of one snapshot and reports the
// stored bytes per finding.
func BenchmarkPutFindings(b *testing.B) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	fs := genFindings(100_000, t0)
	db := openTest(b)
	mustPut(b, db, genSnapshot("s1", genPrincipals(10, 1), t0))
	b.Run("put", func(b *testing.B) {
		for b.Loop() {
			if err := db.PutFindings(ctx, "s1", fs); err != nil {
				b.Fatal(err)
			}
		}
		val, err := encodeFindings(fs)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(val)), "stored-bytes")
		b.ReportMetric(float64(len(val))/float64(len(fs)), "bytes/finding")
	})
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			got, err := db.Findings("s1")
			if err != nil || len(got) != len(fs) {
				b.Fatalf("Findings = %d, %v", len(got), err)
			}
		}
		b.ReportMetric(float64(len(fs))*float64(b.N)/b.Elapsed().Seconds(), "findings/s")
	})
}
