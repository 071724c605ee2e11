package awsiam_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// motoManagement is moto's default account: requests signed with an unknown access key land
// in it.
const motoManagement = "123456789012"

// motoConfig is a base configuration for moto at endpoint with static (fake) credentials.
func motoConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAPROVOSTTEST00001", "not-a-secret", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// seeded holds the values moto generated while seeding that the expected snapshot needs.
type seeded struct {
	prodOU, root       string
	member1, member2   string
	users              map[string]iamtypes.User // by account/name
	groups             map[string]iamtypes.Group
	roles              map[string]iamtypes.Role
	keys               map[string][]iamtypes.AccessKey // by account/user, in creation order
	mfaSerial          string
	mfaEnabled         time.Time
	memberRoles        map[string]iamtypes.Role // OrganizationAccountAccessRole by account, made by moto
	customerPolicy     iamtypes.Policy
	store, instanceARN string
	ssoAlice, ssoBob   string
	ssoGroup           string
	permSet            string
}

const (
	adminPolicy    = "arn:aws:iam::aws:policy/AdministratorAccess"
	powerUser      = "arn:aws:iam::aws:policy/PowerUserAccess"
	readOnlyPolicy = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	s3ReadDoc      = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	denyAllDoc     = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`
	passRoleDoc    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`
	trustDoc       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ssoInlineDoc   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
)

// must turns a call's (value, error) into the value, failing the test on error:
// must(client.Call(ctx, in))(t).
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("seed moto: %v", err)
		}
		return v
	}
}

// seedMoto builds, through the AWS SDK, an organization with two member accounts (one in the
// Prod OU), IAM users with login profiles, a virtual MFA device, one and two access keys,
// groups, managed and inline policies and roles, and an Identity Center instance with a
// permission set assigned to a user and a group.
func seedMoto(t testing.TB, ctx context.Context, base aws.Config) *seeded {
	t.Helper()
	s := &seeded{
		users:  map[string]iamtypes.User{},
		groups: map[string]iamtypes.Group{},
		roles:  map[string]iamtypes.Role{},
		keys:   map[string][]iamtypes.AccessKey{},

		memberRoles: map[string]iamtypes.Role{},
	}
	org := organizations.NewFromConfig(base)
	must(org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))(t)
	roots := must(org.ListRoots(ctx, &organizations.ListRootsInput{}))(t)
	s.root = aws.ToString(roots.Roots[0].Id)
	ou := must(org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(s.root), Name: aws.String("Prod")}))(t)
	s.prodOU = aws.ToString(ou.OrganizationalUnit.Id)
	for i, name := range []string{"prod-app", "sandbox"} {
		out := must(org.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(name),
			Email:       aws.String(name + "@example.com"),
		}))(t)
		id := aws.ToString(out.CreateAccountStatus.AccountId)
		if id == "" {
			t.Fatalf("seed moto: CreateAccount %s returned no account ID", name)
		}
		if i == 0 {
			s.member1 = id
			must(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(s.root), DestinationParentId: aws.String(s.prodOU)}))(t)
		} else {
			s.member2 = id
		}
	}

	mgmt := iam.NewFromConfig(base)
	s.seedIAM(t, ctx, mgmt, motoManagement, true)

	for _, acct := range []string{s.member1, s.member2} {
		member := base.Copy()
		member.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base),
			fmt.Sprintf("arn:aws:iam::%s:role/OrganizationAccountAccessRole", acct)))
		c := iam.NewFromConfig(member)
		// moto creates this role with a random ID when it creates the account: read it back.
		r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("OrganizationAccountAccessRole")}))(t)
		s.memberRoles[acct] = *r.Role
		if acct == s.member1 {
			s.seedIAM(t, ctx, c, acct, false)
		}
	}

	s.seedIdentityCenter(t, ctx, base)
	return s
}

