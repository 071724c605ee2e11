package awsiam

import (
	"strings"
	"testing"
	"time"
)

func TestNewDefaults(t *testing.T) {
	c, err := New(Options{Name: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	o := c.opts
	got := []any{o.Region, o.RoleName, o.Parallelism, o.AccountTimeout, o.MaxItems, o.ReportPoll, o.MaxAttempts, o.MaxBackoff,
		o.ReportMaxAge, o.AccountSummary}
	want := []any{"us-east-1", "OrganizationAccountAccessRole", 8, 5 * time.Minute, int32(1000), 2 * time.Second, 10, 20 * time.Second,
		4 * time.Hour, SummaryAlways}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("default %d = %v, want %v", i, got[i], want[i])
		}
	}
	if c.Name() != "aws" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no name", Options{}, "awsiam: name is required"},
		{"negative parallelism", Options{Name: "a", Parallelism: -1}, "awsiam a: parallelism -1: want a positive number"},
		{"max items too big", Options{Name: "a", MaxItems: 1001}, "awsiam a: max items 1001: want 1 to 1000"},
		{"negative timeout", Options{Name: "a", AccountTimeout: -time.Second}, "awsiam a: account timeout -1s: want a positive duration"},
		{"bad account", Options{Name: "a", Accounts: []string{"12345"}}, `awsiam a: account "12345": want a 12-digit account ID`},
		{"duplicate account", Options{Name: "a", Accounts: []string{"123456789012", "123456789012"}}, "awsiam a: account 123456789012 listed twice"},
		{"profiles with organization", Options{Name: "a", Profiles: []string{"p"}, Organization: true}, "awsiam a: profiles cannot be combined with organization or accounts"},
		{"empty profile", Options{Name: "a", Profiles: []string{""}}, `awsiam a: profile "": want distinct non-empty profile names`},
		{"report max age below 4h", Options{Name: "a", ReportMaxAge: time.Hour},
			"awsiam a: report max age 1h0m0s: want at least 4h0m0s, IAM regenerates a credential report at most every 4 hours"},
		{"negative report max age", Options{Name: "a", ReportMaxAge: -time.Hour}, "awsiam a: report max age -1h0m0s: want at least 4h0m0s"},
		{"unknown summary mode", Options{Name: "a", AccountSummary: SummaryMode(7)},
			"awsiam a: account summary mode 7: want SummaryAlways, SummaryOnReportFailure or SummaryNever"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSummaryModeString(t *testing.T) {
	got := []string{SummaryAlways.String(), SummaryOnReportFailure.String(), SummaryNever.String(), SummaryMode(7).String()}
	want := []string{"always", "on-report-failure", "never", "SummaryMode(7)"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("String() %d = %q, want %q", i, got[i], want[i])
		}
	}
}
