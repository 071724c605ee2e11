package remediate

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// Rule maps one check to an action. Nothing is remediated unless a rule enables it.
type Rule struct {
	Check   string `json:"check"`
	Action  Action `json:"action"`
	Enabled bool   `json:"enabled"`
	// Automatic lets the daemon apply the rule's steps without a human, inside Scope.
	Automatic bool `json:"automatic"`
	// Grace is how long a mark stands before the action; zero acts on the next run after the mark.
	Grace time.Duration `json:"grace"`
	// DeleteAction (optional) follows once the mark is older than DeleteAfter (> Grace).
	DeleteAction Action        `json:"delete_action,omitempty"`
	DeleteAfter  time.Duration `json:"delete_after,omitempty"`
	Scope        Scope         `json:"scope,omitzero"`
}

// Scope limits automatic steps to listed accounts, OUs/folders (an account's Path element or
// Parent) or departments (of the linked person). All empty: everywhere.
type Scope struct {
	Accounts    []string `json:"accounts,omitempty"`
	OUs         []string `json:"ous,omitempty"`
	Departments []string `json:"departments,omitempty"`
}

// Empty reports whether the scope lists nothing (no restriction).
func (s Scope) Empty() bool { return len(s.Accounts)+len(s.OUs)+len(s.Departments) == 0 }

// Policy is the remediation configuration.
type Policy struct {
	Rules []Rule `json:"rules"`
	// Protected are principal ID or name globs (path.Match) never touched, besides the built-in
	// ones: root, Self, service-linked roles, AWSReservedSSO_* and the BreakGlassTag.
	Protected []string `json:"protected,omitempty"`
	// Self are Provost's own identities (its role ARN, its service account).
	Self []string `json:"self,omitempty"`
	// BreakGlassTag is a tag/label key that protects a principal unless its value is "false";
	// default "provost:break-glass".
	BreakGlassTag string `json:"break_glass_tag,omitempty"`
	// MaxActions and MaxPercent cap the acting steps (not marks) of one run, as a count and as
	// a percentage of the snapshot's principals; exceeding either aborts the whole run. Zero
	// allows none: there is no "unlimited".
	MaxActions int     `json:"max_actions"`
	MaxPercent float64 `json:"max_percent"`
	// MaxRosterShrinkPercent: a source of truth whose people count fell by more than this
	// since the previous snapshot blocks the run.
	MaxRosterShrinkPercent float64 `json:"max_roster_shrink_percent"`
}

// DefaultBreakGlassTag is the tag key that protects a principal when Policy.BreakGlassTag is empty.
const DefaultBreakGlassTag = "provost:break-glass"

// MarkTag is the tag key a mark step sets on the principal where the target allows tags.
const MarkTag = "provost:marked-for"

// Mark records the start of a grace period for one finding's action.
type Mark struct {
	FindingID string    `json:"finding_id"`
	Action    Action    `json:"action"`
	Principal string    `json:"principal"`
	MarkedAt  time.Time `json:"marked_at"`
}

// MarkKey is the store key of a finding's mark for an action.
func MarkKey(findingID string, a Action) string { return findingID + "/" + string(a) }

// Plan is a list of steps a human can read and approve, tied to the snapshot it was made from.
type Plan struct {
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	SnapshotID string    `json:"snapshot_id"`
	SnapshotAt time.Time `json:"snapshot_at"`
	Principals int       `json:"principals"`
	Steps      []Step    `json:"steps"`
	Blocked    []Blocked `json:"blocked,omitempty"`
	// ClearMarks are the marks (MarkKey) of findings no longer open in the snapshot: Apply
	// deletes them, so a finding that comes back starts a new grace period.
	ClearMarks []string `json:"clear_marks,omitempty"`
}

// PlanVersion is the plan file format version.
const PlanVersion = 1

