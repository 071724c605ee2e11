package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/inventory"
)

// The input is built by hand from the inventory records, straight into OPA values: no JSON
// round trip, shared key terms, and shared values for what many items have in common (an
// account, a person, a coverage status). rego/README.md documents the shape; input_test.go
// holds this code to it.

// keys are shared, immutable key terms.
var keys = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, k := range []string{
		"items", "principal", "account", "person", "coverage", "scope", "people", "status",
		"sources", "error_kinds", "complete", "protected",
		"id", "provider", "kind", "name", "email", "native_id", "created_ns", "created_on",
		"last_activity_ns", "last_activity_on", "disabled", "console_access", "mfa", "human", "tags", "groups",
		"credentials", "grants", "attributes", "person_id", "link_rule",
		"last_used_ns", "last_used_on", "expires_ns", "expires_on", "managed",
		"what", "where", "via", "privilege", "condition",
		"parent", "path", "settings", "password_policy",
		"minimum_length", "require_symbols", "require_numbers", "require_uppercase",
		"require_lowercase", "allow_users_to_change", "max_age_days", "password_reuse_prevention",
		"hard_expiry", "expire_passwords",
		"source", "employee_id", "emails", "aliases", "department", "title", "manager",
		"start_ns", "start_on", "end_ns", "end_on", "external_id",
		"version", "permissions", "statements", "parse_error", "effect", "actions",
		"not_actions", "resources", "not_resources", "conditional", "msg", "qualifier", "evidence",
		"drift", "subject", "field", "before", "after", "escalation", "uncertain", "grant", "credential", "message",
	} {
		m[k] = ast.StringTerm(k)
	}
	return m
}()

func key(k string) *ast.Term {
	t, ok := keys[k]
	if !ok {
		panic("policy: input key not declared: " + k) // programming error, caught by tests
	}
	return t
}

// objBuilder collects the items of one object.
type objBuilder struct{ items [][2]*ast.Term }

func (b *objBuilder) term(k string, v *ast.Term) { b.items = append(b.items, [2]*ast.Term{key(k), v}) }

func (b *objBuilder) str(k, v string) {
	if v != "" {
		b.term(k, ast.StringTerm(v))
	}
}

func (b *objBuilder) boolean(k string, v bool) { b.term(k, ast.InternedTerm(v)) }

// time adds k+"_ns" (nanoseconds since the epoch, for comparisons) and its twin k+"_on" (the
// UTC calendar date "2006-01-02", for messages: Rego's time.format costs far more than a
// field read). A zero time adds neither: absent means never or unknown.
func (b *objBuilder) time(k string, t time.Time) {
	if !t.IsZero() {
		b.term(k+"_ns", ast.IntNumberTerm(int(t.UnixNano())))
		b.term(k+"_on", ast.StringTerm(t.UTC().Format(time.DateOnly)))
	}
}

func (b *objBuilder) int(k string, v int) { b.term(k, ast.InternedTerm(v)) }

func (b *objBuilder) object() *ast.Term { return ast.ObjectTerm(b.items...) }

func strArray(list []string) *ast.Term {
	if len(list) == 0 {
		return ast.InternedEmptyArray
	}
	ts := make([]*ast.Term, len(list))
	for i, s := range list {
		ts[i] = ast.StringTerm(s)
	}
	return ast.ArrayTerm(ts...)
}

func strMap(m map[string]string) *ast.Term {
	if len(m) == 0 {
		return ast.InternedEmptyObject
	}
	items := make([][2]*ast.Term, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		items = append(items, [2]*ast.Term{ast.StringTerm(k), ast.StringTerm(m[k])})
	}
	return ast.ObjectTerm(items...)
}

func intMap(m map[string]int) *ast.Term {
	if len(m) == 0 {
		return ast.InternedEmptyObject
	}
	items := make([][2]*ast.Term, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		items = append(items, [2]*ast.Term{ast.StringTerm(k), ast.InternedTerm(m[k])})
	}
	return ast.ObjectTerm(items...)
}

