package reports

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// Review is the access review workbook: for each manager, the cloud access of the people who
// report to them, to certify (keep, change or revoke) — the periodic review HIPAA
// 164.308(a)(4) and SOC 2 CC6.2/CC6.3 expect.
type Review struct {
	Generated time.Time     `json:"generated"`
	Snapshot  string        `json:"snapshot"`
	Groups    []ReviewGroup `json:"groups"`
}

// Review group kinds.
const (
	ReviewManager   = "manager"    // people reporting to Reviewer
	ReviewNoManager = "no_manager" // people whose manager is not on record
	ReviewUnowned   = "unowned"    // human accounts linked to nobody: security reviews them
)

// ReviewGroup is what one reviewer certifies.
type ReviewGroup struct {
	Kind     string         `json:"kind"`
	Reviewer PersonRef      `json:"reviewer,omitzero"`
	People   []ReviewPerson `json:"people"`
}

// PersonRef is a person as the workbook names them.
type PersonRef struct {
	ID         string                 `json:"id,omitempty"`
	Name       string                 `json:"name,omitempty"`
	Email      string                 `json:"email,omitempty"`
	Title      string                 `json:"title,omitempty"`
	Department string                 `json:"department,omitempty"`
	Status     inventory.PersonStatus `json:"status,omitempty"`
}

// ReviewPerson is one person and their cloud access; Person is zero for unowned accounts.
type ReviewPerson struct {
	Person PersonRef      `json:"person,omitzero"`
	Access []ReviewAccess `json:"access"`
}

// ReviewAccess is one account (principal) to certify.
type ReviewAccess struct {
	Principal   string                  `json:"principal"`
	Name        string                  `json:"name"`
	Provider    inventory.Provider      `json:"provider"`
	Kind        inventory.PrincipalKind `json:"kind"`
	Account     string                  `json:"account"`
	AccountName string                  `json:"account_name,omitempty"`
	// Privilege is the highest privilege of its grants.
	Privilege inventory.Privilege `json:"privilege"`
	// Roles are its direct and group grants ("AdministratorAccess @ 111111111111"); grants
	// inherited down a GCP hierarchy are implied by the grant on the parent.
	Roles    []string  `json:"roles"`
	LastUsed time.Time `json:"last_used,omitzero"`
	MFA      bool      `json:"mfa"`
	Console  bool      `json:"console"`
	// OpenFindings counts the open findings of the principal.
	OpenFindings int `json:"open_findings"`
}

// BuildReview builds the workbook from a snapshot and its findings: every enabled AWS or GCP
// principal linked to a person (service accounts under their owner) is listed under that
// person's manager; people whose manager is not on record form one group, and human accounts
// linked to nobody another.
func BuildReview(s *inventory.Snapshot, findings []finding.Finding, generated time.Time) *Review {
	rv := &Review{Generated: generated, Groups: []ReviewGroup{}}
	if s == nil {
		return rv
	}
	rv.Snapshot = s.ID
	open := map[string]int{}
	for _, f := range findings {
		if f.Status == finding.StatusOpen && f.Principal != "" {
			open[f.Principal]++
		}
	}
	docs := make(map[string]string, len(s.PolicyDocs))
	for _, d := range s.PolicyDocs {
		docs[d.ID] = d.Name
	}
	accounts := make(map[string]string, len(s.Accounts))
	for _, a := range s.Accounts {
		if a.Name != "" && a.Name != a.ID {
			accounts[a.ID] = a.Name
		}
	}
	dir := newDirectory(s.People)

	byPerson := map[string][]ReviewAccess{}
	var unowned []ReviewAccess
	for i := range s.Principals {
		p := &s.Principals[i]
		if !cloud(p) {
			continue
		}
		linked := p.PersonID != "" && dir.byID[p.PersonID] != nil
		if !linked && (p.Kind != inventory.KindUser && p.Kind != inventory.KindSSOUser) {
			continue
		}
		a := reviewAccess(p, docs, accounts)
		a.OpenFindings = open[p.ID]
		if linked {
			byPerson[p.PersonID] = append(byPerson[p.PersonID], a)
		} else {
			unowned = append(unowned, a)
		}
	}

	groups := map[string]*ReviewGroup{}
	var noManager *ReviewGroup
	for _, pid := range sortedKeys(byPerson) {
		person := dir.byID[pid]
		access := byPerson[pid]
		slices.SortFunc(access, compareAccess)
		rp := ReviewPerson{Person: personRef(person), Access: access}
		m := dir.manager(person)
		if m == nil {
			if noManager == nil {
				noManager = &ReviewGroup{Kind: ReviewNoManager}
			}
			noManager.People = append(noManager.People, rp)
			continue
		}
		g := groups[m.ID]
		if g == nil {
			g = &ReviewGroup{Kind: ReviewManager, Reviewer: personRef(m)}
			groups[m.ID] = g
		}
		g.People = append(g.People, rp)
	}
	for _, g := range groups {
		rv.Groups = append(rv.Groups, *g)
	}
	slices.SortFunc(rv.Groups, func(a, b ReviewGroup) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Reviewer.Name), strings.ToLower(b.Reviewer.Name)), cmp.Compare(a.Reviewer.ID, b.Reviewer.ID))
	})
	if noManager != nil {
		rv.Groups = append(rv.Groups, *noManager)
	}
	if len(unowned) > 0 {
		slices.SortFunc(unowned, compareAccess)
		rv.Groups = append(rv.Groups, ReviewGroup{Kind: ReviewUnowned, People: []ReviewPerson{{Access: unowned}}})
	}
	for i := range rv.Groups {
		slices.SortFunc(rv.Groups[i].People, func(a, b ReviewPerson) int {
			return cmp.Or(cmp.Compare(strings.ToLower(a.Person.Name), strings.ToLower(b.Person.Name)), cmp.Compare(a.Person.ID, b.Person.ID))
		})
	}
	return rv
}

