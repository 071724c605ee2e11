package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
)

func TestParseWaivers(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []Waiver
		wantErr string
	}{
		{
			name: "date, date-time and string expiries",
			src: `# accepted risks
[[waiver]]
check = "PV-AWS-009"
principal = "arn:aws:iam::*:user/ci-*"
reason = "Terraform-managed"
owner = "platform@corp.com"
expires = 2026-03-31

[[waiver]]
check = "PV-GCP-*"
principal = "gcp:serviceAccount:*@legacy.iam.gserviceaccount.com"
qualifier = "roles/editor on *"
reason = "migration"
owner = "data@corp.com"
expires = 2026-01-15T12:00:00+01:00

[[waiver]]
check = "PV-IDN-004"
principal = "*"
reason = "r"
owner = "o"
expires = "2026-02-01"
`,
			want: []Waiver{
				{Check: "PV-AWS-009", Principal: "arn:aws:iam::*:user/ci-*", Reason: "Terraform-managed", Owner: "platform@corp.com",
					Expires: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Source: "w.toml:2"},
				{Check: "PV-GCP-*", Principal: "gcp:serviceAccount:*@legacy.iam.gserviceaccount.com", Qualifier: "roles/editor on *", Reason: "migration", Owner: "data@corp.com",
					Expires: time.Date(2026, 1, 15, 11, 0, 0, 0, time.UTC), Source: "w.toml:9"},
				{Check: "PV-IDN-004", Principal: "*", Reason: "r", Owner: "o", Expires: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), Source: "w.toml:17"},
			},
		},
		{
			name:    "unknown key",
			src:     "[[waiver]]\ncheck = \"PV-AWS-001\"\nprincipal = \"*\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-01-01\nexpiry = 2026-01-01\n",
			wantErr: `w.toml:7:1: unknown key "waiver.expiry" (known keys: check, principal, qualifier, reason, owner, expires)`,
		},
		{
			name:    "missing fields",
			src:     "[[waiver]]\ncheck = \"PV-AWS-001\"\nprincipal = \"*\"\nexpires = 2026-01-01\n\n[[waiver]]\ncheck = \"PV-AWS-002\"\nprincipal = \"*\"\nreason = \"r\"\nowner = \"o\"\n",
			wantErr: "w.toml:1: waiver PV-AWS-001: missing reason, owner (a waiver needs check, principal, reason, owner and expires)\nw.toml:6: waiver PV-AWS-002: expires: missing: every waiver needs an expiry date such as 2026-03-31",
		},
		{
			name:    "bad expiry",
			src:     "[[waiver]]\ncheck = \"PV-AWS-001\"\nprincipal = \"*\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"next year\"\n",
			wantErr: `w.toml:1: waiver PV-AWS-001: expires: "next year" is not a date (2026-03-31) or RFC 3339 time`,
		},
		{
			name:    "syntax error",
			src:     "[[waiver]]\ncheck = PV-AWS-001\n",
			wantErr: "w.toml:2:9: toml: unexpected character U+0050 'P' at start of value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWaivers(strings.NewReader(tt.src), "w.toml")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseWaivers error =\n%v\nwant\n%s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waivers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApplyWaivers(t *testing.T) {
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f := func(check, principal, qualifier string, st finding.Status) finding.Finding {
		return finding.Finding{ID: finding.ID(check, principal, qualifier), CheckID: check, Principal: principal, Qualifier: qualifier, Status: st, Message: "m"}
	}
	findings := []finding.Finding{
		f("PV-AWS-009", "arn:aws:iam::1:user/ci-a", "pol", finding.StatusOpen),
		f("PV-AWS-009", "arn:aws:iam::1:user/alice", "pol", finding.StatusOpen),
		f("PV-GCP-005", "gcp:serviceAccount:etl@p.iam.gserviceaccount.com", "roles/editor on projects/p", finding.StatusOpen),
		f("PV-GCP-005", "gcp:serviceAccount:etl@p.iam.gserviceaccount.com", "roles/owner on projects/p", finding.StatusOpen),
		f("PV-IDN-005", "gcp:user:bob@corp.com", "", finding.StatusCannotEvaluate),
		f("PV-AWS-011", "", "runtime", finding.StatusError),
		f("PV-IDN-003", "arn:aws:iam::1:user/ci-a", "", finding.StatusOpen),
	}
	live := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expired := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	ws := []Waiver{
		{Check: "PV-AWS-*", Principal: "arn:aws:iam::*:user/ci-*", Reason: "ci", Owner: "platform", Expires: live, Source: "w:1"},
		{Check: "PV-GCP-005", Principal: "gcp:serviceAccount:etl@*", Qualifier: "roles/editor on *", Reason: "etl", Owner: "data", Expires: live, Source: "w:2"},
		{Check: "PV-IDN-*", Principal: "*", Reason: "all idn", Owner: "sec", Expires: live.AddDate(1, 0, 0), Source: "w:3"},
		{Check: "PV-IDN-003", Principal: "arn:aws:iam::1:user/ci-a", Reason: "old", Owner: "platform", Expires: expired, Source: "w:4"},
		{Check: "PV-AWS-011", Principal: "*", Reason: "hide errors", Owner: "x", Expires: live, Source: "w:5"},
	}
	got := ApplyWaivers(append([]finding.Finding(nil), findings...), ws, at)
	type row struct{ Check, Principal, Qualifier, Status, By string }
	var rows []row
	for _, g := range got {
		rows = append(rows, row{g.CheckID, g.Principal, g.Qualifier, string(g.Status), g.WaivedBy})
	}
	want := []row{
		{"PV-AWS-009", "arn:aws:iam::1:user/ci-a", "pol", "waived", "platform"},
		{"PV-AWS-009", "arn:aws:iam::1:user/alice", "pol", "open", ""},
		{"PV-GCP-005", "gcp:serviceAccount:etl@p.iam.gserviceaccount.com", "roles/editor on projects/p", "waived", "data"},
		{"PV-GCP-005", "gcp:serviceAccount:etl@p.iam.gserviceaccount.com", "roles/owner on projects/p", "open", ""},
		{"PV-IDN-005", "gcp:user:bob@corp.com", "", "waived", "sec"},
		{"PV-AWS-011", "", "runtime", "error", ""},                      // errors are never waived
		{"PV-IDN-003", "arn:aws:iam::1:user/ci-a", "", "waived", "sec"}, // the expired waiver does not count, the later one does
		{finding.CheckWaiverExpired, "", "PV-IDN-003 arn:aws:iam::1:user/ci-a", "open", ""},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("after ApplyWaivers (-want +got):\n%s", diff)
	}
	exp := got[len(got)-1]
	if exp.Evidence["findings_matched"] != 1 || exp.Evidence["source"] != "w:4" || exp.Severity != finding.SeverityLow ||
		exp.Message != "waiver for PV-IDN-003 on arn:aws:iam::1:user/ci-a (owner platform) expired at 2025-05-01T00:00:00Z; it matches 1 finding(s), open again unless another waiver covers them" {
		t.Errorf("expired waiver finding = %+v", exp)
	}
	if got[0].WaiverReason != "ci" || !got[0].WaiverExpires.Equal(live) {
		t.Errorf("waived finding lacks the waiver's reason and expiry: %+v", got[0])
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "arn:aws:iam::1:user/a/b", true},
		{"arn:aws:iam::*:user/ci-*", "arn:aws:iam::123:user/ci-deploy", true},
		{"arn:aws:iam::*:user/ci-*", "arn:aws:iam::123:user/path/ci-deploy", false},
		{"arn:aws:iam::*:user/*ci-*", "arn:aws:iam::123:user/path/ci-deploy", true},
		{"PV-AWS-00?", "PV-AWS-001", true},
		{"PV-AWS-00?", "PV-AWS-0011", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"", "", true},
		{"", "x", false},
		{"é*", "éclair", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
