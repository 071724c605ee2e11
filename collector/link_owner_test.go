package collector

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

// ownerPeople are people from an HR file and a directory; bob appears in both, terminated in
// HR and still active in the directory (the directory lags HR).
var ownerPeople = []inventory.Person{
	{ID: "workday:E100", Source: "workday", EmployeeID: "E100", Name: "Ada Lovelace", Emails: []string{"ada.lovelace@corp.example"},
		Aliases: []string{"ada"}, Status: inventory.PersonActive},
	{ID: "workday:E200", Source: "workday", EmployeeID: "E200", Name: "Bob Smith", Emails: []string{"bob@corp.example"},
		Status: inventory.PersonTerminated, EndDate: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)},
	{ID: "ad:E200", Source: "ad", EmployeeID: "E200", Name: "Bob Smith", Emails: []string{"bob@corp.example"}, Aliases: []string{"bob"},
		Status: inventory.PersonActive},
	{ID: "workday:E300", Source: "workday", EmployeeID: "E300", Name: "Cy Young", Emails: []string{"cy@corp.example"},
		Status: inventory.PersonLeave},
	{ID: "ad:E300", Source: "ad", EmployeeID: "E300", Name: "Cy Young", Emails: []string{"cy@corp.example"},
		Status: inventory.PersonTerminated},
	// Two people whose emails collapse to the same label form.
	{ID: "workday:E400", Source: "workday", EmployeeID: "E400", Name: "Dee Ray", Emails: []string{"dee.ray@corp.example"}, Status: inventory.PersonActive},
	{ID: "workday:E401", Source: "workday", EmployeeID: "E401", Name: "Deer Ay", Emails: []string{"deer.ay@corp.example"}, Status: inventory.PersonActive},
}

func TestLinkServiceAccountOwners(t *testing.T) {
	opts := LinkOptions{
		Order:            []string{RuleMapping, RuleEmail, RuleTag, RuleExternalID, RuleUsername},
		OwnerTags:        []string{"owner", "email"},
		UsernamePatterns: []string{"{local}"},
	}
	sa := func(labels map[string]string) inventory.Principal {
		return inventory.Principal{ID: "gcp:serviceAccount:ci@prod.iam.gserviceaccount.com", Provider: inventory.ProviderGCP,
			Kind: inventory.KindServiceAccount, Name: "ci", Tags: labels}
	}
	role := func(tags map[string]string) inventory.Principal {
		return inventory.Principal{ID: "arn:aws:iam::111111111111:role/deploy", Provider: inventory.ProviderAWS,
			Kind: inventory.KindRole, Name: "deploy", Tags: tags}
	}
	tests := []struct {
		name      string
		principal inventory.Principal
		person    string
		rule      string
	}{
		{"role tagged with an owner email", role(map[string]string{"Owner": "Ada.Lovelace@corp.example"}), "workday:E100", "tag:owner"},
		{"label with a username", sa(map[string]string{"owner": "ada"}), "workday:E100", "tag:owner"},
		{"label with a lowercase employee ID", sa(map[string]string{"owner": "e100"}), "workday:E100", "tag:owner"},
		{"label with an email in label form", sa(map[string]string{"owner": "ada_lovelace_corp_example"}), "workday:E100", "tag:owner"},
		{"label form with dashes", sa(map[string]string{"owner": "ada-lovelace-corp-example"}), "workday:E100", "tag:owner"},
		{"tag with a person ID", role(map[string]string{"owner": "workday:E300"}), "workday:E300", "tag:owner"},
		{"a later owner tag when the first names nobody", role(map[string]string{"owner": "team-platform", "email": "ada.lovelace@corp.example"}), "workday:E100", "tag:email"},
		{"label forms that collide are ambiguous", sa(map[string]string{"owner": "deeray_corp_example"}), "", "ambiguous"},
		{"a short label does not match by letters", sa(map[string]string{"owner": "ops"}), "", ""},
		{"a service account named like a person is not theirs", inventory.Principal{ID: "gcp:serviceAccount:ada@p.iam.gserviceaccount.com",
			Kind: inventory.KindServiceAccount, Name: "ada", Email: "ada.lovelace@corp.example"}, "", ""},
		{"an owner who left links to the leaver", role(map[string]string{"owner": "bob"}), "workday:E200", "tag:owner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &inventory.Snapshot{People: ownerPeople, Principals: []inventory.Principal{tt.principal}}
			Link(snap, opts)
			got := snap.Principals[0]
			if got.PersonID != tt.person || got.LinkRule != tt.rule {
				t.Errorf("linked to %q by %q, want %q by %q", got.PersonID, got.LinkRule, tt.person, tt.rule)
			}
		})
	}
}

// TestLinkPrefersTheMostFinalStatus: when the records of one human disagree, the cloud account
// links to the record that says they left (or are away), whichever source says it and whatever
// the IDs' order.
func TestLinkPrefersTheMostFinalStatus(t *testing.T) {
	opts := LinkOptions{Order: []string{RuleEmail}}
	key := inventory.Credential{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive}
	user := func(name, email string) inventory.Principal {
		return inventory.Principal{ID: "arn:aws:iam::111111111111:user/" + name, Provider: inventory.ProviderAWS, Kind: inventory.KindUser,
			Name: name, Email: email, Credentials: []inventory.Credential{key}}
	}
	tests := []struct {
		name   string
		people []inventory.Person
		user   inventory.Principal
		want   string
	}{
		{"HR terminated, directory still active: the HR record, though its ID sorts later", ownerPeople,
			user("bob", "bob@corp.example"), "workday:E200"},
		{"HR on leave, directory disabled: the directory record", ownerPeople, user("cy", "CY@corp.example"), "ad:E300"},
		{"records in the other order give the same answer", []inventory.Person{ownerPeople[2], ownerPeople[1]},
			user("bob", "bob@corp.example"), "workday:E200"},
		{"equal statuses: the lowest ID", []inventory.Person{
			{ID: "b:E1", EmployeeID: "E1", Emails: []string{"x@corp.example"}, Status: inventory.PersonActive},
			{ID: "a:E1", EmployeeID: "E1", Emails: []string{"x@corp.example"}, Status: inventory.PersonActive},
		}, user("x", "x@corp.example"), "a:E1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &inventory.Snapshot{People: tt.people, Principals: []inventory.Principal{tt.user}}
			Link(snap, opts)
			if got := snap.Principals[0]; got.PersonID != tt.want || got.LinkRule != RuleEmail {
				t.Errorf("linked to %q by %q, want %q by email", got.PersonID, got.LinkRule, tt.want)
			}
		})
	}
}