func (s *seeded) seedIAM(t testing.TB, ctx context.Context, c *iam.Client, acct string, full bool) {
	t.Helper()
	user := func(name string, login bool) {
		u := must(c.CreateUser(ctx, &iam.CreateUserInput{
			UserName: aws.String(name),
			Tags:     []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String(name + "@corp.example")}},
		}))(t)
		s.users[acct+"/"+name] = *u.User
		if login {
			must(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Not-a-real-secret-1!")}))(t)
		}
	}
	key := func(name string) {
		k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t)
		s.keys[acct+"/"+name] = append(s.keys[acct+"/"+name], *k.AccessKey)
	}
	if !full {
		user("carol", false)
		key("carol")
		return
	}

	user("alice", true)
	key("alice")
	mfa := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")}))(t)
	s.mfaSerial = aws.ToString(mfa.VirtualMFADevice.SerialNumber)
	must(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String("alice"), SerialNumber: mfa.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321"),
	}))(t)
	// moto stamps the enable date with its clock: read it back.
	devs := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{}))(t)
	for _, d := range devs.VirtualMFADevices {
		if aws.ToString(d.SerialNumber) == s.mfaSerial {
			s.mfaEnabled = aws.ToTime(d.EnableDate)
		}
	}
	user("bob", false)
	key("bob")
	key("bob")
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String("bob"), AccessKeyId: s.keys[acct+"/bob"][1].AccessKeyId, Status: iamtypes.StatusTypeInactive,
	}))(t)

	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(s3ReadDoc)}))(t)
	s.customerPolicy = *pol.Policy
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: pol.Policy.Arn}))(t)

	g := must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")}))(t)
	s.groups[acct+"/admins"] = *g.Group
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("admins"), PolicyArn: aws.String(adminPolicy)}))(t)
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("deny-all"), PolicyDocument: aws.String(denyAllDoc)}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String("bob")}))(t)

	r := must(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("deployer"), AssumeRolePolicyDocument: aws.String(trustDoc), Path: aws.String("/ci/"),
		PermissionsBoundary: pol.Policy.Arn,
		Tags:                []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	}))(t)
	s.roles[acct+"/deployer"] = *r.Role
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("deployer"), PolicyArn: aws.String(powerUser)}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("pass"), PolicyDocument: aws.String(passRoleDoc)}))(t)

	must(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24), AllowUsersToChangePassword: true,
	}))(t)
}

func (s *seeded) seedIdentityCenter(t testing.TB, ctx context.Context, base aws.Config) {
	t.Helper()
	admin := ssoadmin.NewFromConfig(base)
	inst := must(admin.ListInstances(ctx, &ssoadmin.ListInstancesInput{}))(t)
	if len(inst.Instances) == 0 {
		t.Fatal("seed moto: no Identity Center instance")
	}
	s.instanceARN = aws.ToString(inst.Instances[0].InstanceArn)
	s.store = aws.ToString(inst.Instances[0].IdentityStoreId)

	ids := identitystore.NewFromConfig(base)
	user := func(name, email string) string {
		u := must(ids.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: aws.String(s.store), UserName: aws.String(name), DisplayName: aws.String(name),
			Name:   &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")},
			Emails: []idtypes.Email{{Value: aws.String(email), Primary: true, Type: aws.String("work")}},
		}))(t)
		return aws.ToString(u.UserId)
	}
	s.ssoAlice = user("alice.sso", "alice@corp.example")
	s.ssoBob = user("bob.sso", "bob@corp.example")
	g := must(ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.store), DisplayName: aws.String("engineers")}))(t)
	s.ssoGroup = aws.ToString(g.GroupId)
	must(ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{
		IdentityStoreId: aws.String(s.store), GroupId: g.GroupId, MemberId: &idtypes.MemberIdMemberUserId{Value: s.ssoBob},
	}))(t)

	// moto answers a missing SessionDuration with a number, which the SDK rejects.
	ps := must(admin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.instanceARN), Name: aws.String("ReadAndDescribe"), SessionDuration: aws.String("PT1H")}))(t)
	s.permSet = aws.ToString(ps.PermissionSet.PermissionSetArn)
	must(admin.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{
		InstanceArn: aws.String(s.instanceARN), PermissionSetArn: aws.String(s.permSet), InlinePolicy: aws.String(ssoInlineDoc),
	}))(t)
	must(admin.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
		InstanceArn: aws.String(s.instanceARN), PermissionSetArn: aws.String(s.permSet), ManagedPolicyArn: aws.String(readOnlyPolicy),
	}))(t)
	must(admin.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
		InstanceArn: aws.String(s.instanceARN), PermissionSetArn: aws.String(s.permSet),
		CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("s3-read"), Path: aws.String("/")},
	}))(t)
	for _, a := range []struct {
		typ ssotypes.PrincipalType
		id  string
	}{{ssotypes.PrincipalTypeUser, s.ssoAlice}, {ssotypes.PrincipalTypeGroup, s.ssoGroup}} {
		must(admin.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn: aws.String(s.instanceARN), PermissionSetArn: aws.String(s.permSet),
			TargetId: aws.String(motoManagement), TargetType: ssotypes.TargetTypeAwsAccount,
			PrincipalType: a.typ, PrincipalId: aws.String(a.id),
		}))(t)
	}
	// moto lists a permission set's accounts only once it is provisioned, and then only the
	// caller's account; real AWS provisions on assignment.
	must(admin.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{
		InstanceArn: aws.String(s.instanceARN), PermissionSetArn: aws.String(s.permSet), TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts,
	}))(t)
}
