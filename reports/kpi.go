package reports

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// KPIs are the identity lifecycle indicators computed from the retained snapshots.
type KPIs struct {
	// From and To are the collection times of the oldest and newest snapshot observed.
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Snapshots int       `json:"snapshots"`
	// SLASeconds is the leaver SLA: how long a leaver may keep cloud access.
	SLASeconds int64 `json:"sla_seconds"`

	// Leavers are the people seen terminated while (or just after) they had cloud access, most
	// overdue first.
	Leavers []Leaver `json:"leavers"`
	// Removed counts leavers whose last cloud access went away within the window;
	// MedianRemovalSeconds is the median of their time from termination to removal, and
	// RemovedLate how many of them took longer than the SLA.
	Removed              int   `json:"removed"`
	MedianRemovalSeconds int64 `json:"median_removal_seconds"`
	RemovedLate          int   `json:"removed_late"`
	// WorstSeconds is the longest any leaver had access after termination, those who still
	// have it included.
	WorstSeconds int64 `json:"worst_seconds"`
	// StillWithAccess counts leavers who have cloud access in the newest snapshot; OverSLA
	// those of them past the SLA.
	StillWithAccess int `json:"still_with_access"`
	OverSLA         int `json:"over_sla"`

	// OutsideIdP counts the cloud accounts in the newest snapshot that were created outside
	// the identity provider: AWS IAM users (not Identity Center users) and GCP users whose
	// email domain is not one of the organisation's. NewOutsideIdP lists those that appeared
	// after the oldest snapshot.
	OutsideIdP    int              `json:"outside_idp"`
	NewOutsideIdP []OutsideAccount `json:"new_outside_idp"`
}

// Leaver is one person terminated in a source of truth, and how long their cloud access lasted.
type Leaver struct {
	Person       string    `json:"person"`
	Name         string    `json:"name,omitempty"`
	TerminatedAt time.Time `json:"terminated_at"`
	// RemovedAt is the collection time of the first snapshot that saw no access left; zero
	// while the leaver still has access.
	RemovedAt time.Time `json:"removed_at,omitzero"`
	// Seconds is the time from termination to removal, or to the newest snapshot while access
	// remains.
	Seconds int64 `json:"seconds"`
	OverSLA bool  `json:"over_sla"`
	// Principals are the accounts that still give access (empty once removed).
	Principals []string `json:"principals"`
}

// OutsideAccount is a cloud account created outside the identity provider.
type OutsideAccount struct {
	Principal string             `json:"principal"`
	Name      string             `json:"name"`
	Provider  inventory.Provider `json:"provider"`
	Account   string             `json:"account"`
	FirstSeen time.Time          `json:"first_seen"`
}

// LifecycleOptions configure a Lifecycle.
type LifecycleOptions struct {
	// SLA is how long a leaver may keep access (the config's leaver_sla_hours).
	SLA time.Duration
	// Domains are the organisation's email domains: GCP users of other domains were created
	// outside the identity provider. The names of the snapshot's GCP organizations (which GCP
	// sets to the primary domain) are added.
	Domains []string
}

// Lifecycle computes KPIs from retained snapshots observed oldest first. It keeps per-person
// state only, so the caller can stream snapshots from the store one at a time.
type Lifecycle struct {
	opts      LifecycleOptions
	domains   map[string]bool
	from, to  time.Time
	snapshots int
	prev      map[string][]access // person → cloud access in the previous snapshot
	leavers   map[string]*leaverState
	outside   map[string]OutsideAccount // principal → first seen, all ever seen
	current   []string                  // outside-IdP principals of the newest snapshot
}

type access struct{ principal, account string }

type leaverState struct {
	name       string
	terminated time.Time
	removed    time.Time
	access     []access // the access last seen
}

