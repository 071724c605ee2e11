package reports

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// Report is everything one report shows: one snapshot, its findings with their lifecycle, what
// changed since the previous snapshot, the waivers in force, the trend across retained
// snapshots and the lifecycle KPIs. Renderers read it and never modify it.
type Report struct {
	// Title names the report (an organisation, an environment); empty means "Provost access
	// report".
	Title     string
	Generated time.Time
	Snapshot  SnapshotMeta
	// Previous is the snapshot Drift is measured from; its ID is empty when there is none.
	Previous SnapshotMeta
	Coverage []inventory.Coverage
	Accounts []inventory.Account
	// Totals counts the whole snapshot; Principals holds only the principals that findings
	// name, for the per-principal detail.
	Totals     Totals
	Principals []inventory.Principal
	// People holds the people linked to Principals and their managers.
	People   []inventory.Person
	Findings []finding.Finding
	Drift    []drift.Event
	Waivers  []Waiver
	// History is one point per retained snapshot, oldest first, for the trend chart.
	History []HistoryPoint
	// KPIs are the lifecycle KPIs; nil when not computed.
	KPIs *KPIs
	// Checks is the check catalogue: titles, severities and frameworks of every loaded check,
	// including those without findings (they pass).
	Checks []Check
	// Review is the access review workbook; nil when not built.
	Review *Review
	// ReviewLink is the relative URL of the workbook file written beside the HTML report;
	// empty hides the link.
	ReviewLink string
}

// SnapshotMeta identifies a snapshot and what produced it.
type SnapshotMeta struct {
	ID             string    `json:"id"`
	StartedAt      time.Time `json:"started_at,omitzero"`
	FinishedAt     time.Time `json:"finished_at,omitzero"`
	ProvostVersion string    `json:"provost_version,omitempty"`
	PolicyVersion  string    `json:"policy_version,omitempty"`
}

// Meta returns the identifying part of a snapshot.
func Meta(s *inventory.Snapshot) SnapshotMeta {
	if s == nil {
		return SnapshotMeta{}
	}
	return SnapshotMeta{ID: s.ID, StartedAt: s.StartedAt, FinishedAt: s.FinishedAt, ProvostVersion: s.ProvostVersion, PolicyVersion: s.PolicyVersion}
}

// Totals counts what a snapshot holds.
type Totals struct {
	Principals int `json:"principals"`
	People     int `json:"people"`
	Accounts   int `json:"accounts"`
	// ByProvider, ByKind and ByAccount count principals.
	ByProvider map[string]int `json:"by_provider"`
	ByKind     map[string]int `json:"by_kind"`
	ByAccount  map[string]int `json:"by_account"`
}

// Waiver is an accepted risk as the report shows it: which check and principals it covers, why,
// whose it is and until when.
type Waiver struct {
	Check     string    `json:"check"`
	Principal string    `json:"principal"`
	Qualifier string    `json:"qualifier,omitempty"`
	Reason    string    `json:"reason"`
	Owner     string    `json:"owner"`
	Expires   time.Time `json:"expires"`
	// Expired is true once Expires has passed at the evaluation time: the waiver suppresses
	// nothing any more.
	Expired bool `json:"expired"`
	// Matches is how many findings of this report the waiver covers.
	Matches int `json:"matches"`
	// Source says where it was written ("waivers.toml:12").
	Source string `json:"source,omitempty"`
}

// Check is one entry of the check catalogue.
type Check struct {
	ID          string              `json:"id"`
	Title       string              `json:"title"`
	Description string              `json:"description,omitempty"`
	Severity    finding.Severity    `json:"severity"`
	Frameworks  []string            `json:"frameworks"`
	Remediation finding.Remediation `json:"remediation,omitzero"`
}

// HistoryPoint is one retained snapshot on the trend chart.
type HistoryPoint struct {
	Snapshot   string         `json:"snapshot"`
	At         time.Time      `json:"at"`
	Open       SeverityCounts `json:"open"`
	Principals int            `json:"principals"`
	Score      float64        `json:"score"`
}

