package awsiam

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// RootUser is the credential report's name for the account root user.
const RootUser = "<root_account>"

// Flag is a credential report boolean that may also be absent (N/A, not_supported,
// no_information, an empty cell or a missing column).
type Flag uint8

const (
	FlagAbsent Flag = iota
	FlagFalse
	FlagTrue
)

// True reports whether the flag is present and true.
func (f Flag) True() bool { return f == FlagTrue }

// ReportRow is one row of an IAM credential report. Absent times are zero.
type ReportRow struct {
	// Line is the row's line number in the CSV (the header is line 1).
	Line                 int
	User                 string
	ARN                  string
	UserCreationTime     time.Time
	PasswordEnabled      Flag
	PasswordLastUsed     time.Time
	PasswordLastChanged  time.Time
	PasswordNextRotation time.Time
	MFAActive            Flag
	AccessKeys           [2]ReportAccessKey
	Certs                [2]ReportCert
}

// ReportAccessKey is one access key slot of a report row. A slot holds a key when LastRotated
// is set; the report has no key IDs.
type ReportAccessKey struct {
	Active          Flag
	LastRotated     time.Time
	LastUsed        time.Time
	LastUsedRegion  string
	LastUsedService string
}

// ReportCert is one signing certificate slot of a report row.
type ReportCert struct {
	Active      Flag
	LastRotated time.Time
}

// Root reports whether the row is the account root user's.
func (r ReportRow) Root() bool { return r.User == RootUser }

// column kinds.
const (
	colString = iota
	colTime
	colFlag
)

// reportColumn binds a header name to the field it fills.
type reportColumn struct {
	kind int
	set  func(r *ReportRow, s string, t time.Time, f Flag)
}

func keyCol(i int, kind int, set func(k *ReportAccessKey, s string, t time.Time, f Flag)) reportColumn {
	return reportColumn{kind, func(r *ReportRow, s string, t time.Time, f Flag) { set(&r.AccessKeys[i], s, t, f) }}
}

func certCol(i int, kind int, set func(c *ReportCert, t time.Time, f Flag)) reportColumn {
	return reportColumn{kind, func(r *ReportRow, _ string, t time.Time, f Flag) { set(&r.Certs[i], t, f) }}
}

// reportColumns maps the credential report's header names to fields. Columns not listed here
// are ignored, so a report with columns AWS adds later still parses.
var reportColumns = buildReportColumns()

func buildReportColumns() map[string]reportColumn {
	cols := map[string]reportColumn{
		"user":                   {colString, func(r *ReportRow, s string, _ time.Time, _ Flag) { r.User = s }},
		"arn":                    {colString, func(r *ReportRow, s string, _ time.Time, _ Flag) { r.ARN = s }},
		"user_creation_time":     {colTime, func(r *ReportRow, _ string, t time.Time, _ Flag) { r.UserCreationTime = t }},
		"password_enabled":       {colFlag, func(r *ReportRow, _ string, _ time.Time, f Flag) { r.PasswordEnabled = f }},
		"password_last_used":     {colTime, func(r *ReportRow, _ string, t time.Time, _ Flag) { r.PasswordLastUsed = t }},
		"password_last_changed":  {colTime, func(r *ReportRow, _ string, t time.Time, _ Flag) { r.PasswordLastChanged = t }},
		"password_next_rotation": {colTime, func(r *ReportRow, _ string, t time.Time, _ Flag) { r.PasswordNextRotation = t }},
		"mfa_active":             {colFlag, func(r *ReportRow, _ string, _ time.Time, f Flag) { r.MFAActive = f }},
	}
	for i := range 2 {
		p := fmt.Sprintf("access_key_%d_", i+1)
		cols[p+"active"] = keyCol(i, colFlag, func(k *ReportAccessKey, _ string, _ time.Time, f Flag) { k.Active = f })
		cols[p+"last_rotated"] = keyCol(i, colTime, func(k *ReportAccessKey, _ string, t time.Time, _ Flag) { k.LastRotated = t })
		cols[p+"last_used_date"] = keyCol(i, colTime, func(k *ReportAccessKey, _ string, t time.Time, _ Flag) { k.LastUsed = t })
		cols[p+"last_used_region"] = keyCol(i, colString, func(k *ReportAccessKey, s string, _ time.Time, _ Flag) { k.LastUsedRegion = s })
		cols[p+"last_used_service"] = keyCol(i, colString, func(k *ReportAccessKey, s string, _ time.Time, _ Flag) { k.LastUsedService = s })
		c := fmt.Sprintf("cert_%d_", i+1)
		cols[c+"active"] = certCol(i, colFlag, func(ct *ReportCert, _ time.Time, f Flag) { ct.Active = f })
		cols[c+"last_rotated"] = certCol(i, colTime, func(ct *ReportCert, t time.Time, _ Flag) { ct.LastRotated = t })
	}
	return cols
}

