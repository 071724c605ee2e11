package drift_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/inventory"
)

type opt func(*drift.Event)

func ev(k drift.Kind, p inventory.Principal, msg string, opts ...opt) drift.Event {
	e := drift.Event{Kind: k, Principal: p.ID, PrincipalKind: p.Kind, Name: p.Name, Account: p.Account,
		Provider: p.Provider, Person: p.PersonID, Message: msg}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func personEv(k drift.Kind, p inventory.Person, msg string, opts ...opt) drift.Event {
	e := drift.Event{Kind: k, Person: p.ID, Name: p.Name, Source: p.Source, Message: msg}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func covEv(source string, p inventory.Provider, scope string, before, after inventory.CoverageStatus, msg string) drift.Event {
	return drift.Event{Kind: drift.CoverageChanged, Provider: p, Source: source, Scope: scope,
		Before: string(before), After: string(after), Message: msg}
}

func ba(before, after string) opt { return func(e *drift.Event) { e.Before, e.After = before, after } }
func field(f string) opt          { return func(e *drift.Event) { e.Field = f } }
func escalation() opt             { return func(e *drift.Event) { e.Escalation = true } }
func uncertain() opt              { return func(e *drift.Event) { e.Uncertain = true } }
func cred(c inventory.Credential) opt {
	return func(e *drift.Event) { e.Credential, e.Field = &c, c.ID }
}
func grant(g inventory.Grant) opt {
	return func(e *drift.Event) { e.Grant, e.Scope = &g, g.Where }
}

func person(id string) inventory.Person {
	for _, p := range people() {
		if p.ID == id {
			return p
		}
	}
	panic(id)
}

// diffCase is a before/after pair of fixture snapshots and the exact events between them.
type diffCase struct {
	name      string
	prev, cur []func(*inventory.Snapshot)
	want      []drift.Event
}

func diffCases() []diffCase {
	a, g := alice(), grace()
	mfa := inventory.Credential{Kind: inventory.CredMFA, ID: "arn:aws:iam::111122223333:mfa/alice", Status: inventory.CredActive, CreatedAt: rotated}
	key1 := a.Credentials[1]
	key2 := a.Credentials[2]
	adminGrant := inventory.Grant{What: admin, Where: acct, Via: "direct", Privilege: inventory.PrivilegeAdmin}
	s3 := a.Grants[1]
	editor, viewer := g.Grants[0], g.Grants[1]
	browser := inventory.Grant{What: "roles/browser", Where: project, Via: "direct", Privilege: inventory.PrivilegeRead}
	owner := inventory.Grant{What: "roles/owner", Where: project, Via: "direct", Privilege: inventory.PrivilegeAdmin}
	dan := inventory.Person{ID: "hr:E4", Source: "hr", Name: "Dan Do", Department: "Sales", Status: inventory.PersonActive}
	awsGone := func(s *inventory.Snapshot) {
		drop(aliceID)(s)
		drop(ciID)(s)
	}

	return []diffCase{
		{
			name: "activity only is no event",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.LastActivity = p.LastActivity.Add(24 * time.Hour)
				p.Credentials[1].LastUsed = t0
				p.Tags = map[string]string{"team": "platform"}
			})},
		},
		{
			name: "principal added",
			cur:  []func(*inventory.Snapshot){add(bob())},
			want: []drift.Event{ev(drift.PrincipalAdded, bob(), `user "bob" added in 111122223333`)},
		},
		{
			name: "principal removed",
			cur:  []func(*inventory.Snapshot){drop(aliceID)},
			want: []drift.Event{ev(drift.PrincipalRemoved, a, `user "alice" removed from 111122223333`)},
		},
		{
			name: "principal disabled",
			cur:  []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.Disabled = true })},
			want: []drift.Event{ev(drift.PrincipalDisabled, a, `user "alice" disabled`, ba("enabled", "disabled"))},
		},
		{
			name: "principal re-enabled",
			prev: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.Disabled = true })},
			want: []drift.Event{ev(drift.PrincipalReenabled, a, `user "alice" re-enabled`, ba("disabled", "enabled"))},
		},
		{
			name: "credential created",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Credentials = append(p.Credentials, mfa)
			})},
			want: []drift.Event{ev(drift.CredentialCreated, a, `user "alice": mfa_device arn:aws:iam::111122223333:mfa/alice created`,
				cred(mfa), ba("", "active"))},
		},
		{
			name: "credential deleted",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Credentials = p.Credentials[:2]
			})},
			want: []drift.Event{ev(drift.CredentialDeleted, a, `user "alice": access_key access_key_2 deleted`,
				cred(key2), ba("inactive", ""))},
		},
		{
			name: "credential activated",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Credentials[2].Status = inventory.CredActive
			})},
			want: []drift.Event{ev(drift.CredentialActivated, a, `user "alice": access_key access_key_2 activated (inactive → active)`,
				cred(func() inventory.Credential { c := key2; c.Status = inventory.CredActive; return c }()), ba("inactive", "active"))},
		},
		{
			name: "credential deactivated",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Credentials[1].Status = inventory.CredInactive
			})},
			want: []drift.Event{ev(drift.CredentialDeactivated, a, `user "alice": access_key access_key_1 deactivated (active → inactive)`,
				cred(func() inventory.Credential { c := key1; c.Status = inventory.CredInactive; return c }()), ba("active", "inactive"))},
		},
		{
			name: "access key slot rotated",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Credentials[1].CreatedAt = rotated
			})},
			want: []drift.Event{
				ev(drift.CredentialCreated, a, `user "alice": access_key access_key_1 created`,
					cred(func() inventory.Credential { c := key1; c.CreatedAt = rotated; return c }()), ba("", "active")),
				ev(drift.CredentialDeleted, a, `user "alice": access_key access_key_1 deleted`, cred(key1), ba("active", "")),
			},
		},
		{
			name: "MFA added",
			prev: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.MFA = false })},
			want: []drift.Event{ev(drift.MFAAdded, a, `user "alice": MFA enabled`, ba("false", "true"))},
		},
		{
			name: "MFA removed",
			cur:  []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.MFA = false })},
			want: []drift.Event{ev(drift.MFARemoved, a, `user "alice": MFA removed`, ba("true", "false"))},
		},
		{
			name: "console access added",
			prev: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.Console = false })},
			want: []drift.Event{ev(drift.ConsoleAdded, a, `user "alice": console access added`, ba("false", "true"))},
		},
		{
			name: "console access removed",
			cur:  []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) { p.Console = false })},
			want: []drift.Event{ev(drift.ConsoleRemoved, a, `user "alice": console access removed`, ba("true", "false"))},
		},
		{
			name: "grant added with escalation",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Grants = append(p.Grants, adminGrant)
			})},
			want: []drift.Event{ev(drift.GrantAdded, a,
				`user "alice": granted arn:aws:iam::aws:policy/AdministratorAccess on 111122223333 (admin); escalation on 111122223333: write → admin`,
				grant(adminGrant), ba("write", "admin"), escalation())},
		},
		{
			name: "grant added below the highest privilege",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Grants = append(p.Grants, inventory.Grant{What: readAll, Where: acct, Via: "direct", Privilege: inventory.PrivilegeRead})
			})},
			want: []drift.Event{ev(drift.GrantAdded, a, `user "alice": granted arn:aws:iam::aws:policy/ReadOnlyAccess on 111122223333 (read)`,
				grant(inventory.Grant{What: readAll, Where: acct, Via: "direct", Privilege: inventory.PrivilegeRead}), ba("write", "write"))},
		},
		{
			// Already admin in one account, admin in another is still an escalation there.
			name: "escalation is per scope",
			prev: []func(*inventory.Snapshot){add(bob())},
			cur: []func(*inventory.Snapshot){add(func() inventory.Principal {
				b := bob()
				b.Grants = append(b.Grants, inventory.Grant{What: admin, Where: acct2, Via: "direct", Privilege: inventory.PrivilegeAdmin})
				return b
			}())},
			want: []drift.Event{ev(drift.GrantAdded, bob(),
				`user "bob": granted arn:aws:iam::aws:policy/AdministratorAccess on 444455556666 (admin); escalation on 444455556666: none → admin`,
				grant(inventory.Grant{What: admin, Where: acct2, Via: "direct", Privilege: inventory.PrivilegeAdmin}), ba("", "admin"), escalation())},
		},
		{
			name: "grant removed",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Grants = p.Grants[:1]
			})},
			want: []drift.Event{ev(drift.GrantRemoved, a,
				`user "alice": lost arn:aws:iam::aws:policy/AmazonS3FullAccess on 111122223333 (write); privilege on 111122223333: write → read`,
				grant(s3), ba("write", "read"))},
		},
		{
			name: "grant privilege rose when its policy changed",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Grants[1].Privilege = inventory.PrivilegeAdmin
			})},
			want: []drift.Event{
				ev(drift.GrantAdded, a,
					`user "alice": granted arn:aws:iam::aws:policy/AmazonS3FullAccess on 111122223333 (admin); escalation on 111122223333: write → admin`,
					grant(inventory.Grant{What: s3Full, Where: acct, Via: "direct", Privilege: inventory.PrivilegeAdmin}), ba("write", "admin"), escalation()),
				ev(drift.GrantRemoved, a,
					`user "alice": lost arn:aws:iam::aws:policy/AmazonS3FullAccess on 111122223333 (write); privilege on 111122223333: write → admin`,
					grant(s3), ba("write", "admin")),
			},
		},
		{
			name: "group added",
			cur: []func(*inventory.Snapshot){edit(aliceID, func(p *inventory.Principal) {
				p.Groups = append(p.Groups, ops)
			})},
			want: []drift.Event{ev(drift.GroupAdded, a, `user "alice": added to group arn:aws:iam::111122223333:group/Ops`, field(ops), ba("", ops))},
		},
		{
			name: "group removed with its grant",
			cur: []func(*inventory.Snapshot){edit(graceID, func(p *inventory.Principal) {
				p.Groups = nil
				p.Grants = p.Grants[1:]
			})},
			want: []drift.Event{
				ev(drift.GrantRemoved, g, `user "grace@corp.example": lost roles/editor on projects/claims via group:gcp:group:eng@corp.example (write); privilege on projects/claims: write → read`,
					grant(editor), ba("write", "read")),
				ev(drift.GroupRemoved, g, `user "grace@corp.example": removed from group gcp:group:eng@corp.example`, field(eng), ba(eng, "")),
			},
		},
		{
			name: "person joined",
			cur:  []func(*inventory.Snapshot){func(s *inventory.Snapshot) { s.People = append(s.People, dan) }},
			want: []drift.Event{personEv(drift.PersonJoined, dan, `person "Dan Do" (hr:E4) joined Sales`, ba("", "active"))},
		},
		{
			name: "person left",
			cur:  []func(*inventory.Snapshot){dropPerson("hr:E3")},
			want: []drift.Event{personEv(drift.PersonLeft, person("hr:E3"), `person "Carol Chen" (hr:E3) left: no longer in hr`, ba("active", ""))},
		},
		{
			name: "person moved",
			cur: []func(*inventory.Snapshot){editPerson("hr:E1", func(p *inventory.Person) {
				p.Department, p.Manager, p.Title = "Finance", "", "Engineer"
			})},
			want: []drift.Event{
				personEv(drift.PersonMoved, person("hr:E1"), `person "Alice Adams" (hr:E1): department "Platform" → "Finance"`, field("department"), ba("Platform", "Finance")),
				personEv(drift.PersonMoved, person("hr:E1"), `person "Alice Adams" (hr:E1): manager "hr:E3" → none`, field("manager"), ba("hr:E3", "")),
			},
		},
		{
			name: "person status changed",
			cur: []func(*inventory.Snapshot){editPerson("hr:E1", func(p *inventory.Person) {
				p.Status, p.EndDate = inventory.PersonTerminated, t0
			})},
			want: []drift.Event{personEv(drift.PersonStatusChanged, person("hr:E1"),
				`person "Alice Adams" (hr:E1): status active → terminated, end date 2026-03-01`, ba("active", "terminated"))},
		},
		{
			name: "coverage changed",
			cur:  []func(*inventory.Snapshot){setCoverage("gcp", project, inventory.CoveragePartial, inventory.ErrPermissionDenied)},
			want: []drift.Event{covEv("gcp", inventory.ProviderGCP, project, "complete", "partial",
				"source gcp scope projects/claims: complete → partial (permission_denied)")},
		},

		// A missing fact in a scope not seen whole is not a removal.
		{
			name: "failed account: missing principals are not removed",
			cur:  []func(*inventory.Snapshot){setCoverage("aws-prod", acct, inventory.CoverageFailed, inventory.ErrThrottled), awsGone},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct, "complete", "failed", "source aws-prod scope 111122223333: complete → failed (throttled)"),
				ev(drift.PrincipalNotSeen, ci(), `role "ci-deploy" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed`, ba("present", "")),
				ev(drift.PrincipalNotSeen, a, `user "alice" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed`, ba("present", "")),
			},
		},
		{
			name: "source stopped answering",
			cur:  []func(*inventory.Snapshot){sourceFailed("aws-prod", inventory.ErrUnavailable), awsGone, drop(markID)},
			want: []drift.Event{
				covEv("aws-prod", "", "", "", "failed", "source aws-prod: newly reported, failed (unavailable)"),
				covEv("aws-prod", inventory.ProviderAWS, acct, "complete", "", "source aws-prod scope 111122223333: complete, now not reported"),
				covEv("aws-prod", inventory.ProviderAWS, acct2, "complete", "", "source aws-prod scope 444455556666: complete, now not reported"),
				ev(drift.PrincipalNotSeen, ci(), `role "ci-deploy" not seen: 111122223333 was not reported in this snapshot, so it is not known to be removed`, ba("present", "")),
				ev(drift.PrincipalNotSeen, a, `user "alice" not seen: 111122223333 was not reported in this snapshot, so it is not known to be removed`, ba("present", "")),
				ev(drift.PrincipalNotSeen, mark(), `user "mark" not seen: 444455556666 was not reported in this snapshot, so it is not known to be removed`, ba("present", "")),
			},
		},
		{
			name: "partial account: losses dropped, gains kept",
			cur: []func(*inventory.Snapshot){
				setCoverage("aws-prod", acct, inventory.CoveragePartial, inventory.ErrPermissionDenied),
				edit(aliceID, func(p *inventory.Principal) {
					p.MFA, p.Console, p.Groups = false, false, nil
					p.Credentials = append(p.Credentials[1:2], mfa)
					p.Grants = nil
				}),
				edit(ciID, func(p *inventory.Principal) { p.Disabled = true }),
				add(bob()),
			},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct, "complete", "partial", "source aws-prod scope 111122223333: complete → partial (permission_denied)"),
				ev(drift.PrincipalDisabled, ci(), `role "ci-deploy" disabled`, ba("enabled", "disabled")),
				ev(drift.CredentialCreated, a, `user "alice": mfa_device arn:aws:iam::111122223333:mfa/alice created`, cred(mfa), ba("", "active")),
				ev(drift.PrincipalAdded, bob(), `user "bob" added in 111122223333`),
			},
		},
		{
			name: "GCP group expansion failed: group facts not removed",
			cur: []func(*inventory.Snapshot){
				setCoverage("gcp", "cloudidentity/groups", inventory.CoverageFailed, inventory.ErrPermissionDenied),
				edit(graceID, func(p *inventory.Principal) { p.Groups, p.Grants = nil, nil }),
			},
			want: []drift.Event{
				covEv("gcp", inventory.ProviderGCP, "cloudidentity/groups", "complete", "failed", "source gcp scope cloudidentity/groups: complete → failed (permission_denied)"),
				ev(drift.GrantRemoved, g, `user "grace@corp.example": lost roles/viewer on projects/claims (read); privilege on projects/claims: write → none`,
					grant(viewer), ba("write", "")),
			},
		},
		{
			name: "GCP group expansion failed: member not removed",
			cur: []func(*inventory.Snapshot){
				setCoverage("gcp", "cloudidentity/groups", inventory.CoverageFailed, inventory.ErrPermissionDenied),
				drop(graceID),
			},
			want: []drift.Event{
				covEv("gcp", inventory.ProviderGCP, "cloudidentity/groups", "complete", "failed", "source gcp scope cloudidentity/groups: complete → failed (permission_denied)"),
				ev(drift.PrincipalNotSeen, g, `user "grace@corp.example" not seen: cloudidentity/groups was failed in this snapshot, so it is not known to be removed`, ba("present", "")),
			},
		},
		{
			name: "failed project: user granted there not removed",
			cur:  []func(*inventory.Snapshot){setCoverage("gcp", project, inventory.CoverageFailed, inventory.ErrUnavailable), drop(graceID)},
			want: []drift.Event{
				covEv("gcp", inventory.ProviderGCP, project, "complete", "failed", "source gcp scope projects/claims: complete → failed (unavailable)"),
				ev(drift.PrincipalNotSeen, g, `user "grace@corp.example" not seen: projects/claims was failed in this snapshot, so it is not known to be removed`, ba("present", "")),
			},
		},
		// In a scope the current snapshot did not see whole a grant's privilege may be a guess
		// (a GCP role whose definition could not be read is rated by its name): a grant that
		// differs from a previous one only in privilege is unchanged there, neither gained nor
		// lost nor an escalation, while a grant the previous snapshot did not have still shows.
		{
			name: "partial project: a grant whose privilege alone changed is not drift",
			cur: []func(*inventory.Snapshot){
				setCoverage("gcp", project, inventory.CoveragePartial, inventory.ErrPermissionDenied),
				edit(graceID, func(p *inventory.Principal) {
					p.Grants[0].Privilege = inventory.PrivilegeRead  // editor via the group: write → read
					p.Grants[1].Privilege = inventory.PrivilegeAdmin // viewer: read → admin, not an escalation
					p.Grants = append(p.Grants, browser)
				}),
			},
			want: []drift.Event{
				covEv("gcp", inventory.ProviderGCP, project, "complete", "partial", "source gcp scope projects/claims: complete → partial (permission_denied)"),
				// The highest privilege there is still write: the viewer's guess is not counted.
				ev(drift.GrantAdded, g, `user "grace@corp.example": granted roles/browser on projects/claims (read)`, grant(browser), ba("write", "write")),
			},
		},
		{
			name: "partial project: a real gain is still an escalation",
			cur: []func(*inventory.Snapshot){
				setCoverage("gcp", project, inventory.CoveragePartial, inventory.ErrUnavailable),
				edit(graceID, func(p *inventory.Principal) {
					p.Grants[1].Privilege = inventory.PrivilegeWrite
					p.Grants = append(p.Grants, owner)
				}),
			},
			want: []drift.Event{
				covEv("gcp", inventory.ProviderGCP, project, "complete", "partial", "source gcp scope projects/claims: complete → partial (unavailable)"),
				ev(drift.GrantAdded, g, `user "grace@corp.example": granted roles/owner on projects/claims (admin); escalation on projects/claims: write → admin`,
					grant(owner), ba("write", "admin"), escalation()),
			},
		},
		{
			name: "partial account: a policy whose privilege alone changed is not drift",
			cur: []func(*inventory.Snapshot){
				setCoverage("aws-prod", acct, inventory.CoveragePartial, inventory.ErrPermissionDenied),
				edit(aliceID, func(p *inventory.Principal) { p.Grants[1].Privilege = inventory.PrivilegeAdmin }),
			},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct, "complete", "partial", "source aws-prod scope 111122223333: complete → partial (permission_denied)"),
			},
		},
		{
			name: "gains against an incomplete previous snapshot are uncertain",
			prev: []func(*inventory.Snapshot){
				setCoverage("aws-prod", acct, inventory.CoveragePartial, inventory.ErrThrottled),
				edit(aliceID, func(p *inventory.Principal) { p.MFA = false; p.Grants = p.Grants[:1] }),
			},
			cur: []func(*inventory.Snapshot){add(bob())},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct, "partial", "complete", "source aws-prod scope 111122223333: partial → complete"),
				ev(drift.MFAAdded, a, `user "alice": MFA enabled (uncertain: in the previous snapshot 111122223333 was partial)`, ba("false", "true"), uncertain()),
				ev(drift.GrantAdded, a, `user "alice": granted arn:aws:iam::aws:policy/AmazonS3FullAccess on 111122223333 (write); escalation on 111122223333: read → write (uncertain: in the previous snapshot 111122223333 was partial)`,
					grant(s3), ba("read", "write"), escalation(), uncertain()),
				ev(drift.PrincipalAdded, bob(), `user "bob" added in 111122223333 (uncertain: in the previous snapshot 111122223333 was partial)`, uncertain()),
			},
		},
		{
			name: "failed source of truth: no false leavers",
			cur:  []func(*inventory.Snapshot){setCoverage("hr", "file:people.csv", inventory.CoverageFailed, inventory.ErrInvalid), dropPerson("hr:E3")},
			want: []drift.Event{
				covEv("hr", inventory.ProviderHR, "file:people.csv", "complete", "failed", "source hr scope file:people.csv: complete → failed (invalid)"),
				personEv(drift.PersonNotSeen, person("hr:E3"), `person "Carol Chen" (hr:E3) not seen: source hr was failed in this snapshot, so they are not known to have left`, ba("active", "")),
			},
		},
		{
			name: "failed source of truth before: joiners uncertain",
			prev: []func(*inventory.Snapshot){setCoverage("hr", "file:people.csv", inventory.CoverageFailed, inventory.ErrInvalid), dropPerson("hr:E3")},
			want: []drift.Event{
				covEv("hr", inventory.ProviderHR, "file:people.csv", "failed", "complete", "source hr scope file:people.csv: failed → complete"),
				personEv(drift.PersonJoined, person("hr:E3"), `person "Carol Chen" (hr:E3) joined Platform (uncertain: the previous snapshot's source hr was failed)`, ba("", "active"), uncertain()),
			},
		},
		{
			// Everything else complete: an account no source mentions any more has left.
			name: "account no longer reported by a complete collection",
			cur: []func(*inventory.Snapshot){drop(markID), func(s *inventory.Snapshot) {
				s.Coverage = slices.DeleteFunc(s.Coverage, func(c inventory.Coverage) bool { return c.Scope == acct2 })
			}},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct2, "complete", "", "source aws-prod scope 444455556666: complete, now not reported"),
				ev(drift.PrincipalRemoved, mark(), `user "mark" removed from 444455556666`),
			},
		},
		{
			name: "account no longer reported while another scope failed",
			cur: []func(*inventory.Snapshot){drop(markID), setCoverage("gcp", project, inventory.CoverageFailed, inventory.ErrUnavailable), func(s *inventory.Snapshot) {
				s.Coverage = slices.DeleteFunc(s.Coverage, func(c inventory.Coverage) bool { return c.Scope == acct2 })
			}},
			want: []drift.Event{
				covEv("aws-prod", inventory.ProviderAWS, acct2, "complete", "", "source aws-prod scope 444455556666: complete, now not reported"),
				covEv("gcp", inventory.ProviderGCP, project, "complete", "failed", "source gcp scope projects/claims: complete → failed (unavailable)"),
				ev(drift.PrincipalNotSeen, mark(), `user "mark" not seen: 444455556666 was not reported in this snapshot, so it is not known to be removed`, ba("present", "")),
			},
		},
	}
}

