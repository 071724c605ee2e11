package awsfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

func TestUnsignedRequests(t *testing.T) {
	f := newFixture(t, testOrg())
	cfg := sdkConfig(f.srv.URL(), aws.AnonymousCredentials{})
	_, err := iam.NewFromConfig(cfg).ListUsers(t.Context(), &iam.ListUsersInput{})
	if code, msg := apiErr(t, err); code != "MissingAuthenticationToken" || msg != "Request is missing Authentication Token" || httpStatus(err) != 403 {
		t.Errorf("query: %s %q %d", code, msg, httpStatus(err))
	}
	_, err = organizations.NewFromConfig(cfg).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if code, _ := apiErr(t, err); code != "MissingAuthenticationTokenException" || httpStatus(err) != 403 {
		t.Errorf("json: %s %d", code, httpStatus(err))
	}
	if len(f.srv.Calls()) != 0 {
		t.Errorf("unsigned requests were counted: %v", f.srv.Calls())
	}
}

func TestUnknownCredentials(t *testing.T) {
	f := newFixture(t, testOrg())
	cfg := sdkConfig(f.srv.URL(), credentials.NewStaticCredentialsProvider("AKIAUNKNOWN000000000", "x", ""))
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if code, msg := apiErr(t, err); code != "InvalidClientTokenId" || msg != "The security token included in the request is invalid." || httpStatus(err) != 403 {
		t.Errorf("query: %s %q %d", code, msg, httpStatus(err))
	}
	_, err = organizations.NewFromConfig(cfg).ListRoots(t.Context(), &organizations.ListRootsInput{})
	if code, _ := apiErr(t, err); code != "UnrecognizedClientException" {
		t.Errorf("json: %s", code)
	}
}

func TestNoOrganization(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.sts().GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if code, _ := apiErr(t, err); code != "InvalidClientTokenId" {
		t.Errorf("without an organization the base credentials act nowhere: %s", code)
	}
}

