package awsfake

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// wantReport is the management account's credential report as AWS would render it.
const wantReport = CredentialReportHeader + `
<root_account>,arn:aws:iam::111111111111:root,2023-06-05T12:00:00+00:00,not_supported,2026-02-26T12:00:00+00:00,not_supported,not_supported,true,true,2023-09-13T12:00:00+00:00,2026-02-19T12:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111111111111:user/alice,2025-01-25T12:00:00+00:00,true,2026-02-28T12:00:00+00:00,2026-01-30T12:00:00+00:00,2026-04-30T12:00:00+00:00,true,true,2025-05-05T12:00:00+00:00,2026-02-27T12:00:00+00:00,us-east-1,ec2,true,2026-02-09T12:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::111111111111:user/bob,2025-08-13T12:00:00+00:00,false,N/A,N/A,N/A,false,false,2025-10-02T12:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
Carol,arn:aws:iam::111111111111:user/Carol,2026-01-10T12:00:00+00:00,true,no_information,2026-01-10T12:00:00+00:00,2026-04-10T12:00:00+00:00,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,true,2026-01-20T12:00:00+00:00,false,N/A
svc-deploy,arn:aws:iam::111111111111:user/service/svc-deploy,2024-10-17T12:00:00+00:00,false,N/A,N/A,N/A,false,true,2024-10-17T12:00:00+00:00,2026-03-01T12:00:00+00:00,eu-central-1,ecs,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
`

func TestCredentialReportHeaderHas22Columns(t *testing.T) {
	if n := len(strings.Split(CredentialReportHeader, ",")); n != 22 {
		t.Errorf("header has %d columns, want 22", n)
	}
}

func TestCredentialReportContent(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	gen, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("first GenerateCredentialReport state %s, want STARTED", gen.State)
	}
	rep, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantReport, string(rep.Content)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || !rep.GeneratedTime.Equal(t0) {
		t.Errorf("format %s generated %v, want text/csv %v", rep.ReportFormat, rep.GeneratedTime, t0)
	}
}

type reportStep struct {
	advance  time.Duration
	generate bool   // GenerateCredentialReport, else GetCredentialReport
	want     string // generate: the state; get: "" for success or the error code
}

func TestCredentialReportLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  func(*Options)
		steps []reportStep
	}{
		{"defaults", nil, []reportStep{
			{generate: false, want: "ReportNotPresent"},
			{generate: true, want: "STARTED"},
			{generate: true, want: "COMPLETE"},
			{generate: false, want: ""},
			{advance: 3 * time.Hour, generate: true, want: "COMPLETE"}, // within the 4h lifetime: not regenerated
			{advance: time.Hour, generate: false, want: "ReportExpired"},
			{generate: true, want: "STARTED"},
			{generate: false, want: ""},
		}},
		{"two polls in progress", func(o *Options) { o.ReportPolls = 2 }, []reportStep{
			{generate: true, want: "STARTED"},
			{generate: true, want: "INPROGRESS"},
			{generate: false, want: "ReportInProgress"},
			{generate: false, want: ""},
			{generate: true, want: "COMPLETE"},
		}},
		{"delay", func(o *Options) { o.ReportDelay = 10 * time.Second }, []reportStep{
			{generate: true, want: "STARTED"},
			{generate: true, want: "INPROGRESS"},
			{generate: false, want: "ReportInProgress"},
			{advance: 10 * time.Second, generate: false, want: ""},
		}},
		{"lifetime", func(o *Options) { o.ReportLifetime = time.Minute }, []reportStep{
			{generate: true, want: "STARTED"},
			{generate: false, want: ""},
			{advance: time.Minute, generate: true, want: "STARTED"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tweaks []func(*Options)
			if tc.opts != nil {
				tweaks = append(tweaks, tc.opts)
			}
			f := newFixture(t, testOrg(), tweaks...)
			client := f.iam()
			for i, st := range tc.steps {
				f.clock.Advance(st.advance)
				if st.generate {
					out, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{})
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					if string(out.State) != st.want {
						t.Errorf("step %d: state %s, want %s", i, out.State, st.want)
					}
					continue
				}
				out, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
				if st.want == "" {
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					if !strings.HasPrefix(string(out.Content), CredentialReportHeader+"\n") {
						t.Errorf("step %d: content does not start with the header", i)
					}
					continue
				}
				if code, _ := apiErr(t, err); code != st.want {
					t.Errorf("step %d: error %s, want %s", i, code, st.want)
				}
			}
		})
	}
}

