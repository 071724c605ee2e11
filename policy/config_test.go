package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // one line per error
	}{
		{"defaults are valid", func(*Config) {}, nil},
		{"zero thresholds", func(c *Config) { c.StaleDays, c.InactiveDays = 0, -1 }, []string{
			"policy config: stale_days: must be between 1 and 36500, got 0",
			"policy config: inactive_days: must be between 1 and 36500, got -1",
		}},
		{"weak password floor", func(c *Config) { c.PasswordMinLength, c.PasswordReusePrevention = 4, 30 }, []string{
			"policy config: password_min_length: must be between 6 and 128, got 4",
			"policy config: password_reuse_prevention: must be between 0 and 24, got 30",
		}},
		{"bad domains", func(c *Config) { c.OrgDomains = []string{"corp.com", "Corp.com", "@corp.com", "localhost"} }, []string{
			`policy config: org_domains[1]: "Corp.com" is not a lowercase domain name like "corp.com"`,
			`policy config: org_domains[2]: "@corp.com" is not a lowercase domain name like "corp.com"`,
			`policy config: org_domains[3]: "localhost" is not a lowercase domain name like "corp.com"`,
		}},
		{"empty list entries and bad patterns", func(c *Config) {
			c.ProtectedPrincipals = []string{" "}
			c.GenericNamePatterns = []string{"admin", "{a,b}", "Ops"}
		}, []string{
			"policy config: protected_principals[0]: must not be empty",
			`policy config: generic_name_patterns[1]: "{a,b}": patterns are lowercase globs without ',', '{' or '}'`,
			`policy config: generic_name_patterns[2]: "Ops": patterns are lowercase globs without ',', '{' or '}'`,
		}},
		{"extra reusing a built-in key", func(c *Config) { c.Extra = map[string]any{"stale_days": 3, "team": "x"} }, []string{
			"policy config: extra.stale_days: reuses a built-in key; set stale_days directly",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.modify(&c)
			var got []string
			if err := c.Validate(); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigValue(t *testing.T) {
	c := DefaultConfig()
	c.OrgDomains = []string{"corp.com"}
	c.GenericNamePatterns = []string{"admin"}
	c.Extra = map[string]any{"max_admins": 3, "teams": []any{"a"}}
	got, err := c.value()
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{
		"stale_days": 90, "key_rotation_days": 90, "inactive_days": 45, "leaver_sla_hours": 24,
		"root_recent_days": 7, "password_min_length": 14, "password_reuse_prevention": 24,
		"org_domains": ["corp.com"], "protected_principals": [], "admin_policy_names": ["AdministratorAccess"],
		"generic_name_patterns": ["admin"], "disabled_checks": [], "max_admins": 3, "teams": ["a"]
	}`).Value
	if ast.Compare(want, got) != 0 {
		t.Errorf("config value =\n%v\nwant\n%v", got, want)
	}
}
