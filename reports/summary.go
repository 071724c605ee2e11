package reports

import (
	"cmp"
	"slices"
	"strings"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// Summary is what a reader sees first: the score, counts by severity and status, and the
// breakdowns by framework, account, provider and check. The JSON report carries it so that
// machines need not recompute it.
type Summary struct {
	Score    float64        `json:"score"`
	Open     SeverityCounts `json:"open"`
	Statuses StatusCounts   `json:"statuses"`
	// IncompleteCoverage is how many coverage entries are partial or failed.
	IncompleteCoverage int                `json:"incomplete_coverage"`
	Frameworks         []FrameworkSummary `json:"frameworks"`
	Accounts           []AccountSummary   `json:"accounts"`
	Clouds             []CloudSummary     `json:"clouds"`
	Checks             []CheckSummary     `json:"checks"`
	// Drift counts drift events by kind; Escalations counts grants that raised a privilege.
	Drift       map[string]int `json:"drift"`
	Escalations int            `json:"escalations"`
}

// StatusCounts counts findings by lifecycle status.
type StatusCounts struct {
	Open           int `json:"open"`
	Waived         int `json:"waived"`
	Resolved       int `json:"resolved"`
	Error          int `json:"error"`
	CannotEvaluate int `json:"cannot_evaluate"`
}

func (c *StatusCounts) add(s finding.Status) {
	switch s {
	case finding.StatusOpen:
		c.Open++
	case finding.StatusWaived:
		c.Waived++
	case finding.StatusResolved:
		c.Resolved++
	case finding.StatusError:
		c.Error++
	case finding.StatusCannotEvaluate:
		c.CannotEvaluate++
	}
}

// FrameworkSummary is one compliance framework: the checks citing it, how many of them fail,
// and open findings by severity, overall and per section.
type FrameworkSummary struct {
	Framework     string           `json:"framework"`
	Title         string           `json:"title"`
	Checks        int              `json:"checks"`
	FailingChecks int              `json:"failing_checks"`
	Open          SeverityCounts   `json:"open"`
	Sections      []SectionSummary `json:"sections"`
}

// SectionSummary is one section of a framework ("HIPAA-164.308(a)(3)(ii)(C)").
type SectionSummary struct {
	Ref    string         `json:"ref"`
	Checks []string       `json:"checks"`
	Open   SeverityCounts `json:"open"`
}

// AccountSummary is one account, project or directory scope.
type AccountSummary struct {
	ID         string                   `json:"id"`
	Name       string                   `json:"name,omitempty"`
	Provider   string                   `json:"provider,omitempty"`
	Kind       string                   `json:"kind,omitempty"`
	Coverage   inventory.CoverageStatus `json:"coverage,omitempty"`
	Principals int                      `json:"principals"`
	Open       SeverityCounts           `json:"open"`
	Waived     int                      `json:"waived"`
}

// CloudSummary is one provider.
type CloudSummary struct {
	Provider   string         `json:"provider"`
	Accounts   int            `json:"accounts"`
	Principals int            `json:"principals"`
	Open       SeverityCounts `json:"open"`
	Score      float64        `json:"score"`
}

// CheckSummary is one check: "fail" with open findings, "error" when it failed to run,
// "unknown" when it could only say "cannot evaluate", "pass" otherwise.
type CheckSummary struct {
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	Severity   finding.Severity `json:"severity"`
	Frameworks []string         `json:"frameworks"`
	Result     string           `json:"result"`
	Open       int              `json:"open"`
	Waived     int              `json:"waived"`
	// Principals is how many distinct principals have an open finding of the check.
	Principals int `json:"principals"`
}

// frameworkTitles names the frameworks Provost's checks cite, longest prefix first.
var frameworkTitles = []struct{ prefix, title string }{
	{"NIST-800-53", "NIST SP 800-53 Rev. 5"},
	{"CIS-AWS", "CIS AWS Foundations Benchmark v3.0.0"},
	{"CIS-GCP", "CIS GCP Foundation Benchmark v3.0.0"},
	{"HIPAA", "HIPAA Security Rule (45 CFR 164 Subpart C)"},
	{"SOC2", "SOC 2 Trust Services Criteria"},
}

// frameworkOf splits a reference into its framework ("HIPAA") and title.
func frameworkOf(ref string) (string, string) {
	for _, f := range frameworkTitles {
		if strings.HasPrefix(ref, f.prefix+"-") {
			return f.prefix, f.title
		}
	}
	prefix, _, _ := strings.Cut(ref, "-")
	return prefix, prefix
}

func summarize(v *view) Summary {
	s := Summary{Score: Score(v.Findings, v.Totals.Principals), Drift: map[string]int{}}
	for _, c := range v.Coverage {
		if !c.Complete() {
			s.IncompleteCoverage++
		}
	}
	for _, e := range v.Drift {
		s.Drift[string(e.Kind)]++
		if e.Escalation {
			s.Escalations++
		}
	}

	// Checks: the catalogue, plus any check only findings name.
	checks := map[string]*CheckSummary{}
	var order []string
	addCheck := func(id, title string, sev finding.Severity, fw []string) *CheckSummary {
		if c := checks[id]; c != nil {
			return c
		}
		c := &CheckSummary{ID: id, Title: title, Severity: sev, Frameworks: slices.Clone(fw), Result: "pass"}
		if c.Frameworks == nil {
			c.Frameworks = []string{}
		}
		checks[id] = c
		order = append(order, id)
		return c
	}
	for _, c := range v.Checks {
		addCheck(c.ID, c.Title, c.Severity, c.Frameworks)
	}
	principalsByCheck := map[string]map[string]bool{}
	accounts := map[string]*AccountSummary{}
	account := func(id string) *AccountSummary {
		if a := accounts[id]; a != nil {
			return a
		}
		a := &AccountSummary{ID: id, Principals: v.Totals.ByAccount[id], Coverage: finding.ScopeStatus(v.Coverage, id)}
		if ia := v.accounts[id]; ia != nil {
			a.Name, a.Provider, a.Kind = ia.Name, string(ia.Provider), ia.Kind
		}
		accounts[id] = a
		return a
	}
	for _, a := range v.Accounts {
		account(a.ID)
	}
	for id := range v.Totals.ByAccount {
		if id != "" {
			account(id)
		}
	}
	clouds := map[string]*CloudSummary{}
	cloud := func(p string) *CloudSummary {
		if c := clouds[p]; c != nil {
			return c
		}
		c := &CloudSummary{Provider: p, Principals: v.Totals.ByProvider[p]}
		clouds[p] = c
		return c
	}
	for p := range v.Totals.ByProvider {
		cloud(p)
	}
	frameworks := map[string]*FrameworkSummary{}
	sections := map[string]*SectionSummary{}
	framework := func(ref string) (*FrameworkSummary, *SectionSummary) {
		name, title := frameworkOf(ref)
		f := frameworks[name]
		if f == nil {
			f = &FrameworkSummary{Framework: name, Title: title}
			frameworks[name] = f
		}
		sec := sections[ref]
		if sec == nil {
			sec = &SectionSummary{Ref: ref, Checks: []string{}}
			sections[ref] = sec
			f.Sections = append(f.Sections, SectionSummary{Ref: ref})
		}
		return f, sec
	}

	var counted []string // frameworks one finding was counted in
	for i := range v.Findings {
		f := &v.Findings[i]
		s.Statuses.add(f.Status)
		c := addCheck(f.CheckID, f.Title, f.Severity, f.Frameworks)
		if f.Account != "" {
			a := account(f.Account)
			if a.Provider == "" {
				a.Provider = string(f.Provider)
			}
		}
		switch f.Status {
		case finding.StatusOpen:
			s.Open.Add(f.Severity)
			c.Open++
			if c.Result != "error" {
				c.Result = "fail"
			}
			if f.Principal != "" {
				if principalsByCheck[f.CheckID] == nil {
					principalsByCheck[f.CheckID] = map[string]bool{}
				}
				principalsByCheck[f.CheckID][f.Principal] = true
			}
			if f.Account != "" {
				account(f.Account).Open.Add(f.Severity)
			}
			if f.Provider != "" {
				cloud(string(f.Provider)).Open.Add(f.Severity)
			}
			refs := f.Frameworks
			if len(refs) == 0 {
				refs = c.Frameworks
			}
			counted = counted[:0]
			for _, ref := range refs {
				fw, sec := framework(ref)
				sec.Open.Add(f.Severity)
				if !slices.Contains(counted, fw.Framework) {
					counted = append(counted, fw.Framework)
					fw.Open.Add(f.Severity)
				}
			}
		case finding.StatusWaived:
			c.Waived++
			if f.Account != "" {
				account(f.Account).Waived++
			}
		case finding.StatusError:
			c.Result = "error"
		case finding.StatusCannotEvaluate:
			if c.Result == "pass" {
				c.Result = "unknown"
			}
		}
	}
	for _, id := range order {
		c := checks[id]
		c.Principals = len(principalsByCheck[id])
		s.Checks = append(s.Checks, *c)
		for _, ref := range c.Frameworks {
			_, sec := framework(ref)
			if !slices.Contains(sec.Checks, id) {
				sec.Checks = append(sec.Checks, id)
			}
		}
	}
	// Per framework: checks citing it and how many of them fail.
	for _, c := range s.Checks {
		seen := map[string]bool{}
		for _, ref := range c.Frameworks {
			name, _ := frameworkOf(ref)
			if seen[name] {
				continue
			}
			seen[name] = true
			fw := frameworks[name]
			fw.Checks++
			if c.Result == "fail" {
				fw.FailingChecks++
			}
		}
	}
	slices.SortFunc(s.Checks, func(a, b CheckSummary) int {
		return cmp.Or(cmp.Compare(resultRank(a.Result), resultRank(b.Result)), cmp.Compare(b.Severity, a.Severity), cmp.Compare(b.Open, a.Open), cmp.Compare(a.ID, b.ID))
	})
	for _, name := range sortedKeys(frameworks) {
		fw := frameworks[name]
		for i := range fw.Sections {
			sec := sections[fw.Sections[i].Ref]
			slices.Sort(sec.Checks)
			fw.Sections[i] = *sec
		}
		slices.SortFunc(fw.Sections, func(a, b SectionSummary) int { return compareRefs(a.Ref, b.Ref) })
		s.Frameworks = append(s.Frameworks, *fw)
	}
	for _, a := range accounts {
		s.Accounts = append(s.Accounts, *a)
	}
	slices.SortFunc(s.Accounts, func(a, b AccountSummary) int {
		return cmp.Or(compareCounts(a.Open, b.Open), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.ID, b.ID))
	})
	for _, a := range s.Accounts {
		if a.Provider != "" {
			cloud(a.Provider).Accounts++
		}
	}
	for _, p := range sortedKeys(clouds) {
		c := clouds[p]
		c.Score = scoreOf(v.Findings, c.Principals, func(f *finding.Finding) bool { return string(f.Provider) == p })
		s.Clouds = append(s.Clouds, *c)
	}
	if s.Frameworks == nil {
		s.Frameworks = []FrameworkSummary{}
	}
	if s.Accounts == nil {
		s.Accounts = []AccountSummary{}
	}
	if s.Clouds == nil {
		s.Clouds = []CloudSummary{}
	}
	if s.Checks == nil {
		s.Checks = []CheckSummary{}
	}
	return s
}

func resultRank(r string) int {
	switch r {
	case "fail":
		return 0
	case "error":
		return 1
	case "unknown":
		return 2
	}
	return 3
}

// compareCounts orders the worse counts first: more critical, then more high, and so on.
func compareCounts(a, b SeverityCounts) int {
	return cmp.Or(cmp.Compare(b.Critical, a.Critical), cmp.Compare(b.High, a.High), cmp.Compare(b.Medium, a.Medium),
		cmp.Compare(b.Low, a.Low), cmp.Compare(b.Info, a.Info))
}

// compareRefs orders framework references with their numbers compared as numbers, so that
// CIS-AWS-1.9 comes before CIS-AWS-1.10.
func compareRefs(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