// Blocked is a finding a rule would remediate that a per-principal guard refused.
type Blocked struct {
	FindingID string `json:"finding_id"`
	CheckID   string `json:"check_id"`
	Principal string `json:"principal"`
	Action    Action `json:"action"`
	Guard     string `json:"guard"` // "protected", "coverage", "source_of_truth", "target"
	Reason    string `json:"reason"`
}

// Acting returns the steps that change access (phases act and delete), not marks.
func (p *Plan) Acting() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Phase != PhaseMark {
			out = append(out, s)
		}
	}
	return out
}

// MakePlan builds the plan for snap's open findings under pol at time now. marks holds the
// grace marks already stored, by MarkKey. It only reads its arguments.
func MakePlan(pol *Policy, snap *inventory.Snapshot, fs []finding.Finding, marks map[string]Mark, now time.Time) (*Plan, error) {
	rules := map[string]Rule{}
	for i, r := range pol.Rules {
		if !r.Enabled {
			continue
		}
		if !r.Action.Valid() {
			return nil, fmt.Errorf("rule %d (check %s): unknown action %q", i, r.Check, r.Action)
		}
		rules[r.Check] = r
	}
	prin := make(map[string]*inventory.Principal, len(snap.Principals))
	for i := range snap.Principals {
		prin[snap.Principals[i].ID] = &snap.Principals[i]
	}
	accounts := map[string]*inventory.Account{}
	for i := range snap.Accounts {
		accounts[snap.Accounts[i].ID] = &snap.Accounts[i]
	}
	people := map[string]*inventory.Person{}
	for i := range snap.People {
		people[snap.People[i].ID] = &snap.People[i]
	}
	plan := &Plan{Version: PlanVersion, CreatedAt: now.UTC(), SnapshotID: snap.ID, SnapshotAt: snap.StartedAt.UTC(), Principals: len(snap.Principals)}
	sot := sourceOfTruthGap(snap.Coverage)
	for _, f := range fs {
		r, ok := rules[f.CheckID]
		if !ok || f.Status != finding.StatusOpen {
			continue
		}
		block := func(guard, reason string) {
			plan.Blocked = append(plan.Blocked, Blocked{FindingID: f.ID, CheckID: f.CheckID, Principal: f.Principal, Action: r.Action, Guard: guard, Reason: reason})
		}
		p := prin[f.Principal]
		if p == nil {
			block("target", fmt.Sprintf("principal %s is not in snapshot %s", f.Principal, snap.ID))
			continue
		}
		if why := Protected(pol, p); why != "" {
			block("protected", fmt.Sprintf("%s is protected: %s", p.ID, why))
			continue
		}
		if why := scopeGap(snap.Coverage, p); why != "" {
			block("coverage", why)
			continue
		}
		if sot != "" {
			block("source_of_truth", sot)
			continue
		}
		t, err := targetOf(r.Action, p, f)
		if err != nil {
			block("target", err.Error())
			continue
		}
		auto := r.Automatic && inScope(r.Scope, p, accounts, people)
		m, marked := marks[MarkKey(f.ID, r.Action)]
		var st Step
		switch {
		case !marked:
			st = Step{Action: ActMark, Phase: PhaseMark, Reason: fmt.Sprintf("%s: %s (grace %s starts)", f.CheckID, f.Message, r.Grace)}
			mt := t
			mt.Object = string(r.Action) // what the mark announces
			t = mt
		case r.DeleteAction != "" && r.DeleteAfter > 0 && !now.Before(m.MarkedAt.Add(r.DeleteAfter)):
			dt, err := targetOf(r.DeleteAction, p, f)
			if err != nil {
				block("target", err.Error())
				continue
			}
			t = dt
			st = Step{Action: r.DeleteAction, Phase: PhaseDelete, MarkedAt: m.MarkedAt,
				Reason: fmt.Sprintf("%s: %s (marked %s, delete after %s)", f.CheckID, f.Message, m.MarkedAt.Format(time.RFC3339), r.DeleteAfter)}
		case !now.Before(m.MarkedAt.Add(r.Grace)):
			st = Step{Action: r.Action, Phase: PhaseAct, MarkedAt: m.MarkedAt,
				Reason: fmt.Sprintf("%s: %s (marked %s, grace %s passed)", f.CheckID, f.Message, m.MarkedAt.Format(time.RFC3339), r.Grace)}
		default:
			continue // in grace
		}
		epoch := snap.ID
		if st.Phase != PhaseMark {
			epoch = m.MarkedAt.UTC().Format(time.RFC3339Nano)
		}
		st.ID = StepID(f.ID, st.Action, st.Phase, epoch)
		st.FindingID, st.CheckID, st.Target, st.Automatic = f.ID, f.CheckID, t, auto
		plan.Steps = append(plan.Steps, st)
	}
	slices.SortFunc(plan.Steps, func(a, b Step) int { return strings.Compare(a.ID, b.ID) })
	open := map[string]bool{}
	for _, f := range fs {
		if f.Status == finding.StatusOpen {
			open[f.ID] = true
		}
	}
	for k, m := range marks {
		if !open[m.FindingID] {
			plan.ClearMarks = append(plan.ClearMarks, k)
		}
	}
	slices.Sort(plan.ClearMarks)
	return plan, nil
}

