package awsiam_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}

var fixedNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// summary is moto 5.2.1's GetAccountSummary map: its fixed quotas plus the given counters.
func summary(counters map[string]int) map[string]int {
	m := map[string]int{
		"AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 0, "AccountMFAEnabled": 0,
		"AccountSigningCertificatesPresent": 0, "AssumeRolePolicySizeQuota": 2048,
		"AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10,
		"AttachedPoliciesPerUserQuota": 10, "GlobalEndpointTokenVersion": 1, "GroupPolicySizeQuota": 5120,
		"Groups": 0, "GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfiles": 0,
		"InstanceProfilesQuota": 1000, "MFADevices": 0, "MFADevicesInUse": 0, "Policies": 0,
		"PoliciesQuota": 1500, "PolicySizeQuota": 6144, "PolicyVersionsInUse": 0,
		"PolicyVersionsInUseQuota": 10000, "Providers": 0, "RolePolicySizeQuota": 10240, "Roles": 0,
		"RolesQuota": 1000, "ServerCertificates": 0, "ServerCertificatesQuota": 20,
		"SigningCertificatesPerUserQuota": 2, "UserPolicySizeQuota": 2048, "Users": 0,
		"UsersQuota": 5000, "VersionsPerPolicyQuota": 5,
	}
	maps.Copy(m, counters)
	return m
}

// jsonEqual compares two policy documents as JSON values (moto re-serialises AWS managed
// policies with its own spacing); strings that are not JSON compare as strings.
func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}

var documentsAsJSON = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && sf.Name() == "Document"
}, cmp.Comparer(jsonEqual))

func managedDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "policies", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCollectMoto seeds moto through the SDK and asserts the whole Result.
//
// Values moto generates (account, user, role, group and Identity Center IDs, creation and key
// dates, the MFA enable date, the member roles moto creates) are read back from the seeding
// calls, so they are asserted exactly too. Only one field is not: RoleLastUsed of the member
// accounts' OrganizationAccountAccessRole, which moto sets to its clock on every AssumeRole,
// including the collector's own; it is checked to lie within the collection and then cleared.
// moto's credential report has no root row, and it reports password_last_changed as the user's
// creation time (to the second); both are used as-is.
func TestCollectMoto(t *testing.T) {
	url := testpeer.Moto(t)
	ctx := t.Context()
	base := motoConfig(url)
	s := seedMoto(t, ctx, base)

	c, err := awsiam.New(awsiam.Options{
		Name: "aws-test", Endpoint: url, Organization: true, IdentityCenter: true, VirtualMFADevices: true,
		AWSConfig: &base, ReportPoll: time.Millisecond, Now: func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC()
	got, err := c.Collect(ctx)
	after := time.Now().UTC()
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	for i, p := range got.Principals {
		if p.Name == "OrganizationAccountAccessRole" {
			if p.LastActivity.Before(before.Truncate(time.Second)) || p.LastActivity.After(after) {
				t.Errorf("%s: last activity %s not within the collection [%s, %s]", p.ID, p.LastActivity, before, after)
			}
			got.Principals[i].LastActivity = time.Time{}
		}
	}

	const mgmt = motoManagement
	user := func(acct, name string) iamtypes.User { return s.users[acct+"/"+name] }
	keyDate := func(acct, name string, i int) time.Time {
		return aws.ToTime(s.keys[acct+"/"+name][i].CreateDate).UTC().Truncate(time.Second)
	}
	created := func(u iamtypes.User) time.Time { return aws.ToTime(u.CreateDate).UTC() }
	adminsARN := "arn:aws:iam::" + mgmt + ":group/admins"
	denyAllID := adminsARN + "/inline/deny-all"
	deployer := s.roles[mgmt+"/deployer"]
	passID := aws.ToString(deployer.Arn) + "/inline/pass"
	s3Read := aws.ToString(s.customerPolicy.Arn)
	ssoID := func(id string) string { return awsiam.SSOPrincipalID(s.store, id) }
	ssoGrant := func(via string) inventory.Grant {
		return inventory.Grant{What: s.permSet, Where: mgmt, Via: via, Privilege: inventory.PrivilegeRead}
	}
	memberRole := func(acct string) inventory.Principal {
		r := s.memberRoles[acct]
		return inventory.Principal{
			ID: aws.ToString(r.Arn), Provider: inventory.ProviderAWS, Account: acct, Kind: inventory.KindRole,
			Name: "OrganizationAccountAccessRole", NativeID: aws.ToString(r.RoleId), CreatedAt: aws.ToTime(r.CreateDate).UTC(),
			Attributes: map[string]string{
				awsiam.AttrPath:             "/",
				awsiam.AttrAssumeRolePolicy: `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + mgmt + `:root"}, "Action": "sts:AssumeRole"}]}`,
			},
		}
	}
	alice, bob, carol := user(mgmt, "alice"), user(mgmt, "bob"), user(s.member1, "carol")
	admins := s.groups[mgmt+"/admins"]

	want := &collector.Result{
		Coverage: []inventory.Coverage{
			{Source: "aws-test", Provider: inventory.ProviderAWS, Scope: mgmt, Status: inventory.CoverageComplete,
				Method: awsiam.Method + "+" + awsiam.MethodIdentityCenter, StartedAt: fixedNow, FinishedAt: fixedNow,
				Counts: map[string]int{"principals": 7, "users": 2, "roles": 1, "groups": 1, "roots": 0, "policies": 5,
					"sso_users": 2, "sso_groups": 1, "permission_sets": 1}},
			{Source: "aws-test", Provider: inventory.ProviderAWS, Scope: s.member1, Status: inventory.CoverageComplete,
				Method: awsiam.Method, StartedAt: fixedNow, FinishedAt: fixedNow,
				Counts: map[string]int{"principals": 2, "users": 1, "roles": 1, "groups": 0, "roots": 0, "policies": 0}},
			{Source: "aws-test", Provider: inventory.ProviderAWS, Scope: s.member2, Status: inventory.CoverageComplete,
				Method: awsiam.Method, StartedAt: fixedNow, FinishedAt: fixedNow,
				Counts: map[string]int{"principals": 1, "users": 0, "roles": 1, "groups": 0, "roots": 0, "policies": 0}},
		},
		Accounts: []inventory.Account{
			{ID: mgmt, Provider: inventory.ProviderAWS, Name: "master", Kind: "account", Parent: s.root, Path: []string{"Root"},
				Status: "ACTIVE", Email: "master@example.com",
				Settings: summary(map[string]int{"Groups": 1, "MFADevices": 1, "MFADevicesInUse": 1, "Policies": 1,
					"PolicyVersionsInUse": 3, "Roles": 1, "Users": 2, awsiam.SettingUsesIdentityCenter: 1}),
				PasswordPolicy: &inventory.PasswordPolicy{MinimumLength: 14, RequireSymbols: true, RequireNumbers: true,
					AllowUsersToChange: true, MaxAgeDays: 90, PasswordReusePrevention: 24, ExpirePasswords: true}},
			{ID: s.member1, Provider: inventory.ProviderAWS, Name: "prod-app", Kind: "account", Parent: s.prodOU,
				Path: []string{"Root", "Prod"}, Status: "ACTIVE", Email: "prod-app@example.com",
				Settings: summary(map[string]int{"Roles": 1, "Users": 1})},
			{ID: s.member2, Provider: inventory.ProviderAWS, Name: "sandbox", Kind: "account", Parent: s.root,
				Path: []string{"Root"}, Status: "ACTIVE", Email: "sandbox@example.com",
				Settings: summary(map[string]int{"Roles": 1})},
		},
		Principals: []inventory.Principal{
			{ID: adminsARN, Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindGroup, Name: "admins",
				NativeID: aws.ToString(admins.GroupId), CreatedAt: aws.ToTime(admins.CreateDate).UTC(),
				Grants: []inventory.Grant{
					{What: denyAllID, Where: mgmt, Via: "direct", Privilege: inventory.PrivilegeNone},
					{What: adminPolicy, Where: mgmt, Via: "direct", Privilege: inventory.PrivilegeAdmin},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/"}},
			{ID: aws.ToString(deployer.Arn), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindRole, Name: "deployer",
				NativeID: aws.ToString(deployer.RoleId), CreatedAt: aws.ToTime(deployer.CreateDate).UTC(),
				Tags: map[string]string{"team": "platform"},
				Grants: []inventory.Grant{
					{What: passID, Where: mgmt, Via: "direct", Privilege: inventory.PrivilegeAdmin},
					{What: powerUser, Where: mgmt, Via: "direct", Privilege: inventory.PrivilegeWrite},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/ci/", awsiam.AttrAssumeRolePolicy: trustDoc, awsiam.AttrPermissionsBoundary: s3Read}},
			{ID: aws.ToString(alice.Arn), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindUser, Name: "alice",
				NativeID: aws.ToString(alice.UserId), CreatedAt: created(alice), Console: true, MFA: true,
				Tags: map[string]string{"owner": "alice@corp.example"},
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: keyDate(mgmt, "alice", 0)},
					{Kind: inventory.CredMFA, ID: s.mfaSerial, Status: inventory.CredActive, CreatedAt: s.mfaEnabled.UTC()},
					{Kind: inventory.CredPassword, ID: "password", Status: inventory.CredActive, CreatedAt: created(alice).Truncate(time.Second)},
				},
				Grants:     []inventory.Grant{{What: s3Read, Where: mgmt, Via: "direct", Privilege: inventory.PrivilegeRead}},
				Attributes: map[string]string{awsiam.AttrPath: "/"}},
			{ID: aws.ToString(bob.Arn), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindUser, Name: "bob",
				NativeID: aws.ToString(bob.UserId), CreatedAt: created(bob),
				Tags:   map[string]string{"owner": "bob@corp.example"},
				Groups: []string{adminsARN},
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: keyDate(mgmt, "bob", 0)},
					{Kind: inventory.CredAccessKey, ID: "access_key_2", Status: inventory.CredInactive, CreatedAt: keyDate(mgmt, "bob", 1)},
				},
				Grants: []inventory.Grant{
					{What: denyAllID, Where: mgmt, Via: "group:" + adminsARN, Privilege: inventory.PrivilegeNone},
					{What: adminPolicy, Where: mgmt, Via: "group:" + adminsARN, Privilege: inventory.PrivilegeAdmin},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/"}},
			memberRole(s.member1),
			{ID: aws.ToString(carol.Arn), Provider: inventory.ProviderAWS, Account: s.member1, Kind: inventory.KindUser, Name: "carol",
				NativeID: aws.ToString(carol.UserId), CreatedAt: created(carol),
				Tags: map[string]string{"owner": "carol@corp.example"},
				Credentials: []inventory.Credential{
					{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive, CreatedAt: keyDate(s.member1, "carol", 0)},
				},
				Attributes: map[string]string{awsiam.AttrPath: "/"}},
			memberRole(s.member2),
			{ID: ssoID(s.ssoGroup), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindGroup, Name: "engineers",
				NativeID: s.ssoGroup, Grants: []inventory.Grant{ssoGrant("direct")}},
			{ID: ssoID(s.ssoBob), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindSSOUser, Name: "bob.sso",
				Email: "bob@corp.example", NativeID: s.ssoBob, Groups: []string{ssoID(s.ssoGroup)},
				Grants:     []inventory.Grant{ssoGrant("group:" + ssoID(s.ssoGroup))},
				Attributes: map[string]string{"display_name": "bob.sso"}},
			{ID: ssoID(s.ssoAlice), Provider: inventory.ProviderAWS, Account: mgmt, Kind: inventory.KindSSOUser, Name: "alice.sso",
				Email: "alice@corp.example", NativeID: s.ssoAlice,
				Grants:     []inventory.Grant{ssoGrant("direct")},
				Attributes: map[string]string{"display_name": "alice.sso"}},
		},
		PolicyDocs: []inventory.PolicyDoc{
			{ID: denyAllID, Provider: inventory.ProviderAWS, Name: "deny-all", Kind: awsiam.DocInline, Document: denyAllDoc},
			{ID: s3Read, Provider: inventory.ProviderAWS, Name: "s3-read", Kind: awsiam.DocCustomerManaged, Version: "v1",
				Document: s3ReadDoc, Privilege: inventory.PrivilegeRead},
			{ID: passID, Provider: inventory.ProviderAWS, Name: "pass", Kind: awsiam.DocInline, Document: passRoleDoc, Privilege: inventory.PrivilegeAdmin},
			{ID: adminPolicy, Provider: inventory.ProviderAWS, Name: "AdministratorAccess", Kind: awsiam.DocAWSManaged, Version: "v1",
				Document: managedDoc(t, "AdministratorAccess"), Privilege: inventory.PrivilegeAdmin},
			{ID: powerUser, Provider: inventory.ProviderAWS, Name: "PowerUserAccess", Kind: awsiam.DocAWSManaged, Version: "v12",
				Document: managedDoc(t, "PowerUserAccess"), Privilege: inventory.PrivilegeWrite},
			// Referenced only by the permission set: read with GetPolicy + GetPolicyVersion.
			{ID: readOnlyPolicy, Provider: inventory.ProviderAWS, Name: "ReadOnlyAccess", Kind: awsiam.DocAWSManaged, Version: "v182",
				Document: managedDoc(t, "ReadOnlyAccess"), Privilege: inventory.PrivilegeRead},
			{ID: s.permSet, Provider: inventory.ProviderAWS, Name: "ReadAndDescribe", Kind: awsiam.DocPermissionSet,
				Document: ssoInlineDoc, Permissions: []string{"arn:aws:iam::*:policy/s3-read", readOnlyPolicy}, Privilege: inventory.PrivilegeRead},
		},
	}
	slices.SortFunc(want.Coverage, func(a, b inventory.Coverage) int { return strings.Compare(a.Scope, b.Scope) })
	slices.SortFunc(want.Accounts, func(a, b inventory.Account) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(want.Principals, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	for i := range want.Principals {
		want.Principals[i].Normalize()
	}
	slices.SortFunc(want.PolicyDocs, func(a, b inventory.PolicyDoc) int { return strings.Compare(a.ID, b.ID) })

	if diff := cmp.Diff(want, got, documentsAsJSON); diff != "" {
		t.Errorf("Collect() mismatch (-want +got):\n%s", diff)
	}
}

// TestCollectMotoExplicitAccounts collects one listed member account without Organizations:
// only that account is read, through AssumeRole.
func TestCollectMotoExplicitAccounts(t *testing.T) {
	url := testpeer.Moto(t)
	ctx := t.Context()
	base := motoConfig(url)
	s := seedMoto(t, ctx, base)

	c, err := awsiam.New(awsiam.Options{
		Name: "aws-test", Endpoint: url, Accounts: []string{s.member1},
		AWSConfig: &base, ReportPoll: time.Millisecond, Now: func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(ctx)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var ids []string
	for _, p := range got.Principals {
		ids = append(ids, p.ID)
	}
	wantIDs := []string{aws.ToString(s.memberRoles[s.member1].Arn), aws.ToString(s.users[s.member1+"/carol"].Arn)}
	slices.Sort(wantIDs)
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("principal IDs mismatch (-want +got):\n%s", diff)
	}
	wantCov := []inventory.Coverage{{Source: "aws-test", Provider: inventory.ProviderAWS, Scope: s.member1,
		Status: inventory.CoverageComplete, Method: awsiam.Method, StartedAt: fixedNow, FinishedAt: fixedNow,
		Counts: map[string]int{"principals": 2, "users": 1, "roles": 1, "groups": 0, "roots": 0, "policies": 0}}}
	if diff := cmp.Diff(wantCov, got.Coverage); diff != "" {
		t.Errorf("coverage mismatch (-want +got):\n%s", diff)
	}
	wantAccounts := []inventory.Account{{ID: s.member1, Provider: inventory.ProviderAWS, Kind: "account",
		Settings: summary(map[string]int{"Roles": 1, "Users": 1})}}
	if diff := cmp.Diff(wantAccounts, got.Accounts); diff != "" {
		t.Errorf("accounts mismatch (-want +got):\n%s", diff)
	}
}