// NewHistoryPoint summarises one snapshot's findings: open findings by severity and the score.
func NewHistoryPoint(snapshot string, at time.Time, findings []finding.Finding, principals int) HistoryPoint {
	var open SeverityCounts
	for _, f := range findings {
		if f.Status == finding.StatusOpen {
			open.Add(f.Severity)
		}
	}
	return HistoryPoint{Snapshot: snapshot, At: at, Open: open, Principals: principals, Score: Score(findings, principals)}
}

// SeverityCounts counts findings by severity.
type SeverityCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// Add counts one finding of severity s; invalid severities are not counted.
func (c *SeverityCounts) Add(s finding.Severity) {
	switch s {
	case finding.SeverityCritical:
		c.Critical++
	case finding.SeverityHigh:
		c.High++
	case finding.SeverityMedium:
		c.Medium++
	case finding.SeverityLow:
		c.Low++
	case finding.SeverityInfo:
		c.Info++
	}
}

// Of returns the count of severity s.
func (c SeverityCounts) Of(s finding.Severity) int {
	switch s {
	case finding.SeverityCritical:
		return c.Critical
	case finding.SeverityHigh:
		return c.High
	case finding.SeverityMedium:
		return c.Medium
	case finding.SeverityLow:
		return c.Low
	case finding.SeverityInfo:
		return c.Info
	}
	return 0
}

// Total is the sum over all severities.
func (c SeverityCounts) Total() int { return c.Critical + c.High + c.Medium + c.Low + c.Info }

// scoreWeight is how much a principal's worst open finding takes off the score.
func scoreWeight(s finding.Severity) float64 {
	switch s {
	case finding.SeverityCritical:
		return 1
	case finding.SeverityHigh:
		return 0.6
	case finding.SeverityMedium:
		return 0.3
	case finding.SeverityLow:
		return 0.1
	}
	return 0
}

// Score is the posture score, 0 to 100 with one decimal: 100 minus the share of principals
// weighted by the worst open finding of each (critical 1, high 0.6, medium 0.3, low 0.1,
// info 0). Waived, resolved, error and cannot-evaluate findings, and findings naming no
// principal, do not count. principals is the number of principals in the snapshot; it is
// raised to the number of principals with open findings when smaller.
func Score(findings []finding.Finding, principals int) float64 {
	return scoreOf(findings, principals, nil)
}

// scoreOf is Score over the findings keep selects (all when keep is nil).
func scoreOf(findings []finding.Finding, principals int, keep func(*finding.Finding) bool) float64 {
	worst := map[string]finding.Severity{}
	for i := range findings {
		f := &findings[i]
		if f.Status != finding.StatusOpen || f.Principal == "" || (keep != nil && !keep(f)) {
			continue
		}
		if f.Severity > worst[f.Principal] {
			worst[f.Principal] = f.Severity
		}
	}
	n := max(principals, len(worst))
	if n == 0 {
		return 100
	}
	var penalty float64
	for _, s := range worst {
		penalty += scoreWeight(s)
	}
	score := 100 * (1 - penalty/float64(n))
	return float64(int64(score*10+0.5)) / 10
}

// OpenAtLeast counts the open findings of severity min or higher: what `provost scan --fail-on
// min` fails on. Waived, resolved, errored and cannot-evaluate findings do not count.
func OpenAtLeast(findings []finding.Finding, min finding.Severity) int {
	n := 0
	for i := range findings {
		if findings[i].Status == finding.StatusOpen && findings[i].Severity.AtLeast(min) {
			n++
		}
	}
	return n
}