func TestUnknownOperations(t *testing.T) {
	f := newFixture(t, testOrg())
	_, err := f.iam().GetUser(t.Context(), &iam.GetUserInput{UserName: aws.String("alice")})
	if code, msg := apiErr(t, err); code != "InvalidAction" || msg != "Could not find operation GetUser for version 2010-05-08" || httpStatus(err) != 400 {
		t.Errorf("query: %s %q %d", code, msg, httpStatus(err))
	}
	_, err = f.orgs().ListChildren(t.Context(), &organizations.ListChildrenInput{ParentId: aws.String("r-ab12"), ChildType: "ACCOUNT"})
	if code, _ := apiErr(t, err); code != "UnknownOperationException" || httpStatus(err) != 400 {
		t.Errorf("json: %s %d", code, httpStatus(err))
	}
	if diff := cmp.Diff(map[string]int{"iam:GetUser": 1, "organizations:ListChildren": 1}, f.srv.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// rawPost sends a hand-made request to the handler (for what the SDK would never send).
func rawPost(s *Server, header map[string]string, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

const iamAuth = "AWS4-HMAC-SHA256 Credential=" + DefaultAccessKeyID + "/20260301/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"

func TestRawProtocolErrors(t *testing.T) {
	s := New(Options{})
	s.SetOrganization(testOrg())
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
		status int
		want   string // the exact body, request ID elided
	}{
		{"wrong version", map[string]string{"Authorization": iamAuth}, "Action=ListUsers&Version=2011-06-15", 400,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation ListUsers for version 2011-06-15</Message></Error><RequestId>ID</RequestId></ErrorResponse>`},
		{"no action", map[string]string{"Authorization": iamAuth}, "Version=2010-05-08", 400,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>MissingAction</Code><Message>Missing Action</Message></Error><RequestId>ID</RequestId></ErrorResponse>`},
		{"unknown service", map[string]string{"Authorization": strings.Replace(iamAuth, "/iam/", "/s3/", 1)}, "Action=ListBuckets&Version=2006-03-01", 400,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation ListBuckets: service s3 is not served</Message></Error><RequestId>ID</RequestId></ErrorResponse>`},
		{"json target of another service", map[string]string{"Authorization": strings.Replace(iamAuth, "/iam/", "/organizations/", 1), "X-Amz-Target": "AWSIdentityStore.ListUsers"}, "{}", 400,
			`{"Message":"unknown target AWSIdentityStore.ListUsers for service organizations","__type":"UnknownOperationException"}` + "\n"},
		{"malformed json", map[string]string{"Authorization": strings.Replace(iamAuth, "/iam/", "/organizations/", 1), "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"}, "{", 400,
			`{"Message":"cannot decode ListAccounts request: unexpected end of JSON input","__type":"SerializationException"}`},
		{"bad authorization scheme", map[string]string{"Authorization": "AWS AKID:sig"}, "Action=ListUsers&Version=2010-05-08", 403,
			`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>ID</RequestId></ErrorResponse>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := rawPost(s, tc.header, tc.body)
			got := strings.TrimSuffix(rec.Body.String(), "\n")
			if id := rec.Header().Get("X-Amzn-RequestId"); id != "" {
				got = strings.ReplaceAll(got, id, "ID")
			}
			if rec.Code != tc.status || got != strings.TrimSuffix(tc.want, "\n") {
				t.Errorf("got %d %s\nwant %d %s", rec.Code, got, tc.status, tc.want)
			}
		})
	}
}

func TestCallCounting(t *testing.T) {
	f := newFixture(t, testOrg())
	prod := iam.NewFromConfig(f.assumed(t, prodID, extID))
	for range 2 {
		if _, err := f.iam().ListUsers(t.Context(), &iam.ListUsersInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prod.ListUsers(t.Context(), &iam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := prod.GetLoginProfile(t.Context(), &iam.GetLoginProfileInput{UserName: aws.String("deployer")}); err == nil {
		t.Fatal("GetLoginProfile without a password succeeded")
	}
	want := map[string]int{"iam:ListUsers": 3, "iam:GetLoginProfile": 1, "sts:AssumeRole": 1}
	if diff := cmp.Diff(want, f.srv.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
	wantProd := map[string]int{"iam:ListUsers": 1, "iam:GetLoginProfile": 1}
	if diff := cmp.Diff(wantProd, f.srv.CallsFor(prodID)); diff != "" {
		t.Errorf("CallsFor (-want +got):\n%s", diff)
	}
	f.srv.ResetCalls()
	if diff := cmp.Diff(map[string]int{}, f.srv.Calls()); diff != "" {
		t.Errorf("after ResetCalls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{}, f.srv.CallsFor(prodID)); diff != "" {
		t.Errorf("CallsFor after ResetCalls (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(o *Organization)
		want   []string // substrings of the error, each naming what is wrong
	}{
		{"valid", func(*Organization) {}, nil},
		{"bad management account", func(o *Organization) { o.ManagementAccount = "12" }, []string{`management account "12": want 12 digits`}},
		{"duplicate account", func(o *Organization) { o.Accounts = append(o.Accounts, &Account{ID: prodID}) }, []string{"account 222222222222: listed twice"}},
		{"unknown group", func(o *Organization) { o.Accounts[0].Users[1].Groups = []string{"ops"} }, []string{`account 111111111111: user "bob": group "ops" does not exist`}},
		{"unknown policy", func(o *Organization) {
			o.Accounts[0].Roles[0].AttachedPolicies = []string{"arn:aws:iam::aws:policy/NoSuchPolicy"}
		}, []string{`account 111111111111: role "ci-deployer": policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist`}},
		{"policy of another account", func(o *Organization) {
			o.Accounts[1].Users[0].AttachedPolicies = []string{"arn:aws:iam::111111111111:policy/deploy"}
		}, []string{`account 222222222222: user "deployer": policy arn:aws:iam::111111111111:policy/deploy does not exist`}},
		{"case-insensitive duplicate", func(o *Organization) {
			o.Accounts[0].Users = append(o.Accounts[0].Users, &User{Name: "ALICE"})
		}, []string{`account 111111111111: user "ALICE": name used twice`}},
		{"three keys and a shared key", func(o *Organization) {
			u := o.Accounts[0].Users[1]
			u.AccessKeys = append(u.AccessKeys, AccessKey{ID: "AKIAALICE00000000001"}, AccessKey{ID: "AKIAX", Status: "On"})
		}, []string{`user "bob": 3 access keys, IAM allows 2`, `user "bob": access key AKIAALICE00000000001 is also account 111111111111: user "alice"'s`, `access key AKIAX status "On"`}},
		{"bad document", func(o *Organization) { o.Accounts[0].Users[0].InlinePolicies["x"] = "{" }, []string{`user "alice" inline policy x: policy document is not valid JSON`}},
		{"bad default version", func(o *Organization) { o.Accounts[0].Policies[0].DefaultVersion = "v9" }, []string{`policy "deploy": default version "v9" is not among its versions`}},
		{"bad path", func(o *Organization) { o.Accounts[0].Groups[0].Path = "/ops" }, []string{`group "admins": path "/ops" must begin and end with /`}},
		{"bad assignment", func(o *Organization) {
			o.IdentityCenter.Assignments = append(o.IdentityCenter.Assignments, Assignment{AccountID: "999999999999", PermissionSetArn: "Nope", PrincipalType: "ROBOT", PrincipalID: "x"})
		}, []string{"account is not in the organization", `permission set "Nope" does not exist`, "principal type must be USER or GROUP"}},
		{"MFA devices", func(o *Organization) {
			mgmt := o.Accounts[0]
			mgmt.Users[1].MFADevices = []string{"arn:aws:iam::111111111111:mfa/alice"}
			mgmt.UnassignedMFADevices = []string{"GAHT12345678", "arn:aws:iam::222222222222:mfa/spare"}
			o.Accounts[1].Root.VirtualMFA = true
		}, []string{
			`account 111111111111: user "bob": MFA device arn:aws:iam::111111111111:mfa/alice is also account 111111111111: user "alice"'s`,
			`account 111111111111: unassigned devices: MFA device "GAHT12345678": want a virtual device ARN arn:aws:iam::111111111111:mfa/<name>`,
			`account 111111111111: unassigned devices: MFA device "arn:aws:iam::222222222222:mfa/spare": want a virtual device ARN`,
			"account 222222222222: root: VirtualMFA without MFA",
		}},
		{"bad membership", func(o *Organization) {
			o.IdentityCenter.Memberships = append(o.IdentityCenter.Memberships, Membership{GroupID: "g-9", UserID: "u-9"})
		}, []string{`membership of user "u-9": group "g-9" does not exist`, `membership in group "g-9": user "u-9" does not exist`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			org := testOrg()
			tc.mutate(org)
			err := org.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			s := New(Options{})
			if s.LoadOrganization(org) == nil {
				t.Error("LoadOrganization accepted an invalid organization")
			}
		})
	}
}

func TestValidateCapsErrors(t *testing.T) {
	org := &Organization{ManagementAccount: mgmtID}
	for i := range 30 {
		org.Accounts = append(org.Accounts, &Account{ID: fmt.Sprintf("bad%d", i)})
	}
	err := org.Validate()
	if err == nil || !strings.Contains(err.Error(), "… and 10 more problems") {
		t.Errorf("error %v, want 20 problems and a count of the rest", err)
	}
}

func TestSetOrganizationDeepCopies(t *testing.T) {
	org := testOrg()
	f := newFixture(t, org)
	org.Accounts[0].Users[0].Name = "mallory"
	org.Accounts[0].Users[0].Tags["team"] = "red"
	org.Accounts[0].Users = org.Accounts[0].Users[:1]
	got := findUser(f.srv.Organization(), mgmtID, "alice")
	if got == nil || got.Tags["team"] != "security" {
		t.Fatalf("served state changed with its input: %+v", got)
	}
	exported := f.srv.Organization()
	exported.Accounts[0].Users[0].Tags["team"] = "blue"
	if findUser(f.srv.Organization(), mgmtID, "alice").Tags["team"] != "security" {
		t.Error("Organization() returned shared state")
	}
	users, err := f.iam().ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 4 {
		t.Errorf("%d users served, want 4", len(users.Users))
	}
}

func TestLifecycle(t *testing.T) {
	s := New(Options{})
	if s.URL() != "" {
		t.Errorf("URL before Start = %q", s.URL())
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	// Handler works under httptest too.
	s.SetOrganization(testOrg())
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	cfg := sdkConfig(hs.URL, credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""))
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || *out.Account != mgmtID {
		t.Errorf("GetCallerIdentity through httptest: %v %v", out, err)
	}
}

// TestConcurrentUse runs readers, writers and SetOrganization at once (meaningful under -race).
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t, testOrg())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 4 {
		wg.Go(func() {
			for range 10 {
				p := iam.NewGetAccountAuthorizationDetailsPaginator(f.iam(), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(3)})
				for p.HasMorePages() {
					if _, err := p.NextPage(t.Context()); err != nil {
						errs <- err
						return
					}
				}
			}
		})
		wg.Go(func() {
			for j := range 10 {
				_, err := f.iam().TagUser(t.Context(), &iam.TagUserInput{UserName: aws.String("bob"),
					Tags: []iamtypes.Tag{{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String(fmt.Sprint(j))}}})
				if err != nil {
					errs <- err
					return
				}
				f.srv.Inject(Fault{Operation: "Nothing"})()
				_ = f.srv.Calls()
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			f.srv.SetOrganization(testOrg())
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
