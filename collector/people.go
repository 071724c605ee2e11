package collector

import (
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// MergePerson folds into p another record of the same human from the same source: directories
// often hold several accounts under one employee ID (an everyday and an admin account), and a
// person is one human. Emails and aliases are united (case-insensitively, p's first), empty
// fields are filled from other, and the status is the most present of the two (active, then
// leave, then terminated): someone with one enabled account still works here.
func MergePerson(p *inventory.Person, other inventory.Person) {
	p.Emails = unionFold(p.Emails, other.Emails)
	p.Aliases = unionFold(p.Aliases, other.Aliases)
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&p.EmployeeID, other.EmployeeID)
	fill(&p.Name, other.Name)
	fill(&p.Department, other.Department)
	fill(&p.Title, other.Title)
	fill(&p.Manager, other.Manager)
	fill(&p.ExternalID, other.ExternalID)
	if p.StartDate.IsZero() || (!other.StartDate.IsZero() && other.StartDate.Before(p.StartDate)) {
		p.StartDate = other.StartDate
	}
	if statusRank(other.Status) > statusRank(p.Status) {
		p.Status = other.Status
		p.EndDate = other.EndDate
	}
}

func statusRank(s inventory.PersonStatus) int {
	switch s {
	case inventory.PersonActive:
		return 3
	case inventory.PersonLeave:
		return 2
	case inventory.PersonTerminated:
		return 1
	}
	return 0
}

func unionFold(a, b []string) []string {
	for _, s := range b {
		dup := false
		for _, t := range a {
			if strings.EqualFold(s, t) {
				dup = true
				break
			}
		}
		if !dup {
			a = append(a, s)
		}
	}
	return a
}
