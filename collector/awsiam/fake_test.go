package awsiam_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

const (
	fakeMgmt = "111111111111"
	fakeProd = "222222222222"
	fakeDev  = "333333333333"
	fakeSusp = "444444444444"

	fakeInstance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
	fakeStore    = "d-0123456789"
	fakePSAdmin  = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0000000000000001"
	fakePSRead   = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0000000000000002"

	deployV1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"}]}`
	deployV2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:UpdateService","iam:PassRole"],"Resource":"*"}]}`
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// fakeOrg is a small organization: a management account with a root user, users with
// passwords, MFA, one and two access keys and a certificate, a group, roles (one
// service-linked), a customer policy whose default version is not its latest; a member account
// two OUs deep; an empty member account; a suspended account; and Identity Center with a
// user assignment and a group assignment to two accounts.
func fakeOrg() *awsfake.Organization {
	return &awsfake.Organization{
		ID: "o-exampleorg1", RootID: "r-ab12", ManagementAccount: fakeMgmt,
		OUs: []*awsfake.OU{
			{ID: "ou-ab12-prod0001", Name: "Prod", Children: []*awsfake.OU{{ID: "ou-ab12-web00001", Name: "Web"}}},
			{ID: "ou-ab12-dev00001", Name: "Dev"},
		},
		Accounts: []*awsfake.Account{
			{
				ID: fakeMgmt, Name: "management", Email: "aws-root@example.com", Joined: day(-1000),
				PasswordPolicy: &awsfake.PasswordPolicy{MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
					RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
					MaxPasswordAge: 90, PasswordReusePrevention: 24},
				Root: awsfake.Root{
					Created: day(-1000), PasswordEnabled: true, PasswordLastUsed: day(-3), MFA: true,
					AccessKeys: [2]*awsfake.RootAccessKey{{Active: true, Created: day(-900), LastUsed: day(-10), LastUsedService: "s3", LastUsedRegion: "eu-west-1"}},
				},
				Users: []*awsfake.User{
					{
						Name: "alice", UserID: "AIDAALICE000000000001", Created: day(-500),
						PasswordEnabled: true, PasswordLastUsed: day(-1), PasswordLastChanged: day(-100),
						MFADevices:          []string{"arn:aws:iam::" + fakeMgmt + ":mfa/alice"},
						AccessKeys:          []awsfake.AccessKey{{ID: "AKIAALICE00000000001", Created: day(-200), LastUsed: day(-2), LastUsedService: "sts", LastUsedRegion: "us-east-1"}},
						Groups:              []string{"admins"},
						AttachedPolicies:    []string{"arn:aws:iam::" + fakeMgmt + ":policy/deploy"},
						InlinePolicies:      map[string]string{"s3read": s3ReadDoc},
						Tags:                map[string]string{"email": "alice@corp.example"},
						PermissionsBoundary: "arn:aws:iam::" + fakeMgmt + ":policy/deploy",
					},
					{
						Name: "svc-ci", Path: "/ci/", UserID: "AIDASVCCI000000000001", Created: day(-300),
						AccessKeys: []awsfake.AccessKey{
							{ID: "AKIASVCCI00000000001", Created: day(-300), LastUsed: day(-1), LastUsedService: "ecr", LastUsedRegion: "eu-west-1"},
							{ID: "AKIASVCCI00000000002", Status: awsfake.KeyInactive, Created: day(-250)},
						},
						Certificates: []awsfake.Certificate{{ID: "CERTSVCCI0000000001", Uploaded: day(-100)}},
					},
				},
				Groups: []*awsfake.Group{{Name: "admins", GroupID: "AGPAADMINS00000000001", Created: day(-600),
					AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}},
				Roles: []*awsfake.Role{
					{Name: "deployer", RoleID: "AROADEPLOYER000000001", Created: day(-400), AssumeRolePolicy: trustDoc,
						LastUsed: day(-5), LastUsedRegion: "us-east-1",
						AttachedPolicies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, Tags: map[string]string{"team": "platform"}},
					{Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/support.amazonaws.com/", RoleID: "AROASUPPORT0000000001",
						Created: day(-1000), AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"support.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
				},
				Policies: []*awsfake.Policy{{Name: "deploy", PolicyID: "ANPADEPLOY00000000001", Created: day(-700), Updated: day(-10),
					DefaultVersion: "v1", Versions: []awsfake.PolicyVersion{{ID: "v1", Document: deployV1, Created: day(-700)}, {ID: "v2", Document: deployV2, Created: day(-10)}}}},
			},
			{
				ID: fakeProd, Name: "prod", Email: "prod@example.com", Joined: day(-800), OUPath: []string{"Prod", "Web"},
				Root:  awsfake.Root{Created: day(-800)},
				Users: []*awsfake.User{{Name: "bob", UserID: "AIDABOB00000000000001", Created: day(-50), PasswordEnabled: true, PasswordLastChanged: day(-50)}},
				Roles: []*awsfake.Role{{Name: "auditor", RoleID: "AROAAUDITOR0000000001", Created: day(-60), AssumeRolePolicy: trustDoc,
					AttachedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
				Policies: []*awsfake.Policy{{Name: "deploy", PolicyID: "ANPADEPLOY00000000002", Created: day(-70), Updated: day(-70),
					Versions: []awsfake.PolicyVersion{{ID: "v1", Document: passRoleDoc, Created: day(-70)}}}},
			},
			{ID: fakeDev, Name: "dev", Email: "dev@example.com", Joined: day(-700), OUPath: []string{"Dev"}, Root: awsfake.Root{Created: day(-700)}},
			{ID: fakeSusp, Name: "old", Email: "old@example.com", Joined: day(-2000), Status: awsfake.StatusSuspended, Root: awsfake.Root{Created: day(-2000)}},
		},
		IdentityCenter: &awsfake.IdentityCenter{
			InstanceArn: fakeInstance, IdentityStoreID: fakeStore, Created: day(-900),
			Users: []*awsfake.SSOUser{
				{ID: "u-alice", UserName: "alice@corp.example", DisplayName: "Alice", Emails: []awsfake.Email{{Value: "alice@corp.example", Type: "work", Primary: true}},
					ExternalIDs: []awsfake.ExternalID{{Issuer: "okta", ID: "00u1"}}},
				{ID: "u-bob", UserName: "bob@corp.example", DisplayName: "Bob", Status: "DISABLED", Emails: []awsfake.Email{{Value: "bob@home.example", Type: "home"}, {Value: "bob@corp.example", Type: "work", Primary: true}}},
			},
			Groups:      []*awsfake.SSOGroup{{ID: "g-eng", DisplayName: "Engineers"}},
			Memberships: []awsfake.Membership{{GroupID: "g-eng", UserID: "u-bob"}},
			PermissionSets: []*awsfake.PermissionSet{
				{Arn: fakePSAdmin, Name: "AdminAccess", Created: day(-800), ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
				{Arn: fakePSRead, Name: "ReadOnly", Created: day(-800), ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
					InlinePolicy: ssoInlineDoc, CustomerManagedPolicies: []awsfake.PolicyReference{{Name: "deploy"}}},
			},
			Assignments: []awsfake.Assignment{
				{AccountID: fakeMgmt, PermissionSetArn: fakePSAdmin, PrincipalType: awsfake.PrincipalUser, PrincipalID: "u-alice"},
				{AccountID: fakeProd, PermissionSetArn: fakePSRead, PrincipalType: awsfake.PrincipalGroup, PrincipalID: "g-eng"},
				{AccountID: fakeDev, PermissionSetArn: fakePSRead, PrincipalType: awsfake.PrincipalGroup, PrincipalID: "g-eng"},
			},
		},
	}
}

// fakeServer starts the fake with org and returns it with a base configuration for it.
func fakeServer(t testing.TB, org *awsfake.Organization, opts awsfake.Options) (*awsfake.Server, aws.Config) {
	t.Helper()
	srv := awsfake.New(opts)
	if err := srv.LoadOrganization(org); err != nil {
		t.Fatalf("load organization: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("start fake: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, ""),
		BaseEndpoint: aws.String(srv.URL()),
	}
	return srv, cfg
}

// fakeOptions are collector options for the fake: small pages, fast polling and retries.
func fakeOptions(srv *awsfake.Server, cfg *aws.Config) awsiam.Options {
	return awsiam.Options{
		Name: "aws-fake", Endpoint: srv.URL(), Organization: true, IdentityCenter: true, AWSConfig: cfg,
		MaxItems: 2, ReportPoll: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		Now: func() time.Time { return fixedNow },
	}
}

// TestCollectFake collects the fake organization with two-item pages and asserts the whole
// Result and every call made: paging across pages, credential reports polled while in progress,
// the suspended account skipped, the root rows, and no call per user.
func TestCollectFake(t *testing.T) {
	srv, cfg := fakeServer(t, fakeOrg(), awsfake.Options{ReportPolls: 2})
	c, err := awsiam.New(fakeOptions(srv, &cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}

	const (
		adminARN    = "arn:aws:iam::aws:policy/AdministratorAccess"
		readOnlyARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		powerARN    = "arn:aws:iam::aws:policy/PowerUserAccess"
		mgmtDeploy  = "arn:aws:iam::" + fakeMgmt + ":policy/deploy"
		prodDeploy  = "arn:aws:iam::" + fakeProd + ":policy/deploy"
		admins      = "arn:aws:iam::" + fakeMgmt + ":group/admins"
		aliceARN    = "arn:aws:iam::" + fakeMgmt + ":user/alice"
		aliceInline = aliceARN + "/inline/s3read"
		engineers   = "aws-sso:" + fakeStore + ":g-eng"
	)
	cov := func(scope, method string, counts map[string]int) inventory.Coverage {
		return inventory.Coverage{Source: "aws-fake", Provider: inventory.ProviderAWS, Scope: scope, Status: inventory.CoverageComplete,
			Method: method, Counts: counts, StartedAt: fixedNow, FinishedAt: fixedNow}
	}
	builtin := awsfake.AWSManagedPolicies()
	managed := func(arn string, priv inventory.Privilege) inventory.PolicyDoc {
		p := builtin[arn]
		return inventory.PolicyDoc{ID: arn, Provider: inventory.ProviderAWS, Name: p.Name, Kind: awsiam.DocAWSManaged,
			Version: p.DefaultVersion, Document: p.Versions[0].Document, Privilege: priv}
	}
	rootPassword := func(lastUsed time.Time) inventory.Credential {
		return inventory.Credential{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, LastUsed: lastUsed}
	}
	trustSupport := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"support.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	want := &collector.Result{
		Coverage: []inventory.Coverage{
			cov(fakeMgmt, awsiam.Method+"+"+awsiam.MethodIdentityCenter, map[string]int{"principals": 9, "users": 2, "roles": 2, "groups": 1,
				"roots": 1, "policies": 4, "sso_users": 2, "sso_groups": 1, "permission_sets": 2}),
			cov(fakeProd, awsiam.Method, map[string]int{"principals": 3, "users": 1, "roles": 1, "groups": 0, "roots": 1, "policies": 2}),
			cov(fakeDev, awsiam.Method, map[string]int{"principals": 1, "users": 0, "roles": 0, "groups": 0, "roots": 1, "policies": 0}),
		},
		Accounts: []inventory.Account{
			{ID: fakeMgmt, Provider: inventory.ProviderAWS, Name: "management", Kind: "account", Parent: "r-ab12", Path: []string{"Root"},
				Status: "ACTIVE", Email: "aws-root@example.com",
				Settings: summary(map[string]int{"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 1, "Groups": 1, "MFADevices": 2,
					"MFADevicesInUse": 2, "Policies": 1, "PolicyVersionsInUse": 2, "Roles": 2, "Users": 2, awsiam.SettingUsesIdentityCenter: 1}),
				PasswordPolicy: &inventory.PasswordPolicy{MinimumLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true,
					RequireLowercase: true, AllowUsersToChange: true, MaxAgeDays: 90, PasswordReusePrevention: 24, ExpirePasswords: true}},
			{ID: fakeProd, Provider: inventory.ProviderAWS, Name: "prod", Kind: "account", Parent: "ou-ab12-web00001", Path: []string{"Root", "Prod", "Web"},
				Status: "ACTIVE", Email: "prod@example.com",
				Settings: summary(map[string]int{"Policies": 1, "PolicyVersionsInUse": 1, "Roles": 1, "Users": 1, awsiam.SettingUsesIdentityCenter: 1})},
			{ID: fakeDev, Provider: inventory.ProviderAWS, Name: "dev", Kind: "account", Parent: "ou-ab12-dev00001", Path: []string{"Root", "Dev"},
				Status: "ACTIVE", Email: "dev@example.com", Settings: summary(map[string]int{awsiam.SettingUsesIdentityCenter: 1})},
		},
		Principals: []inventory.Principal{
			{ID: admins, Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindGroup, Name: "admins", NativeID: "AGPAADMINS00000000001",
				CreatedAt: day(-600), Grants: []inventory.Grant{{What: adminARN, Where: fakeMgmt, Via: "direct", Privilege: inventory.PrivilegeAdmin}},
				Attributes: map[string]string{awsiam.AttrPath: "/"}},
			{ID: "arn:aws:iam::" + fakeMgmt + ":role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport", Provider: inventory.ProviderAWS,
				Account: fakeMgmt, Kind: inventory.KindRole, Name: "AWSServiceRoleForSupport", NativeID: "AROASUPPORT0000000001", CreatedAt: day(-1000),
				Attributes: map[string]string{awsiam.AttrPath: "/aws-service-role/support.amazonaws.com/", awsiam.AttrAssumeRolePolicy: trustSupport,
					awsiam.AttrServiceLinked: "true"}},
			{ID: "arn:aws:iam::" + fakeMgmt + ":role/deployer", Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindRole, Name: "deployer",
				NativeID: "AROADEPLOYER000000001", CreatedAt: day(-400), LastActivity: day(-5), Tags: map[string]string{"team": "platform"},
				Grants:     []inventory.Grant{{What: powerARN, Where: fakeMgmt, Via: "direct", Privilege: inventory.PrivilegeWrite}},
				Attributes: map[string]string{awsiam.AttrPath: "/", awsiam.AttrAssumeRolePolicy: trustDoc}},
			{ID: "arn:aws:iam::" + fakeMgmt + ":root", Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindRoot, Name: awsiam.RootUser,
				CreatedAt: day(-1000), LastActivity: day(-3), Console: true, MFA: true,
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: day(-900), LastUsed: day(-10)},
					rootPassword(day(-3)),
				}},
			{ID: aliceARN, Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindUser, Name: "alice", NativeID: "AIDAALICE000000000001",
				CreatedAt: day(-500), LastActivity: day(-1), Console: true, MFA: true, Tags: map[string]string{"email": "alice@corp.example"},
				Groups: []string{admins},
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: day(-200), LastUsed: day(-2)},
					// The fake's password_next_rotation: last changed + the policy's 90 days.
					{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: day(-100), LastUsed: day(-1), ExpiresAt: day(-10)},
				},
				Grants: []inventory.Grant{
					{What: mgmtDeploy, Where: fakeMgmt, Via: "direct", Privilege: inventory.PrivilegeWrite},
					{What: aliceInline, Where: fakeMgmt, Via: "direct", Privilege: inventory.PrivilegeRead},
					{What: adminARN, Where: fakeMgmt, Via: "group:" + admins, Privilege: inventory.PrivilegeAdmin},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/", awsiam.AttrPermissionsBoundary: mgmtDeploy}},
			{ID: "arn:aws:iam::" + fakeMgmt + ":user/ci/svc-ci", Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindUser, Name: "svc-ci",
				NativeID: "AIDASVCCI000000000001", CreatedAt: day(-300), LastActivity: day(-1),
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: day(-300), LastUsed: day(-1)},
					{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: inventory.CredInactive, CreatedAt: day(-250)},
					{Kind: inventory.CredCertificate, ID: "cert_1", Status: inventory.CredActive, CreatedAt: day(-100)},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/ci/"}},
			{ID: "arn:aws:iam::" + fakeProd + ":role/auditor", Provider: inventory.ProviderAWS, Account: fakeProd, Kind: inventory.KindRole, Name: "auditor",
				NativeID: "AROAAUDITOR0000000001", CreatedAt: day(-60),
				Grants:     []inventory.Grant{{What: readOnlyARN, Where: fakeProd, Via: "direct", Privilege: inventory.PrivilegeRead}},
				Attributes: map[string]string{awsiam.AttrPath: "/", awsiam.AttrAssumeRolePolicy: trustDoc}},
			// Root rows always say not_supported for password_enabled: a root has console access.
			{ID: "arn:aws:iam::" + fakeProd + ":root", Provider: inventory.ProviderAWS, Account: fakeProd, Kind: inventory.KindRoot, Name: awsiam.RootUser,
				CreatedAt: day(-800), Console: true, Credentials: []inventory.Credential{rootPassword(time.Time{})}},
			{ID: "arn:aws:iam::" + fakeProd + ":user/bob", Provider: inventory.ProviderAWS, Account: fakeProd, Kind: inventory.KindUser, Name: "bob",
				NativeID: "AIDABOB00000000000001", CreatedAt: day(-50), Console: true,
				Credentials: []inventory.Credential{{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: day(-50)}},
				Attributes:  map[string]string{awsiam.AttrPath: "/"}},
			{ID: "arn:aws:iam::" + fakeDev + ":root", Provider: inventory.ProviderAWS, Account: fakeDev, Kind: inventory.KindRoot, Name: awsiam.RootUser,
				CreatedAt: day(-700), Console: true, Credentials: []inventory.Credential{rootPassword(time.Time{})}},
			{ID: engineers, Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindGroup, Name: "Engineers", NativeID: "g-eng",
				Grants: []inventory.Grant{
					// The permission set references "deploy", which grants iam:PassRole in prod.
					{What: fakePSRead, Where: fakeProd, Via: "direct", Privilege: inventory.PrivilegeAdmin},
					{What: fakePSRead, Where: fakeDev, Via: "direct", Privilege: inventory.PrivilegeRead},
				}},
			{ID: "aws-sso:" + fakeStore + ":u-alice", Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindSSOUser, Name: "alice@corp.example",
				Email: "alice@corp.example", NativeID: "u-alice",
				Grants:     []inventory.Grant{{What: fakePSAdmin, Where: fakeMgmt, Via: "direct", Privilege: inventory.PrivilegeAdmin}},
				Attributes: map[string]string{"display_name": "Alice", "external_id": "00u1"}},
			{ID: "aws-sso:" + fakeStore + ":u-bob", Provider: inventory.ProviderAWS, Account: fakeMgmt, Kind: inventory.KindSSOUser, Name: "bob@corp.example",
				Email: "bob@corp.example", NativeID: "u-bob", Disabled: true, Groups: []string{engineers},
				Grants: []inventory.Grant{
					{What: fakePSRead, Where: fakeProd, Via: "group:" + engineers, Privilege: inventory.PrivilegeAdmin},
					{What: fakePSRead, Where: fakeDev, Via: "group:" + engineers, Privilege: inventory.PrivilegeRead},
				},
				Attributes: map[string]string{"display_name": "Bob"}},
		},
		PolicyDocs: []inventory.PolicyDoc{
			// The default version v1, not the latest v2 (which adds iam:PassRole).
			{ID: mgmtDeploy, Provider: inventory.ProviderAWS, Name: "deploy", Kind: awsiam.DocCustomerManaged, Version: "v1", Document: deployV1, Privilege: inventory.PrivilegeWrite},
			{ID: aliceInline, Provider: inventory.ProviderAWS, Name: "s3read", Kind: awsiam.DocInline, Document: s3ReadDoc, Privilege: inventory.PrivilegeRead},
			{ID: prodDeploy, Provider: inventory.ProviderAWS, Name: "deploy", Kind: awsiam.DocCustomerManaged, Version: "v1", Document: passRoleDoc, Privilege: inventory.PrivilegeAdmin},
			managed(adminARN, inventory.PrivilegeAdmin),
			managed(powerARN, inventory.PrivilegeWrite),
			managed(readOnlyARN, inventory.PrivilegeRead),
			{ID: fakePSAdmin, Provider: inventory.ProviderAWS, Name: "AdminAccess", Kind: awsiam.DocPermissionSet,
				Permissions: []string{adminARN}, Privilege: inventory.PrivilegeAdmin},
			{ID: fakePSRead, Provider: inventory.ProviderAWS, Name: "ReadOnly", Kind: awsiam.DocPermissionSet, Document: ssoInlineDoc,
				Permissions: []string{"arn:aws:iam::*:policy/deploy", readOnlyARN}, Privilege: inventory.PrivilegeRead},
		},
	}
	for i := range want.Principals {
		want.Principals[i].Normalize()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Collect() mismatch (-want +got):\n%s", diff)
	}

	// Two-item pages: the management account's 8 entities (2 users, 1 group, 2 roles, 1
	// customer and 2 AWS managed policies) take 4 pages, prod's 4 take 2, dev's none 1. Each
	// credential report: a Get finds none (ReportNotPresent), one Generate starts it, three
	// Gets poll it (the fake holds it in progress for 2 calls). Nothing per user. Identity
	// Center's AWS managed policies are all attached in some account: no GetPolicy.
	wantCalls := map[string]int{
		"iam:GetAccountAuthorizationDetails": 7, "iam:GenerateCredentialReport": 3, "iam:GetCredentialReport": 12,
		"iam:GetAccountSummary": 3, "iam:GetAccountPasswordPolicy": 3,
		"sts:GetCallerIdentity": 1, "sts:AssumeRole": 2,
		"organizations:ListRoots": 1, "organizations:ListAccountsForParent": 4, "organizations:ListOrganizationalUnitsForParent": 4,
		"sso:ListInstances": 1, "sso:ListPermissionSets": 1, "sso:DescribePermissionSet": 2, "sso:GetInlinePolicyForPermissionSet": 2,
		"sso:ListManagedPoliciesInPermissionSet": 2, "sso:ListCustomerManagedPolicyReferencesInPermissionSet": 2,
		"sso:ListAccountsForProvisionedPermissionSet": 2, "sso:ListAccountAssignments": 3,
		"identitystore:ListUsers": 1, "identitystore:ListGroups": 1, "identitystore:ListGroupMemberships": 1,
	}
	if diff := cmp.Diff(wantCalls, srv.Calls()); diff != "" {
		t.Errorf("calls mismatch (-want +got):\n%s", diff)
	}
	if n := srv.CallsFor(fakeSusp); len(n) != 0 {
		t.Errorf("suspended account was called: %v", n)
	}
}