// ErrMalformedReport is wrapped by every error ParseCredentialReport returns for bad content.
var ErrMalformedReport = errors.New("malformed credential report")

// ParseCredentialReport parses an IAM credential report (CSV with a header row). Columns are
// matched by header name, so their order does not matter; "user" and "arn" are required, every
// other known column is optional and unknown columns are ignored. The values N/A,
// not_supported, no_information and an empty cell mean absent. Any malformed row is an error
// naming its line and column; the parser never panics.
func ParseCredentialReport(r io.Reader) ([]ReportRow, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: empty report, want a header row", ErrMalformedReport)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrMalformedReport, err)
	}
	names := make([]string, len(header))
	cols := make([]*reportColumn, len(header))
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		names[i] = h
		if seen[h] {
			return nil, fmt.Errorf("%w: line 1: duplicate column %q", ErrMalformedReport, h)
		}
		seen[h] = true
		if c, ok := reportColumns[h]; ok {
			cols[i] = &c
		}
	}
	for _, req := range []string{"user", "arn"} {
		if !seen[req] {
			return nil, fmt.Errorf("%w: line 1: missing required column %q", ErrMalformedReport, req)
		}
	}

	var rows []ReportRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformedReport, err)
		}
		line, _ := cr.FieldPos(0)
		row := ReportRow{Line: line}
		for i, v := range rec {
			c := cols[i]
			if c == nil {
				continue
			}
			v = strings.TrimSpace(v)
			switch c.kind {
			case colString:
				if absent(v) {
					v = ""
				}
				c.set(&row, v, time.Time{}, FlagAbsent)
			case colTime:
				t, err := parseReportTime(v)
				if err != nil {
					return nil, fmt.Errorf("%w: line %d, column %s: %w", ErrMalformedReport, line, names[i], err)
				}
				c.set(&row, "", t, FlagAbsent)
			case colFlag:
				f, err := parseReportFlag(v)
				if err != nil {
					return nil, fmt.Errorf("%w: line %d, column %s: %w", ErrMalformedReport, line, names[i], err)
				}
				c.set(&row, "", time.Time{}, f)
			}
		}
		if row.User == "" {
			return nil, fmt.Errorf("%w: line %d, column user: empty user name", ErrMalformedReport, line)
		}
		if row.ARN == "" {
			return nil, fmt.Errorf("%w: line %d, column arn: empty ARN", ErrMalformedReport, line)
		}
		if !strings.HasPrefix(row.ARN, "arn:") {
			return nil, fmt.Errorf("%w: line %d, column arn: %q is not an ARN", ErrMalformedReport, line, row.ARN)
		}
		rows = append(rows, row)
	}
}

func absent(v string) bool {
	switch v {
	case "", "N/A", "not_supported", "no_information":
		return true
	}
	return false
}

func parseReportTime(v string) (time.Time, error) {
	if absent(v) {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: want ISO 8601 like 2024-01-02T15:04:05+00:00", v)
	}
	return t.UTC(), nil
}

func parseReportFlag(v string) (Flag, error) {
	switch {
	case absent(v):
		return FlagAbsent, nil
	case strings.EqualFold(v, "true"):
		return FlagTrue, nil
	case strings.EqualFold(v, "false"):
		return FlagFalse, nil
	}
	return FlagAbsent, fmt.Errorf("invalid flag %q: want true, false or N/A", v)
}
