package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/store"
)

const (
	dAcct   = "111122223333"
	dAlice  = "arn:aws:iam::111122223333:user/alice"
	dBob    = "arn:aws:iam::111122223333:user/bob"
	dCI     = "arn:aws:iam::111122223333:role/ci"
	dAdmin  = "arn:aws:iam::aws:policy/AdministratorAccess"
	dRead   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	dGCPUsr = "gcp:user:grace@corp.example"
)

// driftSnapshots are three nights of a small estate: on the second alice gains admin and loses
// MFA, bob appears and a person moves; on the third the AWS account could not be read, and alice
// is missing from it.
func driftSnapshots() []*inventory.Snapshot {
	day := func(n int) time.Time { return time.Date(2026, 3, n, 2, 0, 0, 0, time.UTC) }
	cov := func(aws inventory.CoverageStatus) []inventory.Coverage {
		return []inventory.Coverage{
			{Source: "aws-prod", Provider: inventory.ProviderAWS, Scope: dAcct, Status: aws},
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "projects/claims", Status: inventory.CoverageComplete},
			{Source: "hr", Provider: inventory.ProviderHR, Scope: "file:people.csv", Status: inventory.CoverageComplete},
		}
	}
	alice := func(mfa bool, grants ...inventory.Grant) inventory.Principal {
		return inventory.Principal{ID: dAlice, Provider: inventory.ProviderAWS, Account: dAcct, Kind: inventory.KindUser,
			Name: "alice", MFA: mfa, Console: true, PersonID: "hr:E1", Grants: grants}
	}
	read := inventory.Grant{What: dRead, Where: dAcct, Via: "direct", Privilege: inventory.PrivilegeRead}
	adm := inventory.Grant{What: dAdmin, Where: dAcct, Via: "direct", Privilege: inventory.PrivilegeAdmin}
	ci := inventory.Principal{ID: dCI, Provider: inventory.ProviderAWS, Account: dAcct, Kind: inventory.KindRole, Name: "ci",
		Grants: []inventory.Grant{adm}}
	bob := inventory.Principal{ID: dBob, Provider: inventory.ProviderAWS, Account: dAcct, Kind: inventory.KindUser, Name: "bob",
		Disabled: true, Grants: []inventory.Grant{read}}
	grace := inventory.Principal{ID: dGCPUsr, Provider: inventory.ProviderGCP, Account: "projects/claims", Kind: inventory.KindUser,
		Name: "grace@corp.example", Grants: []inventory.Grant{{What: "roles/owner", Where: "projects/claims", Via: "direct", Privilege: inventory.PrivilegeAdmin}}}
	people := func(eveDept string) []inventory.Person {
		return []inventory.Person{
			{ID: "hr:E1", Source: "hr", Name: "Alice Adams", Department: "Platform", Status: inventory.PersonActive},
			{ID: "hr:E2", Source: "hr", Name: "Eve <b>|*x*", Department: eveDept, Status: inventory.PersonActive},
		}
	}
	return []*inventory.Snapshot{
		{ID: "s1", StartedAt: day(1), FinishedAt: day(1).Add(time.Minute), Coverage: cov(inventory.CoverageComplete),
			Principals: []inventory.Principal{alice(true, read), ci, grace}, People: people("Sales")},
		{ID: "s2", StartedAt: day(2), FinishedAt: day(2).Add(time.Minute), Coverage: cov(inventory.CoverageComplete),
			Principals: []inventory.Principal{alice(false, read, adm), bob, ci, grace}, People: people("Sales | EMEA")},
		{ID: "s3", StartedAt: day(3), FinishedAt: day(3).Add(time.Minute), Coverage: cov(inventory.CoverageFailed),
			Principals: []inventory.Principal{bob, ci, grace}, People: people("Sales | EMEA")},
	}
}

