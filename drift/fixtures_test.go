package drift_test

import (
	"slices"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// The fixture organisation: one AWS account collected by source "aws-prod", a GCP organization
// with one project and Cloud Identity group expansion collected by "gcp", and an HR roster.

const (
	acct    = "111122223333"
	acct2   = "444455556666"
	org     = "organizations/42"
	project = "projects/claims"
	admin   = "arn:aws:iam::aws:policy/AdministratorAccess"
	readAll = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	s3Full  = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
	devs    = "arn:aws:iam::111122223333:group/Developers"
	ops     = "arn:aws:iam::111122223333:group/Ops"
	eng     = "gcp:group:eng@corp.example"

	aliceID = "arn:aws:iam::111122223333:user/alice"
	bobID   = "arn:aws:iam::111122223333:user/bob"
	ciID    = "arn:aws:iam::111122223333:role/ci-deploy"
	markID  = "arn:aws:iam::444455556666:user/mark"
	graceID = "gcp:user:grace@corp.example"
)

var (
	t0      = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	created = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	rotated = time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC)
)

func complete(source string, p inventory.Provider, scope string) inventory.Coverage {
	return inventory.Coverage{Source: source, Provider: p, Scope: scope, Status: inventory.CoverageComplete}
}

func coverage() []inventory.Coverage {
	return []inventory.Coverage{
		complete("aws-prod", inventory.ProviderAWS, acct),
		complete("aws-prod", inventory.ProviderAWS, acct2),
		complete("gcp", inventory.ProviderGCP, org),
		complete("gcp", inventory.ProviderGCP, project),
		complete("gcp", inventory.ProviderGCP, "cloudidentity/groups"),
		complete("hr", inventory.ProviderHR, "file:people.csv"),
	}
}

func alice() inventory.Principal {
	return inventory.Principal{
		ID: aliceID, Provider: inventory.ProviderAWS, Account: acct, Kind: inventory.KindUser, Name: "alice",
		Email: "alice@corp.example", CreatedAt: created, LastActivity: t0.Add(-time.Hour),
		Console: true, MFA: true, Groups: []string{devs},
		Credentials: []inventory.Credential{
			{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: created},
			{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: created},
			{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: inventory.CredInactive, CreatedAt: created},
		},
		Grants: []inventory.Grant{
			{What: readAll, Where: acct, Via: "group:" + devs, Privilege: inventory.PrivilegeRead},
			{What: s3Full, Where: acct, Via: "direct", Privilege: inventory.PrivilegeWrite},
		},
		PersonID: "hr:E1", LinkRule: "email",
	}
}

func bob() inventory.Principal {
	return inventory.Principal{
		ID: bobID, Provider: inventory.ProviderAWS, Account: acct, Kind: inventory.KindUser, Name: "bob",
		CreatedAt: t0.Add(-2 * time.Hour),
		Grants:    []inventory.Grant{{What: admin, Where: acct, Via: "direct", Privilege: inventory.PrivilegeAdmin}},
	}
}

func ci() inventory.Principal {
	return inventory.Principal{
		ID: ciID, Provider: inventory.ProviderAWS, Account: acct, Kind: inventory.KindRole, Name: "ci-deploy",
		Grants: []inventory.Grant{{What: admin, Where: acct, Via: "direct", Privilege: inventory.PrivilegeAdmin}},
	}
}

func mark() inventory.Principal {
	return inventory.Principal{
		ID: markID, Provider: inventory.ProviderAWS, Account: acct2, Kind: inventory.KindUser, Name: "mark",
		Grants: []inventory.Grant{{What: readAll, Where: acct2, Via: "direct", Privilege: inventory.PrivilegeRead}},
	}
}

func grace() inventory.Principal {
	return inventory.Principal{
		ID: graceID, Provider: inventory.ProviderGCP, Account: org, Kind: inventory.KindUser, Name: "grace@corp.example",
		Email: "grace@corp.example", Groups: []string{eng},
		Grants: []inventory.Grant{
			{What: "roles/editor", Where: project, Via: "group:" + eng, Privilege: inventory.PrivilegeWrite},
			{What: "roles/viewer", Where: project, Via: "direct", Privilege: inventory.PrivilegeRead},
		},
		PersonID: "hr:E2", LinkRule: "email",
	}
}

func people() []inventory.Person {
	return []inventory.Person{
		{ID: "hr:E1", Source: "hr", EmployeeID: "E1", Name: "Alice Adams", Emails: []string{"alice@corp.example"},
			Department: "Platform", Title: "Engineer", Manager: "hr:E3", Status: inventory.PersonActive},
		{ID: "hr:E2", Source: "hr", EmployeeID: "E2", Name: "Grace Kim", Department: "Claims", Title: "Analyst",
			Status: inventory.PersonActive},
		{ID: "hr:E3", Source: "hr", EmployeeID: "E3", Name: "Carol Chen", Department: "Platform", Title: "Director",
			Status: inventory.PersonActive},
	}
}

// fixture returns the base snapshot with the given ID, then applies mods to it.
func fixture(id string, day int, mods ...func(*inventory.Snapshot)) *inventory.Snapshot {
	s := &inventory.Snapshot{
		ID:         id,
		StartedAt:  t0.AddDate(0, 0, day),
		FinishedAt: t0.AddDate(0, 0, day).Add(5 * time.Minute),
		Coverage:   coverage(),
		Accounts: []inventory.Account{
			{ID: acct, Provider: inventory.ProviderAWS, Kind: "account"},
			{ID: acct2, Provider: inventory.ProviderAWS, Kind: "account"},
			{ID: org, Provider: inventory.ProviderGCP, Kind: "organization"},
			{ID: project, Provider: inventory.ProviderGCP, Kind: "project", Parent: org},
		},
		Principals: []inventory.Principal{alice(), ci(), mark(), grace()},
		People:     people(),
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

// edit applies fn to the principal with the given ID.
func edit(id string, fn func(*inventory.Principal)) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		for i := range s.Principals {
			if s.Principals[i].ID == id {
				fn(&s.Principals[i])
				return
			}
		}
		panic("no principal " + id)
	}
}

func drop(id string) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		s.Principals = slices.DeleteFunc(s.Principals, func(p inventory.Principal) bool { return p.ID == id })
	}
}

func add(p inventory.Principal) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) { s.Principals = append(s.Principals, p) }
}

func editPerson(id string, fn func(*inventory.Person)) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		for i := range s.People {
			if s.People[i].ID == id {
				fn(&s.People[i])
				return
			}
		}
		panic("no person " + id)
	}
}

func dropPerson(id string) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		s.People = slices.DeleteFunc(s.People, func(p inventory.Person) bool { return p.ID == id })
	}
}

// setCoverage sets the status of one source × scope entry.
func setCoverage(source, scope string, st inventory.CoverageStatus, kind inventory.ErrorKind) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		for i := range s.Coverage {
			if s.Coverage[i].Source == source && s.Coverage[i].Scope == scope {
				s.Coverage[i].Status, s.Coverage[i].ErrorKind = st, kind
				return
			}
		}
		panic("no coverage " + source + " " + scope)
	}
}

// sourceFailed replaces a source's entries with the one entry the collector runner records when
// the source failed outright.
func sourceFailed(source string, kind inventory.ErrorKind) func(*inventory.Snapshot) {
	return func(s *inventory.Snapshot) {
		s.Coverage = slices.DeleteFunc(s.Coverage, func(c inventory.Coverage) bool { return c.Source == source })
		s.Coverage = append(s.Coverage, inventory.Coverage{Source: source, Status: inventory.CoverageFailed, ErrorKind: kind, Error: "boom"})
	}
}
