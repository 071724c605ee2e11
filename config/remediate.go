package config

import (
	"strings"
)

// Remediation is the [remediation] section: which checks may be remediated, how, and the
// limits every run must respect. Nothing is remediated unless Enabled and a rule enables it.
type Remediation struct {
	// Enabled is the master switch; off by default.
	Enabled bool `toml:"enabled"`
	// Protected are principal ID, name or email globs never touched, besides root, Self,
	// service-linked roles, AWSReservedSSO_* roles and principals with the BreakGlassTag.
	Protected []string `toml:"protected"`
	// Self are Provost's own identities (its role ARN, its service account email).
	Self          []string `toml:"self"`
	BreakGlassTag string   `toml:"break_glass_tag"`
	// MaxActions and MaxPercent cap one run's acting steps as a count and as a percentage of
	// principals; a plan over either cap is refused whole.
	MaxActions int `toml:"max_actions"`
	MaxPercent int `toml:"max_percent"` // whole percent
	// MaxRosterShrinkPercent refuses a run when a source of truth lost more than this share of
	// its people since the previous snapshot.
	MaxRosterShrinkPercent int               `toml:"max_roster_shrink_percent"`
	Rules                  []RemediationRule `toml:"rules"`
}

// RemediationRule maps one check to an action ([[remediation.rules]]).
type RemediationRule struct {
	Check     string `toml:"check"`
	Action    string `toml:"action"`
	Enabled   bool   `toml:"enabled"`
	Automatic bool   `toml:"automatic"`
	// Grace is how long a principal stays marked before the action.
	Grace Duration `toml:"grace"`
	// DeleteAction follows once the mark is older than DeleteAfter (longer than Grace).
	DeleteAction string   `toml:"delete_action"`
	DeleteAfter  Duration `toml:"delete_after"`
	// Accounts, OUs and Departments scope automatic steps for a phased rollout; all empty
	// means everywhere.
	Accounts    []string `toml:"accounts"`
	OUs         []string `toml:"ous"`
	Departments []string `toml:"departments"`
}

// RemediationActions are the actions a rule may name (package remediate's Actions).
var RemediationActions = []string{"deactivate_access_key", "delete_access_key", "remove_console_login", "quarantine",
	"remove_from_group", "detach_policy", "delete_user", "remove_binding", "disable_sa_key",
	"disable_service_account", "disable_user"}

// DeleteActions are the actions delete_action may name.
var DeleteActions = []string{"delete_access_key", "delete_user"}

// DefaultRemediation is the [remediation] section a file leaves out: off, with caps.
func DefaultRemediation() Remediation {
	return Remediation{BreakGlassTag: "provost:break-glass", MaxActions: 25, MaxPercent: 5, MaxRosterShrinkPercent: 10}
}

func (c *Config) validateRemediation(v *validator) {
	r := c.Remediation
	v.list("remediation.protected", r.Protected, v.nonEmpty("a principal ID, name or email glob"))
	v.list("remediation.self", r.Self, v.nonEmpty("Provost's own principal ID or email"))
	v.atLeast("remediation.max_actions", r.MaxActions, 0, " (0 allows no action)")
	v.between("remediation.max_percent", r.MaxPercent, 0, 100)
	v.between("remediation.max_roster_shrink_percent", r.MaxRosterShrinkPercent, 0, 100)
	checks := map[string]string{}
	for i, rule := range r.Rules {
		k := indexKey("remediation.rules", i)
		if v.required(k+".check", rule.Check, `a check ID such as "PV-AWS-002"`) {
			if first, dup := checks[rule.Check]; dup {
				v.fail(k+".check", "%q already has a rule (%s); one rule per check", rule.Check, first)
			}
			checks[rule.Check] = k
		}
		v.oneOf(k+".action", rule.Action, RemediationActions...)
		v.duration(k+".grace", rule.Grace)
		if rule.DeleteAction != "" {
			v.oneOf(k+".delete_action", rule.DeleteAction, DeleteActions...)
			if rule.DeleteAfter <= rule.Grace {
				v.fail(k+".delete_after", "%q is not valid; want a duration longer than grace (%s): deletion comes after a second, longer period", rule.DeleteAfter, rule.Grace)
			}
		} else if rule.DeleteAfter != 0 {
			v.fail(k+".delete_after", "%q is set without delete_action; want delete_action too, or no delete_after", rule.DeleteAfter)
		}
		for _, l := range []struct {
			key  string
			vals []string
		}{{"accounts", rule.Accounts}, {"ous", rule.OUs}, {"departments", rule.Departments}} {
			v.list(k+"."+l.key, l.vals, func(key, value string) {
				if strings.TrimSpace(value) == "" {
					v.fail(key, "must not be empty")
				}
			})
		}
	}
}
