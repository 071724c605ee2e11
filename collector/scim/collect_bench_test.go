package scim_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/provost-dev/provost/collector/scim"
)

// BenchmarkCollect lists 10k users over loopback HTTP: the decoding and paging cost a scan of
// a mid-size identity provider pays (real IdPs add their own latency per page).
func BenchmarkCollect(b *testing.B) {
	const n = 10_000
	f := newWire(n)
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, pageSize := range []int{100, 1000} {
		b.Run(fmt.Sprintf("users=%d/page=%d", n, pageSize), func(b *testing.B) {
			src, err := scim.New(scim.Options{Name: "idp", URL: srv.URL + "/scim/v2", Token: "tok", PageSize: pageSize,
				Now: func() time.Time { return fixedNow }})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := src.Collect(context.Background())
				if err != nil || len(res.People) != n {
					b.Fatalf("Collect: %v, %d people", err, len(res.People))
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
		})
	}
}