// FromSnapshot starts a Report from a snapshot and its findings: the snapshot's identity,
// coverage, accounts and totals, the findings, the principals they name and the people linked
// to those principals (with their managers). The caller adds Drift, Waivers, Checks, History,
// KPIs and Review. It keeps references to s's slices, which the report never modifies.
func FromSnapshot(s *inventory.Snapshot, findings []finding.Finding, generated time.Time) (*Report, error) {
	if s == nil {
		return nil, errors.New("report from snapshot: nil snapshot")
	}
	r := &Report{
		Generated: generated,
		Snapshot:  Meta(s),
		Coverage:  s.Coverage,
		Accounts:  s.Accounts,
		Findings:  findings,
		Totals: Totals{
			Principals: len(s.Principals),
			People:     len(s.People),
			Accounts:   len(s.Accounts),
			ByProvider: map[string]int{},
			ByKind:     map[string]int{},
			ByAccount:  map[string]int{},
		},
	}
	named := make(map[string]bool, len(findings))
	for _, f := range findings {
		if f.Principal != "" {
			named[f.Principal] = true
		}
	}
	linked := map[string]bool{}
	for i := range s.Principals {
		p := &s.Principals[i]
		r.Totals.ByProvider[string(p.Provider)]++
		r.Totals.ByKind[string(p.Kind)]++
		r.Totals.ByAccount[p.Account]++
		if named[p.ID] {
			r.Principals = append(r.Principals, *p)
			if p.PersonID != "" {
				linked[p.PersonID] = true
			}
		}
	}
	dir := newDirectory(s.People)
	for _, p := range s.People {
		if !linked[p.ID] {
			continue
		}
		if m := dir.manager(&p); m != nil {
			linked[m.ID] = true
		}
	}
	for _, p := range s.People {
		if linked[p.ID] {
			r.People = append(r.People, p)
		}
	}
	return r, nil
}

// Validate checks what renderers rely on, naming the offending record: valid severities and
// statuses, finding and check IDs, unique principal and person IDs.
func (r *Report) Validate() error {
	if r == nil {
		return errors.New("report: nil")
	}
	var errs []error
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.ID != "" && f.CheckID != "" && f.Severity.Valid() && f.Status.Valid() {
			continue
		}
		who := fmt.Sprintf("finding %d (id %q, check %q, principal %q)", i, f.ID, f.CheckID, f.Principal)
		if f.ID == "" {
			errs = append(errs, fmt.Errorf("%s: no id", who))
		}
		if f.CheckID == "" {
			errs = append(errs, fmt.Errorf("%s: no check id", who))
		}
		if !f.Severity.Valid() {
			errs = append(errs, fmt.Errorf("%s: invalid severity %d: want info, low, medium, high or critical", who, int(f.Severity)))
		}
		if !f.Status.Valid() {
			errs = append(errs, fmt.Errorf("%s: invalid status %q: want open, waived, resolved, error or cannot_evaluate", who, string(f.Status)))
		}
		if len(errs) > 20 {
			break
		}
	}
	for i, c := range r.Checks {
		if c.ID == "" {
			errs = append(errs, fmt.Errorf("check %d (title %q): no id", i, c.Title))
		}
		if !c.Severity.Valid() {
			errs = append(errs, fmt.Errorf("check %q: invalid severity %d", c.ID, int(c.Severity)))
		}
	}
	seen := map[string]bool{}
	for i, p := range r.Principals {
		if p.ID == "" {
			errs = append(errs, fmt.Errorf("principal %d (name %q): no id", i, p.Name))
		} else if seen[p.ID] {
			errs = append(errs, fmt.Errorf("principal %q: listed twice", p.ID))
		}
		seen[p.ID] = true
	}
	clear(seen)
	for i, p := range r.People {
		if p.ID == "" {
			errs = append(errs, fmt.Errorf("person %d (name %q): no id", i, p.Name))
		} else if seen[p.ID] {
			errs = append(errs, fmt.Errorf("person %q: listed twice", p.ID))
		}
		seen[p.ID] = true
	}
	return errors.Join(errs...)
}

// title is the report's heading.
func (r *Report) title() string {
	if strings.TrimSpace(r.Title) != "" {
		return r.Title
	}
	return "Provost access report"
}

// view is a Report prepared for rendering: sorted copies, indexes and the summary.
type view struct {
	*Report
	findings   []finding.Finding // severity (highest first), check, principal, qualifier, ID
	principals map[string]*inventory.Principal
	people     map[string]*inventory.Person
	accounts   map[string]*inventory.Account
	checks     map[string]*Check
	summary    Summary
	dir        *directory // people by ID, employee ID and email; built on first use
}

