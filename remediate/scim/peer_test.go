package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/scim"
	"github.com/provost-dev/provost/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}

var now = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func getUser(t *testing.T, srv testpeer.SCIMServer, id string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/Users/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestDisableAndDeleteAgainstSCIMServer(t *testing.T) {
	srv := testpeer.SCIM(t)
	mk := func(name string) string {
		u := srv.Create(t, "Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name, "active": true})
		return u["id"].(string)
	}
	dana, erin := mk("dana@corp.example"), mk("erin@corp.example")
	principal := func(id, name string) inventory.Principal {
		return inventory.Principal{ID: inventory.SCIMPrincipalID("okta", id), Provider: inventory.ProviderSCIM, Account: "okta", Kind: inventory.KindUser, Name: name, NativeID: id}
	}
	snap := &inventory.Snapshot{ID: "s1", StartedAt: now.Add(-time.Hour),
		Coverage:   []inventory.Coverage{{Source: "okta", Provider: inventory.ProviderSCIM, Scope: "okta", Status: inventory.CoverageComplete}},
		Principals: []inventory.Principal{principal(dana, "dana@corp.example"), principal(erin, "erin@corp.example")}}
	fs := []finding.Finding{{CheckID: "L", Principal: snap.Principals[0].ID}, {CheckID: "D", Principal: snap.Principals[1].ID}}
	marks := map[string]remediate.Mark{}
	for i := range fs {
		fs[i].ID = finding.ID(fs[i].CheckID, fs[i].Principal, "")
		fs[i].Status, fs[i].Severity, fs[i].Message = finding.StatusOpen, finding.SeverityHigh, "leaver"
	}
	marks[remediate.MarkKey(fs[0].ID, remediate.ActDisableUser)] = remediate.Mark{MarkedAt: now.AddDate(0, -1, 0)}
	marks[remediate.MarkKey(fs[1].ID, remediate.ActDeleteUser)] = remediate.Mark{MarkedAt: now.AddDate(0, -1, 0)}
	pol := &remediate.Policy{MaxActions: 5, MaxPercent: 100, Rules: []remediate.Rule{
		{Check: "L", Action: remediate.ActDisableUser, Enabled: true}, {Check: "D", Action: remediate.ActDeleteUser, Enabled: true}}}
	plan, err := remediate.MakePlan(pol, snap, fs, marks, now)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &remediate.Applier{Policy: pol, Journal: db, Now: func() time.Time { return now },
		Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderSCIM: &scim.Executor{Sources: map[string]scim.Server{"okta": {URL: srv.URL, Token: srv.Token}}}}}
	out, err := a.Apply(context.Background(), plan, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s1", StartedAt: snap.StartedAt}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]remediate.State{}
	for _, o := range out {
		got[o.Detail] = o.State
	}
	if d := cmp.Diff(map[string]remediate.State{"set user " + dana + " active=false": remediate.StateDone, "delete user " + erin: remediate.StateDone}, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if code, u := getUser(t, srv, dana); code != http.StatusOK || u["active"] != false {
		t.Errorf("dana = %d %v, want active false", code, u["active"])
	}
	if code, _ := getUser(t, srv, erin); code != http.StatusNotFound {
		t.Errorf("erin = %d, want 404", code)
	}
	for _, s := range plan.Steps {
		err := a.Undo(context.Background(), s.ID)
		if s.Action == remediate.ActDeleteUser {
			if err == nil {
				t.Error("a deletion was undone")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if code, u := getUser(t, srv, dana); code != http.StatusOK || u["active"] != true {
		t.Errorf("dana after undo = %d %v, want active true", code, u["active"])
	}
	// Applying a fresh journal again: the deleted user is already gone, the disabled one is re-disabled.
	db2, err := store.Open(filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	a.Journal = db2
	out, err = a.Apply(context.Background(), plan, remediate.RunFacts{Latest: remediate.SnapshotRef{ID: "s1", StartedAt: snap.StartedAt}})
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]remediate.State{}
	for _, o := range out {
		got[o.Detail] = o.State
	}
	if d := cmp.Diff(map[string]remediate.State{"set user " + dana + " active=false": remediate.StateDone, "user " + erin + " no longer exists": remediate.StateDone}, got); d != "" {
		t.Errorf("second outcomes (-want +got):\n%s", d)
	}
}
