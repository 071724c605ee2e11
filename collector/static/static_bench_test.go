package static

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// BenchmarkCollect measures reading a 20k-principal snapshot file: decoding and checking.
func BenchmarkCollect(b *testing.B) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var snap fileShape
	for i := range 20_000 {
		snap.Principals = append(snap.Principals, inventory.Principal{
			ID: fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", i), Provider: inventory.ProviderAWS, Account: "111122223333",
			Kind: inventory.KindUser, Name: fmt.Sprintf("u%d", i), CreatedAt: t0, LastActivity: t0, Console: true,
			Tags: map[string]string{"team": "t"},
			Credentials: []inventory.Credential{
				{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: t0, LastUsed: t0},
				{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: t0, LastUsed: t0},
			},
			Grants: []inventory.Grant{{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "111122223333", Via: "direct", Privilege: inventory.PrivilegeRead}},
		})
	}
	data, err := json.Marshal(snap)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "big.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	src := New("big", path)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := src.Collect(b.Context())
		if err != nil || len(res.Principals) != 20_000 {
			b.Fatalf("Collect: %v", err)
		}
	}
	b.ReportMetric(float64(20_000*b.N)/b.Elapsed().Seconds(), "principals/s")
}
