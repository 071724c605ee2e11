package scim_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/inventory"
)

// A service that never answers holds Collect past the runner's timeout; the runner's one failed
// entry for it still names the SCIM provider and method, so its roster is reported unknown.
func TestRunLabelsTimedOutService(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	src, err := scim.New(scim.Options{Name: "okta", URL: srv.URL + "/scim/v2", Token: "tok", PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	snap, err := collector.Run(t.Context(), []collector.Source{src},
		collector.RunOptions{Timeout: 50 * time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []inventory.Coverage{{Source: "okta", Provider: inventory.ProviderSCIM, Method: "scim2",
		Status: inventory.CoverageFailed, ErrorKind: inventory.ErrTimeout,
		Error: "timed out after 50ms: GET /Users?count=10&startIndex=1: context deadline exceeded", StartedAt: now, FinishedAt: now}}
	if diff := cmp.Diff(want, snap.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	wantRosters := []collector.Roster{{Source: "okta", Status: inventory.CoverageFailed}}
	if diff := cmp.Diff(wantRosters, collector.Rosters(snap)); diff != "" {
		t.Errorf("rosters (-want +got):\n%s", diff)
	}
}
