package awsiam_test

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

func keyStatuses(srv *awsfake.Server, user string) map[string]string {
	out := map[string]string{}
	if u := findUser(srv.Organization(), user); u != nil {
		for _, k := range u.AccessKeys {
			out[k.ID] = k.Status
		}
	}
	return out
}

// TestOnlyTheStaleKeyIsDeactivated: a user with two keys of which one is stale; only that key is
// deactivated, with exactly the calls needed, and undo reactivates it.
func TestOnlyTheStaleKeyIsDeactivated(t *testing.T) {
	u := alice()
	srv := startFake(t, u)
	db, _ := openStore(t)
	f := open(finding.Finding{CheckID: "PV-AWS-002", Principal: "arn:aws:iam::" + acct + ":user/alice", Qualifier: "access_key_2"})
	pol, plan := planFor(t, snapshotOf(acct, u), []finding.Finding{f}, rule("PV-AWS-002", remediate.ActDeactivateAccessKey))
	a := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey))
	srv.ResetCalls()

	out, err := a.Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	step := plan.Steps[0].ID
	if d := cmp.Diff([]remediate.Outcome{{StepID: step, State: remediate.StateDone, Detail: "deactivate key AKIAAAAAAAAAAAAAAAA2 (access_key_2) of alice"}}, out); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"AKIAAAAAAAAAAAAAAAA1": "Active", "AKIAAAAAAAAAAAAAAAA2": "Inactive"}, keyStatuses(srv, "alice")); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
	// Check, act, and the verifying re-read.
	if d := cmp.Diff(map[string]int{"iam:ListAccessKeys": 2, "iam:GetAccessKeyLastUsed": 1, "iam:UpdateAccessKey": 1}, srv.Calls()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	es, err := remediate.Entries(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || !es[0].Verified || es[0].VerifyDetail != "key AKIAAAAAAAAAAAAAAAA2 already inactive" {
		t.Errorf("journal = %+v, want verified", es)
	}

	// Again: the journal says done, nothing reaches the target.
	srv.ResetCalls()
	if _, err := a.Apply(bg, plan, facts(plan)); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{}, srv.Calls()); d != "" {
		t.Errorf("second apply calls (-want +got):\n%s", d)
	}

	if err := a.Undo(bg, step); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"AKIAAAAAAAAAAAAAAAA1": "Active", "AKIAAAAAAAAAAAAAAAA2": "Active"}, keyStatuses(srv, "alice")); d != "" {
		t.Errorf("keys after undo (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"iam:UpdateAccessKey": 1}, srv.Calls()); d != "" {
		t.Errorf("undo calls (-want +got):\n%s", d)
	}
}

