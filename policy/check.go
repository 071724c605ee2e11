package policy

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/provost-dev/provost/finding"
)

// Check is one loaded check: its METADATA and where it came from. It is the Rego→Go contract:
// a package under data.provost.checks with a `violation` partial set of objects carrying at
// least "principal" and "msg" (optionally "qualifier" and "evidence"), and optionally a
// `cannot_evaluate` set of the same shape.
type Check struct {
	ID            string              `json:"id"`
	Title         string              `json:"title"`
	Description   string              `json:"description,omitempty"`
	Severity      finding.Severity    `json:"severity"`
	Frameworks    []string            `json:"frameworks"`
	Remediation   finding.Remediation `json:"remediation,omitzero"`
	ResourceKinds []string            `json:"resource_kinds"`
	// Package is the Rego package path without "data.", e.g. "provost.checks.aws_root_mfa".
	Package string `json:"package"`
	// File is the module holding the METADATA ("bundled:checks/aws/root_mfa.rego" for the
	// bundled library).
	File    string `json:"file"`
	Bundled bool   `json:"bundled"`
	// HasCannotEvaluate reports whether the check defines `cannot_evaluate`.
	HasCannotEvaluate bool `json:"has_cannot_evaluate"`
}

// AppliesTo reports whether the check's resource_kinds cover a principal of this provider and
// kind; "*" matches any provider or kind.
func (c *Check) AppliesTo(provider, kind string) bool {
	for _, rk := range c.ResourceKinds {
		p, k, _ := strings.Cut(rk, ":")
		if (p == "*" || p == provider) && (k == "*" || k == kind) {
			return true
		}
	}
	return false
}

var (
	checkIDPattern      = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
	actionPattern       = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	resourceKindPattern = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*):(\*|[a-z][a-z0-9_]*)$`)
)

// checkFromAnnotations validates a check package's METADATA. pkg is "provost.checks.<name>".
func checkFromAnnotations(pkg, file string, ann *ast.Annotations) (*Check, error) {
	if ann == nil {
		return nil, fmt.Errorf("no package METADATA: a check needs a \"# METADATA\" block above its package with custom id, severity and frameworks")
	}
	c := &Check{Package: pkg, File: file, Title: ann.Title, Description: strings.TrimSpace(ann.Description)}
	if c.Title == "" {
		c.Title = strings.TrimPrefix(pkg, "provost.checks.")
	}
	custom := ann.Custom
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	switch id, ok := custom["id"].(string); {
	case custom["id"] == nil:
		bad("custom.id: missing (e.g. id: ACME-IAM-001)")
	case !ok || !checkIDPattern.MatchString(id):
		bad("custom.id: %v is not an ID like PV-AWS-001 (uppercase words joined by dashes)", custom["id"])
	default:
		c.ID = id
	}

	switch s, ok := custom["severity"].(string); {
	case custom["severity"] == nil:
		bad("custom.severity: missing (info, low, medium, high or critical)")
	case !ok:
		bad("custom.severity: %v is not a string", custom["severity"])
	default:
		sev, err := finding.ParseSeverity(s)
		if err != nil {
			bad("custom.severity: %v", err)
		}
		c.Severity = sev
	}

	switch fws, ok := custom["frameworks"].([]any); {
	case custom["frameworks"] == nil:
		bad("custom.frameworks: missing: a check needs at least one reference such as CIS-AWS-1.4, HIPAA-164.312(d) or SOC2-CC6.1")
	case !ok || len(fws) == 0:
		bad("custom.frameworks: must be a non-empty list of references such as CIS-AWS-1.4")
	default:
		seen := map[string]bool{}
		for i, f := range fws {
			s, ok := f.(string)
			if !ok {
				bad("custom.frameworks[%d]: %v is not a string", i, f)
				continue
			}
			if _, err := ParseFrameworkRef(s); err != nil {
				bad("custom.frameworks[%d]: %v", i, err)
				continue
			}
			if seen[s] {
				bad("custom.frameworks[%d]: %s listed twice", i, s)
				continue
			}
			seen[s] = true
			c.Frameworks = append(c.Frameworks, s)
		}
	}

	switch r := custom["remediation"].(type) {
	case nil:
	case string:
		c.Remediation = finding.Remediation{Text: strings.TrimSpace(r)}
	case map[string]any:
		for k := range r {
			if k != "action" && k != "text" {
				bad("custom.remediation.%s: unknown key (want action and text)", k)
			}
		}
		action, _ := r["action"].(string)
		text, _ := r["text"].(string)
		if r["action"] != nil && !actionPattern.MatchString(action) {
			bad("custom.remediation.action: %v is not a keyword like deactivate_access_key", r["action"])
		}
		if r["text"] != nil && text == "" {
			bad("custom.remediation.text: %v is not a non-empty string", r["text"])
		}
		c.Remediation = finding.Remediation{Action: action, Text: strings.TrimSpace(text)}
	default:
		bad("custom.remediation: want text or {action, text}, got %T", r)
	}

	switch rks := custom["resource_kinds"].(type) {
	case nil:
		c.ResourceKinds = []string{"*:*"}
	case []any:
		if len(rks) == 0 {
			bad("custom.resource_kinds: empty; omit it to apply to every principal")
		}
		for i, rk := range rks {
			s, ok := rk.(string)
			if !ok || !resourceKindPattern.MatchString(s) {
				bad("custom.resource_kinds[%d]: %v is not \"<provider>:<kind>\" (e.g. \"aws:user\", \"*:service_account\")", i, rk)
				continue
			}
			c.ResourceKinds = append(c.ResourceKinds, s)
		}
	default:
		bad("custom.resource_kinds: want a list like [\"aws:user\"], got %T", rks)
	}

	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid METADATA: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// checkResultType rejects a rule whose inferred type cannot hold result objects with
// "principal" and "msg". Types the checker cannot pin down (any) pass here and are validated on
// every result at evaluation time.
func checkResultType(rule string, t types.Type) error {
	set, ok := t.(*types.Set)
	if !ok {
		if _, isAny := t.(types.Any); isAny {
			return nil
		}
		return fmt.Errorf("%s must be a partial set (`%s contains {...} if ...`), its type is %v", rule, rule, t)
	}
	var members []types.Type
	if a, ok := set.Of().(types.Any); ok {
		if len(a) == 0 {
			return nil // unconstrained
		}
		members = a
	} else {
		members = []types.Type{set.Of()}
	}
	for _, m := range members {
		if err := resultMemberType(m); err != nil {
			return fmt.Errorf("%s results %v: %w", rule, m, err)
		}
	}
	return nil
}

func resultMemberType(t types.Type) error {
	switch t := t.(type) {
	case types.Any:
		return nil
	case *types.Object:
		if t.DynamicProperties() != nil {
			return nil // keys not known statically
		}
		for _, key := range []string{"principal", "msg"} {
			v := t.Select(key)
			if v == nil {
				return fmt.Errorf("lack %q (a result needs principal and msg)", key)
			}
			if types.Compare(v, types.S) != 0 && !isAnyType(v) {
				return fmt.Errorf("%q is %v, want a string", key, v)
			}
		}
		return nil
	}
	return fmt.Errorf("are not objects with principal and msg")
}

func isAnyType(t types.Type) bool {
	a, ok := t.(types.Any)
	if !ok {
		return false
	}
	if len(a) == 0 {
		return true
	}
	for _, m := range a {
		if types.Compare(m, types.S) == 0 || isAnyType(m) {
			return true
		}
	}
	return false
}

func compareChecks(a, b *Check) int { return cmp.Compare(a.ID, b.ID) }