// targetOf says what action a changes on p for finding f: one credential, group or policy.
func targetOf(a Action, p *inventory.Principal, f finding.Finding) (Target, error) {
	t := Target{Provider: p.Provider, Account: p.Account, Principal: p.ID, Kind: p.Kind, Name: p.Name}
	switch p.Provider {
	case inventory.ProviderLDAP:
		t.Name = strings.TrimPrefix(p.ID, "ldap:")
	case inventory.ProviderSCIM:
		t.Name = p.NativeID
	case inventory.ProviderGCP:
		t.Name = p.Email
	}
	switch a {
	case ActDeactivateAccessKey, ActDeleteAccessKey, ActDisableSAKey:
		if f.Qualifier == "" {
			return t, fmt.Errorf("finding %s (%s on %s) names no credential: %s acts on one key at a time", f.ID, f.CheckID, p.ID, a)
		}
		i := slices.IndexFunc(p.Credentials, func(c inventory.Credential) bool { return c.ID == f.Qualifier })
		if i < 0 {
			return t, fmt.Errorf("principal %s has no credential %q in the snapshot", p.ID, f.Qualifier)
		}
		c := p.Credentials[i]
		t.Credential, t.CredentialCreated, t.CredentialLastUsed = c.ID, c.CreatedAt, c.LastUsed
	case ActRemoveConsoleLogin:
		t.Credential = "password"
		if i := slices.IndexFunc(p.Credentials, func(c inventory.Credential) bool { return c.Kind == inventory.CredPassword }); i >= 0 {
			t.CredentialCreated, t.CredentialLastUsed = p.Credentials[i].CreatedAt, p.Credentials[i].LastUsed
		}
	case ActRemoveFromGroup, ActDetachPolicy:
		if f.Qualifier == "" {
			return t, fmt.Errorf("finding %s (%s on %s) names no group or policy: %s acts on one at a time", f.ID, f.CheckID, p.ID, a)
		}
		t.Object = f.Qualifier
	case ActRemoveBinding:
		if f.Qualifier == "" {
			return t, fmt.Errorf("finding %s (%s on %s) names no binding", f.ID, f.CheckID, p.ID)
		}
		role, where, ok := strings.Cut(f.Qualifier, " on ")
		if !ok {
			return t, fmt.Errorf("finding %s (%s on %s): qualifier %q is not \"<role> on <resource>\"", f.ID, f.CheckID, p.ID, f.Qualifier)
		}
		i := slices.IndexFunc(p.Grants, func(g inventory.Grant) bool { return g.What == role && g.Where == where && g.Via == "direct" })
		if i < 0 {
			return t, fmt.Errorf("principal %s holds %s on %s only through a group or inheritance: remove the membership or the binding where it is made", p.ID, role, where)
		}
		t.Object, t.Resource, t.Condition = role, where, p.Grants[i].Condition
	}
	if t.Name == "" {
		return t, fmt.Errorf("principal %s has no native name to act on", p.ID)
	}
	return t, nil
}

