package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

func Example() {
	dir, err := os.MkdirTemp("", "provost-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := store.Open(filepath.Join(dir, "provost.db"), store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	monday := time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)
	alice := inventory.Principal{
		ID: "arn:aws:iam::123456789012:user/alice", Provider: inventory.ProviderAWS,
		Account: "123456789012", Kind: inventory.KindUser, Name: "alice",
		Grants: []inventory.Grant{{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "123456789012", Via: "direct", Privilege: inventory.PrivilegeRead}},
	}
	bob := inventory.Principal{ID: "arn:aws:iam::123456789012:user/bob", Provider: inventory.ProviderAWS,
		Account: "123456789012", Kind: inventory.KindUser, Name: "bob"}
	ctx := context.Background()
	for _, s := range []*inventory.Snapshot{
		{ID: "mon", StartedAt: monday, Principals: []inventory.Principal{bob, alice}},
		{ID: "tue", StartedAt: monday.AddDate(0, 0, 1), Principals: []inventory.Principal{alice}},
	} {
		if err := db.PutSnapshot(ctx, s); err != nil {
			log.Fatal(err)
		}
	}

	latest, err := db.Latest()
	if err != nil {
		log.Fatal(err)
	}
	prev, err := db.Previous(latest.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s (%d principals) follows %s (%d)\n", latest.ID, latest.Principals, prev.ID, prev.Principals)
	err = db.EachPrincipal(prev.ID, func(p *inventory.Principal) error {
		fmt.Println(p.ID, len(p.Grants))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	res, err := db.Prune(ctx, store.Retention{KeepLast: 1}, monday.AddDate(0, 1, 0), false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pruned", res.Deleted, "freed", res.RecordsFreed)
	// Output:
	// tue (1 principals) follows mon (2)
	// arn:aws:iam::123456789012:user/alice 1
	// arn:aws:iam::123456789012:user/bob 0
	// pruned [mon] freed 2
}