// driftDB writes the snapshots into a new database and returns its directory and path.
func driftDB(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "provost.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range driftSnapshots() {
		if err := db.PutSnapshot(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

func TestDriftCommands(t *testing.T) {
	dir, db := driftDB(t)
	tests := []struct {
		name string
		args []string
		want string // the whole of stdout
	}{
		{"diff previous to latest", []string{"diff"}, `From s2 (2026-03-02 02:00:00Z) to s3 (2026-03-03 02:00:00Z): 2 changes

KIND                SUBJECT                               ACCOUNT       CHANGE
coverage_changed    aws-prod 111122223333                 -             source aws-prod scope 111122223333: complete → failed
principal_not_seen  arn:aws:iam::111122223333:user/alice  111122223333  user "alice" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed
`},
		{"diff two snapshots", []string{"diff", "s1", "s2"}, `From s1 (2026-03-01 02:00:00Z) to s2 (2026-03-02 02:00:00Z): 4 changes

KIND             SUBJECT                               ACCOUNT       CHANGE
mfa_removed      arn:aws:iam::111122223333:user/alice  111122223333  user "alice": MFA removed
grant_added      arn:aws:iam::111122223333:user/alice  111122223333  user "alice": granted arn:aws:iam::aws:policy/AdministratorAccess on 111122223333 (admin); escalation on 111122223333: read → admin
principal_added  arn:aws:iam::111122223333:user/bob    111122223333  user "bob" added in 111122223333
person_moved     hr:E2                                 -             person "Eve <b>|*x*" (hr:E2): department "Sales" → "Sales | EMEA"
`},
		{"diff one snapshot against the latest", []string{"diff", "s1"}, `From s1 (2026-03-01 02:00:00Z) to s3 (2026-03-03 02:00:00Z): 4 changes

KIND                SUBJECT                               ACCOUNT       CHANGE
coverage_changed    aws-prod 111122223333                 -             source aws-prod scope 111122223333: complete → failed
principal_not_seen  arn:aws:iam::111122223333:user/alice  111122223333  user "alice" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed
principal_added     arn:aws:iam::111122223333:user/bob    111122223333  user "bob" added in 111122223333
person_moved        hr:E2                                 -             person "Eve <b>|*x*" (hr:E2): department "Sales" → "Sales | EMEA"
`},
		{"markdown", []string{"diff", "s1", "s2", "--format", "markdown"}, `## Drift from s1 to s2

4 changes, from the snapshot started 2026-03-01 02:00:00Z to the one started 2026-03-02 02:00:00Z.

| Kind | Subject | Account | Change |
|---|---|---|---|
| mfa\_removed | arn:aws:iam::111122223333:user/alice | 111122223333 | user "alice": MFA removed |
| grant\_added | arn:aws:iam::111122223333:user/alice | 111122223333 | user "alice": granted arn:aws:iam::aws:policy/AdministratorAccess on 111122223333 (admin); escalation on 111122223333: read → admin |
| principal\_added | arn:aws:iam::111122223333:user/bob | 111122223333 | user "bob" added in 111122223333 |
| person\_moved | hr:E2 | - | person "Eve \<b\>\|\*x\*" (hr:E2): department "Sales" → "Sales \| EMEA" |
`},
		{"history", []string{"history", dAlice}, `arn:aws:iam::111122223333:user/alice: in 2 of 3 snapshots, first seen in s1 (2026-03-01 02:00:00Z), last seen in s2 (2026-03-02 02:00:00Z); 3 changes

SNAPSHOT  STARTED               KIND                CHANGE
s2        2026-03-02 02:00:00Z  mfa_removed         user "alice": MFA removed
s2        2026-03-02 02:00:00Z  grant_added         user "alice": granted arn:aws:iam::aws:policy/AdministratorAccess on 111122223333 (admin); escalation on 111122223333: read → admin
s3        2026-03-03 02:00:00Z  principal_not_seen  user "alice" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed
`},
		{"history without changes", []string{"history", dCI},
			"arn:aws:iam::111122223333:role/ci: in 3 of 3 snapshots, first seen in s1 (2026-03-01 02:00:00Z), last seen in s3 (2026-03-03 02:00:00Z); 0 changes\n"},
		{"access on a day", []string{"access", "--at", "2026-03-02"}, `Access at the end of 2026-03-02 (UTC), from snapshot s2 (started 2026-03-02 02:00:00Z), the newest at or before then: 5 grants

PRINCIPAL                             KIND  PERSON  WHERE            WHAT                                         VIA     PRIVILEGE  STATE
arn:aws:iam::111122223333:role/ci     role  -       111122223333     arn:aws:iam::aws:policy/AdministratorAccess  direct  admin      active
arn:aws:iam::111122223333:user/alice  user  hr:E1   111122223333     arn:aws:iam::aws:policy/AdministratorAccess  direct  admin      active
arn:aws:iam::111122223333:user/alice  user  hr:E1   111122223333     arn:aws:iam::aws:policy/ReadOnlyAccess       direct  read       active
arn:aws:iam::111122223333:user/bob    user  -       111122223333     arn:aws:iam::aws:policy/ReadOnlyAccess       direct  read       disabled
gcp:user:grace@corp.example           user  -       projects/claims  roles/owner                                  direct  admin      active
`},
		{"access at an instant, admins of one account", []string{"access", "--at", "2026-03-02T01:59:59Z", "--account", dAcct, "--privilege", "admin"},
			`Access at 2026-03-02 01:59:59Z, from snapshot s1 (started 2026-03-01 02:00:00Z), the newest at or before then: 1 grant

PRINCIPAL                          KIND  PERSON  WHERE         WHAT                                         VIA     PRIVILEGE  STATE
arn:aws:iam::111122223333:role/ci  role  -       111122223333  arn:aws:iam::aws:policy/AdministratorAccess  direct  admin      active
`},
		{"access with incomplete coverage", []string{"access", "--at", "2026-04-01", "--privilege", "write", "--account", "projects/claims"},
			`Access at the end of 2026-04-01 (UTC), from snapshot s3 (started 2026-03-03 02:00:00Z), the newest at or before then: 1 grant
WARNING: coverage of that snapshot is INCOMPLETE (2 of 3 scopes): access in the scopes not seen completely may be missing.

PRINCIPAL                    KIND  PERSON  WHERE            WHAT         VIA     PRIVILEGE  STATE
gcp:user:grace@corp.example  user  -       projects/claims  roles/owner  direct  admin      active
`},
		{"access matching nothing", []string{"access", "--at", "2026-03-01", "--account", "999999999999"},
			"Access at the end of 2026-03-01 (UTC), from snapshot s1 (started 2026-03-01 02:00:00Z), the newest at or before then: 0 grants\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, dir, append(tt.args, "--db", db)...)
			if code != ExitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffJSON checks that `provost diff -o json` gives exactly drift.Diff's events for the
// same pair of snapshots.
func TestDiffJSON(t *testing.T) {
	dir, db := driftDB(t)
	snaps := driftSnapshots()
	for _, pair := range [][2]int{{0, 1}, {1, 2}, {0, 2}, {2, 0}} {
		prev, cur := snaps[pair[0]], snaps[pair[1]]
		t.Run(prev.ID+"-"+cur.ID, func(t *testing.T) {
			out, errOut, code := run(t, dir, "diff", prev.ID, cur.ID, "--db", db, "-o", "json")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got diffJSON
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			want, err := drift.Diff(prev, cur)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(diffJSON{From: snapshotRef{prev.ID, prev.StartedAt}, To: snapshotRef{cur.ID, cur.StartedAt}, Events: want}, got); diff != "" {
				t.Errorf("diff -o json (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHistoryAndAccessJSON(t *testing.T) {
	dir, db := driftDB(t)
	out, errOut, code := run(t, dir, "history", dBob, "--db", db, "-o", "json")
	if code != ExitOK {
		t.Fatalf("history: exit %d: %s", code, errOut)
	}
	var h historyJSON
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	day2 := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	bobEvent := drift.Event{Kind: drift.PrincipalAdded, Principal: dBob, PrincipalKind: inventory.KindUser, Name: "bob",
		Account: dAcct, Provider: inventory.ProviderAWS, Message: `user "bob" added in 111122223333`}
	want := historyJSON{Principal: dBob, Snapshots: 3, PresentIn: 2, FirstSeen: snapshotRef{"s2", day2},
		LastSeen: snapshotRef{"s3", day2.AddDate(0, 0, 1)}, Changes: []historyEvent{{Snapshot: "s2", StartedAt: day2, Event: bobEvent}}}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("history -o json (-want +got):\n%s", diff)
	}

	out, errOut, code = run(t, dir, "access", "--at", "2026-03-03", "--privilege", "admin", "--account", dAcct, "--db", db, "-o", "json")
	if code != ExitOK {
		t.Fatalf("access: exit %d: %s", code, errOut)
	}
	var acc accessJSON
	if err := json.Unmarshal([]byte(out), &acc); err != nil {
		t.Fatal(err)
	}
	s3 := driftSnapshots()[2]
	wantAcc := accessJSON{
		At:       time.Date(2026, 3, 3, 23, 59, 59, 999999999, time.UTC),
		Snapshot: snapshotRef{"s3", s3.StartedAt}, CoverageComplete: false, Coverage: s3.Coverage,
		Access: []accessRow{{Principal: dCI, Kind: inventory.KindRole, Name: "ci", Account: dAcct, Provider: inventory.ProviderAWS,
			Grant: inventory.Grant{What: dAdmin, Where: dAcct, Via: "direct", Privilege: inventory.PrivilegeAdmin}}},
	}
	if diff := cmp.Diff(wantAcc, acc); diff != "" {
		t.Errorf("access -o json (-want +got):\n%s", diff)
	}
}

func TestDriftCommandErrors(t *testing.T) {
	dir, db := driftDB(t)
	empty := filepath.Join(dir, "empty.db")
	edb, err := store.Open(empty, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := edb.Close(); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "one.db")
	odb, err := store.Open(one, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := odb.PutSnapshot(context.Background(), driftSnapshots()[0]); err != nil {
		t.Fatal(err)
	}
	if err := odb.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string // the whole of stderr
	}{
		{"unknown snapshot", []string{"diff", "nope", "--db", db}, ExitFailure,
			"provost: no snapshot \"nope\" in " + db + " (see `provost snapshots list`)\n"},
		{"same snapshot twice", []string{"diff", "s2", "previous", "--db", db}, ExitUsage,
			"provost: FROM and TO are both snapshot s2: nothing to compare\n"},
		{"three snapshots", []string{"diff", "s1", "s2", "s3", "--db", db}, ExitUsage,
			"provost: provost diff takes at most two snapshots (FROM and TO), got 3\n"},
		{"bad format", []string{"diff", "--format", "yaml", "--db", db}, ExitUsage,
			"provost: invalid --format \"yaml\": want table, json or markdown\n"},
		{"empty database", []string{"diff", "--db", empty}, ExitFailure,
			"provost: no snapshots in " + empty + " yet: run `provost scan` first\n"},
		{"one snapshot only", []string{"diff", "--db", one}, ExitFailure,
			"provost: only one snapshot in " + one + ": there is no previous one\n"},
		{"history in an empty database", []string{"history", dAlice, "--db", empty}, ExitFailure,
			"provost: no snapshots in " + empty + " yet: run `provost scan` first\n"},
		{"access in an empty database", []string{"access", "--at", "2026-03-03", "--db", empty}, ExitFailure,
			"provost: no snapshots in " + empty + " yet: run `provost scan` first\n"},
		{"history of a stranger", []string{"history", "arn:aws:iam::1:user/nobody", "--db", db}, ExitFailure,
			"provost: principal \"arn:aws:iam::1:user/nobody\" is in none of the 3 snapshots in " + db + "\n"},
		{"history without a principal", []string{"history", "--db", db}, ExitUsage,
			"provost: provost history takes 1 argument(s), got 0\n"},
		{"access without --at", []string{"access", "--db", db}, ExitUsage,
			"provost: --at is required: a date as RFC 3339 (2026-03-03T12:00:00Z) or YYYY-MM-DD\n"},
		{"access with a bad date", []string{"access", "--at", "03/03/2026", "--db", db}, ExitUsage,
			"provost: invalid --at \"03/03/2026\": want RFC 3339 (2026-03-03T12:00:00Z) or YYYY-MM-DD\n"},
		{"access with a bad privilege", []string{"access", "--at", "2026-03-03", "--privilege", "root", "--db", db}, ExitUsage,
			"provost: invalid --privilege \"root\": want read, write or admin\n"},
		{"access before the first snapshot", []string{"access", "--at", "2026-02-28", "--db", db}, ExitFailure,
			"provost: no snapshot at or before the end of 2026-02-28 (UTC): the oldest in " + db + ", s1, started 2026-03-01 02:00:00Z\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if diff := cmp.Diff(tt.want, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}