// principalTerm renders a principal as input.items[_].principal.
// protected is whether the principal matches config.protected_principals.
func principalTerm(p *inventory.Principal, protected bool) *ast.Term {
	b := objBuilder{items: make([][2]*ast.Term, 0, 24)}
	b.term("id", ast.StringTerm(p.ID))
	b.term("provider", ast.StringTerm(string(p.Provider)))
	b.term("account", ast.StringTerm(p.Account))
	b.term("kind", ast.StringTerm(string(p.Kind)))
	b.term("name", ast.StringTerm(p.Name))
	b.str("email", p.Email)
	b.str("native_id", p.NativeID)
	b.time("created", p.CreatedAt)
	b.time("last_activity", p.LastActivity)
	b.boolean("disabled", p.Disabled)
	b.boolean("console_access", p.Console)
	b.boolean("mfa", p.MFA)
	b.boolean("human", p.Kind.Human())
	b.boolean("protected", protected)
	b.term("tags", strMap(p.Tags))
	b.term("groups", strArray(p.Groups))
	creds := make([]*ast.Term, len(p.Credentials))
	for i := range p.Credentials {
		c := &p.Credentials[i]
		cb := objBuilder{items: make([][2]*ast.Term, 0, 7)}
		cb.term("kind", ast.StringTerm(string(c.Kind)))
		cb.term("id", ast.StringTerm(c.ID))
		cb.term("status", ast.StringTerm(c.Status))
		cb.time("created", c.CreatedAt)
		cb.time("last_used", c.LastUsed)
		cb.time("expires", c.ExpiresAt)
		cb.str("managed", c.Managed)
		creds[i] = cb.object()
	}
	b.term("credentials", ast.ArrayTerm(creds...))
	grants := make([]*ast.Term, len(p.Grants))
	for i := range p.Grants {
		g := &p.Grants[i]
		gb := objBuilder{items: make([][2]*ast.Term, 0, 5)}
		gb.term("what", ast.StringTerm(g.What))
		gb.term("where", ast.StringTerm(g.Where))
		gb.term("via", ast.StringTerm(g.Via))
		gb.term("privilege", ast.StringTerm(string(g.Privilege)))
		gb.str("condition", g.Condition)
		grants[i] = gb.object()
	}
	b.term("grants", ast.ArrayTerm(grants...))
	b.term("attributes", strMap(p.Attributes))
	b.str("person_id", p.PersonID)
	b.str("link_rule", p.LinkRule)
	return b.object()
}

// accountTerm renders an account as input.items[_].account.
func accountTerm(a *inventory.Account) *ast.Term {
	var b objBuilder
	b.term("id", ast.StringTerm(a.ID))
	b.term("provider", ast.StringTerm(string(a.Provider)))
	b.str("name", a.Name)
	b.str("kind", a.Kind)
	b.str("parent", a.Parent)
	b.term("path", strArray(a.Path))
	b.str("status", a.Status)
	b.str("email", a.Email)
	b.term("tags", strMap(a.Tags))
	b.term("settings", intMap(a.Settings))
	if pp := a.PasswordPolicy; pp != nil {
		var pb objBuilder
		pb.int("minimum_length", pp.MinimumLength)
		pb.boolean("require_symbols", pp.RequireSymbols)
		pb.boolean("require_numbers", pp.RequireNumbers)
		pb.boolean("require_uppercase", pp.RequireUppercase)
		pb.boolean("require_lowercase", pp.RequireLowercase)
		pb.boolean("allow_users_to_change", pp.AllowUsersToChange)
		pb.int("max_age_days", pp.MaxAgeDays)
		pb.int("password_reuse_prevention", pp.PasswordReusePrevention)
		pb.boolean("hard_expiry", pp.HardExpiry)
		pb.boolean("expire_passwords", pp.ExpirePasswords)
		b.term("password_policy", pb.object())
	}
	return b.object()
}

