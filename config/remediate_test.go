package config_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/remediate"
)

func TestRemediationActionsMatchThePlanner(t *testing.T) {
	var want []string
	for _, a := range remediate.Actions {
		want = append(want, string(a))
	}
	if d := cmp.Diff(want, config.RemediationActions); d != "" {
		t.Errorf("config.RemediationActions differs from remediate.Actions (-planner +config):\n%s", d)
	}
}

func TestRemediationDefaultsAreOffAndCapped(t *testing.T) {
	got := config.Default().Remediation
	want := config.Remediation{BreakGlassTag: "provost:break-glass", MaxActions: 25, MaxPercent: 5, MaxRosterShrinkPercent: 10}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("defaults (-want +got):\n%s", d)
	}
}

func TestRemediationParse(t *testing.T) {
	doc := `
[remediation]
enabled = true
self = ["arn:aws:iam::111111111111:role/provost"]
max_actions = 3

[[remediation.rules]]
check = "PV-AWS-002"
action = "deactivate_access_key"
enabled = true
grace = "24h"
departments = ["Finance"]
`
	c, err := config.Parse("r.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	want := config.Remediation{Enabled: true, Self: []string{"arn:aws:iam::111111111111:role/provost"}, BreakGlassTag: "provost:break-glass",
		MaxActions: 3, MaxPercent: 5, MaxRosterShrinkPercent: 10,
		Rules: []config.RemediationRule{{Check: "PV-AWS-002", Action: "deactivate_access_key", Enabled: true, Grace: config.Duration(24 * time.Hour), Departments: []string{"Finance"}}}}
	if d := cmp.Diff(want, c.Remediation); d != "" {
		t.Errorf("parsed (-want +got):\n%s", d)
	}
}

func TestRemediationErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"unknown action", "[[remediation.rules]]\ncheck = \"X\"\naction = \"nuke\"\n",
			[]string{`r.toml:3: remediation.rules[0].action: "nuke" is not valid; want one of deactivate_access_key, delete_access_key, remove_console_login, quarantine, remove_from_group, detach_policy, delete_user, remove_binding, disable_sa_key, disable_service_account, disable_user`}},
		{"missing check", "[[remediation.rules]]\naction = \"quarantine\"\n",
			[]string{`r.toml:1: remediation.rules[0].check: must be set to a check ID such as "PV-AWS-002"`}},
		{"two rules for one check", "[[remediation.rules]]\ncheck = \"X\"\naction = \"quarantine\"\n[[remediation.rules]]\ncheck = \"X\"\naction = \"delete_user\"\n",
			[]string{`r.toml:5: remediation.rules[1].check: "X" already has a rule (remediation.rules[0]); one rule per check`}},
		{"deletion not after grace", "[[remediation.rules]]\ncheck = \"X\"\naction = \"deactivate_access_key\"\ngrace = \"48h\"\ndelete_action = \"delete_access_key\"\ndelete_after = \"24h\"\n",
			[]string{`r.toml:6: remediation.rules[0].delete_after: "24h0m0s" is not valid; want a duration longer than grace (48h0m0s): deletion comes after a second, longer period`}},
		{"delete_action that is not a deletion", "[[remediation.rules]]\ncheck = \"X\"\naction = \"quarantine\"\ndelete_action = \"quarantine\"\ndelete_after = \"24h\"\n",
			[]string{`r.toml:4: remediation.rules[0].delete_action: "quarantine" is not valid; want one of delete_access_key, delete_user`}},
		{"percent out of range", "[remediation]\nmax_percent = 101\nmax_actions = -1\n",
			[]string{`r.toml:3: remediation.max_actions: -1 is not valid; want 0 or more (0 allows no action)`, `r.toml:2: remediation.max_percent: 101 is not valid; want 0 to 100`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("r.toml", []byte(tc.doc), func(string) (string, bool) { return "", false })
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, line := range strings.Split(err.Error(), "\n") {
				got = append(got, line)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FieldError", err)
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}
