package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
)

// TestDriftInput holds input.drift to its documented shape: a principal's own events, then
// its linked person's, and no drift key for a principal without events.
func TestDriftInput(t *testing.T) {
	snap := &inventory.Snapshot{
		Principals: []inventory.Principal{
			{ID: "p1", Provider: "aws", Kind: "user", PersonID: "hr:1"},
			{ID: "p2", Provider: "aws", Kind: "user", PersonID: "hr:1"},
			{ID: "p3", Provider: "aws", Kind: "user"},
		},
	}
	events := []drift.Event{
		{Kind: drift.GrantAdded, Principal: "p1", Person: "hr:1", Scope: "1",
			Grant: &inventory.Grant{What: "Admin", Where: "1", Via: "direct", Privilege: "admin"}, Before: "read", After: "admin", Escalation: true, Message: "m1"},
		{Kind: drift.CredentialCreated, Principal: "p1", Field: "k1",
			Credential: &inventory.Credential{Kind: "access_key", ID: "k1", Status: "active"}, Uncertain: true},
		{Kind: drift.PersonMoved, Person: "hr:1", Source: "hr", Field: "department", Before: "A", After: "B"},
		{Kind: drift.CoverageChanged, Source: "aws", Scope: "1"},
	}
	ix := newSnapshotIndex(snap, nil)
	ix.drift = driftTerms(events, snap)
	moved := map[string]any{"kind": "person_moved", "subject": "person", "person": "hr:1", "source": "hr", "field": "department",
		"before": "A", "after": "B", "escalation": false, "uncertain": false}
	for _, tc := range []struct {
		principal int
		want      any // input.drift, nil when absent
	}{
		{0, []any{
			map[string]any{"kind": "grant_added", "subject": "principal", "principal": "p1", "person": "hr:1", "scope": "1",
				"before": "read", "after": "admin", "escalation": true, "uncertain": false, "message": "m1",
				"grant": map[string]any{"what": "Admin", "where": "1", "via": "direct", "privilege": "admin"}},
			map[string]any{"kind": "credential_created", "subject": "principal", "principal": "p1", "field": "k1",
				"escalation": false, "uncertain": true,
				"credential": map[string]any{"kind": "access_key", "id": "k1", "status": "active"}},
			moved,
		}},
		{1, []any{moved}},
		{2, nil},
	} {
		item, err := ast.JSON(ix.item(&snap.Principals[tc.principal]).Value)
		if err != nil {
			t.Fatal(err)
		}
		got := item.(map[string]any)["drift"]
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("input.drift of %s (-want +got):\n%s", snap.Principals[tc.principal].ID, diff)
		}
	}
	if got := driftTerms(nil, snap); got != nil {
		t.Errorf("driftTerms(nil) = %v, want nil", got)
	}
}
