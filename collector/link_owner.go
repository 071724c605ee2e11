package collector

import (
	"slices"
	"strings"
	"unicode"

	"github.com/provost-dev/provost/inventory"
)

// RuleSource is the LinkRule a source of truth records on its own directory accounts: an LDAP
// entry or SCIM user is the account of the person that same entry describes, so the source sets
// PersonID itself and Link leaves the principal as it is.
const RuleSource = "source"

// ownerLookup finds the people an owner tag or label value names: a value with an "@" is an
// email (or email alias), case-folded; any other is tried in turn as a person ID, an employee
// ID, a username (an alias that is not an email, or one the username patterns build) and an
// email in label form. The first that finds anyone decides.
//
// Label form exists because GCP label values allow only lowercase letters, digits, "_" and "-":
// owner=ada_lovelace_corp_example names ada.lovelace@corp.example. Label forms are compared
// with every character other than a letter or digit removed, so "_" and "-" spellings both
// match; two people whose emails collapse to the same letters make the match ambiguous.
func (ix *peopleIndex) ownerLookup(v string) []int {
	key := fold(v)
	if key == "" {
		return nil
	}
	if strings.Contains(key, "@") {
		return ix.email[key] // emails and email aliases
	}
	if i, ok := ix.ids[strings.TrimSpace(v)]; ok {
		return []int{i}
	}
	if found := ix.employee[key]; len(found) > 0 {
		return found
	}
	if found := ix.username[key]; len(found) > 0 {
		return found
	}
	if l := labelForm(key); len(l) >= minLabelForm {
		if ix.label == nil {
			ix.indexLabels()
		}
		return ix.label[l]
	}
	return nil
}

// minLabelForm keeps short values ("ops", "team1") from matching emails by accident: an email's
// label form always has its local part, an "@" replacement and a domain with a dot.
const minLabelForm = 6

// indexLabels records the label forms of every person's emails and email aliases. It runs on
// the first label lookup: most estates never need it.
func (ix *peopleIndex) indexLabels() {
	ix.label = map[string][]int{}
	for i, p := range ix.people {
		for _, e := range slices.Concat(p.Emails, p.Aliases) {
			if !isEmail(e) {
				continue
			}
			l := labelForm(fold(e))
			if len(l) < minLabelForm {
				continue
			}
			if n := len(ix.label[l]); n == 0 || ix.label[l][n-1] != i {
				ix.label[l] = append(ix.label[l], i)
			}
		}
	}
}

// labelForm keeps only the letters and digits of s.
func labelForm(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// preferPerson reports whether record a should represent a human over record b when both share
// an employee ID: the more final status wins (terminated, leave, active, then none), so that a
// cloud account of someone any source of truth says has left links to a leaver; among equals,
// the lower ID, so that the choice does not depend on input order.
func preferPerson(a, b inventory.Person) bool {
	ra, rb := finality(a.Status), finality(b.Status)
	if ra != rb {
		return ra > rb
	}
	return a.ID < b.ID
}

func finality(s inventory.PersonStatus) int {
	switch s {
	case inventory.PersonTerminated:
		return 3
	case inventory.PersonLeave:
		return 2
	case inventory.PersonActive:
		return 1
	}
	return 0
}