func TestDiff(t *testing.T) {
	for _, tt := range diffCases() {
		t.Run(tt.name, func(t *testing.T) {
			prev, cur := fixture("s1", 0, tt.prev...), fixture("s2", 1, tt.cur...)
			got, err := drift.Diff(prev, cur)
			if err != nil {
				t.Fatalf("Diff: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if !cmp.Equal(fixture("s1", 0, tt.prev...), prev) || !cmp.Equal(fixture("s2", 1, tt.cur...), cur) {
				t.Errorf("Diff modified a snapshot")
			}
		})
	}
}

// TestEveryKindTested checks that the table above exercises every event kind.
func TestEveryKindTested(t *testing.T) {
	seen := map[drift.Kind]bool{}
	for _, tt := range diffCases() {
		for _, e := range tt.want {
			seen[e.Kind] = true
		}
	}
	var missing []drift.Kind
	for _, k := range drift.Kinds() {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("no diff case produces %v", missing)
	}
}

func TestDiffPrincipal(t *testing.T) {
	a := alice()
	b := alice()
	b.MFA = false
	cov := coverage()
	failed := coverage()
	failed[0].Status = inventory.CoverageFailed

	tests := []struct {
		name            string
		prev, cur       *inventory.Principal
		prevCov, curCov []inventory.Coverage
		want            []drift.Event
	}{
		{"both absent", nil, nil, cov, cov, nil},
		{"unchanged", &a, &a, cov, cov, nil},
		{"mfa removed", &a, &b, cov, cov, []drift.Event{ev(drift.MFARemoved, a, `user "alice": MFA removed`, ba("true", "false"))}},
		{"mfa removed in a failed scope", &a, &b, cov, failed, nil},
		{"gone", &a, nil, cov, cov, []drift.Event{ev(drift.PrincipalRemoved, a, `user "alice" removed from 111122223333`)}},
		{"no coverage vouches for nothing", &a, nil, nil, nil,
			[]drift.Event{ev(drift.PrincipalNotSeen, a, `user "alice" not seen: 111122223333 was not reported in this snapshot, so it is not known to be removed`, ba("present", ""))}},
		{"unknown status is not complete", &a, nil, cov, []inventory.Coverage{{Source: "aws-prod", Scope: acct, Status: "done"}},
			[]drift.Event{ev(drift.PrincipalNotSeen, a, `user "alice" not seen: 111122223333 was failed in this snapshot, so it is not known to be removed`, ba("present", ""))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := drift.DiffPrincipal(tt.prev, tt.cur, tt.prevCov, tt.curCov)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffBadInput(t *testing.T) {
	good := fixture("s1", 0)
	tests := []struct {
		name      string
		prev, cur *inventory.Snapshot
		want      string
	}{
		{"nil", nil, good, "drift: diff needs two snapshots, got nil"},
		{"duplicate principal", good, fixture("s2", 1, add(alice())), `snapshot "s2": principal "arn:aws:iam::111122223333:user/alice" is listed twice`},
		{"principal without ID", fixture("s0", 0, add(inventory.Principal{Name: "nobody"})), good, `snapshot "s0": principal 4 (name "nobody") has no ID`},
		{"duplicate person", good, fixture("s2", 1, func(s *inventory.Snapshot) { s.People = append(s.People, s.People[0]) }),
			`snapshot "s2": person "hr:E1" is listed twice`},
		{"person without ID", good, fixture("s2", 1, func(s *inventory.Snapshot) { s.People = append(s.People, inventory.Person{Name: "Zed"}) }),
			`snapshot "s2": person 3 (name "Zed") has no ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drift.Diff(tt.prev, tt.cur)
			if err == nil {
				t.Fatalf("Diff = %v, want error %q", got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
		})
	}
}

func TestForPrincipalAndPerson(t *testing.T) {
	prev := fixture("s1", 0)
	cur := fixture("s2", 1,
		edit(aliceID, func(p *inventory.Principal) { p.MFA = false; p.Console = false }),
		drop(ciID),
		editPerson("hr:E1", func(p *inventory.Person) { p.Department = "Finance" }),
		setCoverage("gcp", project, inventory.CoveragePartial, inventory.ErrThrottled),
	)
	events, err := drift.Diff(prev, cur)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(m map[string][]drift.Event) map[string][]drift.Kind {
		out := map[string][]drift.Kind{}
		for id, es := range m {
			for _, e := range es {
				out[id] = append(out[id], e.Kind)
			}
		}
		return out
	}
	wantP := map[string][]drift.Kind{
		aliceID: {drift.MFARemoved, drift.ConsoleRemoved},
		ciID:    {drift.PrincipalRemoved},
	}
	if diff := cmp.Diff(wantP, kinds(drift.ForPrincipal(events))); diff != "" {
		t.Errorf("ForPrincipal (-want +got):\n%s", diff)
	}
	wantH := map[string][]drift.Kind{"hr:E1": {drift.PersonMoved}}
	if diff := cmp.Diff(wantH, kinds(drift.ForPerson(events))); diff != "" {
		t.Errorf("ForPerson (-want +got):\n%s", diff)
	}
}

func TestKindsAreUnique(t *testing.T) {
	seen := map[drift.Kind]bool{}
	for _, k := range drift.Kinds() {
		if seen[k] || k == "" || strings.ToLower(string(k)) != string(k) {
			t.Errorf("kind %q repeated, empty or not lower case", k)
		}
		seen[k] = true
	}
}
