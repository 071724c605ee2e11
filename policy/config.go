package policy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Config holds the thresholds and lists that checks read as data.provost.config. The TOML keys
// are the Rego keys. Start from DefaultConfig, then decode onto it, then Validate.
type Config struct {
	// StaleDays: a role or service account unused this long is stale.
	StaleDays int `toml:"stale_days" json:"stale_days"`
	// KeyRotationDays: an access or service-account key older than this must be rotated.
	KeyRotationDays int `toml:"key_rotation_days" json:"key_rotation_days"`
	// InactiveDays: a password or key unused this long should be disabled (CIS: 45).
	InactiveDays int `toml:"inactive_days" json:"inactive_days"`
	// LeaverSLAHours: how long a leaver's access may outlive their end date.
	LeaverSLAHours int `toml:"leaver_sla_hours" json:"leaver_sla_hours"`
	// RootRecentDays: root use within this many days is reported.
	RootRecentDays int `toml:"root_recent_days" json:"root_recent_days"`
	// PasswordMinLength and PasswordReusePrevention: the weakest acceptable AWS password policy.
	PasswordMinLength       int `toml:"password_min_length" json:"password_min_length"`
	PasswordReusePrevention int `toml:"password_reuse_prevention" json:"password_reuse_prevention"`
	// OrgDomains: the organization's email domains (subdomains included).
	OrgDomains []string `toml:"org_domains" json:"org_domains"`
	// ProtectedPrincipals: principal ID globs ("*" matches anything, "/" included) that checks
	// treat as deliberate exceptions (break-glass) and the remediator never touches.
	ProtectedPrincipals []string `toml:"protected_principals" json:"protected_principals"`
	// AdminPolicyNames: policy or permission-set names that count as administrator.
	AdminPolicyNames []string `toml:"admin_policy_names" json:"admin_policy_names"`
	// GenericNamePatterns: account-name globs (matched on the lowercased name or email local
	// part) that suggest a shared account.
	GenericNamePatterns []string `toml:"generic_name_patterns" json:"generic_name_patterns"`
	// DisabledChecks: check ID globs that are not evaluated (e.g. "PV-GCP-*").
	DisabledChecks []string `toml:"disabled_checks" json:"disabled_checks"`
	// Extra holds further keys for user checks; they appear beside the others in
	// data.provost.config and may not reuse a known key.
	Extra map[string]any `toml:"extra" json:"extra,omitempty"`
}

// DefaultConfig returns the defaults: CIS thresholds where CIS sets one.
func DefaultConfig() Config {
	return Config{
		StaleDays:               90,
		KeyRotationDays:         90,
		InactiveDays:            45,
		LeaverSLAHours:          24,
		RootRecentDays:          7,
		PasswordMinLength:       14,
		PasswordReusePrevention: 24,
		OrgDomains:              []string{},
		ProtectedPrincipals:     []string{},
		AdminPolicyNames:        []string{"AdministratorAccess"},
		GenericNamePatterns: []string{
			"admin", "administrator", "root", "shared*", "team-*", "*-team", "test", "test-*",
			"test_*", "tester", "temp*", "tmp*", "guest*", "demo*", "training*", "support",
			"helpdesk", "ops", "devops", "sysadmin", "info", "contact", "noreply", "no-reply",
			"generic*",
		},
		DisabledChecks: []string{},
	}
}

// knownConfigKeys are the keys Config itself fills in data.provost.config.
var knownConfigKeys = []string{
	"stale_days", "key_rotation_days", "inactive_days", "leaver_sla_hours", "root_recent_days",
	"password_min_length", "password_reuse_prevention", "org_domains", "protected_principals",
	"admin_policy_names", "generic_name_patterns", "disabled_checks",
}