// personTerm renders a person as input.items[_].person.
func personTerm(p *inventory.Person) *ast.Term {
	var b objBuilder
	b.term("id", ast.StringTerm(p.ID))
	b.term("source", ast.StringTerm(p.Source))
	b.str("employee_id", p.EmployeeID)
	b.term("emails", strArray(p.Emails))
	b.term("aliases", strArray(p.Aliases))
	b.str("name", p.Name)
	b.str("department", p.Department)
	b.str("title", p.Title)
	b.str("manager", p.Manager)
	b.term("status", ast.StringTerm(string(p.Status)))
	b.time("start", p.StartDate)
	b.time("end", p.EndDate)
	b.str("external_id", p.ExternalID)
	return b.object()
}

// coverageOf summarises the coverage entries matching keep: the worst status ("unknown" when
// none match), the sources and the error kinds.
func coverageOf(cov []inventory.Coverage, keep func(inventory.Coverage) bool) *ast.Term {
	status := ""
	var sources, kinds []string
	for _, c := range cov {
		if !keep(c) {
			continue
		}
		if status == "" || coverageRank(c.Status) < coverageRank(inventory.CoverageStatus(status)) {
			status = string(c.Status)
		}
		sources = append(sources, c.Source)
		if c.ErrorKind != "" {
			kinds = append(kinds, string(c.ErrorKind))
		}
	}
	if status == "" {
		status = "unknown"
	}
	slices.Sort(sources)
	slices.Sort(kinds)
	var b objBuilder
	b.term("status", ast.StringTerm(status))
	b.boolean("complete", status == string(inventory.CoverageComplete))
	b.term("sources", strArray(slices.Compact(sources)))
	b.term("error_kinds", strArray(slices.Compact(kinds)))
	return b.object()
}

func coverageRank(s inventory.CoverageStatus) int {
	switch s {
	case inventory.CoverageComplete:
		return 2
	case inventory.CoveragePartial:
		return 1
	}
	return 0
}

// peopleProviders are the sources of truth about people.
func peopleSource(c inventory.Coverage) bool {
	switch c.Provider {
	case inventory.ProviderHR, inventory.ProviderLDAP, inventory.ProviderSCIM:
		return true
	}
	return false
}

// snapshotIndex holds what items share, built once per snapshot.
type snapshotIndex struct {
	accounts  map[string]*ast.Term
	people    map[string]*ast.Term
	scopes    map[string]*ast.Term // coverage term per scope
	coverage  []inventory.Coverage
	peopleCov *ast.Term
	protected []string             // principal ID globs
	drift     map[string]*ast.Term // input.drift per principal ID (WithDrift)
}

func newSnapshotIndex(s *inventory.Snapshot, protected []string) *snapshotIndex {
	ix := &snapshotIndex{
		protected: protected,
		accounts:  make(map[string]*ast.Term, len(s.Accounts)),
		people:    make(map[string]*ast.Term, len(s.People)),
		scopes:    map[string]*ast.Term{},
		coverage:  s.Coverage,
	}
	for i := range s.Accounts {
		ix.accounts[s.Accounts[i].ID] = accountTerm(&s.Accounts[i])
	}
	for i := range s.People {
		ix.people[s.People[i].ID] = personTerm(&s.People[i])
	}
	ix.peopleCov = coverageOf(s.Coverage, peopleSource)
	scopes := map[string]bool{}
	for i := range s.Principals {
		scopes[s.Principals[i].Account] = true
	}
	for scope := range scopes {
		ix.scopes[scope] = ast.ObjectTerm(
			[2]*ast.Term{key("scope"), coverageOf(s.Coverage, func(c inventory.Coverage) bool { return c.Scope == scope })},
			[2]*ast.Term{key("people"), ix.peopleCov},
		)
	}
	return ix
}