func TestActionsAgainstFake(t *testing.T) {
	arn := "arn:aws:iam::" + acct + ":user/alice"
	tests := []struct {
		name      string
		mutate    func(*awsfake.User) // live state differs from the snapshot
		finding   finding.Finding
		action    remediate.Action
		want      remediate.Outcome // StepID filled in
		wantCalls map[string]int
		check     func(t *testing.T, u *awsfake.User)
		undoCalls map[string]int
		undone    func(t *testing.T, u *awsfake.User)
	}{
		{name: "a key used since the snapshot is skipped",
			mutate:  func(u *awsfake.User) { u.AccessKeys[1].LastUsed = recent },
			finding: finding.Finding{CheckID: "K", Principal: arn, Qualifier: "access_key_2"}, action: remediate.ActDeactivateAccessKey,
			want:      remediate.Outcome{State: remediate.StateSkipped, Detail: "key AKIAAAAAAAAAAAAAAAA2 was used at " + recent.Format(time.RFC3339) + ", after the snapshot: no longer stale"},
			wantCalls: map[string]int{"iam:ListAccessKeys": 1, "iam:GetAccessKeyLastUsed": 1},
			check: func(t *testing.T, u *awsfake.User) {
				if u.AccessKeys[1].Status != "Active" {
					t.Error("key deactivated")
				}
			}},
		{name: "a replaced key is already gone and the new key is not touched",
			mutate: func(u *awsfake.User) {
				u.AccessKeys[1] = awsfake.AccessKey{ID: "AKIAAAAAAAAAAAAAAAA3", Status: "Active", Created: now.Add(-time.Minute)}
			},
			finding: finding.Finding{CheckID: "K", Principal: arn, Qualifier: "access_key_2"}, action: remediate.ActDeleteAccessKey,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "access_key_2 of alice (created 2025-03-01T11:00:00Z) no longer exists"},
			wantCalls: map[string]int{"iam:ListAccessKeys": 1},
			check: func(t *testing.T, u *awsfake.User) {
				if len(u.AccessKeys) != 2 {
					t.Errorf("keys = %+v", u.AccessKeys)
				}
			}},
		{name: "delete the stale key",
			finding: finding.Finding{CheckID: "K", Principal: arn, Qualifier: "access_key_2"}, action: remediate.ActDeleteAccessKey,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "delete key AKIAAAAAAAAAAAAAAAA2 (access_key_2) of alice"},
			wantCalls: map[string]int{"iam:ListAccessKeys": 2, "iam:GetAccessKeyLastUsed": 1, "iam:DeleteAccessKey": 1},
			check: func(t *testing.T, u *awsfake.User) {
				if len(u.AccessKeys) != 1 || u.AccessKeys[0].ID != "AKIAAAAAAAAAAAAAAAA1" {
					t.Errorf("keys = %+v", u.AccessKeys)
				}
			}},
		{name: "no console login is already gone",
			mutate:  func(u *awsfake.User) { u.PasswordEnabled = false },
			finding: finding.Finding{CheckID: "P", Principal: arn, Qualifier: "password"}, action: remediate.ActRemoveConsoleLogin,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "user alice has no console password"},
			wantCalls: map[string]int{"iam:GetLoginProfile": 1}},
		{name: "quarantine with a deny-all policy",
			finding: finding.Finding{CheckID: "Q", Principal: arn}, action: remediate.ActQuarantine,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "put deny-all policy provost-quarantine on alice"},
			wantCalls: map[string]int{"iam:ListUserPolicies": 2, "iam:PutUserPolicy": 1},
			check: func(t *testing.T, u *awsfake.User) {
				want := `{"Version":"2012-10-17","Statement":[{"Sid":"ProvostQuarantine","Effect":"Deny","Action":"*","Resource":"*"}]}`
				if d := cmp.Diff(map[string]string{"provost-quarantine": want}, u.InlinePolicies); d != "" {
					t.Errorf("inline policies (-want +got):\n%s", d)
				}
			},
			undoCalls: map[string]int{"iam:DeleteUserPolicy": 1},
			undone: func(t *testing.T, u *awsfake.User) {
				if len(u.InlinePolicies) != 0 {
					t.Errorf("inline policies = %v", u.InlinePolicies)
				}
			}},
		{name: "remove from one group only",
			finding: finding.Finding{CheckID: "G", Principal: arn, Qualifier: "arn:aws:iam::" + acct + ":group/admins"}, action: remediate.ActRemoveFromGroup,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "remove alice from group admins"},
			wantCalls: map[string]int{"iam:ListGroupsForUser": 2, "iam:RemoveUserFromGroup": 1},
			check: func(t *testing.T, u *awsfake.User) {
				if d := cmp.Diff([]string{"devs"}, u.Groups); d != "" {
					t.Errorf("groups (-want +got):\n%s", d)
				}
			}},
		{name: "detach a managed policy",
			finding: finding.Finding{CheckID: "D", Principal: arn, Qualifier: "arn:aws:iam::aws:policy/AdministratorAccess"}, action: remediate.ActDetachPolicy,
			want:      remediate.Outcome{State: remediate.StateDone, Detail: "detach arn:aws:iam::aws:policy/AdministratorAccess from alice"},
			wantCalls: map[string]int{"iam:ListAttachedUserPolicies": 2, "iam:DetachUserPolicy": 1},
			check: func(t *testing.T, u *awsfake.User) {
				if len(u.AttachedPolicies) != 0 {
					t.Errorf("attached = %v", u.AttachedPolicies)
				}
			},
			undoCalls: map[string]int{"iam:AttachUserPolicy": 1},
			undone: func(t *testing.T, u *awsfake.User) {
				if d := cmp.Diff([]string{"arn:aws:iam::aws:policy/AdministratorAccess"}, u.AttachedPolicies); d != "" {
					t.Errorf("attached after undo (-want +got):\n%s", d)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snapUser, live := alice(), alice()
			if tc.mutate != nil {
				tc.mutate(live)
			}
			srv := startFake(t, live)
			db, _ := openStore(t)
			f := open(tc.finding)
			pol, plan := planFor(t, snapshotOf(acct, snapUser), []finding.Finding{f}, rule(f.CheckID, tc.action))
			a := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey))
			srv.ResetCalls()
			out, err := a.Apply(bg, plan, facts(plan))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.StepID = plan.Steps[0].ID
			if d := cmp.Diff([]remediate.Outcome{want}, out); d != "" {
				t.Errorf("outcomes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantCalls, srv.Calls()); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
			if tc.check != nil {
				tc.check(t, findUser(srv.Organization(), "alice"))
			}
			if tc.undone == nil {
				return
			}
			srv.ResetCalls()
			if err := a.Undo(bg, plan.Steps[0].ID); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.undoCalls, srv.Calls()); d != "" {
				t.Errorf("undo calls (-want +got):\n%s", d)
			}
			tc.undone(t, findUser(srv.Organization(), "alice"))
		})
	}
}

