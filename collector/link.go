package collector

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/provost-dev/provost/inventory"
)

// AttrExternalID is the Principal.Attributes key under which sources record an identity
// provider's external ID for a user (SCIM externalId, Identity Center ExternalIds), for the
// external_id linking rule.
const AttrExternalID = "external_id"

// Linking rule names, as LinkOptions.Order lists them and Principal.LinkRule records them. The
// tag rule records "tag:<key>", naming the tag that matched.
const (
	RuleMapping    = "mapping"
	RuleEmail      = "email"
	RuleTag        = "tag"
	RuleExternalID = "external_id"
	RuleUsername   = "username"
	// RuleAmbiguous is recorded, with no PersonID, when the rule that matched first found more
	// than one person.
	RuleAmbiguous = "ambiguous"
)

// LinkOptions configures Link. Nothing has a default: an empty Order links nothing.
type LinkOptions struct {
	// Order lists the rules to try, highest precedence first.
	Order []string
	// Mapping maps a principal ID or name to a person ID (or a person's email).
	Mapping map[string]string
	// OwnerTags are the tag or label keys whose value names an owner by email or employee ID.
	OwnerTags []string
	// UsernamePatterns build the usernames a person may have from "{local}" (their email
	// before the @), "{first}", "{last}" and "{f}" (the first letter of their first name).
	UsernamePatterns []string
	// EmailDomains limits which emails yield usernames, for people and principals alike; empty
	// means every domain.
	EmailDomains []string
}

// Link matches each principal of snap to a person of snap, setting PersonID and LinkRule. Rules
// are tried in opts.Order; the first that finds anyone decides: one person links, several make
// the principal "ambiguous" with no PersonID. Person records that share an employee ID are one
// human (say, from an HR file and a directory) and link to the record with the most final
// status (terminated, then leave, then active: a leaver in any source of truth is a leaver),
// the lowest ID among equals (link_owner.go).
//
// Human principals (users, SSO users, root) may link by any rule. Service accounts, roles and
// groups link only through the mapping and owner tags: sharing a name with a person says nothing
// about who owns them. Principals a source already linked (PersonID set) are left alone.
//
//   - mapping: opts.Mapping by principal ID, then by name.
//   - email: the principal's email, or its name when that is an email, against every person's
//     emails and aliases, case-folded.
//   - tag: the first of opts.OwnerTags the principal carries (key case-insensitive), its value
//     read as an email, a person or employee ID, a username, or an email in label form
//     (ownerLookup, link_owner.go); recorded as "tag:<key>".
//   - external_id: Attributes[AttrExternalID] against a person's external or employee ID.
//   - username: the principal's name (the local part if it is an email in an allowed domain)
//     against the usernames opts.UsernamePatterns build for each person, and their aliases that
//     are not emails.
func Link(snap *inventory.Snapshot, opts LinkOptions) {
	ix := newPeopleIndex(snap.People, opts)
	for i := range snap.Principals {
		p := &snap.Principals[i]
		if p.PersonID != "" {
			continue
		}
		p.LinkRule = ""
		for _, name := range opts.Order {
			m := ix.match(name, p)
			if m.people == 0 {
				continue
			}
			if m.people == 1 {
				p.PersonID, p.LinkRule = m.id, m.rule
			} else {
				p.LinkRule = RuleAmbiguous
			}
			break
		}
	}
}

// peopleIndex finds people by the keys the rules match on. Values are indexes into people.
type peopleIndex struct {
	opts     LinkOptions
	people   []inventory.Person
	ids      map[string]int
	email    map[string][]int // folded email or alias
	employee map[string][]int // folded employee ID
	external map[string][]int // external ID or employee ID, as written
	username map[string][]int // folded username
	label    map[string][]int // emails in label form, built on first use (link_owner.go)
}

func newPeopleIndex(people []inventory.Person, opts LinkOptions) *peopleIndex {
	ix := &peopleIndex{
		opts:     opts,
		people:   people,
		ids:      make(map[string]int, len(people)),
		email:    map[string][]int{},
		employee: map[string][]int{},
		external: map[string][]int{},
		username: map[string][]int{},
	}
	add := func(m map[string][]int, key string, i int) {
		if key != "" && !slices.Contains(m[key], i) {
			m[key] = append(m[key], i)
		}
	}
	for i, p := range people {
		ix.ids[p.ID] = i
		for _, e := range p.Emails {
			add(ix.email, fold(e), i)
		}
		for _, a := range p.Aliases {
			add(ix.email, fold(a), i)
			if !strings.Contains(a, "@") {
				add(ix.username, fold(a), i)
			}
		}
		add(ix.employee, fold(p.EmployeeID), i)
		add(ix.external, strings.TrimSpace(p.ExternalID), i)
		add(ix.external, strings.TrimSpace(p.EmployeeID), i)
		for _, u := range ix.usernames(p) {
			add(ix.username, u, i)
		}
	}
	return ix
}

// linkMatch is what one rule found: how many distinct humans, and which when it is one.
type linkMatch struct {
	people   int
	id, rule string
}

