package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

// BenchmarkFindingsAPI measures one filtered, paged GET /api/v1/findings (what the dashboard's
// findings page does) over a snapshot with n stored findings: the store decompresses and
// decodes a snapshot's findings once and serves later requests from the daemon's cache.
func BenchmarkFindingsAPI(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("findings=%d", n), func(b *testing.B) {
			db, err := store.Open(filepath.Join(b.TempDir(), "provost.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			at := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
			ctx := context.Background()
			if err := db.PutSnapshot(ctx, &inventory.Snapshot{ID: "s1", StartedAt: at, FinishedAt: at}); err != nil {
				b.Fatal(err)
			}
			fs := make([]finding.Finding, n)
			for i := range fs {
				p := fmt.Sprintf("arn:aws:iam::111122223333:user/u%07d", i)
				fs[i] = finding.Finding{ID: finding.ID("PV-AWS-007", p, "access_key_1"), CheckID: "PV-AWS-007", Severity: finding.Severity(1 + i%5),
					Principal: p, Qualifier: "access_key_1", Message: "access key access_key_1 of u is old", Status: finding.StatusOpen, FirstSeen: at, LastSeen: at}
			}
			if err := db.PutFindings(ctx, "s1", fs); err != nil {
				b.Fatal(err)
			}
			d, err := New(Options{Config: DefaultConfig(), Store: db, Token: testToken, Run: func(context.Context) (*audit.Result, error) { return nil, nil }})
			if err != nil {
				b.Fatal(err)
			}
			h := d.Handler()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/api/v1/findings?severity=critical&limit=50&offset=100", nil)
				req.Header.Set("Authorization", "Bearer "+testToken)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
