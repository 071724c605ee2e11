package reports

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
)

type junitSuites struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Timestamp string       `xml:"timestamp,attr,omitempty"`
	Suites    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// renderJUnit writes one test suite per check and one test case per check × principal with
// findings: failed with open findings, in error when the check failed, skipped when the
// findings are waived or cannot be evaluated, passed when they are resolved. A check without
// findings is one passing case, "all principals".
func renderJUnit(w io.Writer, v *view) error {
	type key struct{ check, principal string }
	groups := map[key][]finding.Finding{}
	byCheck := map[string][]string{}
	for _, f := range v.findings {
		k := key{f.CheckID, f.Principal}
		if _, ok := groups[k]; !ok {
			byCheck[f.CheckID] = append(byCheck[f.CheckID], f.Principal)
		}
		groups[k] = append(groups[k], f)
	}
	ids := make([]string, 0, len(v.Checks)+len(byCheck))
	sev := map[string]finding.Severity{}
	titles := map[string]string{}
	frameworks := map[string][]string{}
	for _, c := range v.Checks {
		if _, ok := sev[c.ID]; !ok {
			ids = append(ids, c.ID)
			sev[c.ID], titles[c.ID], frameworks[c.ID] = c.Severity, c.Title, c.Frameworks
		}
	}
	for _, f := range v.findings {
		if _, ok := sev[f.CheckID]; !ok {
			ids = append(ids, f.CheckID)
			sev[f.CheckID], titles[f.CheckID], frameworks[f.CheckID] = f.Severity, f.Title, f.Frameworks
		}
	}
	slices.SortFunc(ids, compareRefs)

	stamp := ""
	if !v.Snapshot.StartedAt.IsZero() {
		stamp = v.Snapshot.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	out := junitSuites{Name: "Provost " + v.Snapshot.ID, Timestamp: stamp, Suites: []junitSuite{}}
	for _, id := range ids {
		s := junitSuite{Name: strings.TrimSpace(id + " " + titles[id]), Timestamp: stamp, Cases: []junitCase{},
			Properties: []junitProperty{{"severity", sev[id].String()}, {"frameworks", strings.Join(frameworks[id], ", ")}}}
		principals := byCheck[id]
		slices.Sort(principals)
		for _, p := range principals {
			s.Cases = append(s.Cases, v.junitCase(id, p, groups[key{id, p}]))
		}
		if len(principals) == 0 {
			s.Cases = append(s.Cases, junitCase{Name: "all principals", ClassName: id})
		}
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (v *view) junitCase(check, principal string, fs []finding.Finding) junitCase {
	name := principal
	if principal == "" {
		name = "(no principal)"
		if len(fs) > 0 && fs[0].Qualifier != "" {
			name = fs[0].Qualifier
		}
	} else if n := v.principalName(principal); n != principal {
		name = principal + " (" + n + ")"
	}
	c := junitCase{Name: name, ClassName: check}
	var open, errored, other []finding.Finding
	for _, f := range fs {
		switch f.Status {
		case finding.StatusOpen:
			open = append(open, f)
		case finding.StatusError:
			errored = append(errored, f)
		case finding.StatusWaived, finding.StatusCannotEvaluate:
			other = append(other, f)
		}
	}
	switch {
	case len(open) > 0:
		c.Failure = &junitMessage{Message: open[0].Message, Type: open[0].Severity.String(), Text: v.junitText(open)}
	case len(errored) > 0:
		c.Error = &junitMessage{Message: errored[0].Message, Type: "policy_error", Text: v.junitText(errored)}
	case len(other) > 0:
		msg := other[0].Message
		if other[0].Status == finding.StatusWaived {
			msg = "waived by " + other[0].WaivedBy + ": " + other[0].WaiverReason
		}
		c.Skipped = &junitMessage{Message: msg, Text: v.junitText(other)}
	}
	return c
}

// junitText describes findings for a CI log: status, qualifier, message, evidence,
// remediation.
func (v *view) junitText(fs []finding.Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s %s] %s", f.Severity, f.Status, f.Message)
		if f.Qualifier != "" {
			fmt.Fprintf(&b, " (%s)", f.Qualifier)
		}
		b.WriteString("\n")
		if f.Account != "" {
			fmt.Fprintf(&b, "  account: %s\n", f.Account)
		}
		if person := v.personOf(f.Principal); person != nil {
			fmt.Fprintf(&b, "  owner: %s (%s)\n", person.Name, person.ID)
		}
		if !f.FirstSeen.IsZero() {
			fmt.Fprintf(&b, "  open since: %s\n", f.FirstSeen.UTC().Format(time.RFC3339))
		}
		if len(f.Evidence) > 0 {
			ev, err := json.Marshal(f.Evidence)
			if err == nil {
				fmt.Fprintf(&b, "  evidence: %s\n", ev)
			}
		}
		if f.Remediation.Text != "" {
			fmt.Fprintf(&b, "  remediation: %s\n", f.Remediation.Text)
		}
	}
	return b.String()
}