func newView(r *Report) (*view, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("invalid report: %w", err)
	}
	v := &view{
		Report:     r,
		findings:   sortedFindings(r.Findings),
		principals: make(map[string]*inventory.Principal, len(r.Principals)),
		people:     make(map[string]*inventory.Person, len(r.People)),
		accounts:   make(map[string]*inventory.Account, len(r.Accounts)),
		checks:     make(map[string]*Check, len(r.Checks)),
	}
	for i := range r.Principals {
		v.principals[r.Principals[i].ID] = &r.Principals[i]
	}
	for i := range r.People {
		v.people[r.People[i].ID] = &r.People[i]
	}
	for i := range r.Accounts {
		v.accounts[r.Accounts[i].ID] = &r.Accounts[i]
	}
	for i := range r.Checks {
		v.checks[r.Checks[i].ID] = &r.Checks[i]
	}
	v.summary = summarize(v)
	return v, nil
}

// sortedFindings returns a copy of fs in compareFindings order. It sorts indexes, not the
// large Finding values.
func sortedFindings(fs []finding.Finding) []finding.Finding {
	// Rank checks and principals once, so that most comparisons compare integers.
	checkRank, principalRank := rankStrings(fs, func(f *finding.Finding) string { return f.CheckID }),
		rankStrings(fs, func(f *finding.Finding) string { return f.Principal })
	type key struct{ sev, check, principal int32 }
	keys := make([]key, len(fs))
	idx := make([]int32, len(fs))
	for i := range fs {
		idx[i] = int32(i)
		keys[i] = key{int32(fs[i].Severity), checkRank[fs[i].CheckID], principalRank[fs[i].Principal]}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		ka, kb := keys[a], keys[b]
		if c := cmp.Or(cmp.Compare(kb.sev, ka.sev), cmp.Compare(ka.check, kb.check), cmp.Compare(ka.principal, kb.principal)); c != 0 {
			return c
		}
		return compareFindings(&fs[a], &fs[b])
	})
	out := make([]finding.Finding, len(fs))
	for i, j := range idx {
		out[i] = fs[j]
	}
	return out
}

// rankStrings maps each distinct value of key to its rank in sorted order.
func rankStrings(fs []finding.Finding, key func(*finding.Finding) string) map[string]int32 {
	rank := map[string]int32{}
	for i := range fs {
		rank[key(&fs[i])] = 0
	}
	for i, s := range slices.Sorted(maps.Keys(rank)) {
		rank[s] = int32(i)
	}
	return rank
}

// compareFindings orders by severity (highest first), check, principal, qualifier and ID.
func compareFindings(a, b *finding.Finding) int {
	return cmp.Or(
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(a.CheckID, b.CheckID),
		cmp.Compare(a.Principal, b.Principal),
		cmp.Compare(a.Qualifier, b.Qualifier),
		cmp.Compare(a.ID, b.ID),
	)
}

// principalName is the display name of a principal ID: its name when known, else the ID.
func (v *view) principalName(id string) string {
	if p := v.principals[id]; p != nil && p.Name != "" {
		return p.Name
	}
	return id
}

// personOf is the person a principal is linked to, or nil.
func (v *view) personOf(principal string) *inventory.Person {
	if p := v.principals[principal]; p != nil && p.PersonID != "" {
		return v.people[p.PersonID]
	}
	return nil
}

// accountName is "name (id)" when the account has a name distinct from its ID.
func (v *view) accountName(id string) string {
	if a := v.accounts[id]; a != nil && a.Name != "" && a.Name != id {
		return a.Name
	}
	return ""
}

// checkTitle is the catalogue's title of a check, else the first finding's title.
func (v *view) checkTitle(id, fallback string) string {
	if c := v.checks[id]; c != nil && c.Title != "" {
		return c.Title
	}
	return fallback
}

// sortedKeys returns a map's keys in order.
func sortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	return slices.Sorted(maps.Keys(m))
}