// TestMarkTagsTheUser: the first sight of a finding tags the user and starts the grace period.
func TestMarkTagsTheUser(t *testing.T) {
	u := alice()
	srv := startFake(t, u)
	db, _ := openStore(t)
	f := open(finding.Finding{CheckID: "K", Principal: "arn:aws:iam::" + acct + ":user/alice", Qualifier: "access_key_2"})
	pol := &remediate.Policy{Rules: []remediate.Rule{rule("K", remediate.ActDeactivateAccessKey)}, MaxActions: 1, MaxPercent: 100}
	plan, err := remediate.MakePlan(pol, snapshotOf(acct, u), []finding.Finding{f}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	a := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey))
	srv.ResetCalls()
	if _, err := a.Apply(bg, plan, facts(plan)); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"provost:marked-for": "deactivate_access_key"}, findUser(srv.Organization(), "alice").Tags); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"iam:ListUserTags": 2, "iam:TagUser": 1}, srv.Calls()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	marks, err := remediate.Marks(db)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]remediate.Mark{remediate.MarkKey(f.ID, remediate.ActDeactivateAccessKey): {FindingID: f.ID, Action: remediate.ActDeactivateAccessKey,
		Principal: "arn:aws:iam::" + acct + ":user/alice", MarkedAt: now}}
	if d := cmp.Diff(want, marks); d != "" {
		t.Errorf("marks (-want +got):\n%s", d)
	}
	// Inside the grace period the next plan has nothing to do.
	next, err := remediate.MakePlan(pol, snapshotOf(acct, u), []finding.Finding{f}, marks, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Steps) != 0 {
		t.Errorf("steps inside grace: %+v", next.Steps)
	}
}

// TestDryRunChangesNothing: targets and store byte-for-byte unchanged, no write call made.
func TestDryRunChangesNothing(t *testing.T) {
	u := alice()
	srv := startFake(t, u)
	db, path := openStore(t)
	arn := "arn:aws:iam::" + acct + ":user/alice"
	fs := []finding.Finding{
		open(finding.Finding{CheckID: "K", Principal: arn, Qualifier: "access_key_2"}),
		open(finding.Finding{CheckID: "Q", Principal: arn}),
		open(finding.Finding{CheckID: "G", Principal: arn, Qualifier: "admins"}),
	}
	pol, plan := planFor(t, snapshotOf(acct, u), fs, rule("K", remediate.ActDeactivateAccessKey), rule("Q", remediate.ActQuarantine), rule("G", remediate.ActRemoveFromGroup))
	if err := db.PutJournalEntry(bg, "a-earlier", []byte(`{"state":"done"}`)); err != nil {
		t.Fatal(err)
	}
	beforeDB, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	beforeOrg := srv.Organization()
	a := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey))
	a.DryRun = true
	srv.ResetCalls()
	out, err := a.Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("outcomes = %+v", out)
	}
	for _, o := range out {
		if o.State != remediate.StateWouldAct {
			t.Errorf("outcome %+v, want would_act", o)
		}
	}
	afterDB, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(beforeDB, afterDB) {
		t.Error("dry run changed the store file")
	}
	if d := cmp.Diff(beforeOrg, srv.Organization()); d != "" {
		t.Errorf("dry run changed the target (-before +after):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"iam:ListAccessKeys": 1, "iam:GetAccessKeyLastUsed": 1, "iam:ListUserPolicies": 1, "iam:ListGroupsForUser": 1}, srv.Calls()); d != "" {
		t.Errorf("dry run calls (-want +got):\n%s", d)
	}
}

