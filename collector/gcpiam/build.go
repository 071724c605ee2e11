package gcpiam

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	iam "google.golang.org/api/iam/v1"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// build turns what the run read into the source's Result: accounts, coverage, role documents
// and principals with their effective grants.
func (r *run) build(ctx context.Context) *collector.Result {
	c := r.c
	org := c.opts.Organization
	order := r.order
	if org == "" {
		order = nil
		for _, id := range r.projects {
			order = append(order, "projects/"+id)
		}
	}
	children := map[string][]string{}
	for _, name := range order {
		if s := r.scopes[name]; s != nil && s.parent != "" {
			children[s.parent] = append(children[s.parent], name)
		}
	}

	res := &collector.Result{}
	for _, name := range order {
		res.Accounts = append(res.Accounts, r.account(name))
	}

	// Roles: one document per role named anywhere.
	roleSet := map[string]bool{}
	for _, name := range order {
		for _, b := range r.policies[name] {
			roleSet[b.role] = true
		}
	}
	roleNames := make([]string, 0, len(roleSet))
	for name := range roleSet {
		roleNames = append(roleNames, name)
	}
	slices.Sort(roleNames)
	roles := c.fetchRoles(ctx, roleNames)
	unresolved := 0
	for _, name := range roleNames {
		info := roles[name]
		res.PolicyDocs = append(res.PolicyDocs, info.doc)
		if info.err != nil {
			unresolved++
			c.log.WarnContext(ctx, "role definition unreadable; privilege guessed from its name", "role", name, "err", info.err)
		}
	}

	b := &builder{r: r, byID: map[string]*inventory.Principal{}, badMembers: map[string]int{}}
	// Service accounts first, so that they belong to the project that owns them.
	for _, id := range r.projects {
		if pr := r.results[id]; pr != nil {
			account := "projects/" + id // shared by the project's service accounts
			for _, sa := range pr.accounts {
				b.serviceAccount(account, sa, pr)
			}
		}
	}
	// Bindings, materialised on every descendant scope.
	var desc func(string) []string
	memo := map[string][]string{}
	desc = func(name string) []string {
		if d, ok := memo[name]; ok {
			return d
		}
		var out []string
		for _, ch := range children[name] {
			out = append(out, ch)
			out = append(out, desc(ch)...)
		}
		memo[name] = out
		return out
	}
	for _, where := range order {
		below := desc(where)
		inherited := "inherited:" + where // one string for every grant it explains
		for _, bind := range r.policies[where] {
			priv := roles[bind.role].doc.Privilege
			for _, raw := range bind.members {
				m, err := ParseMember(raw)
				if err != nil {
					c.log.WarnContext(ctx, "skipping unparsable member", "scope", where, "role", bind.role, "err", err)
					b.badMembers[where]++
					continue
				}
				p := b.member(m, where)
				g := inventory.Grant{What: bind.role, Where: where, Via: "direct", Privilege: priv, Condition: bind.cond}
				p.Grants = append(p.Grants, g)
				for _, d := range below {
					g.Where, g.Via = d, inherited
					p.Grants = append(p.Grants, g)
				}
			}
		}
	}

	// Coverage: the organization walk, each project, then group expansion.
	if r.orgCov != nil {
		cov := *r.orgCov
		cov.Method = r.method
		cov.Counts["folders"], cov.Counts["projects"], cov.Counts["bindings"] = 0, len(r.projects), 0
		for _, name := range order {
			if s := r.scopes[name]; s.kind != "project" {
				if s.kind == "folder" {
					cov.Counts["folders"]++
				}
				cov.Counts["bindings"] += len(r.policies[name])
			}
		}
		cov.Counts["roles"] = len(roleNames)
		if unresolved > 0 {
			cov.Counts["roles_unresolved"] = unresolved
		}
		var hier []string
		for _, name := range order {
			if r.scopes[name].kind != "project" {
				hier = append(hier, name)
			}
		}
		r.degradeForRoles(&cov, hier, roles)
		bad := 0
		for _, name := range order {
			if r.scopes[name].kind != "project" {
				bad += b.badMembers[name]
			}
		}
		if bad > 0 {
			cov.Counts["unparsable_members"] = bad
		}
		cov.FinishedAt = c.opts.Now().UTC()
		res.Coverage = append(res.Coverage, cov)
	}
	for _, id := range r.projects {
		res.Coverage = append(res.Coverage, r.projectCoverage(id, roles, b.badMembers))
	}

	if c.opts.ExpandGroups {
		res.Coverage = append(res.Coverage, b.expandGroups(ctx))
	}

	res.Principals = make([]inventory.Principal, 0, len(b.byID))
	for _, p := range b.byID {
		p.Normalize()
		p.Grants = slices.Compact(p.Grants)
		res.Principals = append(res.Principals, *p)
	}
	slices.SortFunc(res.Principals, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	return res
}

func (r *run) account(name string) inventory.Account {
	s := r.scopes[name]
	a := inventory.Account{ID: name, Provider: inventory.ProviderGCP}
	if s == nil {
		a.Kind = "project"
		return a
	}
	a.Name, a.Kind, a.Parent, a.Status, a.Tags = s.display, s.kind, s.parent, s.state, s.labels
	for p := s.parent; p != ""; {
		ps := r.scopes[p]
		if ps == nil {
			break
		}
		a.Path = append([]string{ps.display}, a.Path...)
		p = ps.parent
	}
	return a
}

// projectCoverage says how much of one project was seen. A project whose own calls all failed is
// failed; one with some failures, unreadable ancestor policies (inherited grants unknown) is
// partial.
func (r *run) projectCoverage(id string, roles map[string]*roleInfo, bad map[string]int) inventory.Coverage {
	c := r.c
	name := "projects/" + id
	pr := r.results[id]
	cov := inventory.Coverage{
		Source: c.opts.Name, Provider: inventory.ProviderGCP, Scope: name, Status: inventory.CoverageComplete,
		Method: r.method, StartedAt: pr.started, FinishedAt: pr.finished,
		Counts: map[string]int{"bindings": len(r.policies[name]), "service_accounts": len(pr.accounts), "keys": 0},
	}
	for _, ks := range pr.keys {
		cov.Counts["keys"] += len(ks)
	}
	var msgs []string
	for _, e := range pr.errs {
		msgs = append(msgs, e.Error())
	}
	kind := inventory.ErrNone
	if len(pr.errs) > 0 {
		kind = collector.KindOf(pr.errs[0])
		cov.Status = inventory.CoveragePartial
		if pr.failed() {
			cov.Status = inventory.CoverageFailed
		}
	}
	if s := r.scopes[name]; s != nil {
		for p := s.parent; p != ""; {
			if err := r.policyErr[p]; err != nil {
				msgs = append(msgs, "inherited grants unknown: "+err.Error())
				kind = cmpKind(kind, collector.KindOf(err))
				if cov.Status == inventory.CoverageComplete {
					cov.Status = inventory.CoveragePartial
				}
			}
			ps := r.scopes[p]
			if ps == nil {
				break
			}
			p = ps.parent
		}
	}
	cov.ErrorKind, cov.Error = kind, summarize(msgs)
	// The project's grants come from its own bindings and, materialised, its ancestors'.
	from := []string{name}
	if s := r.scopes[name]; s != nil {
		for p := s.parent; p != "" && r.scopes[p] != nil; p = r.scopes[p].parent {
			from = append(from, p)
		}
	}
	r.degradeForRoles(&cov, from, roles)
	unresolved := map[string]bool{}
	for _, b := range r.policies[name] {
		if info := roles[b.role]; info != nil && info.err != nil {
			unresolved[b.role] = true
		}
	}
	if len(unresolved) > 0 {
		cov.Counts["roles_unresolved"] = len(unresolved)
	}
	if n := bad[name]; n > 0 {
		cov.Counts["unparsable_members"] = n
	}
	return cov
}

// maxNamedRoles caps the roles a coverage message names; Counts["roles_unresolved"] has them all.
const maxNamedRoles = 10

// degradeForRoles marks cov partial when a binding on any of the scopes (the coverage's own and
// those whose grants it inherits) names a role whose definition is unknown (roleInfo.unknown).
// Such a grant's privilege is only a guess from the role's name (a reset once made
// roles/iam.serviceAccountUser, admin by its permissions, read as write), so the scope is not
// seen whole: drift must not read a guessed privilege as a changed or removed grant, and checks
// that rely on it cannot evaluate. The error names the roles and why the first could not be read.
func (r *run) degradeForRoles(cov *inventory.Coverage, scopes []string, roles map[string]*roleInfo) {
	var names []string
	for _, s := range scopes {
		for _, b := range r.policies[s] {
			if info := roles[b.role]; info != nil && info.unknown() {
				names = append(names, b.role)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	names = slices.Compact(names)
	first := roles[names[0]].err
	list := strings.Join(names[:min(len(names), maxNamedRoles)], ", ")
	if len(names) > maxNamedRoles {
		list += fmt.Sprintf(" and %d more", len(names)-maxNamedRoles)
	}
	msg := fmt.Sprintf("roles unresolved: %s (%v)", list, first)
	if cov.Status == inventory.CoverageComplete {
		cov.Status = inventory.CoveragePartial
	}
	cov.ErrorKind = cmpKind(cov.ErrorKind, collector.KindOf(first))
	if cov.Error != "" {
		msg = cov.Error + "; " + msg
	}
	cov.Error = msg
}

func cmpKind(have, next inventory.ErrorKind) inventory.ErrorKind {
	if have != inventory.ErrNone {
		return have
	}
	return next
}

// builder accumulates principals by ID.
type builder struct {
	r          *run
	byID       map[string]*inventory.Principal
	badMembers map[string]int
}

// serviceAgentRE matches Google-managed service agents: service-<number>@gcp-sa-….,
// <number>@cloudservices…, service-<number>@compute-system… and similar.
var serviceAgentRE = regexp.MustCompile(`^(service-)?[0-9]+@|@gcp-sa-`)

// serviceAccount adds a service account of the project named account ("projects/<ID>").
func (b *builder) serviceAccount(account string, sa *iam.ServiceAccount, pr *projectResult) {
	email := strings.ToLower(sa.Email)
	p := &inventory.Principal{
		ID: inventory.GCPPrincipalID(string(MemberServiceAccount), sa.Email), Provider: inventory.ProviderGCP,
		Account: account, Kind: inventory.KindServiceAccount, Name: email, Email: email,
		NativeID: sa.UniqueId, Disabled: sa.Disabled,
	}
	last := pr.saLastAuth[email]
	if t := pr.saLastAuth[sa.UniqueId]; t.After(last) {
		last = t
	}
	p.LastActivity = last
	if sa.DisplayName != "" {
		p.Attributes = map[string]string{"display_name": sa.DisplayName}
	}
	now := b.r.c.opts.Now().UTC()
	for _, k := range pr.keys[email] {
		id := k.Name[strings.LastIndexByte(k.Name, '/')+1:]
		cred := inventory.Credential{
			Kind: inventory.CredSAKey, ID: id, CreatedAt: parseTime(k.ValidAfterTime),
			ExpiresAt: parseTime(k.ValidBeforeTime), LastUsed: pr.keyLastAuth[id], Status: inventory.CredActive,
		}
		switch k.KeyType {
		case "USER_MANAGED":
			cred.Managed = "user"
		case "SYSTEM_MANAGED":
			cred.Managed = "system"
		}
		switch {
		case k.Disabled:
			cred.Status = inventory.CredInactive
		case !cred.ExpiresAt.IsZero() && !cred.ExpiresAt.After(now):
			cred.Status = inventory.CredExpired
		}
		p.Credentials = append(p.Credentials, cred)
	}
	b.byID[p.ID] = p
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// member returns the principal for m, creating it on first sight at scope where.
func (b *builder) member(m Member, where string) *inventory.Principal {
	id := m.PrincipalID()
	if p := b.byID[id]; p != nil {
		return p
	}
	account := b.r.c.opts.Organization
	if account == "" {
		account = where
	}
	p := &inventory.Principal{
		ID: id, Provider: inventory.ProviderGCP, Account: account, Kind: m.Kind(), Email: m.Email(),
	}
	switch m.Type {
	case MemberAllUsers, MemberAllAuthenticatedUsers:
		p.Name = string(m.Type)
	case MemberUser, MemberServiceAccount, MemberGroup:
		p.Name = m.Email()
	default:
		p.Name = m.Value
	}
	if m.Deleted {
		p.Attributes = map[string]string{"deleted": "true", "uid": m.UID}
	}
	if m.Type == MemberServiceAccount && !m.Deleted {
		// Service agents (Google-managed) live in Google's projects, not the customer's; other
		// accounts named <name>@<project ID>.iam.gserviceaccount.com belong to that project.
		_, domain, _ := strings.Cut(p.Email, "@")
		proj, userManaged := strings.CutSuffix(domain, ".iam.gserviceaccount.com")
		switch {
		case serviceAgentRE.MatchString(p.Email) || !userManaged &&
			domain != "developer.gserviceaccount.com" && domain != "appspot.gserviceaccount.com":
			p.Attributes = map[string]string{"google_managed": "true"}
		case userManaged:
			p.Account = "projects/" + proj
		}
	}
	b.byID[id] = p
	return p
}

// expandGroups copies each bound group's own grants (direct and inherited, not those it gets
// through other groups) onto its transitive members with via "group:<group ID>".
func (b *builder) expandGroups(ctx context.Context) inventory.Coverage {
	var emails []string
	for id, p := range b.byID {
		if strings.HasPrefix(id, "gcp:group:") && len(p.Grants) > 0 {
			emails = append(emails, p.Email)
		}
	}
	slices.Sort(emails)
	exps, cov := b.r.c.expandGroups(ctx, emails)
	// Each group's own grants, as its members get them: one Via string per group.
	own := map[string][]inventory.Grant{}
	for _, email := range emails {
		gp := b.byID[inventory.GCPPrincipalID(string(MemberGroup), email)]
		via := "group:" + gp.ID
		for _, g := range gp.Grants {
			if !strings.HasPrefix(g.Via, "group:") {
				g.Via = via
				own[email] = append(own[email], g)
			}
		}
	}
	for _, email := range emails {
		gp := b.byID[inventory.GCPPrincipalID(string(MemberGroup), email)]
		for _, m := range exps[email].members {
			p := b.member(m, gp.Account)
			if p == gp {
				continue
			}
			p.Groups = append(p.Groups, gp.ID)
			p.Grants = append(p.Grants, own[email]...)
		}
	}
	return cov
}
