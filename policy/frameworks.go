package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FrameworkRef is one compliance reference of a check, written "<framework>-<section>":
// "CIS-AWS-1.4", "CIS-GCP-1.5", "HIPAA-164.308(a)(3)(ii)(C)", "SOC2-CC6.1", "NIST-800-53-AC-2(3)".
type FrameworkRef struct {
	Framework string // "CIS-AWS", "CIS-GCP", "HIPAA", "SOC2", "NIST-800-53"
	Section   string // "1.4", "164.308(a)(3)(ii)(C)", "CC6.1", "AC-2(3)"
}

func (r FrameworkRef) String() string { return r.Framework + "-" + r.Section }

// frameworkInfo describes one supported framework and how its sections are validated.
type frameworkInfo struct {
	name    string
	title   string
	example string
	known   map[string]bool // nil: validated by pattern only
	pattern *regexp.Regexp
}

// frameworks lists the supported frameworks, longest prefix first so that "CIS-AWS" wins over
// a hypothetical "CIS".
var frameworks = []frameworkInfo{
	{name: "NIST-800-53", title: "NIST SP 800-53 Rev. 5 controls (format checked)", example: "NIST-800-53-AC-2(3)",
		pattern: regexp.MustCompile(`^(AC|AT|AU|CA|CM|CP|IA|IR|MA|MP|PE|PL|PM|PS|PT|RA|SA|SC|SI|SR)-[1-9][0-9]?(\([1-9][0-9]?\))?$`)},
	{name: "CIS-AWS", title: "CIS Amazon Web Services Foundations Benchmark v3.0.0", example: "CIS-AWS-1.4", known: cisAWS()},
	{name: "CIS-GCP", title: "CIS Google Cloud Platform Foundation Benchmark v3.0.0", example: "CIS-GCP-1.5", known: cisGCP()},
	{name: "HIPAA", title: "HIPAA Security Rule, 45 CFR Part 164 Subpart C", example: "HIPAA-164.308(a)(3)(ii)(C)", known: hipaa()},
	{name: "SOC2", title: "SOC 2 Trust Services Criteria (2017)", example: "SOC2-CC6.1", known: soc2()},
}

// FrameworkNames returns the supported framework prefixes with their titles.
func FrameworkNames() map[string]string {
	out := make(map[string]string, len(frameworks))
	for _, f := range frameworks {
		out[f.name] = f.title
	}
	return out
}

// ParseFrameworkRef validates one reference: a supported framework and, for all but NIST, a
// section that exists in that framework's published list.
func ParseFrameworkRef(s string) (FrameworkRef, error) {
	for _, f := range frameworks {
		rest, ok := strings.CutPrefix(s, f.name+"-")
		if !ok {
			continue
		}
		ref := FrameworkRef{Framework: f.name, Section: rest}
		switch {
		case f.known != nil && !f.known[rest]:
			return FrameworkRef{}, fmt.Errorf("framework reference %q: %s has no section %q (e.g. %s)", s, f.title, rest, f.example)
		case f.pattern != nil && !f.pattern.MatchString(rest):
			return FrameworkRef{}, fmt.Errorf("framework reference %q: %q is not a %s section (e.g. %s)", s, rest, f.name, f.example)
		}
		return ref, nil
	}
	names := make([]string, len(frameworks))
	for i, f := range frameworks {
		names[i] = f.example
	}
	return FrameworkRef{}, fmt.Errorf("framework reference %q: unknown framework; want one like %s", s, strings.Join(names, ", "))
}

func numbered(set map[string]bool, prefix string, from, to int) {
	for i := from; i <= to; i++ {
		set[prefix+strconv.Itoa(i)] = true
	}
}

// cisAWS: recommendation numbers of CIS AWS Foundations v3.0.0.
func cisAWS() map[string]bool {
	s := map[string]bool{}
	numbered(s, "1.", 1, 22) // Identity and Access Management
	numbered(s, "2.1.", 1, 4)
	numbered(s, "2.2.", 1, 1)
	numbered(s, "2.3.", 1, 3)
	numbered(s, "2.4.", 1, 1)
	numbered(s, "3.", 1, 9)  // Logging
	numbered(s, "4.", 1, 16) // Monitoring
	numbered(s, "5.", 1, 6)  // Networking
	return s
}