// TestDeletionPhaseNeedsTheKeyStillInactive: after the second period, the key is deleted only if
// it is still inactive; a key someone reactivated is left alone.
func TestDeletionPhaseNeedsTheKeyStillInactive(t *testing.T) {
	for _, tc := range []struct {
		status    string
		want      remediate.State
		wantCalls map[string]int
		keys      int
	}{
		{awsfake.KeyInactive, remediate.StateDone, map[string]int{"iam:ListAccessKeys": 2, "iam:GetAccessKeyLastUsed": 1, "iam:DeleteAccessKey": 1}, 1},
		{awsfake.KeyActive, remediate.StateSkipped, map[string]int{"iam:ListAccessKeys": 1}, 2},
	} {
		t.Run(tc.status, func(t *testing.T) {
			snapUser, live := alice(), alice()
			live.AccessKeys[1].Status = tc.status
			srv := startFake(t, live)
			db, _ := openStore(t)
			f := open(finding.Finding{CheckID: "K", Principal: "arn:aws:iam::" + acct + ":user/alice", Qualifier: "access_key_2"})
			r := rule("K", remediate.ActDeactivateAccessKey)
			r.DeleteAction, r.DeleteAfter = remediate.ActDeleteAccessKey, 20*24*time.Hour
			pol, plan := planFor(t, snapshotOf(acct, snapUser), []finding.Finding{f}, r)
			if len(plan.Steps) != 1 || plan.Steps[0].Phase != remediate.PhaseDelete {
				t.Fatalf("steps = %+v", plan.Steps)
			}
			a := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey))
			srv.ResetCalls()
			out, err := a.Apply(bg, plan, facts(plan))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || out[0].State != tc.want {
				t.Errorf("outcomes = %+v, want %s", out, tc.want)
			}
			if d := cmp.Diff(tc.wantCalls, srv.Calls()); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
			if n := len(findUser(srv.Organization(), "alice").AccessKeys); n != tc.keys {
				t.Errorf("%d keys left, want %d", n, tc.keys)
			}
		})
	}
}

// TestTwoKeysOfTheSameSecondAreNotGuessed: the slot cannot be told apart by creation time, so
// the step fails and no key changes.
func TestTwoKeysOfTheSameSecondAreNotGuessed(t *testing.T) {
	snapUser, live := alice(), alice()
	live.AccessKeys[0].Created = live.AccessKeys[1].Created
	srv := startFake(t, live)
	db, _ := openStore(t)
	f := open(finding.Finding{CheckID: "K", Principal: "arn:aws:iam::" + acct + ":user/alice", Qualifier: "access_key_2"})
	pol, plan := planFor(t, snapshotOf(acct, snapUser), []finding.Finding{f}, rule("K", remediate.ActDeactivateAccessKey))
	_, err := applier(pol, db, iamClient(srv.URL(), awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey)).Apply(bg, plan, facts(plan))
	want := "step " + plan.Steps[0].ID + " (deactivate_access_key on arn:aws:iam::111111111111:user/alice): re-read live state: access_key_2 of alice: " +
		"keys AKIAAAAAAAAAAAAAAAA1 and AKIAAAAAAAAAAAAAAAA2 were both created at 2025-03-01T11:00:00Z; refusing to guess which one the snapshot saw"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if d := cmp.Diff(map[string]string{"AKIAAAAAAAAAAAAAAAA1": "Active", "AKIAAAAAAAAAAAAAAAA2": "Active"}, keyStatuses(srv, "alice")); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
}
