package ldap_test

import (
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/inventory"
)

// A directory that accepts the connection and never answers holds Collect past the runner's
// timeout; the runner's one failed entry still names the LDAP provider and the method the
// source's own entry records before it has read the directory ("ldap", whatever the flavor),
// so the roster is reported unknown rather than left out.
func TestRunLabelsTimedOutDirectory(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // never accepts: the kernel completes the handshake, nobody reads
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	url := "ldap://" + ln.Addr().String()
	now := func() time.Time { return fixedNow }
	for _, flavor := range []ldap.Flavor{ldap.FlavorAuto, ldap.FlavorOpenLDAP, ldap.FlavorAD} {
		t.Run("flavor "+string(flavor), func(t *testing.T) {
			src, err := ldap.New(ldap.Options{Name: "corp", URL: url, Flavor: flavor, BaseDN: "dc=corp,dc=example", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			snap, err := collector.Run(t.Context(), []collector.Source{src}, collector.RunOptions{Timeout: 50 * time.Millisecond, Now: now})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := []inventory.Coverage{{Source: "corp", Provider: inventory.ProviderLDAP, Method: "ldap",
				Status: inventory.CoverageFailed, ErrorKind: inventory.ErrTimeout,
				Error: "timed out after 50ms: context deadline exceeded (bind to " + url +
					` as anonymous: LDAP Result Code 200 "Network Error": ldap: response channel closed)`, StartedAt: fixedNow, FinishedAt: fixedNow}}
			if diff := cmp.Diff(want, snap.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			wantRosters := []collector.Roster{{Source: "corp", Status: inventory.CoverageFailed}}
			if diff := cmp.Diff(wantRosters, collector.Rosters(snap)); diff != "" {
				t.Errorf("rosters (-want +got):\n%s", diff)
			}
		})
	}
}