// match applies one rule to p.
func (ix *peopleIndex) match(rule string, p *inventory.Principal) linkMatch {
	human := p.Kind.Human()
	switch rule {
	case RuleMapping:
		for _, key := range []string{p.ID, p.Name} {
			target, ok := ix.opts.Mapping[key]
			if !ok || key == "" {
				continue
			}
			found := ix.email[fold(target)]
			if i, ok := ix.ids[target]; ok {
				found = []int{i}
			}
			if m := ix.resolve(found, RuleMapping); m.people > 0 {
				return m
			}
		}
	case RuleEmail:
		if !human {
			return linkMatch{}
		}
		var found []int
		for _, e := range []string{p.Email, p.Name} {
			if isEmail(e) {
				found = append(found, ix.email[fold(e)]...)
			}
		}
		return ix.resolve(found, RuleEmail)
	case RuleTag:
		for _, key := range ix.opts.OwnerTags {
			v, ok := tagValue(p.Tags, key)
			if !ok || strings.TrimSpace(v) == "" {
				continue
			}
			found := ix.ownerLookup(v)
			if m := ix.resolve(found, RuleTag+":"+key); m.people > 0 {
				return m
			}
		}
	case RuleExternalID:
		if !human {
			return linkMatch{}
		}
		if v := strings.TrimSpace(p.Attributes[AttrExternalID]); v != "" {
			return ix.resolve(ix.external[v], RuleExternalID)
		}
	case RuleUsername:
		if !human {
			return linkMatch{}
		}
		name := fold(p.Name)
		if isEmail(name) {
			local, domain, _ := strings.Cut(name, "@")
			if !ix.domainAllowed(domain) {
				return linkMatch{}
			}
			name = local
		}
		return ix.resolve(ix.username[name], RuleUsername)
	}
	return linkMatch{}
}

// resolve counts the distinct humans among the people found: records sharing an employee ID
// are one human, represented by the record preferPerson chooses.
func (ix *peopleIndex) resolve(found []int, rule string) linkMatch {
	switch len(found) {
	case 0:
		return linkMatch{}
	case 1:
		return linkMatch{people: 1, id: ix.people[found[0]].ID, rule: rule}
	}
	byHuman := map[string]int{} // employee ID or person ID → the chosen person
	for _, i := range found {
		p := ix.people[i]
		key := "id:" + p.ID
		if e := fold(p.EmployeeID); e != "" {
			key = "employee:" + e
		}
		if cur, ok := byHuman[key]; !ok || preferPerson(p, ix.people[cur]) {
			byHuman[key] = i
		}
	}
	m := linkMatch{people: len(byHuman), rule: rule}
	for _, i := range byHuman {
		m.id = ix.people[i].ID
	}
	return m
}

// usernames returns the usernames the patterns build for p, folded.
func (ix *peopleIndex) usernames(p inventory.Person) []string {
	first, last := splitName(p.Name)
	var locals []string
	for _, e := range slices.Concat(p.Emails, p.Aliases) {
		local, domain, ok := strings.Cut(fold(e), "@")
		if ok && local != "" && ix.domainAllowed(domain) && !slices.Contains(locals, local) {
			locals = append(locals, local)
		}
	}
	initial := ""
	if r, size := utf8.DecodeRuneInString(first); size > 0 {
		initial = string(r)
	}
	var out []string
	for _, pattern := range ix.opts.UsernamePatterns {
		if len(locals) == 0 {
			if u, ok := expandPattern(pattern, "", first, last, initial); ok {
				out = append(out, u)
			}
			continue
		}
		for _, l := range locals {
			u, ok := expandPattern(pattern, l, first, last, initial)
			if !ok {
				break // the pattern needs a name this person lacks
			}
			out = append(out, u)
			if !strings.Contains(strings.ToLower(pattern), "{local}") {
				break // one username whatever the emails
			}
		}
	}
	return out
}

// expandPattern fills a username pattern's placeholders (case-insensitive); ok is false when one
// of them has no value for this person.
func expandPattern(pattern, local, first, last, initial string) (string, bool) {
	var b strings.Builder
	for {
		open := strings.IndexByte(pattern, '{')
		if open < 0 {
			b.WriteString(strings.ToLower(pattern))
			return b.String(), true
		}
		end := strings.IndexByte(pattern[open:], '}')
		if end < 0 {
			return "", false
		}
		b.WriteString(strings.ToLower(pattern[:open]))
		var v string
		switch strings.ToLower(pattern[open : open+end+1]) {
		case "{local}":
			v = local
		case "{first}":
			v = first
		case "{last}":
			v = last
		case "{f}":
			v = initial
		}
		if v == "" {
			return "", false
		}
		b.WriteString(v)
		pattern = pattern[open+end+1:]
	}
}

func (ix *peopleIndex) domainAllowed(domain string) bool {
	if len(ix.opts.EmailDomains) == 0 {
		return true
	}
	for _, d := range ix.opts.EmailDomains {
		if fold(d) == domain {
			return true
		}
	}
	return false
}

// splitName returns the folded first and last name of "First Middle Last" or "Last, First",
// keeping only letters, digits and hyphens; both are empty unless the name has two parts.
func splitName(name string) (first, last string) {
	if l, f, ok := strings.Cut(name, ","); ok {
		name = f + " " + l
	}
	parts := strings.Fields(name)
	if len(parts) < 2 {
		return "", ""
	}
	first, last = nameToken(parts[0]), nameToken(parts[len(parts)-1])
	if first == "" || last == "" {
		return "", ""
	}
	return first, last
}

func nameToken(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// tagValue finds a tag by key, exactly or else ignoring case (the alphabetically first of
// several such keys, so that the result does not depend on map order).
func tagValue(tags map[string]string, key string) (string, bool) {
	if v, ok := tags[key]; ok {
		return v, true
	}
	best, found := "", false
	for k := range tags {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	return tags[best], found
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".")
}
