package awsiam

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseCredentialReportAWSFormat(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "reports", "aws.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseCredentialReport(f)
	if err != nil {
		t.Fatalf("ParseCredentialReport: %v", err)
	}
	want := []ReportRow{
		{
			Line: 2, User: RootUser, ARN: "arn:aws:iam::123456789012:root",
			UserCreationTime: ts("2014-09-01T22:28:48Z"),
			PasswordEnabled:  FlagAbsent, PasswordLastUsed: ts("2024-05-01T10:00:00Z"),
			MFAActive:  FlagTrue,
			AccessKeys: [2]ReportAccessKey{{Active: FlagFalse}, {Active: FlagFalse}},
			Certs:      [2]ReportCert{{Active: FlagFalse}, {Active: FlagFalse}},
		},
		{
			Line: 3, User: "alice", ARN: "arn:aws:iam::123456789012:user/alice",
			UserCreationTime: ts("2020-01-02T03:04:05Z"),
			PasswordEnabled:  FlagTrue, PasswordLastUsed: ts("2024-04-30T08:00:00Z"),
			PasswordLastChanged: ts("2023-01-01T00:00:00Z"), PasswordNextRotation: ts("2024-07-01T00:00:00Z"),
			MFAActive: FlagTrue,
			AccessKeys: [2]ReportAccessKey{
				{Active: FlagTrue, LastRotated: ts("2023-06-01T00:00:00Z"), LastUsed: ts("2024-05-01T09:00:00Z"), LastUsedRegion: "us-east-1", LastUsedService: "s3"},
				{Active: FlagFalse, LastRotated: ts("2022-01-01T00:00:00Z")},
			},
			Certs: [2]ReportCert{{Active: FlagFalse}, {Active: FlagFalse}},
		},
		{
			Line: 4, User: "svc-deploy", ARN: "arn:aws:iam::123456789012:user/ci/svc-deploy",
			UserCreationTime: ts("2021-02-02T00:00:00Z"),
			PasswordEnabled:  FlagFalse, MFAActive: FlagFalse,
			AccessKeys: [2]ReportAccessKey{
				{Active: FlagTrue, LastRotated: ts("2021-02-02T00:00:00Z")},
				{Active: FlagTrue, LastRotated: ts("2021-03-03T00:00:00Z"), LastUsed: ts("2024-04-01T12:30:00Z"), LastUsedRegion: "eu-west-1", LastUsedService: "sts"},
			},
			Certs: [2]ReportCert{{Active: FlagTrue, LastRotated: ts("2021-02-02T00:00:00Z")}, {Active: FlagFalse, LastRotated: ts("2021-02-03T00:00:00Z")}},
		},
		{
			Line: 5, User: "dave", ARN: "arn:aws:iam::123456789012:user/dave",
			UserCreationTime: ts("2013-05-05T05:05:05Z"),
			PasswordEnabled:  FlagTrue, PasswordLastChanged: ts("2013-05-05T05:05:05Z"),
			MFAActive:  FlagFalse,
			AccessKeys: [2]ReportAccessKey{{Active: FlagFalse}, {Active: FlagFalse}},
			Certs:      [2]ReportCert{{Active: FlagFalse}, {Active: FlagFalse}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if !got[0].Root() || got[1].Root() {
		t.Errorf("Root(): row 0 = %v, row 1 = %v; want true, false", got[0].Root(), got[1].Root())
	}
}

// TestParseCredentialReportByHeaderName: columns in another order, unknown columns, missing
// optional columns, a byte-order mark and CRLF line ends.
func TestParseCredentialReportByHeaderName(t *testing.T) {
	in := "\xEF\xBB\xBFmfa_active,future_column,arn,user,access_key_2_last_rotated\r\n" +
		"true,whatever,arn:aws:iam::111122223333:user/x,x,2024-01-01T00:00:00+00:00\r\n" +
		"FALSE,,arn:aws:iam::111122223333:user/y,y,N/A\r\n"
	got, err := ParseCredentialReport(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseCredentialReport: %v", err)
	}
	want := []ReportRow{
		{Line: 2, User: "x", ARN: "arn:aws:iam::111122223333:user/x", MFAActive: FlagTrue,
			AccessKeys: [2]ReportAccessKey{{}, {LastRotated: ts("2024-01-01T00:00:00Z")}}},
		{Line: 3, User: "y", ARN: "arn:aws:iam::111122223333:user/y", MFAActive: FlagFalse},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}

func TestParseCredentialReportHeaderOnly(t *testing.T) {
	got, err := ParseCredentialReport(strings.NewReader("user,arn\n"))
	if err != nil || len(got) != 0 {
		t.Fatalf("ParseCredentialReport(header only) = %v, %v; want no rows, nil", got, err)
	}
}

func TestParseCredentialReportErrors(t *testing.T) {
	const header = "user,arn,user_creation_time,password_enabled,password_last_used\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "malformed credential report: empty report, want a header row"},
		{"missing arn column", "user,mfa_active\nx,true\n", `malformed credential report: line 1: missing required column "arn"`},
		{"duplicate column", "user,arn,user\n", `malformed credential report: line 1: duplicate column "user"`},
		{"bad time", header + "a,arn:aws:iam::1:user/a,2020-01-01T00:00:00+00:00,true,N/A\nb,arn:aws:iam::1:user/b,N/A,true,yesterday\n",
			`malformed credential report: line 3, column password_last_used: invalid time "yesterday"`},
		{"bad flag", header + "a,arn:aws:iam::1:user/a,N/A,maybe,N/A\n", `malformed credential report: line 2, column password_enabled: invalid flag "maybe"`},
		{"short row", header + "a,arn:aws:iam::1:user/a,N/A\n", "malformed credential report: record on line 2: wrong number of fields"},
		{"empty user", header + ",arn:aws:iam::1:user/a,N/A,true,N/A\n", "malformed credential report: line 2, column user: empty user name"},
		{"empty arn", header + "a,N/A,N/A,true,N/A\n", "malformed credential report: line 2, column arn: empty ARN"},
		{"arn not an arn", header + "a,user/a,N/A,true,N/A\n", `malformed credential report: line 2, column arn: "user/a" is not an ARN`},
		{"bare quote", header + "a,arn:aws:iam::1:user/\"a,N/A,true,N/A\n", "malformed credential report: parse error on line 2, column 23: bare \" in non-quoted-field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCredentialReport(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("nil error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want prefix %q", err, tt.want)
			}
			if !errors.Is(err, ErrMalformedReport) {
				t.Errorf("error %q does not wrap ErrMalformedReport", err)
			}
		})
	}
}

func FuzzParseCredentialReport(f *testing.F) {
	for _, name := range []string{"aws.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "reports", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	// moto's format: no root row, not_supported regions.
	f.Add("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n" +
		"alice,arn:aws:iam::123456789012:user/alice,2026-11-29T22:34:03+00:00,true,no_information,2026-11-29T22:34:03+00:00,not_supported,true,true,2026-11-29T22:34:03+00:00,N/A,not_supported,not_supported,false,N/A,N/A,not_supported,not_supported,false,N/A,false,N/A\n")
	f.Add("user,arn\n\"a,b\",arn:x\n")
	f.Add("arn,user,mfa_active\narn:aws:iam::1:root,<root_account>,TRUE\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseCredentialReport(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrMalformedReport) {
				t.Fatalf("error %q does not wrap ErrMalformedReport", err)
			}
			return
		}
		prev := 1
		for _, r := range rows {
			if r.User == "" || !strings.HasPrefix(r.ARN, "arn:") {
				t.Fatalf("row at line %d accepted with user %q, arn %q", r.Line, r.User, r.ARN)
			}
			if r.Line <= prev {
				t.Fatalf("row lines not increasing: %d after %d", r.Line, prev)
			}
			prev = r.Line
		}
	})
}
