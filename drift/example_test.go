package drift_test

import (
	"fmt"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
)

// Two nights of one AWS account: alice was granted AdministratorAccess; the next night the
// account could not be read and bob is missing from it — which is not a removal.
func ExampleDiff() {
	cov := func(st inventory.CoverageStatus) []inventory.Coverage {
		return []inventory.Coverage{{Source: "aws-prod", Provider: inventory.ProviderAWS, Scope: "111122223333", Status: st}}
	}
	user := func(name string, grants ...inventory.Grant) inventory.Principal {
		return inventory.Principal{ID: "arn:aws:iam::111122223333:user/" + name, Provider: inventory.ProviderAWS,
			Account: "111122223333", Kind: inventory.KindUser, Name: name, Grants: grants}
	}
	read := inventory.Grant{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "111122223333", Via: "direct", Privilege: inventory.PrivilegeRead}
	adm := inventory.Grant{What: "arn:aws:iam::aws:policy/AdministratorAccess", Where: "111122223333", Via: "direct", Privilege: inventory.PrivilegeAdmin}

	mon := &inventory.Snapshot{ID: "mon", Coverage: cov(inventory.CoverageComplete), Principals: []inventory.Principal{user("alice", read), user("bob")}}
	tue := &inventory.Snapshot{ID: "tue", Coverage: cov(inventory.CoverageComplete), Principals: []inventory.Principal{user("alice", read, adm), user("bob")}}
	wed := &inventory.Snapshot{ID: "wed", Coverage: cov(inventory.CoverageFailed), Principals: []inventory.Principal{user("alice", read, adm)}}

	for _, pair := range [][2]*inventory.Snapshot{{mon, tue}, {tue, wed}} {
		events, err := drift.Diff(pair[0], pair[1])
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range events {
			fmt.Printf("%s → %s: %s (escalation %v)\n", pair[0].ID, pair[1].ID, e.Message, e.Escalation)
		}
	}
	// Output:
	// mon → tue: user "alice": granted arn:aws:iam::aws:policy/AdministratorAccess on 111122223333 (admin); escalation on 111122223333: read → admin (escalation true)
	// tue → wed: source aws-prod scope 111122223333: complete → failed (escalation false)
	// tue → wed: user "bob" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed (escalation false)
}
