package gcpiam_test

import (
	"context"
	"fmt"
	"log"

	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// Example scans a one-project organization served by the sandbox fake, reading policies with
// Cloud Asset Inventory.
func Example() {
	fake := gcpfake.New(gcpfake.Options{})
	fake.SetOrganization(&gcpfake.Organization{
		ID: "1", DisplayName: "example.com",
		Projects: []gcpfake.Project{{ID: "demo-project", Number: 7, Parent: "organizations/1",
			ServiceAccounts: []gcpfake.ServiceAccount{{Email: "ci@demo-project.iam.gserviceaccount.com",
				Keys: []gcpfake.Key{{Type: gcpfake.UserManaged}}}}}},
		Policies: map[string]gcpfake.Policy{
			"organizations/1": {Bindings: []gcpfake.Binding{{Role: "roles/viewer", Members: []string{"user:ann@example.com"}}}},
			"projects/demo-project": {Bindings: []gcpfake.Binding{
				{Role: "roles/editor", Members: []string{"serviceAccount:ci@demo-project.iam.gserviceaccount.com"}}}},
		},
	})
	if err := fake.Start(); err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	ctx := context.Background()
	c, err := gcpiam.New(ctx, gcpiam.Options{
		Name: "gcp", Organization: "organizations/1", Endpoint: fake.URL(), UseAssetInventory: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, cov := range res.Coverage {
		fmt.Println(cov.Scope, cov.Status, cov.Method)
	}
	for _, p := range res.Principals {
		fmt.Println(p.ID, p.Kind, len(p.Credentials), "key(s)")
		for _, g := range p.Grants {
			fmt.Println("  ", g.What, "on", g.Where, g.Via, g.Privilege)
		}
	}
	// Output:
	// organizations/1 complete asset-inventory
	// projects/demo-project complete asset-inventory
	// gcp:serviceAccount:ci@demo-project.iam.gserviceaccount.com service_account 1 key(s)
	//    roles/editor on projects/demo-project direct admin
	// gcp:user:ann@example.com user 0 key(s)
	//    roles/viewer on organizations/1 direct read
	//    roles/viewer on projects/demo-project inherited:organizations/1 read
}
