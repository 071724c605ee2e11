package scim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Principal attribute keys a SCIM source records beside collector.AttrExternalID.
const (
	AttrUserType       = "user_type"
	AttrEmployeeNumber = "employee_number"
)

// builder turns users and groups into people and principals.
type builder struct {
	source  string // source name
	account string // the SCIM base URL
	opts    *Options
}

// personKey is what a user's person is keyed by: the employee number, else the SCIM ID.
func personKey(u *User) string {
	if n := strings.TrimSpace(u.Enterprise.EmployeeNumber); n != "" {
		return n
	}
	return u.ID
}

// build returns the people (one per employee number, several accounts merged) and the user
// and group principals, each user linked to its person.
func (b *builder) build(users []User, groups []Group) ([]inventory.Person, []inventory.Principal) {
	byID := make(map[string]*User, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	memberOf := map[string][]string{} // user or group ID → group principal IDs
	for _, g := range groups {
		gid := inventory.SCIMPrincipalID(b.source, g.ID)
		for _, m := range g.Members {
			if m.Value != "" && !slices.Contains(memberOf[m.Value], gid) {
				memberOf[m.Value] = append(memberOf[m.Value], gid)
			}
		}
	}
	for _, u := range users {
		for _, g := range u.Groups {
			gid := inventory.SCIMPrincipalID(b.source, g.Value)
			if g.Value != "" && !slices.Contains(memberOf[u.ID], gid) {
				memberOf[u.ID] = append(memberOf[u.ID], gid)
			}
		}
	}

	var people []inventory.Person
	index := map[string]int{} // person ID → index in people
	principals := make([]inventory.Principal, 0, len(users)+len(groups))
	for i := range users {
		u := &users[i]
		person := b.person(u, byID)
		if j, ok := index[person.ID]; ok {
			collector.MergePerson(&people[j], person)
		} else {
			index[person.ID] = len(people)
			people = append(people, person)
		}
		principals = append(principals, b.userPrincipal(u, person.ID, memberOf[u.ID]))
	}
	for _, g := range groups {
		p := inventory.Principal{
			ID:        inventory.SCIMPrincipalID(b.source, g.ID),
			Provider:  inventory.ProviderSCIM,
			Account:   b.account,
			Kind:      inventory.KindGroup,
			Name:      g.DisplayName,
			NativeID:  g.ID,
			CreatedAt: time.Time(g.Meta.Created),
			Groups:    memberOf[g.ID],
		}
		if g.ExternalID != "" {
			p.Attributes = map[string]string{collector.AttrExternalID: g.ExternalID}
		}
		principals = append(principals, p)
	}
	return people, principals
}

func (b *builder) person(u *User, byID map[string]*User) inventory.Person {
	p := inventory.Person{
		ID:         b.source + ":" + personKey(u),
		Source:     b.source,
		EmployeeID: strings.TrimSpace(u.Enterprise.EmployeeNumber),
		Emails:     emails(u),
		Name:       displayName(u),
		Department: u.Enterprise.Department,
		Title:      u.Title,
		ExternalID: u.ExternalID,
		Status:     b.status(u),
	}
	if name := strings.TrimSpace(u.UserName); name != "" && !slices.ContainsFunc(p.Emails, func(e string) bool { return strings.EqualFold(e, name) }) {
		p.Aliases = []string{name}
	}
	if m := u.Enterprise.Manager.Value; m != "" {
		// The manager is referenced by SCIM ID; name them by employee number, as HR files do.
		p.Manager = m
		if mu, ok := byID[m]; ok {
			p.Manager = personKey(mu)
		}
	}
	return p
}

func (b *builder) status(u *User) inventory.PersonStatus {
	if !u.IsActive() {
		return inventory.PersonTerminated
	}
	if b.opts.StatusAttribute != "" {
		if v, ok := u.Attribute(b.opts.StatusAttribute); ok {
			if s, ok := b.opts.StatusValues[strings.ToLower(strings.TrimSpace(v))]; ok {
				return s
			}
		}
	}
	return inventory.PersonActive
}

func (b *builder) userPrincipal(u *User, personID string, groups []string) inventory.Principal {
	p := inventory.Principal{
		ID:        inventory.SCIMPrincipalID(b.source, u.ID),
		Provider:  inventory.ProviderSCIM,
		Account:   b.account,
		Kind:      inventory.KindUser,
		Name:      u.UserName,
		NativeID:  u.ID,
		CreatedAt: time.Time(u.Meta.Created),
		Disabled:  !u.IsActive(),
		Groups:    groups,
		PersonID:  personID,
		LinkRule:  collector.RuleSource,
	}
	if es := emails(u); len(es) > 0 {
		p.Email = es[0]
	}
	attrs := map[string]string{}
	if u.ExternalID != "" {
		attrs[collector.AttrExternalID] = u.ExternalID
	}
	if u.UserType != "" {
		attrs[AttrUserType] = u.UserType
	}
	if n := strings.TrimSpace(u.Enterprise.EmployeeNumber); n != "" {
		attrs[AttrEmployeeNumber] = n
	}
	if len(attrs) > 0 {
		p.Attributes = attrs
	}
	return p
}

// emails lists a user's email values, the primary first, without duplicates.
func emails(u *User) []string {
	var out []string
	add := func(e Email) {
		v := strings.TrimSpace(e.Value)
		if v != "" && !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, v) }) {
			out = append(out, v)
		}
	}
	for _, e := range u.Emails {
		if e.Primary {
			add(e)
		}
	}
	for _, e := range u.Emails {
		add(e)
	}
	return out
}

func displayName(u *User) string {
	switch {
	case strings.TrimSpace(u.Name.Formatted) != "":
		return strings.TrimSpace(u.Name.Formatted)
	case strings.TrimSpace(u.DisplayName) != "":
		return strings.TrimSpace(u.DisplayName)
	}
	return strings.TrimSpace(u.Name.GivenName + " " + u.Name.FamilyName)
}

// rejected is a resource that could not be decoded.
type rejected struct {
	what  string // "user" or "group"
	index int    // its 1-based position in the list
	err   error
}

func (r rejected) String() string { return fmt.Sprintf("%s %d: %v", r.what, r.index, r.err) }
