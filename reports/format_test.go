package reports_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want reports.Format
		err  string
	}{
		{in: "html", want: reports.FormatHTML},
		{in: " JSON ", want: reports.FormatJSON},
		{in: "csv", want: reports.FormatCSV},
		{in: "markdown", want: reports.FormatMarkdown},
		{in: "md", want: reports.FormatMarkdown},
		{in: "ocsf", want: reports.FormatOCSF},
		{in: "jsonl", want: reports.FormatOCSF},
		{in: "sarif", want: reports.FormatSARIF},
		{in: "junit", want: reports.FormatJUnit},
		{in: "xml", want: reports.FormatJUnit},
		{in: "review-html", want: reports.FormatReviewHTML},
		{in: "review", want: reports.FormatReviewHTML},
		{in: "Review-CSV", want: reports.FormatReviewCSV},
		{in: "pdf", err: `unknown report format "pdf": want one of html, json, csv, markdown, ocsf, sarif, junit, review-html, review-csv`},
		{in: "", err: `unknown report format ""`},
	}
	for _, tc := range tests {
		got, err := reports.ParseFormat(tc.in)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, f := range reports.Formats() {
		if f.Extension() == "" || f.ContentType() == "application/octet-stream" {
			t.Errorf("%s has no extension or content type", f)
		}
		if g, err := reports.ParseFormat(string(f)); err != nil || g != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, g, err)
		}
	}
}