// item renders one evaluation item: the principal, its account, its person and its coverage.
func (ix *snapshotIndex) item(p *inventory.Principal) *ast.Term {
	items := make([][2]*ast.Term, 0, 5)
	prot := false
	for _, g := range ix.protected {
		if globMatch(g, p.ID) {
			prot = true
			break
		}
	}
	items = append(items, [2]*ast.Term{key("principal"), principalTerm(p, prot)})
	if a, ok := ix.accounts[p.Account]; ok {
		items = append(items, [2]*ast.Term{key("account"), a})
	}
	if p.PersonID != "" {
		if per, ok := ix.people[p.PersonID]; ok {
			items = append(items, [2]*ast.Term{key("person"), per})
		}
	}
	cov, ok := ix.scopes[p.Account]
	if !ok { // a principal added after indexing (EvalPrincipal on a foreign record)
		cov = ast.ObjectTerm(
			[2]*ast.Term{key("scope"), coverageOf(ix.coverage, func(c inventory.Coverage) bool { return c.Scope == p.Account })},
			[2]*ast.Term{key("people"), ix.peopleCov},
		)
	}
	items = append(items, [2]*ast.Term{key("coverage"), cov})
	if d, ok := ix.drift[p.ID]; ok {
		items = append(items, [2]*ast.Term{key("drift"), d})
	}
	return ast.ObjectTerm(items...)
}

// batchInput wraps items as the input document {"items": [...]}.
func batchInput(items []*ast.Term) ast.Value {
	return ast.NewObject([2]*ast.Term{key("items"), ast.ArrayTerm(items...)})
}

// policyDocsTerm renders the snapshot's documents as data.provost.policy_docs, AWS JSON
// documents parsed into normalised statements once per snapshot rather than once per grant.
func policyDocsTerm(docs []inventory.PolicyDoc) *ast.Term {
	items := make([][2]*ast.Term, 0, len(docs))
	for i := range docs {
		items = append(items, [2]*ast.Term{ast.StringTerm(docs[i].ID), policyDocTerm(&docs[i])})
	}
	return ast.ObjectTerm(items...)
}

func policyDocTerm(d *inventory.PolicyDoc) *ast.Term {
	var b objBuilder
	b.term("id", ast.StringTerm(d.ID))
	b.term("provider", ast.StringTerm(string(d.Provider)))
	b.term("name", ast.StringTerm(d.Name))
	b.str("kind", d.Kind)
	b.str("version", d.Version)
	b.term("privilege", ast.StringTerm(string(d.Privilege)))
	b.term("permissions", strArray(d.Permissions))
	stmts, err := parseStatements(d.Document)
	if err != nil {
		b.term("parse_error", ast.StringTerm(err.Error()))
	}
	ts := make([]*ast.Term, len(stmts))
	for i, s := range stmts {
		var sb objBuilder
		sb.term("effect", ast.StringTerm(s.effect))
		sb.term("actions", strArray(s.actions))
		sb.term("not_actions", strArray(s.notActions))
		sb.term("resources", strArray(s.resources))
		sb.term("not_resources", strArray(s.notResources))
		sb.boolean("conditional", s.conditional)
		ts[i] = sb.object()
	}
	b.term("statements", ast.ArrayTerm(ts...))
	return b.object()
}

type statement struct {
	effect                  string
	actions, notActions     []string
	resources, notResources []string
	conditional             bool
}

// stringOrList is IAM's "one string or a list of strings".
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

// parseStatements reads an AWS policy document (plain or URL-encoded JSON, as IAM returns it)
// into statements with lowercased effects and actions. An empty document has none.
func parseStatements(doc string) ([]statement, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return nil, nil
	}
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		d, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
		doc = d
	}
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	type rawStatement struct {
		Effect      string
		Action      stringOrList
		NotAction   stringOrList
		Resource    stringOrList
		NotResource stringOrList
		Condition   map[string]any
	}
	var list []rawStatement
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one rawStatement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy document statement: %w", err)
		}
		list = []rawStatement{one}
	} else if len(raw.Statement) > 0 {
		if err := json.Unmarshal(raw.Statement, &list); err != nil {
			return nil, fmt.Errorf("policy document statements: %w", err)
		}
	}
	out := make([]statement, len(list))
	for i, r := range list {
		out[i] = statement{
			effect:       strings.ToLower(r.Effect),
			actions:      lower(r.Action),
			notActions:   lower(r.NotAction),
			resources:    r.Resource,
			notResources: r.NotResource,
			conditional:  len(r.Condition) > 0,
		}
	}
	return out, nil
}

func lower(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ToLower(s)
	}
	return out
}