// TestCredentialReportErrorTypes checks that the SDK maps the report errors to its typed errors.
func TestCredentialReportErrorTypes(t *testing.T) {
	f := newFixture(t, testOrg(), func(o *Options) { o.ReportPolls = 5 })
	client := f.iam()
	_, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	var notPresent *types.CredentialReportNotPresentException
	if !asErr(err, &notPresent) {
		t.Errorf("before generation: %v, want CredentialReportNotPresentException", err)
	}
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	var notReady *types.CredentialReportNotReadyException
	if !asErr(err, &notReady) {
		t.Errorf("in progress: %v, want CredentialReportNotReadyException", err)
	}
	f.clock.Advance(5 * time.Hour)
	_, err = client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	var expired *types.CredentialReportExpiredException
	if !asErr(err, &expired) {
		t.Errorf("after the lifetime: %v, want CredentialReportExpiredException", err)
	}
}

// TestCredentialReportSnapshot: the report shows the account as it was when generation started,
// and regeneration within the lifetime does not refresh it, as in AWS.
func TestCredentialReportSnapshot(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: aws.String("Carol")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantReport, string(rep.Content)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestCredentialReportOverride(t *testing.T) {
	org := testOrg()
	bad := "user,arn\nalice,arn:aws:iam::111111111111:user/alice,extra\n"
	org.Accounts[0].CredentialReportCSV = bad
	f := newFixture(t, org)
	client := f.iam()
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(rep.Content); got != bad {
		t.Errorf("content %q, want %q", got, bad)
	}
}

// TestCredentialReportQuoting: IAM names may contain commas; the CSV quotes them.
func TestCredentialReportQuoting(t *testing.T) {
	org := &Organization{ManagementAccount: mgmtID, Accounts: []*Account{{ID: mgmtID, Root: Root{Created: day(-10)},
		Users: []*User{{Name: "a,b", Created: day(-1)}}}}}
	f := newFixture(t, org)
	client := f.iam()
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := CredentialReportHeader + "\n" +
		"<root_account>,arn:aws:iam::111111111111:root,2026-02-19T12:00:00+00:00,not_supported,N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
		`"a,b","arn:aws:iam::111111111111:user/a,b",2026-02-28T12:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A` + "\n"
	if diff := cmp.Diff(want, string(rep.Content)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// TestCredentialReportServedStale models AWS serving a report older than the 4 hours after
// which GenerateCredentialReport regenerates it: GetCredentialReport still answers with the old
// GeneratedTime until a generation replaces it.
func TestCredentialReportServedStale(t *testing.T) {
	f := newFixture(t, testOrg(), func(o *Options) { o.ReportLifetime, o.ReportRegenerateAfter = 48*time.Hour, 4*time.Hour })
	client := f.iam()
	generate := func(want types.ReportStateType) {
		t.Helper()
		out, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.State != want {
			t.Errorf("state %s, want %s", out.State, want)
		}
	}
	generated := func() time.Time {
		t.Helper()
		out, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToTime(out.GeneratedTime)
	}
	generate(types.ReportStateTypeStarted)
	if got := generated(); !got.Equal(t0) {
		t.Errorf("generated %s, want %s", got, t0)
	}
	f.clock.Advance(3 * time.Hour)
	generate(types.ReportStateTypeComplete) // within 4 hours: the same report
	f.clock.Advance(2 * time.Hour)
	if got := generated(); !got.Equal(t0) {
		t.Errorf("5h later: generated %s, want the stale %s", got, t0)
	}
	generate(types.ReportStateTypeStarted)
	if got, want := generated(), t0.Add(5*time.Hour); !got.Equal(want) {
		t.Errorf("after regeneration: generated %s, want %s", got, want)
	}
}

// TestCredentialReportStaleWhileGenerating: with ReportStaleWhileGenerating a regeneration in
// progress serves the previous report (its GeneratedTime tells) instead of ReportInProgress; a
// first generation has nothing to serve.
func TestCredentialReportStaleWhileGenerating(t *testing.T) {
	f := newFixture(t, testOrg(), func(o *Options) {
		o.ReportLifetime, o.ReportRegenerateAfter, o.ReportPolls, o.ReportStaleWhileGenerating = 48*time.Hour, 4*time.Hour, 1, true
	})
	client := f.iam()
	get := func() (time.Time, string) {
		t.Helper()
		out, err := client.GetCredentialReport(t.Context(), &iam.GetCredentialReportInput{})
		if err != nil {
			code, _ := apiErr(t, err)
			return time.Time{}, code
		}
		return aws.ToTime(out.GeneratedTime), ""
	}
	type result struct {
		generated time.Time
		code      string
	}
	var got []result
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		g, code := get()
		got = append(got, result{g, code})
	}
	f.clock.Advance(5 * time.Hour)
	if _, err := client.GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		g, code := get()
		got = append(got, result{g, code})
	}
	want := []result{{code: "ReportInProgress"}, {generated: t0}, {generated: t0}, {generated: t0.Add(5 * time.Hour)}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(result{})); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}
