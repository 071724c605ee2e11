package awsfake

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"
)

// CredentialReportHeader is the credential report's header line: AWS's 22 columns in order.
const CredentialReportHeader = "user,arn,user_creation_time,password_enabled,password_last_used," +
	"password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date," +
	"access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date," +
	"access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated"

// GenerateCredentialReport: the first call starts a generation (STARTED); later calls are polls
// that answer INPROGRESS until Options.ReportPolls and Options.ReportDelay are satisfied, then
// COMPLETE. A report younger than Options.ReportRegenerateAfter is not regenerated.
func (s *Server) generateCredentialReport(req *request, x *acct, w *xmlWriter) error {
	now := s.now()
	if rs := x.report; rs != nil && now.Sub(rs.started) < s.opts.ReportRegenerateAfter {
		rs.polls.Add(1)
		if s.reportReady(rs, now) {
			w.text("State", "COMPLETE")
		} else {
			w.text("State", "INPROGRESS")
		}
		return nil
	}
	next := &reportState{started: now, content: renderCredentialReport(x, now)}
	if rs := x.report; rs != nil && s.opts.ReportStaleWhileGenerating {
		rs.previous = nil // keep one generation back
		next.previous = rs
	}
	x.report = next
	w.text("State", "STARTED")
	w.text("Description", "No report exists. Starting a new report generation task")
	return nil
}

func (s *Server) reportReady(rs *reportState, now time.Time) bool {
	return rs.polls.Load() > int64(s.opts.ReportPolls) && !now.Before(rs.started.Add(s.opts.ReportDelay))
}

func (s *Server) getCredentialReport(req *request, x *acct, w *xmlWriter) error {
	now := s.now()
	rs := x.report
	if rs == nil {
		return errorf(http.StatusGone, "ReportNotPresent", "Credential report not present. To generate a credential report, use GenerateCredentialReport.")
	}
	if now.Sub(rs.started) >= s.opts.ReportLifetime {
		return errorf(http.StatusGone, "ReportExpired", "The credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	rs.polls.Add(1)
	if !s.reportReady(rs, now) {
		prev := rs.previous
		if prev == nil || now.Sub(prev.started) >= s.opts.ReportLifetime {
			return errorf(http.StatusNotFound, "ReportInProgress", "Credential report is still being generated.")
		}
		rs = prev
	}
	w.open("Content")
	enc := base64.NewEncoder(base64.StdEncoding, w.b)
	_, _ = enc.Write(rs.content) // writes to a bytes.Buffer never fail
	_ = enc.Close()
	w.close("Content")
	w.text("ReportFormat", "text/csv")
	w.time("GeneratedTime", rs.started)
	return nil
}

// renderCredentialReport renders the account's credential report as AWS does: the root row,
// then one row per user in name order.
func renderCredentialReport(x *acct, now time.Time) []byte {
	if x.a.CredentialReportCSV != "" {
		return []byte(x.a.CredentialReportCSV)
	}
	var b bytes.Buffer
	b.WriteString(CredentialReportHeader)
	b.WriteByte('\n')
	cw := csv.NewWriter(&b)
	root := x.a.Root
	row := []string{
		"<root_account>", RootARN(x.a.ID), reportTime(root.Created),
		"not_supported", passwordLastUsed(root.PasswordLastUsed, root.PasswordEnabled),
		"not_supported", "not_supported", strconv.FormatBool(root.MFA),
	}
	for _, k := range root.AccessKeys {
		if k == nil {
			row = append(row, noKey...)
			continue
		}
		row = append(row, keyColumns(k.Active, k.Created, k.LastUsed, k.LastUsedRegion, k.LastUsedService)...)
	}
	for _, c := range root.Certificates {
		if c == nil {
			row = append(row, "false", "N/A")
			continue
		}
		row = append(row, strconv.FormatBool(c.Status != KeyInactive), reportTime(c.Uploaded))
	}
	_ = cw.Write(row) // writes to a bytes.Buffer never fail

	pp := x.a.PasswordPolicy
	for _, u := range x.users.items {
		row = row[:0]
		row = append(row, u.Name, UserARN(x.a.ID, u.Path, u.Name), reportTime(u.Created),
			strconv.FormatBool(u.PasswordEnabled), passwordLastUsed(u.PasswordLastUsed, u.PasswordEnabled))
		if u.PasswordEnabled {
			changed := orNow(u.PasswordLastChanged, u.Created)
			next := "N/A"
			if pp != nil && pp.MaxPasswordAge > 0 {
				next = reportTime(changed.AddDate(0, 0, pp.MaxPasswordAge))
			}
			row = append(row, reportTime(changed), next)
		} else {
			row = append(row, "N/A", "N/A")
		}
		row = append(row, strconv.FormatBool(len(u.MFADevices) > 0))
		for i := range 2 {
			if i >= len(u.AccessKeys) {
				row = append(row, noKey...)
				continue
			}
			k := u.AccessKeys[i]
			row = append(row, keyColumns(k.Status != KeyInactive, k.Created, k.LastUsed, k.LastUsedRegion, k.LastUsedService)...)
		}
		for i := range 2 {
			if i >= len(u.Certificates) {
				row = append(row, "false", "N/A")
				continue
			}
			c := u.Certificates[i]
			row = append(row, strconv.FormatBool(c.Status != KeyInactive), reportTime(c.Uploaded))
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return b.Bytes()
}

var noKey = []string{"false", "N/A", "N/A", "N/A", "N/A"}

func keyColumns(active bool, created, lastUsed time.Time, region, service string) []string {
	if lastUsed.IsZero() {
		return []string{strconv.FormatBool(active), reportTime(created), "N/A", "N/A", "N/A"}
	}
	return []string{strconv.FormatBool(active), reportTime(created), reportTime(lastUsed), orDefault(region, "N/A"), orDefault(service, "N/A")}
}

// passwordLastUsed is the password_last_used cell: the time, or no_information for a password
// never used, or N/A when there is no password and never was one used.
func passwordLastUsed(t time.Time, enabled bool) string {
	switch {
	case !t.IsZero():
		return reportTime(t)
	case enabled:
		return "no_information"
	}
	return "N/A"
}

// reportTime formats a time as the credential report does (ISO 8601 with a +00:00 offset).
func reportTime(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}
