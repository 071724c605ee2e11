package awsfake

import (
	"errors"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

const (
	mgmtID   = "111111111111"
	prodID   = "222222222222"
	webID    = "333333333333"
	suspID   = "444444444444"
	extID    = "ext-4711"
	instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
	storeID  = "d-0123456789"
	psAdmin  = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-admin000000000001"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
const s3ReadInline = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
const deployV1 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"}]}`
const deployV2 = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecs:UpdateService", "iam:PassRole"], "Resource": "*"}]}`

// testOrg is the seeded organization most tests use.
func testOrg() *Organization {
	return &Organization{
		ID:                "o-exampleorg1",
		RootID:            "r-ab12",
		ManagementAccount: mgmtID,
		OUs: []*OU{
			{ID: "ou-ab12-prod0001", Name: "Prod", Children: []*OU{{ID: "ou-ab12-web00001", Name: "Web"}}},
			{ID: "ou-ab12-dev00001", Name: "Dev"},
		},
		Accounts: []*Account{
			{
				ID: mgmtID, Name: "management", Email: "aws-root@example.com", Joined: day(-1000),
				PasswordPolicy: &PasswordPolicy{MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
					RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
					MaxPasswordAge: 90, PasswordReusePrevention: 24},
				Root: Root{
					Created: day(-1000), PasswordEnabled: true, PasswordLastUsed: day(-3), MFA: true,
					AccessKeys: [2]*RootAccessKey{{Active: true, Created: day(-900), LastUsed: day(-10), LastUsedService: "s3", LastUsedRegion: "eu-west-1"}},
				},
				Users: []*User{
					{
						Name: "alice", UserID: "AIDAALICE0000000001", Created: day(-400),
						PasswordEnabled: true, PasswordLastUsed: day(-1), PasswordLastChanged: day(-30),
						MFADevices: []string{"arn:aws:iam::111111111111:mfa/alice"},
						AccessKeys: []AccessKey{
							{ID: "AKIAALICE00000000002", Created: day(-20)},
							{ID: "AKIAALICE00000000001", Created: day(-300), LastUsed: day(-2), LastUsedService: "ec2", LastUsedRegion: "us-east-1"},
						},
						Groups:           []string{"admins"},
						AttachedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
						InlinePolicies:   map[string]string{"s3-read": s3ReadInline},
						Tags:             map[string]string{"team": "security", "owner": "alice@example.com"},
					},
					{
						Name: "bob", UserID: "AIDABOB000000000001", Created: day(-200),
						AccessKeys: []AccessKey{{ID: "AKIABOB0000000000001", Status: KeyInactive, Created: day(-150)}},
						Groups:     []string{"devs"},
					},
					{
						Name: "Carol", UserID: "AIDACAROL0000000001", Created: day(-50),
						PasswordEnabled: true, PasswordLastChanged: day(-50), PasswordResetRequired: true,
						Groups:              []string{"devs", "admins"},
						PermissionsBoundary: "arn:aws:iam::111111111111:policy/boundary/dev-boundary",
						Certificates:        []Certificate{{ID: "CERT1", Uploaded: day(-40)}},
					},
					{
						Name: "svc-deploy", Path: "/service/", UserID: "AIDASVC000000000001", Created: day(-500),
						AccessKeys:       []AccessKey{{ID: "AKIASVC0000000000001", Created: day(-500), LastUsed: day(0), LastUsedService: "ecs", LastUsedRegion: "eu-central-1"}},
						AttachedPolicies: []string{"arn:aws:iam::111111111111:policy/deploy"},
					},
				},
				Groups: []*Group{
					{Name: "admins", GroupID: "AGPAADMINS000000001", Created: day(-900), AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
					{Name: "devs", GroupID: "AGPADEVS00000000001", Created: day(-800),
						AttachedPolicies: []string{"arn:aws:iam::111111111111:policy/deploy", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
						InlinePolicies:   map[string]string{"logs": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`}},
				},
				Roles: []*Role{
					{Name: "ci-deployer", RoleID: "AROACI0000000000001", Created: day(-600), Description: "CI deploys",
						AssumeRolePolicy: trustEC2, LastUsed: day(-1), LastUsedRegion: "eu-west-1", MaxSessionDuration: 7200,
						AttachedPolicies: []string{"arn:aws:iam::111111111111:policy/deploy"},
						Tags:             map[string]string{"owner": "platform"}},
					{Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/support.amazonaws.com/", RoleID: "AROASUPPORT00000001", Created: day(-999),
						AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"support.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
						AttachedPolicies: []string{"arn:aws:iam::aws:policy/AWSSupportAccess"}},
				},
				Policies: []*Policy{
					{Name: "deploy", PolicyID: "ANPADEPLOY000000001", Description: "deploy services", Created: day(-700), Updated: day(-100),
						DefaultVersion: "v2", Versions: []PolicyVersion{{Document: deployV1, Created: day(-700)}, {Document: deployV2, Created: day(-100)}}},
					{Name: "dev-boundary", Path: "/boundary/", PolicyID: "ANPABOUNDARY0000001", Created: day(-60),
						Versions: []PolicyVersion{{Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}},
				},
				RoleNames: []string{}, // nothing assumable in the management account
			},
			{
				ID: prodID, Name: "prod", Email: "prod@example.com", OUPath: []string{"Prod"}, Joined: day(-800), JoinedMethod: "INVITED",
				ExternalID: extID,
				Users: []*User{
					{Name: "deployer", Created: day(-100), AccessKeys: []AccessKey{{ID: "AKIAPROD000000000001", Created: day(-100)}}},
					{Name: "oncall", Created: day(-90), PasswordEnabled: true},
				},
				Roles: []*Role{{Name: DefaultRoleName, Created: day(-800), AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`,
					AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}},
			},
			{ID: webID, Name: "web", Email: "web@example.com", OUPath: []string{"Prod", "Web"}, Joined: day(-700),
				Users: []*User{{Name: "web-admin", Created: day(-10)}}},
			{ID: suspID, Name: "old", Email: "old@example.com", Status: StatusSuspended, Joined: day(-1200)},
		},
		IdentityCenter: &IdentityCenter{
			InstanceArn: instance, IdentityStoreID: storeID, Name: "corp", Created: day(-500),
			Users: []*SSOUser{
				{ID: "u-1", UserName: "dana@example.com", DisplayName: "Dana Scully", GivenName: "Dana", FamilyName: "Scully",
					Emails: []Email{{Value: "dana@example.com", Type: "work", Primary: true}}, ExternalIDs: []ExternalID{{Issuer: "okta", ID: "00u1"}}},
				{ID: "u-2", UserName: "fox@example.com", DisplayName: "Fox Mulder", Emails: []Email{{Value: "fox@example.com", Type: "work", Primary: true}}},
				{ID: "u-3", UserName: "skinner@example.com", Status: "DISABLED"},
			},
			Groups:      []*SSOGroup{{ID: "g-1", DisplayName: "platform", Description: "platform team"}, {ID: "g-2", DisplayName: "auditors"}},
			Memberships: []Membership{{ID: "m-1", GroupID: "g-1", UserID: "u-1"}, {ID: "m-2", GroupID: "g-1", UserID: "u-2"}, {GroupID: "auditors", UserID: "skinner@example.com"}},
			PermissionSets: []*PermissionSet{
				{Arn: psAdmin, Name: "AdministratorAccess", Created: day(-400),
					ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, SessionDuration: "PT4H"},
				{Name: "ReadOnly", Description: "read only", Created: day(-300),
					ManagedPolicies:         []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"},
					CustomerManagedPolicies: []PolicyReference{{Name: "extra-read"}},
					InlinePolicy:            s3ReadInline},
			},
			Assignments: []Assignment{
				{AccountID: prodID, PermissionSetArn: psAdmin, PrincipalType: PrincipalGroup, PrincipalID: "g-1"},
				{AccountID: prodID, PermissionSetArn: "ReadOnly", PrincipalType: PrincipalUser, PrincipalID: "u-2"},
				{AccountID: webID, PermissionSetArn: "ReadOnly", PrincipalType: PrincipalGroup, PrincipalID: "auditors"},
				{AccountID: prodID, PermissionSetArn: psAdmin, PrincipalType: PrincipalUser, PrincipalID: "u-1"},
			},
		},
	}
}

type fixture struct {
	srv   *Server
	clock *clock
	cfg   aws.Config // base credentials, standard retryer without backoff
}

// newFixture starts a server on loopback with org loaded (validated) and a fake clock.
func newFixture(t testing.TB, org *Organization, tweak ...func(*Options)) *fixture {
	t.Helper()
	c := &clock{t: t0}
	opts := Options{Now: c.Now}
	for _, f := range tweak {
		f(&opts)
	}
	s := New(opts)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if org != nil {
		if err := s.LoadOrganization(org); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{srv: s, clock: c, cfg: sdkConfig(s.URL(), credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""))}
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// sdkConfig is an aws.Config for the fake: the standard retryer (3 attempts) without waiting.
func sdkConfig(url string, creds aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  creds,
		BaseEndpoint: aws.String(url),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = noBackoff{}
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

func (f *fixture) iam() *iam.Client                     { return iam.NewFromConfig(f.cfg) }
func (f *fixture) sts() *sts.Client                     { return sts.NewFromConfig(f.cfg) }
func (f *fixture) orgs() *organizations.Client          { return organizations.NewFromConfig(f.cfg) }
func (f *fixture) sso() *ssoadmin.Client                { return ssoadmin.NewFromConfig(f.cfg) }
func (f *fixture) identitystore() *identitystore.Client { return identitystore.NewFromConfig(f.cfg) }

// assumed returns a config whose credentials are a session in account (via AssumeRole of the
// default role).
func (f *fixture) assumed(t testing.TB, account, externalID string) aws.Config {
	t.Helper()
	in := &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(account, "/", DefaultRoleName)), RoleSessionName: aws.String("provost")}
	if externalID != "" {
		in.ExternalId = aws.String(externalID)
	}
	out, err := f.sts().AssumeRole(t.Context(), in)
	if err != nil {
		t.Fatalf("assume role in %s: %v", account, err)
	}
	c := out.Credentials
	return sdkConfig(f.srv.URL(), credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
}

// apiErr returns the code, message and fault of an SDK error; it fails the test for other errors.
func apiErr(t testing.TB, err error) (code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// ignoreUnexported skips the SDK types' unexported noSmithyDocumentSerde fields.
var ignoreUnexported = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Index(-1).(cmp.StructField)
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(sf.Name())
	return !unicode.IsUpper(r)
}, cmp.Ignore())

func asErr(err error, target any) bool { return errors.As(err, target) }