// Directory accounts a source linked itself keep their link.
func TestLinkLeavesSourceLinksAlone(t *testing.T) {
	p := inventory.Principal{ID: "ldap:uid=bob,dc=corp", Provider: inventory.ProviderLDAP, Kind: inventory.KindUser, Name: "bob",
		Email: "bob@corp.example", PersonID: "ad:E200", LinkRule: RuleSource}
	snap := &inventory.Snapshot{People: ownerPeople, Principals: []inventory.Principal{p}}
	Link(snap, LinkOptions{Order: []string{RuleEmail}})
	if diff := cmp.Diff(p, snap.Principals[0]); diff != "" {
		t.Errorf("principal changed (-want +got):\n%s", diff)
	}
}

func TestMergePerson(t *testing.T) {
	a := inventory.Person{ID: "ad:E1", Source: "ad", EmployeeID: "E1", Emails: []string{"ada@corp.example"}, Aliases: []string{"ada"},
		Name: "Ada", Status: inventory.PersonTerminated, EndDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		StartDate: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := inventory.Person{ID: "ad:E1", Source: "ad", EmployeeID: "E1", Emails: []string{"ADA@corp.example", "ada.admin@corp.example"},
		Aliases: []string{"ada-admin", "ADA"}, Name: "Ada Admin", Department: "Eng", Title: "CTO", Manager: "E0", ExternalID: "x",
		Status: inventory.PersonActive, StartDate: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
	MergePerson(&a, b)
	want := inventory.Person{ID: "ad:E1", Source: "ad", EmployeeID: "E1", Emails: []string{"ada@corp.example", "ada.admin@corp.example"},
		Aliases: []string{"ada", "ada-admin"}, Name: "Ada", Department: "Eng", Title: "CTO", Manager: "E0", ExternalID: "x",
		Status: inventory.PersonActive, StartDate: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("merged person (-want +got):\n%s", diff)
	}
}

func TestRosters(t *testing.T) {
	snap := &inventory.Snapshot{
		Coverage: []inventory.Coverage{
			{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete, Counts: map[string]int{"users": 9}},
			{Source: "workday", Provider: inventory.ProviderHR, Scope: "file:w.csv", Status: inventory.CoverageComplete, Counts: map[string]int{"people": 1200}},
			{Source: "ad", Provider: inventory.ProviderLDAP, Scope: "DC=corp", Status: inventory.CoveragePartial, Counts: map[string]int{"people": 900}},
			{Source: "okta", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrTimeout}, // the runner's record of a timeout
			{Source: "static", Provider: inventory.ProviderStatic, Scope: "file:a.json", Status: inventory.CoverageComplete},
			{Source: "static", Provider: inventory.ProviderStatic, Scope: "file:b.json", Status: inventory.CoverageFailed},
		},
		People: []inventory.Person{{ID: "static:1", Source: "static"}},
	}
	got := Rosters(snap)
	want := []Roster{
		{Source: "ad", People: 900, Status: inventory.CoveragePartial},
		{Source: "static", People: 0, Status: inventory.CoverageFailed},
		{Source: "workday", People: 1200, Status: inventory.CoverageComplete},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rosters (-want +got):\n%s", diff)
	}
}

func TestRosterShrinks(t *testing.T) {
	prev := []Roster{
		{Source: "workday", People: 1000, Status: inventory.CoverageComplete},
		{Source: "ad", People: 1000, Status: inventory.CoverageComplete},
		{Source: "okta", People: 1000, Status: inventory.CoverageComplete},
		{Source: "scim2", People: 1000, Status: inventory.CoverageComplete},
		{Source: "partial-before", People: 10, Status: inventory.CoveragePartial},
	}
	cur := []Roster{
		{Source: "workday", People: 899, Status: inventory.CoverageComplete}, // 10.1% fewer
		{Source: "ad", People: 900, Status: inventory.CoverageComplete},      // exactly 10%: allowed
		{Source: "okta", People: 0, Status: inventory.CoverageFailed},
		{Source: "partial-before", People: 1, Status: inventory.CoverageComplete},
	}
	want := []RosterChange{
		{Source: "workday", Before: 1000, After: 899, BeforeKnown: true, AfterKnown: true, Reason: "the roster shrank from 1000 to 899 people (more than 10%)"},
		{Source: "okta", Before: 1000, BeforeKnown: true, Reason: "the roster is failed in this snapshot"},
		{Source: "scim2", Before: 1000, BeforeKnown: true, Reason: "the source is missing from this snapshot"},
	}
	if diff := cmp.Diff(want, RosterShrinks(prev, cur, 0.10)); diff != "" {
		t.Errorf("shrinks (-want +got):\n%s", diff)
	}
}