// TestRenderRejectsBadInput: an invalid report fails naming the record, and writes nothing.
func TestRenderRejectsBadInput(t *testing.T) {
	good := finding.Finding{ID: "f-1", CheckID: "PV-AWS-001", Severity: finding.SeverityHigh, Status: finding.StatusOpen, Message: "m"}
	tests := []struct {
		name   string
		format reports.Format
		report *reports.Report
		want   string
	}{
		{"nil report", reports.FormatJSON, nil, "invalid report: report: nil"},
		{"invalid severity", reports.FormatHTML, &reports.Report{Findings: []finding.Finding{good, {ID: "f-2", CheckID: "PV-X", Principal: "arn:p", Status: finding.StatusOpen}}},
			`invalid report: finding 1 (id "f-2", check "PV-X", principal "arn:p"): invalid severity 0: want info, low, medium, high or critical`},
		{"invalid status", reports.FormatCSV, &reports.Report{Findings: []finding.Finding{{ID: "f-3", CheckID: "PV-X", Severity: finding.SeverityLow, Status: "fixed"}}},
			`invalid report: finding 0 (id "f-3", check "PV-X", principal ""): invalid status "fixed": want open, waived, resolved, error or cannot_evaluate`},
		{"finding without ids", reports.FormatSARIF, &reports.Report{Findings: []finding.Finding{{Severity: finding.SeverityLow, Status: finding.StatusOpen}}},
			`invalid report: finding 0 (id "", check "", principal ""): no id` + "\n" + `finding 0 (id "", check "", principal ""): no check id`},
		{"duplicate principal", reports.FormatJUnit, &reports.Report{Principals: []inventory.Principal{{ID: "p"}, {ID: "p"}}},
			`invalid report: principal "p": listed twice`},
		{"check without severity", reports.FormatMarkdown, &reports.Report{Checks: []reports.Check{{ID: "PV-1"}}},
			`invalid report: check "PV-1": invalid severity 0`},
		{"review without workbook", reports.FormatReviewCSV, &reports.Report{},
			"render review-csv: the report has no review workbook (set Report.Review with BuildReview)"},
		{"unknown format", reports.Format("pdf"), &reports.Report{}, `render: unknown report format "pdf"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := reports.Render(&b, tc.format, tc.report)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant  %s", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes for an invalid report", b.Len())
			}
		})
	}
}

// TestRenderEmpty: a report with nothing in it renders in every format.
func TestRenderEmpty(t *testing.T) {
	r := &reports.Report{Generated: fixtureGenerated, Review: reports.BuildReview(nil, nil, fixtureGenerated)}
	for _, f := range reports.Formats() {
		var b bytes.Buffer
		if err := reports.Render(&b, f, r); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if b.Len() == 0 && f != reports.FormatOCSF {
			t.Errorf("%s: empty output", f)
		}
	}
}

// TestRenderDoesNotModify: rendering leaves the report as it was.
func TestRenderDoesNotModify(t *testing.T) {
	r := fixtureReport(t)
	before := fixtureReport(t)
	for _, f := range reports.Formats() {
		if err := reports.Render(&bytes.Buffer{}, f, r); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(before, r); diff != "" {
		t.Errorf("Render modified the report (-before +after):\n%s", diff)
	}
}

func TestScore(t *testing.T) {
	f := func(p string, s finding.Severity, st finding.Status) finding.Finding {
		return finding.Finding{Principal: p, Severity: s, Status: st}
	}
	tests := []struct {
		name       string
		findings   []finding.Finding
		principals int
		want       float64
	}{
		{"nothing", nil, 0, 100},
		{"no open findings", []finding.Finding{f("a", finding.SeverityCritical, finding.StatusWaived), f("a", finding.SeverityHigh, finding.StatusResolved)}, 4, 100},
		{"one critical of four", []finding.Finding{f("a", finding.SeverityCritical, finding.StatusOpen)}, 4, 75},
		{"worst finding per principal counts once", []finding.Finding{
			f("a", finding.SeverityCritical, finding.StatusOpen), f("a", finding.SeverityHigh, finding.StatusOpen), f("b", finding.SeverityLow, finding.StatusOpen),
		}, 10, 89},
		{"medium and info", []finding.Finding{f("a", finding.SeverityMedium, finding.StatusOpen), f("b", finding.SeverityInfo, finding.StatusOpen)}, 3, 90},
		{"findings without principal do not count", []finding.Finding{f("", finding.SeverityCritical, finding.StatusOpen)}, 1, 100},
		{"more principals with findings than counted", []finding.Finding{f("a", finding.SeverityHigh, finding.StatusOpen), f("b", finding.SeverityHigh, finding.StatusOpen)}, 0, 40},
		{"one decimal", []finding.Finding{f("a", finding.SeverityHigh, finding.StatusOpen)}, 7, 91.4},
	}
	for _, tc := range tests {
		if got := reports.Score(tc.findings, tc.principals); got != tc.want {
			t.Errorf("%s: Score = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNewHistoryPoint(t *testing.T) {
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	got := reports.NewHistoryPoint("s1", at, fixtureFindings(), 9)
	want := reports.HistoryPoint{Snapshot: "s1", At: at, Principals: 9, Score: 51.1,
		Open: reports.SeverityCounts{Critical: 3, High: 2, Medium: 4, Low: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history point (-want +got):\n%s", diff)
	}
}

// TestFromSnapshot: the report keeps only the principals findings name, and the people linked
// to them with their managers.
func TestFromSnapshot(t *testing.T) {
	r, err := reports.FromSnapshot(fixtureSnapshot(), fixtureFindings(), fixtureGenerated)
	if err != nil {
		t.Fatal(err)
	}
	var principals, people []string
	for _, p := range r.Principals {
		principals = append(principals, p.ID)
	}
	for _, p := range r.People {
		people = append(people, p.ID)
	}
	wantPrincipals := []string{rootARN, aliceARN, legacyARN, ssoCarol, mallory, eveGmail, ciSA, scimEve}
	wantPeople := []string{"hr:1", "hr:2", "hr:3", "hr:4", "okta:5"}
	if diff := cmp.Diff(wantPrincipals, principals); diff != "" {
		t.Errorf("principals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantPeople, people); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	wantTotals := reports.Totals{Principals: 9, People: 6, Accounts: 5,
		ByProvider: map[string]int{"aws": 5, "gcp": 3, "scim": 1},
		ByKind:     map[string]int{"root": 1, "user": 5, "role": 1, "sso_user": 1, "service_account": 1},
		ByAccount:  map[string]int{"111111111111": 3, "222222222222": 1, "333333333333": 1, "organizations/1": 2, "projects/web": 1, "scim:okta": 1}}
	if diff := cmp.Diff(wantTotals, r.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	if _, err := reports.FromSnapshot(nil, nil, fixtureGenerated); err == nil {
		t.Error("FromSnapshot(nil) did not fail")
	}
}

func TestOpenAtLeast(t *testing.T) {
	fs := fixtureFindings()
	for _, c := range []struct {
		min  finding.Severity
		want int
	}{{finding.SeverityCritical, 3}, {finding.SeverityHigh, 5}, {finding.SeverityMedium, 9}, {finding.SeverityLow, 11}, {finding.SeverityInfo, 11}} {
		if got := reports.OpenAtLeast(fs, c.min); got != c.want {
			t.Errorf("OpenAtLeast(%s) = %d, want %d", c.min, got, c.want)
		}
	}
}
