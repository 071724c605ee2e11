package collector

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

var linkPeople = []inventory.Person{
	{ID: "hr:E1", EmployeeID: "E1", Name: "Dana Whitfield", ExternalID: "okta-1",
		Emails: []string{"Dana.Whitfield@acme.example"}, Aliases: []string{"dwhitfield@acme-health.io", "dwhit", "shared@acme.example"}},
	{ID: "hr:E2", EmployeeID: "E2", Name: "Sam Ortiz", Emails: []string{"sam@acme.example"}},
	{ID: "hr:E3", EmployeeID: "E3", Name: "Ortiz, Sam", Emails: []string{"sam.o@acme.example"}},
	// The same human as hr:E2, from a directory.
	{ID: "ldap:uid=sam", EmployeeID: "e2", Name: "Sam Ortiz", Emails: []string{"SAM@acme.example"}},
	{ID: "hr:E4", EmployeeID: "E4", Name: "Lee", Emails: []string{"lee.personal@gmail.com"}, Aliases: []string{"shared@acme.example"}},
	{ID: "hr:E5", EmployeeID: "E5", Name: "Zoë Ångström", Emails: []string{"zoe@acme.example"}},
}

func TestLink(t *testing.T) {
	base := LinkOptions{
		Order:            []string{RuleMapping, RuleEmail, RuleTag, RuleExternalID, RuleUsername},
		OwnerTags:        []string{"owner", "email"},
		UsernamePatterns: []string{"{local}"},
		Mapping: map[string]string{
			"arn:aws:iam::111111111111:user/mapped":   "hr:E2",
			"deploy-bot":                              "dana.whitfield@ACME.example",
			"arn:aws:iam::111111111111:user/nobody":   "hr:E99",
			"arn:aws:iam::111111111111:user/wrongmap": "hr:E3",
		},
	}
	user := func(name, email string) inventory.Principal {
		return inventory.Principal{ID: "arn:aws:iam::111111111111:user/" + name, Provider: inventory.ProviderAWS, Kind: inventory.KindUser, Name: name, Email: email}
	}
	with := func(p inventory.Principal, f func(*inventory.Principal)) inventory.Principal { f(&p); return p }
	sa := inventory.Principal{ID: "gcp:serviceAccount:ci@acme-prod.iam.gserviceaccount.com", Provider: inventory.ProviderGCP,
		Kind: inventory.KindServiceAccount, Name: "ci", Email: "dana.whitfield@acme.example"}
	role := inventory.Principal{ID: "arn:aws:iam::111111111111:role/dana.whitfield", Provider: inventory.ProviderAWS, Kind: inventory.KindRole, Name: "dana.whitfield"}

	tests := []struct {
		name      string
		principal inventory.Principal
		opts      func(*LinkOptions)
		person    string
		rule      string
	}{
		{name: "email", principal: user("x", "dana.whitfield@acme.example"), person: "hr:E1", rule: "email"},
		{name: "email is case-folded", principal: user("x", " DANA.Whitfield@ACME.example"), person: "hr:E1", rule: "email"},
		{name: "email matches an alias", principal: user("x", "DWhitfield@acme-health.io"), person: "hr:E1", rule: "email"},
		{name: "name that is an email", principal: user("dwhitfield@acme-health.io", ""), person: "hr:E1", rule: "email"},
		{name: "GCP user", principal: inventory.Principal{ID: "gcp:user:zoe@acme.example", Kind: inventory.KindUser, Name: "zoe@acme.example", Email: "zoe@acme.example"}, person: "hr:E5", rule: "email"},
		{name: "one human in two sources links to the lowest ID", principal: user("x", "sam@acme.example"), person: "hr:E2", rule: "email"},
		{name: "two people share an email", principal: user("x", "shared@acme.example"), rule: "ambiguous"},
		{name: "ambiguity stops at the rule that found it", principal: user("dwhit", "shared@acme.example"), rule: "ambiguous"},
		{name: "no match", principal: user("stranger", "stranger@elsewhere.example")},

		{name: "mapping by ID wins over email", principal: user("mapped", "dana.whitfield@acme.example"), person: "hr:E2", rule: "mapping"},
		{name: "mapping by name to an email", principal: with(sa, func(p *inventory.Principal) { p.Name = "deploy-bot" }), person: "hr:E1", rule: "mapping"},
		{name: "mapping to an unknown person falls through", principal: user("nobody", "sam.o@acme.example"), person: "hr:E3", rule: "email"},
		{name: "order puts email before mapping", principal: user("wrongmap", "dana.whitfield@acme.example"),
			opts: func(o *LinkOptions) { o.Order = []string{RuleEmail, RuleMapping} }, person: "hr:E1", rule: "email"},

		{name: "service account does not link by email", principal: sa},
		{name: "service account links by owner tag",
			principal: with(sa, func(p *inventory.Principal) { p.Tags = map[string]string{"owner": "Sam.O@acme.example"} }), person: "hr:E3", rule: "tag:owner"},
		{name: "tag key is case-insensitive and the value may be an employee ID",
			principal: with(role, func(p *inventory.Principal) { p.Tags = map[string]string{"Owner": "e4"} }), person: "hr:E4", rule: "tag:owner"},
		{name: "first owner tag that matches anyone decides",
			principal: with(role, func(p *inventory.Principal) {
				p.Tags = map[string]string{"owner": "team-payments", "email": "zoe@acme.example"}
			}), person: "hr:E5", rule: "tag:email"},
		{name: "owner tag on a human user, after email",
			principal: with(user("x", "stranger@elsewhere.example"), func(p *inventory.Principal) { p.Tags = map[string]string{"email": "E1"} }), person: "hr:E1", rule: "tag:email"},
		{name: "root links by owner tag",
			principal: inventory.Principal{ID: "arn:aws:iam::111111111111:root", Kind: inventory.KindRoot, Name: "<root_account>", Tags: map[string]string{"owner": "E5"}}, person: "hr:E5", rule: "tag:owner"},
		{name: "role does not link by username", principal: role},

		{name: "external ID", principal: with(user("x", ""), func(p *inventory.Principal) { p.Attributes = map[string]string{AttrExternalID: "okta-1"} }), person: "hr:E1", rule: "external_id"},
		{name: "external ID as employee ID", principal: with(user("x", ""), func(p *inventory.Principal) { p.Attributes = map[string]string{AttrExternalID: "E2"} }), person: "hr:E2", rule: "external_id"},

		{name: "username from the email's local part", principal: user("Dana.Whitfield", ""), person: "hr:E1", rule: "username"},
		{name: "username from an alias that is not an email", principal: user("dwhit", ""), person: "hr:E1", rule: "username"},
		{name: "username {first}.{last} matches two people", principal: user("sam.ortiz", ""),
			opts: func(o *LinkOptions) { o.UsernamePatterns = []string{"{first}.{last}"} }, rule: "ambiguous"},
		{name: "username {f}{last} with a unicode name", principal: user("zångström", ""),
			opts: func(o *LinkOptions) { o.UsernamePatterns = []string{"{f}{last}"} }, person: "hr:E5", rule: "username"},
		{name: "username \"Last, First\" names", principal: user("s-ortiz", ""),
			opts: func(o *LinkOptions) { o.UsernamePatterns = []string{"{f}-{last}"} }, rule: "ambiguous"},
		{name: "username from a name in an allowed domain", principal: user("dana.whitfield@acme-health.io", ""),
			opts: func(o *LinkOptions) { o.EmailDomains = []string{"acme.example", "Acme-Health.io"} }, person: "hr:E1", rule: "username"},
		{name: "username from a name in another domain", principal: user("dana.whitfield@elsewhere.example", ""),
			opts: func(o *LinkOptions) { o.EmailDomains = []string{"acme.example"} }},
		{name: "email domains limit people's usernames too", principal: user("lee.personal", ""),
			opts: func(o *LinkOptions) { o.EmailDomains = []string{"acme.example"} }},
		{name: "any domain when none are listed", principal: user("lee.personal", ""), person: "hr:E4", rule: "username"},

		{name: "already linked by its source", principal: with(user("x", "sam@acme.example"), func(p *inventory.Principal) { p.PersonID, p.LinkRule = "scim:okta:1", "source" }),
			person: "scim:okta:1", rule: "source"},
		{name: "a stale rule is cleared", principal: with(user("x", "stranger@elsewhere.example"), func(p *inventory.Principal) { p.LinkRule = "ambiguous" })},
		{name: "no rules, no links", principal: user("x", "dana.whitfield@acme.example"), opts: func(o *LinkOptions) { o.Order = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			if tt.opts != nil {
				tt.opts(&opts)
			}
			snap := &inventory.Snapshot{Principals: []inventory.Principal{tt.principal}, People: linkPeople}
			Link(snap, opts)
			got := snap.Principals[0]
			if got.PersonID != tt.person || got.LinkRule != tt.rule {
				t.Errorf("linked to %q by %q, want %q by %q", got.PersonID, got.LinkRule, tt.person, tt.rule)
			}
		})
	}
}

func TestLinkUsernames(t *testing.T) {
	ix := newPeopleIndex(nil, LinkOptions{UsernamePatterns: []string{"{local}", "{first}.{last}", "{f}{last}", "{LOCAL}-adm"}})
	tests := []struct {
		person inventory.Person
		want   []string
	}{
		{inventory.Person{Name: "Dana Q. Whitfield", Emails: []string{"Dana.W@acme.example", "dana.w@old.example"}},
			[]string{"dana.w", "dana.whitfield", "dwhitfield", "dana.w-adm"}},
		{inventory.Person{Name: "O'Brien, Seán", Emails: []string{"sean@acme.example"}}, []string{"sean", "seán.obrien", "sobrien", "sean-adm"}},
		{inventory.Person{Name: "Cher"}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ix.usernames(tt.person)); diff != "" {
			t.Errorf("usernames(%q) (-want +got):\n%s", tt.person.Name, diff)
		}
	}
}
