package ldap

import (
	"context"
	"fmt"
	"slices"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// maxListedProblems is how many undecodable attribute values a coverage message names.
const maxListedProblems = 5

// Source reads the people and accounts of one LDAP directory.
type Source struct {
	opts Options
}

var (
	_ collector.Source    = (*Source)(nil)
	_ collector.Describer = (*Source)(nil)
)

// New returns a Source for opts; it fails when options are missing or invalid. Nothing is
// contacted until Collect.
func New(opts Options) (*Source, error) {
	opts.defaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("ldap source %q: %w", opts.Name, err)
	}
	return &Source{opts: opts}, nil
}

// Name returns the configured source name.
func (s *Source) Name() string { return s.opts.Name }

// Provider is ldap, the provider of the source's Coverage entry, so that the runner's entry for a
// Collect that failed outright (timed out, panicked) still names a source of truth.
func (s *Source) Provider() inventory.Provider { return inventory.ProviderLDAP }

// Method is "ldap", what the source's Coverage entry records until the directory has been read
// (it then names the flavor, "ldap:openldap" or "ldap:ad", which auto-detection learns only
// while collecting).
func (s *Source) Method() string { return "ldap" }

// Collect binds, searches users (and groups) with paging and returns people, user and group
// principals. Its one Coverage entry, scope the base DN, counts "people" (the roster size),
// "users", "groups", "disabled" and "problems". An unreachable server, a TLS failure, a
// rejected bind, a missing base DN or a search that fails before any entry is a failed
// coverage with that error's kind; a failure part-way, a failed group search or attribute
// values that cannot be decoded make it partial. A search that finds nobody is failed, never
// "nobody works here". Only ctx's error is returned.
func (s *Source) Collect(ctx context.Context) (*collector.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := s.opts.Logger.With("component", "ldap", "source", s.opts.Name)
	now := s.opts.Now().UTC()
	cov := inventory.Coverage{
		Source:    s.opts.Name,
		Provider:  inventory.ProviderLDAP,
		Scope:     s.opts.BaseDN,
		Method:    "ldap",
		StartedAt: now,
	}
	if cov.Scope == "" {
		cov.Scope = s.opts.URL
	}
	res := &collector.Result{}
	finish := func(status inventory.CoverageStatus, kind inventory.ErrorKind, msg string) (*collector.Result, error) {
		cov.Status, cov.ErrorKind, cov.Error = status, kind, msg
		cov.FinishedAt = s.opts.Now().UTC()
		res.Coverage = []inventory.Coverage{cov}
		return res, nil
	}

	conn, closeConn, err := s.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		log.Warn("cannot connect", "error", err)
		return finish(inventory.CoverageFailed, kindOf(err), err.Error())
	}
	defer closeConn()

	flavor, base := s.opts.Flavor, s.opts.BaseDN
	if flavor == FlavorAuto || base == "" {
		f, b, err := rootDSE(conn)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			err = wrapErr(err, "read the root DSE of %s", s.opts.URL)
			return finish(inventory.CoverageFailed, kindOf(err), err.Error())
		}
		if flavor == FlavorAuto {
			flavor = f
		}
		if base == "" {
			base = b
		}
	}
	if base == "" {
		return finish(inventory.CoverageFailed, inventory.ErrInvalid,
			s.opts.URL+" announces no naming context; set base_dn")
	}
	cov.Scope, cov.Method = base, "ldap:"+string(flavor)
	res.Accounts = []inventory.Account{{ID: base, Provider: inventory.ProviderLDAP, Name: s.opts.Name, Kind: "directory"}}

	d := &decoder{source: s.opts.Name, account: base, flavor: flavor, attrs: s.opts.Attributes.merged(flavor),
		statuses: s.opts.StatusValues, now: now}
	filter := s.opts.Filter
	if filter == "" {
		filter = DefaultFilter(flavor)
	}
	var problems []string
	var worst inventory.ErrorKind
	note := func(kind inventory.ErrorKind, msg string) {
		problems = append(problems, msg)
		if worst == inventory.ErrNone {
			worst = kind
		}
	}

	var accounts []account
	n, err := searchPaged(ctx, conn, base, filter, d.userAttributes(), s.opts.PageSize, func(e *goldap.Entry) {
		accounts = append(accounts, d.user(e))
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		err = wrapErr(err, "search users under %s with %s", base, filter)
		log.Warn("user search failed", "error", err, "entries", n)
		if n == 0 {
			return finish(inventory.CoverageFailed, kindOf(err), err.Error())
		}
		note(kindOf(err), fmt.Sprintf("the user search stopped after %d entries: %v", n, err))
	}

	type groupEntry struct {
		p           inventory.Principal
		members     []string
		memberUIDs  []string
		problemList []string
	}
	var groups []groupEntry
	if s.opts.Groups {
		gfilter := s.opts.GroupFilter
		if gfilter == "" {
			gfilter = DefaultGroupFilter(flavor)
		}
		_, err := searchPaged(ctx, conn, base, gfilter, d.groupAttributes(), s.opts.PageSize, func(e *goldap.Entry) {
			p, members, uids, probs := d.group(e)
			groups = append(groups, groupEntry{p, members, uids, probs})
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			err = wrapErr(err, "search groups under %s with %s", base, gfilter)
			log.Warn("group search failed", "error", err)
			note(kindOf(err), err.Error())
		}
	}

	// People, one per employee ID (or directory ID); principals linked to them.
	index := map[string]int{}
	byDN := map[string]int{}    // normalised DN → index in accounts
	byUser := map[string]int{}  // folded username → index in accounts
	groupDN := map[string]int{} // normalised DN → index in groups
	var decodeProblems []string
	disabled := 0
	for i := range accounts {
		a := &accounts[i]
		byDN[normalizeDN(a.principal.Attributes[AttrDN])] = i
		if a.principal.Name != "" {
			byUser[strings.ToLower(a.principal.Name)] = i
		}
		decodeProblems = append(decodeProblems, a.problems...)
		if a.principal.Disabled {
			disabled++
		}
	}
	for i := range groups {
		groupDN[normalizeDN(groups[i].p.Attributes[AttrDN])] = i
		decodeProblems = append(decodeProblems, groups[i].problemList...)
	}
	addGroup := func(p *inventory.Principal, gid string) {
		if !slices.Contains(p.Groups, gid) {
			p.Groups = append(p.Groups, gid)
		}
	}
	for _, g := range groups {
		for _, m := range g.members {
			key := normalizeDN(m)
			if i, ok := byDN[key]; ok {
				addGroup(&accounts[i].principal, g.p.ID)
			} else if j, ok := groupDN[key]; ok {
				addGroup(&groups[j].p, g.p.ID)
			}
		}
		for _, uid := range g.memberUIDs {
			if i, ok := byUser[strings.ToLower(uid)]; ok {
				addGroup(&accounts[i].principal, g.p.ID)
			}
		}
	}
	for i := range accounts {
		a := &accounts[i]
		if a.managerDN != "" {
			a.person.Manager = a.managerDN
			if m, ok := byDN[normalizeDN(a.managerDN)]; ok {
				a.person.Manager = strings.TrimPrefix(accounts[m].person.ID, s.opts.Name+":")
			}
		}
		if j, ok := index[a.person.ID]; ok {
			collector.MergePerson(&res.People[j], a.person)
		} else {
			index[a.person.ID] = len(res.People)
			res.People = append(res.People, a.person)
		}
		slices.Sort(a.principal.Groups)
		res.Principals = append(res.Principals, a.principal)
	}
	for _, g := range groups {
		slices.Sort(g.p.Groups)
		res.Principals = append(res.Principals, g.p)
	}

	if len(decodeProblems) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d attribute values could not be decoded: ", len(decodeProblems))
		for i, p := range decodeProblems {
			if i == maxListedProblems {
				fmt.Fprintf(&b, "; and %d more", len(decodeProblems)-maxListedProblems)
				break
			}
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p)
		}
		note(inventory.ErrInvalid, b.String())
	}
	cov.Counts = map[string]int{
		"people":   len(res.People),
		"users":    len(accounts),
		"groups":   len(groups),
		"disabled": disabled,
		"problems": len(decodeProblems),
	}
	log.Info("searched the directory", "users", len(accounts), "groups", len(groups), "flavor", flavor)
	switch {
	case len(accounts) == 0 && len(problems) == 0:
		return finish(inventory.CoverageFailed, inventory.ErrInvalid, fmt.Sprintf(
			"no entry under %s matches %s; an empty directory is taken as a failed read, not as nobody working here", base, filter))
	case len(accounts) == 0:
		return finish(inventory.CoverageFailed, worst, strings.Join(problems, "; "))
	case len(problems) > 0:
		return finish(inventory.CoveragePartial, worst, strings.Join(problems, "; "))
	}
	return finish(inventory.CoverageComplete, inventory.ErrNone, "")
}