// NewLifecycle returns an empty observer.
func NewLifecycle(opts LifecycleOptions) *Lifecycle {
	l := &Lifecycle{opts: opts, domains: map[string]bool{}, leavers: map[string]*leaverState{}, outside: map[string]OutsideAccount{}}
	for _, d := range opts.Domains {
		l.domains[strings.ToLower(strings.TrimSpace(d))] = true
	}
	return l
}

// cloud reports whether a principal is cloud access: an enabled, non-group AWS or GCP
// principal.
func cloud(p *inventory.Principal) bool {
	return (p.Provider == inventory.ProviderAWS || p.Provider == inventory.ProviderGCP) && !p.Disabled && p.Kind != inventory.KindGroup
}

// snapshotTime is when a snapshot was collected.
func snapshotTime(s *inventory.Snapshot) time.Time {
	if !s.StartedAt.IsZero() {
		return s.StartedAt
	}
	return s.FinishedAt
}

// Observe folds in the next snapshot; snapshots must come oldest first (an older one than the
// last observed is ignored).
func (l *Lifecycle) Observe(s *inventory.Snapshot) {
	if s == nil {
		return
	}
	t := snapshotTime(s)
	if l.snapshots > 0 && t.Before(l.to) {
		return
	}
	if l.snapshots == 0 {
		l.from = t
	}
	l.to = t
	l.snapshots++

	domains := l.domains
	for _, a := range s.Accounts {
		if a.Provider == inventory.ProviderGCP && a.Kind == "organization" && a.Name != "" {
			if !domains[strings.ToLower(a.Name)] {
				domains = cloneSet(domains)
				domains[strings.ToLower(a.Name)] = true
			}
		}
	}

	// Principals that still-open leavers had access through, so that access is followed even
	// when the person has dropped out of the source of truth.
	tracked := map[string]string{} // principal → person
	for id, st := range l.leavers {
		if st.removed.IsZero() {
			for _, a := range st.access {
				tracked[a.principal] = id
			}
		}
	}
	cur := map[string][]access{}
	stillThere := map[string][]access{} // person → tracked principals still giving access
	l.current = l.current[:0]
	for i := range s.Principals {
		p := &s.Principals[i]
		if !cloud(p) {
			continue
		}
		a := access{p.ID, p.Account}
		if p.PersonID != "" {
			cur[p.PersonID] = append(cur[p.PersonID], a)
		}
		if person, ok := tracked[p.ID]; ok {
			stillThere[person] = append(stillThere[person], a)
		}
		if l.outsideIdP(p, domains) {
			l.current = append(l.current, p.ID)
			if _, ok := l.outside[p.ID]; !ok {
				l.outside[p.ID] = OutsideAccount{Principal: p.ID, Name: p.Name, Provider: p.Provider, Account: p.Account, FirstSeen: t}
			}
		}
	}

	inSource := map[string]bool{}
	for i := range s.People {
		p := &s.People[i]
		inSource[p.ID] = true
		st := l.leavers[p.ID]
		if p.Status != inventory.PersonTerminated {
			delete(l.leavers, p.ID) // active again (rehired) or on leave: not a leaver
			continue
		}
		if st == nil {
			term := t
			if !p.EndDate.IsZero() && !p.EndDate.After(t) {
				term = p.EndDate
			}
			switch {
			case len(cur[p.ID]) > 0:
				l.leavers[p.ID] = &leaverState{name: p.Name, terminated: term, access: cur[p.ID]}
			case len(l.prev[p.ID]) > 0 && seenWhole(s.Coverage, l.prev[p.ID]):
				// Access in the previous snapshot and none now: removed by this one.
				l.leavers[p.ID] = &leaverState{name: p.Name, terminated: term, removed: t, access: l.prev[p.ID]}
			}
			continue
		}
		if p.Name != "" {
			st.name = p.Name
		}
		l.update(st, unionAccess(cur[p.ID], stillThere[p.ID]), s.Coverage, t)
	}
	for id, st := range l.leavers {
		if !inSource[id] {
			l.update(st, stillThere[id], s.Coverage, t)
		}
	}
	l.prev = cur
}