// cisGCP: recommendation numbers of CIS GCP Foundation v3.0.0.
func cisGCP() map[string]bool {
	s := map[string]bool{}
	numbered(s, "1.", 1, 18) // Identity and Access Management
	numbered(s, "2.", 1, 16) // Logging and Monitoring
	numbered(s, "3.", 1, 10) // Networking
	numbered(s, "4.", 1, 12) // Virtual Machines
	numbered(s, "5.", 1, 2)  // Storage
	numbered(s, "6.1.", 1, 3)
	numbered(s, "6.2.", 1, 16)
	numbered(s, "6.3.", 1, 7)
	numbered(s, "6.", 4, 7)
	numbered(s, "7.", 1, 4) // BigQuery
	numbered(s, "8.", 1, 1) // Dataproc
	return s
}

// hipaa: the Security Rule's standards and implementation specifications, with every parent
// paragraph ("164.308(a)(3)" for "164.308(a)(3)(ii)(C)") also accepted.
func hipaa() map[string]bool {
	leaves := []string{
		"164.308(a)(1)(i)", "164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(B)", "164.308(a)(1)(ii)(C)", "164.308(a)(1)(ii)(D)",
		"164.308(a)(2)",
		"164.308(a)(3)(i)", "164.308(a)(3)(ii)(A)", "164.308(a)(3)(ii)(B)", "164.308(a)(3)(ii)(C)",
		"164.308(a)(4)(i)", "164.308(a)(4)(ii)(A)", "164.308(a)(4)(ii)(B)", "164.308(a)(4)(ii)(C)",
		"164.308(a)(5)(i)", "164.308(a)(5)(ii)(A)", "164.308(a)(5)(ii)(B)", "164.308(a)(5)(ii)(C)", "164.308(a)(5)(ii)(D)",
		"164.308(a)(6)(i)", "164.308(a)(6)(ii)",
		"164.308(a)(7)(i)", "164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)", "164.308(a)(7)(ii)(C)", "164.308(a)(7)(ii)(D)", "164.308(a)(7)(ii)(E)",
		"164.308(a)(8)",
		"164.308(b)(1)", "164.308(b)(2)", "164.308(b)(3)",
		"164.310(a)(1)", "164.310(a)(2)(i)", "164.310(a)(2)(ii)", "164.310(a)(2)(iii)", "164.310(a)(2)(iv)",
		"164.310(b)", "164.310(c)",
		"164.310(d)(1)", "164.310(d)(2)(i)", "164.310(d)(2)(ii)", "164.310(d)(2)(iii)", "164.310(d)(2)(iv)",
		"164.312(a)(1)", "164.312(a)(2)(i)", "164.312(a)(2)(ii)", "164.312(a)(2)(iii)", "164.312(a)(2)(iv)",
		"164.312(b)",
		"164.312(c)(1)", "164.312(c)(2)",
		"164.312(d)",
		"164.312(e)(1)", "164.312(e)(2)(i)", "164.312(e)(2)(ii)",
		"164.314(a)(1)", "164.314(a)(2)(i)", "164.314(a)(2)(ii)", "164.314(a)(2)(iii)",
		"164.314(b)(1)", "164.314(b)(2)",
		"164.316(a)", "164.316(b)(1)", "164.316(b)(2)(i)", "164.316(b)(2)(ii)", "164.316(b)(2)(iii)",
	}
	s := map[string]bool{}
	for _, l := range leaves {
		for p := l; ; {
			s[p] = true
			i := strings.LastIndexByte(p, '(')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	return s
}

// soc2: the 2017 Trust Services Criteria.
func soc2() map[string]bool {
	s := map[string]bool{}
	for _, c := range []struct {
		prefix string
		n      int
	}{
		{"CC1.", 5}, {"CC2.", 3}, {"CC3.", 4}, {"CC4.", 2}, {"CC5.", 3}, {"CC6.", 8}, {"CC7.", 5},
		{"CC8.", 1}, {"CC9.", 2}, {"A1.", 3}, {"C1.", 2}, {"PI1.", 5},
		{"P1.", 1}, {"P2.", 1}, {"P3.", 2}, {"P4.", 3}, {"P5.", 2}, {"P6.", 7}, {"P7.", 1}, {"P8.", 1},
	} {
		numbered(s, c.prefix, 1, c.n)
	}
	return s
}
