package reports

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// safeCell neutralises a cell a spreadsheet would evaluate: one starting with =, +, -, @, a
// tab or a carriage return gets a leading ' (OWASP's advice for CSV injection), so
// "=HYPERLINK(...)" is shown as text.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func safeRow(row []string) []string {
	for i, c := range row {
		row[i] = safeCell(c)
	}
	return row
}

// csvTime is RFC 3339 in UTC, or empty for the zero time.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var findingsCSVHeader = []string{
	"id", "check_id", "title", "severity", "status", "provider", "account", "account_name",
	"principal", "principal_name", "person", "person_name", "qualifier", "message", "frameworks",
	"first_seen", "last_seen", "resolved_at", "open_days", "waived_by", "waiver_reason", "waiver_expires",
	"remediation_action", "remediation",
}

// renderCSV writes one row per finding, most severe first.
func renderCSV(w io.Writer, v *view) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(findingsCSVHeader); err != nil {
		return err
	}
	for _, f := range v.findings {
		var personID, personName string
		if p := v.personOf(f.Principal); p != nil {
			personID, personName = p.ID, p.Name
		}
		name := ""
		if p := v.principals[f.Principal]; p != nil {
			name = p.Name
		}
		openDays := ""
		if d := f.OpenFor(v.Generated); d > 0 {
			openDays = strconv.Itoa(int(d / (24 * time.Hour)))
		}
		row := []string{
			f.ID, f.CheckID, v.checkTitle(f.CheckID, f.Title), f.Severity.String(), string(f.Status), string(f.Provider),
			f.Account, v.accountName(f.Account), f.Principal, name, personID, personName, f.Qualifier, f.Message,
			strings.Join(f.Frameworks, "; "), csvTime(f.FirstSeen), csvTime(f.LastSeen), csvTime(f.ResolvedAt), openDays,
			f.WaivedBy, f.WaiverReason, csvTime(f.WaiverExpires), f.Remediation.Action, f.Remediation.Text,
		}
		if err := cw.Write(safeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