// Protected returns why p must never be touched, or "".
func Protected(pol *Policy, p *inventory.Principal) string {
	if p.Kind == inventory.KindRoot {
		return "root account"
	}
	if slices.Contains(pol.Self, p.ID) || (p.Email != "" && slices.Contains(pol.Self, p.Email)) {
		return "provost's own identity"
	}
	if p.Attributes["service_linked"] == "true" || strings.Contains(p.ID, ":role/aws-service-role/") {
		return "service-linked role"
	}
	if strings.HasPrefix(p.Name, "AWSReservedSSO_") || strings.Contains(p.ID, "/AWSReservedSSO_") {
		return "IAM Identity Center role (AWSReservedSSO_*)"
	}
	tag := pol.BreakGlassTag
	if tag == "" {
		tag = DefaultBreakGlassTag
	}
	if v, ok := p.Tags[tag]; ok && !strings.EqualFold(v, "false") {
		return "break-glass tag " + tag
	}
	for _, g := range pol.Protected {
		for _, s := range []string{p.ID, p.Name, p.Email} {
			if s == "" {
				continue
			}
			if ok, _ := path.Match(g, s); ok {
				return "matches protected pattern " + g
			}
		}
	}
	return ""
}

// scopeGap says why p's scope was not completely collected, or "".
func scopeGap(cov []inventory.Coverage, p *inventory.Principal) string {
	seen := false
	for _, c := range cov {
		if c.Provider != p.Provider || c.Scope != p.Account {
			continue
		}
		seen = true
		if !c.Complete() {
			return fmt.Sprintf("coverage of %s scope %s (source %s) is %s%s: %s is never remediated from an incomplete view",
				c.Provider, c.Scope, c.Source, c.Status, kindOf(c), p.ID)
		}
	}
	if !seen {
		return fmt.Sprintf("no coverage record for %s scope %s: %s is never remediated from an unknown view", p.Provider, p.Account, p.ID)
	}
	return ""
}

// isTruth reports whether a provider is a source of truth about people.
func isTruth(p inventory.Provider) bool {
	return p == inventory.ProviderHR || p == inventory.ProviderLDAP || p == inventory.ProviderSCIM
}

// sourceOfTruthGap says which source of truth was not completely collected, or "".
func sourceOfTruthGap(cov []inventory.Coverage) string {
	for _, c := range cov {
		if isTruth(c.Provider) && !c.Complete() {
			return fmt.Sprintf("source of truth %s (%s) is %s%s: who left cannot be told from who was not read", c.Source, c.Scope, c.Status, kindOf(c))
		}
	}
	return ""
}

// inScope reports whether p falls inside a rollout scope.
func inScope(s Scope, p *inventory.Principal, accounts map[string]*inventory.Account, people map[string]*inventory.Person) bool {
	if s.Empty() {
		return true
	}
	if slices.Contains(s.Accounts, p.Account) {
		return true
	}
	if a := accounts[p.Account]; a != nil {
		for _, ou := range s.OUs {
			if a.Parent == ou || slices.Contains(a.Path, ou) {
				return true
			}
		}
	}
	if pe := people[p.PersonID]; pe != nil && pe.Department != "" && slices.Contains(s.Departments, pe.Department) {
		return true
	}
	return false
}

// kindOf renders a coverage entry's error kind for messages: " (throttled)", or "".
func kindOf(c inventory.Coverage) string {
	if c.ErrorKind == inventory.ErrNone {
		return ""
	}
	return " (" + string(c.ErrorKind) + ")"
}