// update moves a leaver on with the access seen now.
func (l *Lifecycle) update(st *leaverState, now []access, coverage []inventory.Coverage, t time.Time) {
	switch {
	case len(now) > 0:
		st.access, st.removed = now, time.Time{}
	case st.removed.IsZero() && seenWhole(coverage, st.access):
		st.removed = t
	}
}

// seenWhole reports whether every account of the access was collected completely: only then
// does an absence mean a removal.
func seenWhole(coverage []inventory.Coverage, as []access) bool {
	for _, a := range as {
		if finding.ScopeStatus(coverage, a.account) != inventory.CoverageComplete {
			return false
		}
	}
	return true
}

func unionAccess(a, b []access) []access {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func cloneSet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// outsideIdP reports whether a cloud principal was created outside the identity provider.
func (l *Lifecycle) outsideIdP(p *inventory.Principal, domains map[string]bool) bool {
	switch {
	case p.Provider == inventory.ProviderAWS && p.Kind == inventory.KindUser:
		return true
	case p.Provider == inventory.ProviderGCP && p.Kind == inventory.KindUser:
		email := p.Email
		if email == "" {
			email = strings.TrimPrefix(p.ID, "gcp:user:")
		}
		_, domain, ok := strings.Cut(strings.ToLower(email), "@")
		return !ok || !domains[domain]
	}
	return false
}

// KPIs returns the indicators over the snapshots observed so far.
func (l *Lifecycle) KPIs() KPIs {
	k := KPIs{From: l.from, To: l.to, Snapshots: l.snapshots, SLASeconds: int64(l.opts.SLA / time.Second),
		Leavers: []Leaver{}, NewOutsideIdP: []OutsideAccount{}}
	var removals []int64
	for id, st := range l.leavers {
		lv := Leaver{Person: id, Name: st.name, TerminatedAt: st.terminated, RemovedAt: st.removed, Principals: []string{}}
		end := st.removed
		if end.IsZero() {
			end = l.to
			for _, a := range st.access {
				lv.Principals = append(lv.Principals, a.principal)
			}
			slices.Sort(lv.Principals)
			k.StillWithAccess++
		}
		lv.Seconds = max(0, int64(end.Sub(st.terminated)/time.Second))
		lv.OverSLA = lv.Seconds > k.SLASeconds
		if st.removed.IsZero() {
			if lv.OverSLA {
				k.OverSLA++
			}
		} else {
			k.Removed++
			removals = append(removals, lv.Seconds)
			if lv.OverSLA {
				k.RemovedLate++
			}
		}
		k.WorstSeconds = max(k.WorstSeconds, lv.Seconds)
		k.Leavers = append(k.Leavers, lv)
	}
	slices.SortFunc(k.Leavers, func(a, b Leaver) int {
		openA, openB := a.RemovedAt.IsZero(), b.RemovedAt.IsZero()
		if openA != openB {
			if openA {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Person, b.Person))
	})
	k.MedianRemovalSeconds = median(removals)
	k.OutsideIdP = len(l.current)
	for _, id := range l.current {
		o := l.outside[id]
		if o.FirstSeen.After(l.from) {
			k.NewOutsideIdP = append(k.NewOutsideIdP, o)
		}
	}
	slices.SortFunc(k.NewOutsideIdP, func(a, b OutsideAccount) int {
		return cmp.Or(b.FirstSeen.Compare(a.FirstSeen), cmp.Compare(a.Principal, b.Principal))
	})
	return k
}

// median of the values; the mean of the two middle ones for an even count, 0 for none.
func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// ComputeKPIs observes snapshots (oldest first) and returns their KPIs.
func ComputeKPIs(snapshots []*inventory.Snapshot, opts LifecycleOptions) KPIs {
	l := NewLifecycle(opts)
	for _, s := range snapshots {
		l.Observe(s)
	}
	return l.KPIs()
}
