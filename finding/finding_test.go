package finding

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/provost-dev/provost/inventory"
)

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in      string
		want    Severity
		wantErr bool
	}{
		{"info", SeverityInfo, false},
		{"LOW", SeverityLow, false},
		{" Medium ", SeverityMedium, false},
		{"high", SeverityHigh, false},
		{"critical", SeverityCritical, false},
		{"", 0, true},
		{"severe", 0, true},
		{"invalid(3)", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSeverity(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseSeverity(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseSeverity(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestSeverityOrderAndText(t *testing.T) {
	names := []string{}
	for _, s := range Severities() {
		names = append(names, s.String())
	}
	if diff := cmp.Diff([]string{"info", "low", "medium", "high", "critical"}, names); diff != "" {
		t.Errorf("Severities() names (-want +got):\n%s", diff)
	}
	if !slices.IsSorted(Severities()) {
		t.Errorf("Severities() not in rising order: %v", Severities())
	}
	if !SeverityHigh.AtLeast(SeverityMedium) || SeverityLow.AtLeast(SeverityMedium) || !SeverityMedium.AtLeast(SeverityMedium) {
		t.Errorf("AtLeast ordering wrong")
	}
	if _, err := Severity(0).MarshalText(); err == nil {
		t.Errorf("MarshalText of zero severity: want error")
	}
	if got := Severity(9).String(); got != "invalid(9)" {
		t.Errorf("Severity(9).String() = %q", got)
	}
	b, err := json.Marshal(struct{ S Severity }{SeverityCritical})
	if err != nil || string(b) != `{"S":"critical"}` {
		t.Errorf("json.Marshal = %s, %v", b, err)
	}
	var v struct{ S Severity }
	if err := json.Unmarshal([]byte(`{"S":"High"}`), &v); err != nil || v.S != SeverityHigh {
		t.Errorf("json.Unmarshal = %v, %v", v.S, err)
	}
	if err := json.Unmarshal([]byte(`{"S":"urgent"}`), &v); err == nil {
		t.Errorf("json.Unmarshal of unknown severity: want error")
	}
}

func TestStatusJSON(t *testing.T) {
	for _, s := range []Status{StatusOpen, StatusWaived, StatusResolved, StatusError, StatusCannotEvaluate} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("marshal %q: %v", s, err)
		}
		var back Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("round trip %q = %q, %v", s, back, err)
		}
	}
	if _, err := json.Marshal(Status("closed")); err == nil {
		t.Errorf("marshal of unknown status: want error")
	}
	var s Status
	if err := json.Unmarshal([]byte(`"closed"`), &s); err == nil {
		t.Errorf("unmarshal of unknown status: want error")
	}
	if StatusResolved.Live() || !StatusWaived.Live() || Status("x").Live() {
		t.Errorf("Live() wrong")
	}
}

func TestID(t *testing.T) {
	// The ID is part of the store's format: changing it would reopen every finding.
	if got, want := ID("PV-AWS-001", "arn:aws:iam::123456789012:root", "access_key_1"), ID("PV-AWS-001", "arn:aws:iam::123456789012:root", "access_key_1"); got != want {
		t.Fatalf("ID not deterministic: %s vs %s", got, want)
	}
	ids := map[string][3]string{}
	for _, in := range [][3]string{
		{"PV-AWS-001", "p", ""},
		{"PV-AWS-001", "p", "q"},
		{"PV-AWS-001", "pq", ""},
		{"PV-AWS-001p", "", ""},
		{"a", "bc", ""},
		{"ab", "c", ""},
		{"", "", ""},
	} {
		id := ID(in[0], in[1], in[2])
		if len(id) != 26 || id[:2] != "f-" {
			t.Errorf("ID(%q) = %q: want f- and 24 hex digits", in, id)
		}
		if prev, dup := ids[id]; dup {
			t.Errorf("ID collision between %q and %q", prev, in)
		}
		ids[id] = in
	}
	if got := ID("PV-AWS-001", "arn:aws:iam::123456789012:root", "access_key_1"); got != "f-"+goldenID {
		t.Errorf("ID changed: got %s, want f-%s (finding IDs must stay stable across releases)", got, goldenID)
	}
}

// goldenID pins the ID scheme; computed independently as
// sha256(uvarint(len)+field for each field)[:12] in hex.
const goldenID = "0af65199b4409d993b01b5ba"

func TestOpenFor(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    Finding
		at   time.Time
		want time.Duration
	}{
		{"open 37 days", Finding{Status: StatusOpen, FirstSeen: t0}, t0.AddDate(0, 0, 37), 37 * 24 * time.Hour},
		{"resolved stops the clock", Finding{Status: StatusResolved, FirstSeen: t0, ResolvedAt: t0.AddDate(0, 0, 3)}, t0.AddDate(0, 0, 37), 3 * 24 * time.Hour},
		{"unknown first seen", Finding{Status: StatusOpen}, t0, 0},
		{"clock before first seen", Finding{Status: StatusOpen, FirstSeen: t0}, t0.Add(-time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.OpenFor(tt.at); got != tt.want {
				t.Errorf("OpenFor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScopeStatus(t *testing.T) {
	cov := []inventory.Coverage{
		{Source: "aws", Scope: "111111111111", Status: inventory.CoverageComplete},
		{Source: "aws", Scope: "222222222222", Status: inventory.CoverageComplete},
		{Source: "aws-report", Scope: "222222222222", Status: inventory.CoveragePartial},
		{Source: "aws", Scope: "333333333333", Status: inventory.CoverageFailed},
		{Source: "aws-report", Scope: "333333333333", Status: inventory.CoveragePartial},
	}
	tests := []struct {
		scope string
		want  inventory.CoverageStatus
	}{
		{"111111111111", inventory.CoverageComplete},
		{"222222222222", inventory.CoveragePartial},
		{"333333333333", inventory.CoverageFailed},
		{"444444444444", ""},
	}
	complete := CoverageScopes(cov)
	for _, tt := range tests {
		if got := ScopeStatus(cov, tt.scope); got != tt.want {
			t.Errorf("ScopeStatus(%s) = %q, want %q", tt.scope, got, tt.want)
		}
		if got, want := complete(Finding{Account: tt.scope}), tt.want == inventory.CoverageComplete; got != want {
			t.Errorf("CoverageScopes(%s) = %v, want %v", tt.scope, got, want)
		}
	}
	if !complete(Finding{}) {
		t.Errorf("a finding without an account must count as complete")
	}
}
