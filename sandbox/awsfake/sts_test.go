package awsfake

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

func TestGetCallerIdentityBase(t *testing.T) {
	f := newFixture(t, testOrg())
	out, err := f.sts().GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{*out.Account, *out.Arn, *out.UserId}
	want := []string{mgmtID, "arn:aws:iam::111111111111:user/provost-sandbox", uniqueID("AIDA", mgmtID, "user", DefaultBaseUserName)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("caller (-want +got):\n%s", diff)
	}
}

// TestAssumeRoleSwitchesAccount goes the way the collector does: stscreds with a session name
// and external ID, then IAM calls that act in the member account.
func TestAssumeRoleSwitchesAccount(t *testing.T) {
	f := newFixture(t, testOrg())
	// The SDK caches credentials by the real clock, so the fake clock must read real time here.
	start := time.Now().UTC().Truncate(time.Second)
	f.clock.Advance(start.Sub(t0))
	provider := stscreds.NewAssumeRoleProvider(f.sts(), RoleARN(prodID, "/", DefaultRoleName), func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "provost"
		o.ExternalID = aws.String(extID)
	})
	cfg := sdkConfig(f.srv.URL(), aws.NewCredentialsCache(provider))
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ASIA222222222222[0-9A-Z]{4}$`).MatchString(creds.AccessKeyID) {
		t.Errorf("access key ID %q does not encode the account", creds.AccessKeyID)
	}
	if want := start.Add(stscreds.DefaultDuration); !creds.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", creds.Expires, want)
	}

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	roleID := uniqueID("AROA", prodID, "role", DefaultRoleName)
	got := []string{*id.Account, *id.Arn, *id.UserId}
	want := []string{prodID, "arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/provost", roleID + ":provost"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("caller (-want +got):\n%s", diff)
	}

	users, err := iam.NewFromConfig(cfg).ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::222222222222:user/deployer", "arn:aws:iam::222222222222:user/oncall"}, names(users.Users, userArn)); diff != "" {
		t.Errorf("users in the assumed account (-want +got):\n%s", diff)
	}

	wantCalls := map[string]map[string]int{
		mgmtID: {"sts:AssumeRole": 1},
		prodID: {"sts:GetCallerIdentity": 1, "iam:ListUsers": 1},
	}
	gotCalls := map[string]map[string]int{mgmtID: f.srv.CallsFor(mgmtID), prodID: f.srv.CallsFor(prodID)}
	if diff := cmp.Diff(wantCalls, gotCalls); diff != "" {
		t.Errorf("calls per account (-want +got):\n%s", diff)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	org := testOrg()
	org.Accounts[2].RoleNames = []string{"Auditor"}
	f := newFixture(t, org)
	for _, tc := range []struct {
		name, account, role, externalID string
	}{
		{"wrong external ID", prodID, DefaultRoleName, "guess"},
		{"missing external ID", prodID, DefaultRoleName, ""},
		{"role not assumable", webID, DefaultRoleName, ""},
		{"unknown account", "999999999999", DefaultRoleName, ""},
		{"suspended account", suspID, DefaultRoleName, ""},
		{"management account has none", mgmtID, DefaultRoleName, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			roleArn := RoleARN(tc.account, "/", tc.role)
			in := &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("provost")}
			if tc.externalID != "" {
				in.ExternalId = aws.String(tc.externalID)
			}
			_, err := f.sts().AssumeRole(t.Context(), in)
			code, msg := apiErr(t, err)
			want := "User: arn:aws:iam::111111111111:user/provost-sandbox is not authorized to perform: sts:AssumeRole on resource: " + roleArn
			if code != "AccessDenied" || msg != want {
				t.Errorf("got %s %q, want AccessDenied %q", code, msg, want)
			}
		})
	}
	// The explicitly listed role works.
	if _, err := f.sts().AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(webID, "/", "Auditor")), RoleSessionName: aws.String("provost")}); err != nil {
		t.Errorf("assuming a listed role: %v", err)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	f := newFixture(t, testOrg())
	prodRole := RoleARN(prodID, "/", DefaultRoleName)
	for _, tc := range []struct {
		name string
		in   sts.AssumeRoleInput
	}{
		{"bad role ARN", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::12:role/x"), RoleSessionName: aws.String("provost")}},
		{"bad session name", sts.AssumeRoleInput{RoleArn: aws.String(prodRole), RoleSessionName: aws.String("a b"), ExternalId: aws.String(extID)}},
		{"duration too short", sts.AssumeRoleInput{RoleArn: aws.String(prodRole), RoleSessionName: aws.String("provost"), ExternalId: aws.String(extID), DurationSeconds: aws.Int32(60)}},
		{"duration above the role's maximum", sts.AssumeRoleInput{RoleArn: aws.String(prodRole), RoleSessionName: aws.String("provost"), ExternalId: aws.String(extID), DurationSeconds: aws.Int32(7200)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.sts().AssumeRole(t.Context(), &tc.in)
			if code, msg := apiErr(t, err); code != "ValidationError" {
				t.Errorf("got %s %q, want ValidationError", code, msg)
			}
		})
	}
}

func TestSessionExpiryAndChaining(t *testing.T) {
	f := newFixture(t, testOrg())
	cfg := f.assumed(t, prodID, extID)

	// Role chaining is limited to one hour.
	_, err := sts.NewFromConfig(cfg).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String(RoleARN(prodID, "/", DefaultRoleName)), RoleSessionName: aws.String("chain"),
		ExternalId: aws.String(extID), DurationSeconds: aws.Int32(7200),
	})
	if code, msg := apiErr(t, err); code != "ValidationError" || msg != "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining." {
		t.Errorf("chained 2h session: %s %q", code, msg)
	}

	f.clock.Advance(time.Hour)
	_, err = iam.NewFromConfig(cfg).ListUsers(t.Context(), &iam.ListUsersInput{})
	if code, msg := apiErr(t, err); code != "ExpiredToken" || msg != "The security token included in the request is expired" {
		t.Errorf("after expiry: %s %q, want ExpiredToken", code, msg)
	}
	if got := f.srv.CallsFor(prodID)["iam:ListUsers"]; got != 1 {
		t.Errorf("expired requests are counted in their account: got %d, want 1", got)
	}
}

func TestSessionNeedsItsToken(t *testing.T) {
	f := newFixture(t, testOrg())
	cfg := f.assumed(t, prodID, extID)
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"", "forged"} {
		c := sdkConfig(f.srv.URL(), aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: token}, nil
		}))
		_, err := sts.NewFromConfig(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if code, _ := apiErr(t, err); code != "InvalidClientTokenId" {
			t.Errorf("token %q: code %s, want InvalidClientTokenId", token, code)
		}
	}
}

func userArn(u types.User) *string { return u.Arn }