// Validate reports every invalid setting, each naming its key and what would be valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("policy config: %s: %s", key, fmt.Sprintf(format, args...)))
	}
	for _, r := range []struct {
		key      string
		v        int
		min, max int
	}{
		{"stale_days", c.StaleDays, 1, 36500},
		{"key_rotation_days", c.KeyRotationDays, 1, 36500},
		{"inactive_days", c.InactiveDays, 1, 36500},
		{"leaver_sla_hours", c.LeaverSLAHours, 0, 24 * 365},
		{"root_recent_days", c.RootRecentDays, 1, 36500},
		{"password_min_length", c.PasswordMinLength, 6, 128},
		{"password_reuse_prevention", c.PasswordReusePrevention, 0, 24},
	} {
		if r.v < r.min || r.v > r.max {
			bad(r.key, "must be between %d and %d, got %d", r.min, r.max, r.v)
		}
	}
	for i, d := range c.OrgDomains {
		if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, "@/ *") || strings.HasPrefix(d, ".") || !strings.Contains(d, ".") {
			bad(fmt.Sprintf("org_domains[%d]", i), "%q is not a lowercase domain name like \"corp.com\"", d)
		}
	}
	for _, l := range []struct {
		key  string
		list []string
	}{
		{"protected_principals", c.ProtectedPrincipals},
		{"admin_policy_names", c.AdminPolicyNames},
		{"generic_name_patterns", c.GenericNamePatterns},
		{"disabled_checks", c.DisabledChecks},
	} {
		for i, s := range l.list {
			if strings.TrimSpace(s) == "" {
				bad(fmt.Sprintf("%s[%d]", l.key, i), "must not be empty")
			}
		}
	}
	for i, p := range c.GenericNamePatterns {
		if strings.ContainsAny(p, ",{}") || p != strings.ToLower(p) {
			bad(fmt.Sprintf("generic_name_patterns[%d]", i), "%q: patterns are lowercase globs without ',', '{' or '}'", p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Extra)) {
		if slices.Contains(knownConfigKeys, k) {
			bad("extra."+k, "reuses a built-in key; set %s directly", k)
			continue
		}
		if _, err := ast.InterfaceToValue(c.Extra[k]); err != nil {
			bad("extra."+k, "not a JSON-like value: %v", err)
		}
	}
	return errors.Join(errs...)
}

// value renders the config as the data.provost.config object.
func (c Config) value() (ast.Object, error) {
	strs := func(list []string) *ast.Term {
		ts := make([]*ast.Term, len(list))
		for i, s := range list {
			ts[i] = ast.StringTerm(s)
		}
		return ast.ArrayTerm(ts...)
	}
	obj := ast.NewObject(
		ast.Item(ast.StringTerm("stale_days"), ast.IntNumberTerm(c.StaleDays)),
		ast.Item(ast.StringTerm("key_rotation_days"), ast.IntNumberTerm(c.KeyRotationDays)),
		ast.Item(ast.StringTerm("inactive_days"), ast.IntNumberTerm(c.InactiveDays)),
		ast.Item(ast.StringTerm("leaver_sla_hours"), ast.IntNumberTerm(c.LeaverSLAHours)),
		ast.Item(ast.StringTerm("root_recent_days"), ast.IntNumberTerm(c.RootRecentDays)),
		ast.Item(ast.StringTerm("password_min_length"), ast.IntNumberTerm(c.PasswordMinLength)),
		ast.Item(ast.StringTerm("password_reuse_prevention"), ast.IntNumberTerm(c.PasswordReusePrevention)),
		ast.Item(ast.StringTerm("org_domains"), strs(c.OrgDomains)),
		ast.Item(ast.StringTerm("protected_principals"), strs(c.ProtectedPrincipals)),
		ast.Item(ast.StringTerm("admin_policy_names"), strs(c.AdminPolicyNames)),
		ast.Item(ast.StringTerm("generic_name_patterns"), strs(c.GenericNamePatterns)),
		ast.Item(ast.StringTerm("disabled_checks"), strs(c.DisabledChecks)),
	)
	for _, k := range slices.Sorted(maps.Keys(c.Extra)) {
		if slices.Contains(knownConfigKeys, k) {
			return nil, fmt.Errorf("policy config: extra.%s reuses a built-in key", k)
		}
		v, err := ast.InterfaceToValue(c.Extra[k])
		if err != nil {
			return nil, fmt.Errorf("policy config: extra.%s: %w", k, err)
		}
		obj.Insert(ast.StringTerm(k), ast.NewTerm(v))
	}
	return obj, nil
}
