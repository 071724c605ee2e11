package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// TestDamagedFirstMetaPage: a file whose first meta page is destroyed (a torn write) still opens
// from the second, whatever its page size — which Open must find without the first page to say
// it — and holds the snapshots as of the second meta page's transaction.
func TestDamagedFirstMetaPage(t *testing.T) {
	defer func(ps int) { pageSize = ps }(pageSize)
	for _, ps := range []int{os.Getpagesize(), 1 << 10, 16 << 10, 64 << 10} {
		t.Run(fmt.Sprint(ps), func(t *testing.T) {
			pageSize = ps
			path := filepath.Join(t.TempDir(), "provost.db")
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var txids []int // the transaction that committed each snapshot
			cur := genPrincipals(200, 3)
			for i := range 3 {
				mustPut(t, db, genSnapshot(fmt.Sprintf("s%d", i), cur, genEpoch.AddDate(0, 0, i)))
				txids = append(txids, 0)
				_ = db.bolt.View(func(tx *bolt.Tx) error { txids[i] = tx.ID(); return nil })
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m0, err0 := parseMeta(b)
			m1, err1 := parseMeta(b[ps:])
			if err0 != nil || err1 != nil || int(m0.pageSize) != ps {
				t.Fatalf("meta pages of the new file: %v, %v, page size %d", err0, err1, m0.pageSize)
			}
			clear(b[:ps])
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}

			db, err = Open(path, Options{Timeout: time.Second})
			if err != nil {
				t.Fatalf("Open with the first meta page destroyed: %v", err)
			}
			defer db.Close()
			var want []string
			for i, txid := range txids {
				if uint64(txid) <= m1.txid {
					want = append(want, fmt.Sprintf("s%d", i))
				}
			}
			metas, err := db.Snapshots()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range metas {
				got = append(got, m.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("snapshots as of transaction %d (-want +got):\n%s", m1.txid, diff)
			}
			if len(want) < 2 {
				t.Fatalf("the second meta page is from transaction %d, before s1 (transactions %v)", m1.txid, txids)
			}
			for _, id := range want {
				checkSnapshot(t, db, id, cur)
			}
		})
	}
}