func compareAccess(a, b ReviewAccess) int {
	return cmp.Or(cmp.Compare(b.Privilege.Rank(), a.Privilege.Rank()), cmp.Compare(a.Provider, b.Provider),
		cmp.Compare(a.Account, b.Account), cmp.Compare(a.Principal, b.Principal))
}

func reviewAccess(p *inventory.Principal, docs, accounts map[string]string) ReviewAccess {
	a := ReviewAccess{Principal: p.ID, Name: p.Name, Provider: p.Provider, Kind: p.Kind, Account: p.Account,
		AccountName: accounts[p.Account], MFA: p.MFA, Console: p.Console, LastUsed: p.LastActivity, Roles: []string{}}
	for _, c := range p.Credentials {
		if c.LastUsed.After(a.LastUsed) {
			a.LastUsed = c.LastUsed
		}
	}
	seen := map[string]bool{}
	for _, g := range p.Grants {
		a.Privilege = a.Privilege.Max(g.Privilege)
		if strings.HasPrefix(g.Via, "inherited:") {
			continue
		}
		name := docs[g.What]
		if name == "" {
			name = shortName(g.What)
		}
		role := name + " @ " + g.Where
		if g.Privilege != inventory.PrivilegeNone {
			role += " (" + string(g.Privilege) + ")"
		}
		if group, ok := strings.CutPrefix(g.Via, "group:"); ok {
			role += " via " + shortName(group)
		}
		if !seen[role] {
			seen[role] = true
			a.Roles = append(a.Roles, role)
		}
	}
	slices.Sort(a.Roles)
	return a
}

// shortName is the last path element of an ARN or resource name ("AdministratorAccess" of
// "arn:aws:iam::aws:policy/AdministratorAccess"); GCP role names stay whole.
func shortName(s string) string {
	if strings.HasPrefix(s, "roles/") || strings.HasPrefix(s, "projects/") || strings.HasPrefix(s, "organizations/") {
		return s
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}

func personRef(p *inventory.Person) PersonRef {
	if p == nil {
		return PersonRef{}
	}
	r := PersonRef{ID: p.ID, Name: p.Name, Title: p.Title, Department: p.Department, Status: p.Status}
	if len(p.Emails) > 0 {
		r.Email = p.Emails[0]
	}
	return r
}

// directory finds people by ID, employee ID or email, to resolve managers.
type directory struct {
	byID  map[string]*inventory.Person
	byKey map[string]*inventory.Person // "<source>\x00<employee ID or email>" and "\x00<email>"
}

func newDirectory(people []inventory.Person) *directory {
	d := &directory{byID: make(map[string]*inventory.Person, len(people)), byKey: map[string]*inventory.Person{}}
	for i := range people {
		p := &people[i]
		d.byID[p.ID] = p
		if p.EmployeeID != "" {
			d.byKey[p.Source+"\x00"+p.EmployeeID] = p
		}
		for _, e := range p.Emails {
			e = strings.ToLower(e)
			d.byKey[p.Source+"\x00"+e] = p
			if _, ok := d.byKey["\x00"+e]; !ok {
				d.byKey["\x00"+e] = p
			}
		}
	}
	return d
}

// manager is the person p.Manager names (an employee ID or email in p's source, a person ID,
// or an email anywhere), or nil.
func (d *directory) manager(p *inventory.Person) *inventory.Person {
	if p == nil || strings.TrimSpace(p.Manager) == "" {
		return nil
	}
	m := strings.TrimSpace(p.Manager)
	for _, cand := range []*inventory.Person{
		d.byKey[p.Source+"\x00"+m],
		d.byKey[p.Source+"\x00"+strings.ToLower(m)],
		d.byID[m],
		d.byID[p.Source+":"+m],
		d.byKey["\x00"+strings.ToLower(m)],
	} {
		if cand != nil && cand.ID != p.ID {
			return cand
		}
	}
	return nil
}

// reviewCSVHeader are the workbook's CSV columns; decision and comment are for the reviewer.
var reviewCSVHeader = []string{
	"reviewer_id", "reviewer_name", "reviewer_email", "group",
	"person_id", "person_name", "person_email", "person_status", "department", "title",
	"provider", "account", "account_name", "principal", "principal_name", "kind",
	"privilege", "roles", "last_used", "mfa", "console", "open_findings", "decision", "comment",
}

func renderReviewCSV(w io.Writer, v *view) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(reviewCSVHeader); err != nil {
		return err
	}
	for _, g := range v.Review.Groups {
		for _, p := range g.People {
			for _, a := range p.Access {
				row := []string{
					g.Reviewer.ID, g.Reviewer.Name, g.Reviewer.Email, g.Kind,
					p.Person.ID, p.Person.Name, p.Person.Email, string(p.Person.Status), p.Person.Department, p.Person.Title,
					string(a.Provider), a.Account, a.AccountName, a.Principal, a.Name, string(a.Kind),
					string(a.Privilege), strings.Join(a.Roles, "; "), csvTime(a.LastUsed), strconv.FormatBool(a.MFA),
					strconv.FormatBool(a.Console), strconv.Itoa(a.OpenFindings), "", "",
				}
				if err := cw.Write(safeRow(row)); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
