package awsiam_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

type scopeStatus struct {
	Scope  string
	Status inventory.CoverageStatus
	Kind   inventory.ErrorKind
	Method string
}

func scopeStatuses(r *collector.Result) []scopeStatus {
	var out []scopeStatus
	for _, c := range r.Coverage {
		out = append(out, scopeStatus{c.Scope, c.Status, c.ErrorKind, c.Method})
	}
	return out
}

type accountInfo struct {
	ID, Name, Status string
	Path             []string
}

func accountInfos(r *collector.Result) []accountInfo {
	var out []accountInfo
	for _, a := range r.Accounts {
		out = append(out, accountInfo{a.ID, a.Name, a.Status, a.Path})
	}
	return out
}

// TestCollectFakeAccountSelection: which accounts are collected, and how they are described.
func TestCollectFakeAccountSelection(t *testing.T) {
	const unknown = "999999999999"
	ic := awsiam.Method + "+" + awsiam.MethodIdentityCenter
	tests := []struct {
		name         string
		opts         func(*awsiam.Options)
		wantCoverage []scopeStatus
		wantAccounts []accountInfo
	}{
		{
			name: "organization without suspended accounts",
			opts: func(o *awsiam.Options) { o.IdentityCenter = false },
			wantCoverage: []scopeStatus{
				{fakeMgmt, inventory.CoverageComplete, "", awsiam.Method},
				{fakeProd, inventory.CoverageComplete, "", awsiam.Method},
				{fakeDev, inventory.CoverageComplete, "", awsiam.Method},
			},
			wantAccounts: []accountInfo{
				{fakeMgmt, "management", "ACTIVE", []string{"Root"}},
				{fakeProd, "prod", "ACTIVE", []string{"Root", "Prod", "Web"}},
				{fakeDev, "dev", "ACTIVE", []string{"Root", "Dev"}},
			},
		},
		{
			name: "suspended accounts included",
			opts: func(o *awsiam.Options) { o.IdentityCenter, o.IncludeSuspended = false, true },
			wantCoverage: []scopeStatus{
				{fakeMgmt, inventory.CoverageComplete, "", awsiam.Method},
				{fakeProd, inventory.CoverageComplete, "", awsiam.Method},
				{fakeDev, inventory.CoverageComplete, "", awsiam.Method},
				{fakeSusp, inventory.CoverageFailed, inventory.ErrPermissionDenied, awsiam.Method},
			},
			wantAccounts: []accountInfo{
				{fakeMgmt, "management", "ACTIVE", []string{"Root"}},
				{fakeProd, "prod", "ACTIVE", []string{"Root", "Prod", "Web"}},
				{fakeDev, "dev", "ACTIVE", []string{"Root", "Dev"}},
				{fakeSusp, "old", "SUSPENDED", []string{"Root"}},
			},
		},
		{
			name: "listed accounts of the organization, one unknown to it",
			opts: func(o *awsiam.Options) { o.IdentityCenter, o.Accounts = false, []string{fakeProd, unknown} },
			wantCoverage: []scopeStatus{
				{fakeProd, inventory.CoverageComplete, "", awsiam.Method},
				{unknown, inventory.CoverageFailed, inventory.ErrPermissionDenied, awsiam.Method},
			},
			wantAccounts: []accountInfo{
				{fakeProd, "prod", "ACTIVE", []string{"Root", "Prod", "Web"}},
				{ID: unknown},
			},
		},
		{
			name: "listed accounts without organization, identity center in the caller's account",
			opts: func(o *awsiam.Options) { o.Organization, o.Accounts = false, []string{fakeDev} },
			wantCoverage: []scopeStatus{
				// The permission sets reference ReadOnlyAccess, which only prod (not collected)
				// attaches: read with GetPolicy and GetPolicyVersion.
				{fakeMgmt, inventory.CoverageComplete, "", awsiam.MethodIdentityCenter},
				{fakeDev, inventory.CoverageComplete, "", awsiam.Method},
			},
			wantAccounts: []accountInfo{{ID: fakeMgmt}, {ID: fakeDev}},
		},
		{
			name: "caller's account only",
			opts: func(o *awsiam.Options) { o.Organization = false },
			wantCoverage: []scopeStatus{
				// The permission set referencing ReadOnlyAccess, attached only in prod, is read
				// with GetPolicy and GetPolicyVersion.
				{fakeMgmt, inventory.CoverageComplete, "", ic},
			},
			wantAccounts: []accountInfo{{ID: fakeMgmt}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{})
			opts := fakeOptions(srv, &cfg)
			tt.opts(&opts)
			c, err := awsiam.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Collect(t.Context())
			if err != nil {
				t.Fatalf("Collect: %v", err)
			}
			if diff := cmp.Diff(tt.wantCoverage, scopeStatuses(got)); diff != "" {
				t.Errorf("coverage mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAccounts, accountInfos(got)); diff != "" {
				t.Errorf("accounts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCollectFakeProfiles reads accounts through shared-config profiles: one with static keys
// (the management account), one assuming a role in prod through it, and one that is broken.
func TestCollectFakeProfiles(t *testing.T) {
	srv, _ := fakeServer(t, fakeOrg(), awsfake.Options{})
	dir := t.TempDir()
	config := "[profile mgmt]\nregion = us-east-1\n\n" +
		"[profile prod]\nrole_arn = arn:aws:iam::" + fakeProd + ":role/OrganizationAccountAccessRole\nsource_profile = mgmt\nrole_session_name = provost\n\n" +
		"[profile broken]\nrole_arn = arn:aws:iam::" + fakeDev + ":role/OrganizationAccountAccessRole\nsource_profile = missing\n"
	creds := "[mgmt]\naws_access_key_id = " + awsfake.DefaultAccessKeyID + "\naws_secret_access_key = " + awsfake.DefaultSecretAccessKey + "\n"
	for name, body := range map[string]string{"config": config, "credentials": creds} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	// The SDK's own STS client, which assumes the prod profile's role, must reach the fake too.
	// It is made before the global AWS_ENDPOINT_URL is resolved, so only the STS one reaches it.
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}

	opts := fakeOptions(srv, nil)
	opts.Organization, opts.IdentityCenter, opts.AWSConfig = false, false, nil
	opts.Profiles = []string{"mgmt", "prod", "broken"}
	c, err := awsiam.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	want := []scopeStatus{
		{fakeMgmt, inventory.CoverageComplete, "", awsiam.Method},
		{fakeProd, inventory.CoverageComplete, "", awsiam.Method},
		{"profile:broken", inventory.CoverageFailed, inventory.ErrInvalid, awsiam.Method},
	}
	if diff := cmp.Diff(want, scopeStatuses(got)); diff != "" {
		t.Errorf("coverage mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::" + fakeProd + ":role/auditor", "arn:aws:iam::" + fakeProd + ":root", "arn:aws:iam::" + fakeProd + ":user/bob"},
		principalIDs(got, fakeProd)); diff != "" {
		t.Errorf("prod principals mismatch (-want +got):\n%s", diff)
	}
}
