package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
)

// mdTopFindings is how many critical and high findings the Markdown summary lists.
const mdTopFindings = 20

// mdEscaper makes text inert in Markdown: no emphasis, code, links, HTML or table cells.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`,
	"|", `\|`, "~", `\~`, "!", `\!`, "#", `\#`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\r\n", " ", "\n", " ", "\r", " ",
)

// md escapes text for Markdown.
func md(s string) string { return mdEscaper.Replace(s) }

// mdCode is s as an inline code span, or escaped text when s holds a backquote or a pipe.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\r\n") {
		return md(s)
	}
	return "`" + s + "`"
}

func mdTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// humanDuration is a duration in days (or hours under two days).
func humanDuration(seconds int64) string {
	d := time.Duration(seconds) * time.Second
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}

func renderMarkdown(w io.Writer, v *view) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	s := v.summary

	p("# %s\n\n", md(v.title()))
	p("Snapshot %s collected %s", mdCode(v.Snapshot.ID), mdTime(v.Snapshot.StartedAt))
	if v.Snapshot.ProvostVersion != "" {
		p(" by Provost %s", md(v.Snapshot.ProvostVersion))
	}
	if v.Snapshot.PolicyVersion != "" {
		p(", policies %s", md(v.Snapshot.PolicyVersion))
	}
	p("; report generated %s.\n\n", mdTime(v.Generated))

	if s.IncompleteCoverage > 0 {
		p("> **Incomplete collection:** %d of %d sources or scopes were not seen whole. Findings there may be missing, and nothing there was marked resolved.\n>\n", s.IncompleteCoverage, len(v.Coverage))
		for _, c := range v.Coverage {
			if c.Complete() {
				continue
			}
			p("> - %s %s: **%s**", md(c.Source), mdCode(c.Scope), md(string(c.Status)))
			if c.ErrorKind != "" {
				p(" (%s)", md(string(c.ErrorKind)))
			}
			if c.Error != "" {
				p(": %s", md(c.Error))
			}
			p("\n")
		}
		p("\n")
	}

	p("## Summary\n\n")
	p("**Score %.1f / 100** across %d principals, %d people and %d accounts.\n\n", s.Score, v.Totals.Principals, v.Totals.People, v.Totals.Accounts)
	p("| Severity | Open findings |\n|---|---:|\n")
	for _, sev := range severitiesDesc() {
		p("| %s | %d |\n", sevTitle(sev), s.Open.Of(sev))
	}
	p("\nOpen %d · waived %d · resolved %d · errors %d · cannot evaluate %d.\n\n",
		s.Statuses.Open, s.Statuses.Waived, s.Statuses.Resolved, s.Statuses.Error, s.Statuses.CannotEvaluate)

	failing := 0
	for _, c := range s.Checks {
		if c.Result == "fail" || c.Result == "error" {
			failing++
		}
	}
	if failing > 0 {
		p("## Failing checks\n\n| Check | Title | Severity | Open | Principals | Frameworks |\n|---|---|---|---:|---:|---|\n")
		for _, c := range s.Checks {
			if c.Result != "fail" && c.Result != "error" {
				continue
			}
			title := md(c.Title)
			if c.Result == "error" {
				title += " (**policy error**)"
			}
			p("| %s | %s | %s | %d | %d | %s |\n", mdCode(c.ID), title, c.Severity, c.Open, c.Principals, md(strings.Join(c.Frameworks, ", ")))
		}
		p("\n")
	}

	var top []finding.Finding
	total := 0
	for _, f := range v.findings {
		if f.Status == finding.StatusOpen && f.Severity >= finding.SeverityHigh {
			total++
			if len(top) < mdTopFindings {
				top = append(top, f)
			}
		}
	}
	if len(top) > 0 {
		p("## Critical and high findings\n\n")
		if total > len(top) {
			p("The first %d of %d.\n\n", len(top), total)
		}
		p("| Severity | Check | Principal | Owner | Account | Finding | Open for |\n|---|---|---|---|---|---|---:|\n")
		for _, f := range top {
			owner := ""
			if person := v.personOf(f.Principal); person != nil {
				owner = md(person.Name)
			}
			openFor := ""
			if d := f.OpenFor(v.Generated); d > 0 {
				openFor = humanDuration(int64(d / time.Second))
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", f.Severity, mdCode(f.CheckID), md(v.principalName(f.Principal)), owner,
				mdCode(f.Account), md(f.Message), openFor)
		}
		p("\n")
	}

	if len(s.Frameworks) > 0 {
		p("## Frameworks\n\n| Framework | Failing checks | Critical | High | Medium | Low |\n|---|---:|---:|---:|---:|---:|\n")
		for _, fw := range s.Frameworks {
			p("| %s | %d of %d | %d | %d | %d | %d |\n", md(fw.Title), fw.FailingChecks, fw.Checks, fw.Open.Critical, fw.Open.High, fw.Open.Medium, fw.Open.Low)
		}
		p("\n")
	}

	if len(v.Drift) > 0 {
		p("## Changes since %s\n\n", mdCode(v.Previous.ID))
		for _, k := range sortedKeys(s.Drift) {
			p("- %s: %d\n", md(strings.ReplaceAll(k, "_", " ")), s.Drift[k])
		}
		if s.Escalations > 0 {
			p("- **privilege escalations: %d**\n", s.Escalations)
		}
		p("\n")
	}

	if k := v.KPIs; k != nil {
		p("## Lifecycle\n\n")
		p("- Leavers whose access was removed: %d; median time from termination to removal %s, worst %s (SLA %s).\n",
			k.Removed, humanDuration(k.MedianRemovalSeconds), humanDuration(k.WorstSeconds), humanDuration(k.SLASeconds))
		p("- Leavers who still have cloud access: %d; past the SLA: %d", k.StillWithAccess, k.OverSLA)
		var names []string
		for _, l := range k.Leavers {
			if l.RemovedAt.IsZero() && l.OverSLA {
				names = append(names, md(cmpOr(l.Name, l.Person))+" ("+humanDuration(l.Seconds)+")")
			}
		}
		if len(names) > 0 {
			p(": %s", strings.Join(names, ", "))
		}
		p(".\n")
		p("- Cloud accounts created outside the identity provider: %d (%d new since %s).\n\n", k.OutsideIdP, len(k.NewOutsideIdP), mdTime(k.From))
	}

	var expiring []Waiver
	for _, wv := range v.Waivers {
		if wv.Expired || wv.Expires.Sub(v.Generated) < 14*24*time.Hour {
			expiring = append(expiring, wv)
		}
	}
	if len(expiring) > 0 {
		p("## Waivers expired or expiring within 14 days\n\n| Check | Principals | Owner | Expires | Reason |\n|---|---|---|---|---|\n")
		for _, wv := range expiring {
			exp := mdTime(wv.Expires)
			if wv.Expired {
				exp = "**expired** " + exp
			}
			p("| %s | %s | %s | %s | %s |\n", mdCode(wv.Check), mdCode(wv.Principal), md(wv.Owner), exp, md(wv.Reason))
		}
		p("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// severitiesDesc lists the severities, most severe first.
func severitiesDesc() []finding.Severity {
	return []finding.Severity{finding.SeverityCritical, finding.SeverityHigh, finding.SeverityMedium, finding.SeverityLow, finding.SeverityInfo}
}

func sevTitle(s finding.Severity) string {
	n := s.String()
	return strings.ToUpper(n[:1]) + n[1:]
}
