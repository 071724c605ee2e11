package awsfake

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// serviceCall is one operation of each protocol, called through its SDK client.
type serviceCall struct {
	service, op string
	call        func(ctx context.Context, f *fixture) error
}

var serviceCalls = []serviceCall{
	{svcIAM, "GetAccountAuthorizationDetails", func(ctx context.Context, f *fixture) error {
		_, err := f.iam().GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
		return err
	}},
	{svcSTS, "GetCallerIdentity", func(ctx context.Context, f *fixture) error {
		_, err := f.sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}},
	{svcOrganizations, "ListAccounts", func(ctx context.Context, f *fixture) error {
		_, err := f.orgs().ListAccounts(ctx, &organizations.ListAccountsInput{})
		return err
	}},
	{svcSSO, "ListInstances", func(ctx context.Context, f *fixture) error {
		_, err := f.sso().ListInstances(ctx, &ssoadmin.ListInstancesInput{})
		return err
	}},
	{svcIdentityStore, "ListUsers", func(ctx context.Context, f *fixture) error {
		_, err := f.identitystore().ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(storeID)})
		return err
	}},
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestRetriedFaults: a burst of throttling or 5xx errors shorter than the retryer's attempts
// is invisible to the caller; a longer one surfaces as the service's own error.
func TestRetriedFaults(t *testing.T) {
	for _, fc := range []struct {
		code   string
		status map[string]int    // per service
		want   map[string]string // error code per service
	}{
		{"Throttling",
			map[string]int{svcIAM: 400, svcSTS: 400, svcOrganizations: 429, svcSSO: 429, svcIdentityStore: 429},
			map[string]string{svcIAM: "Throttling", svcSTS: "Throttling", svcOrganizations: "TooManyRequestsException", svcSSO: "ThrottlingException", svcIdentityStore: "ThrottlingException"}},
		{"ServiceUnavailable",
			map[string]int{svcIAM: 503, svcSTS: 503, svcOrganizations: 503, svcSSO: 503, svcIdentityStore: 503},
			map[string]string{svcIAM: "ServiceUnavailable", svcSTS: "ServiceUnavailable", svcOrganizations: "ServiceUnavailableException", svcSSO: "ServiceUnavailableException", svcIdentityStore: "ServiceUnavailableException"}},
		{"InternalFailure",
			map[string]int{svcIAM: 500, svcSTS: 500, svcOrganizations: 500, svcSSO: 500, svcIdentityStore: 500},
			map[string]string{svcIAM: "InternalFailure", svcSTS: "InternalFailure", svcOrganizations: "ServiceException", svcSSO: "InternalServerException", svcIdentityStore: "InternalServerException"}},
	} {
		for _, sc := range serviceCalls {
			t.Run(fc.code+"/"+sc.service, func(t *testing.T) {
				f := newFixture(t, testOrg())
				remove := f.srv.Inject(Fault{Service: sc.service, Operation: sc.op, Code: fc.code, Times: 2})
				if err := sc.call(t.Context(), f); err != nil {
					t.Fatalf("a burst of 2 with 3 attempts: %v", err)
				}
				key := sc.service + ":" + sc.op
				if got := f.srv.Calls()[key]; got != 3 {
					t.Errorf("%s called %d times, want 3", key, got)
				}
				remove()

				f.srv.ResetCalls()
				f.srv.Inject(Fault{Service: sc.service, Code: fc.code})
				err := sc.call(t.Context(), f)
				code, _ := apiErr(t, err)
				if code != fc.want[sc.service] || httpStatus(err) != fc.status[sc.service] {
					t.Errorf("persistent fault: %s %d, want %s %d", code, httpStatus(err), fc.want[sc.service], fc.status[sc.service])
				}
				if got := f.srv.Calls()[key]; got != 3 {
					t.Errorf("%s called %d times, want 3 (the retryer's attempts)", key, got)
				}
			})
		}
	}
}

func TestTypedFaultErrors(t *testing.T) {
	f := newFixture(t, testOrg())
	f.srv.Inject(Fault{Service: svcOrganizations, Code: "Throttling"})
	f.srv.Inject(Fault{Service: svcIAM, Operation: "GenerateCredentialReport", Code: "LimitExceeded"})
	_, err := f.orgs().ListRoots(t.Context(), &organizations.ListRootsInput{})
	var tooMany *orgtypes.TooManyRequestsException
	if !asErr(err, &tooMany) {
		t.Errorf("organizations throttling: %v, want TooManyRequestsException", err)
	}
	_, err = f.iam().GenerateCredentialReport(t.Context(), &iam.GenerateCredentialReportInput{})
	var limit *iamtypes.LimitExceededException
	if !asErr(err, &limit) || httpStatus(err) != http.StatusConflict {
		t.Errorf("LimitExceeded: %v (status %d), want LimitExceededException 409", err, httpStatus(err))
	}
}

func TestAccessDeniedInOneAccount(t *testing.T) {
	f := newFixture(t, testOrg())
	f.srv.Inject(Fault{Service: svcIAM, Account: prodID, Code: "AccessDenied"})
	results := map[string]string{}
	for _, acc := range []string{mgmtID, prodID} {
		cfg := f.cfg
		if acc != mgmtID {
			cfg = f.assumed(t, acc, extID)
		}
		_, err := iam.NewFromConfig(cfg).GetAccountAuthorizationDetails(t.Context(), &iam.GetAccountAuthorizationDetailsInput{})
		if err == nil {
			results[acc] = "ok"
			continue
		}
		code, msg := apiErr(t, err)
		results[acc] = code + ": " + msg
	}
	want := map[string]string{
		mgmtID: "ok",
		prodID: "AccessDenied: User: arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/provost is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *",
	}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if got := f.srv.CallsFor(prodID)["iam:GetAccountAuthorizationDetails"]; got != 1 {
		t.Errorf("AccessDenied was retried: %d calls", got)
	}
}

func TestExpiredTokenFault(t *testing.T) {
	f := newFixture(t, testOrg())
	f.srv.Inject(Fault{Code: "ExpiredToken"})
	_, err := f.iam().ListUsers(t.Context(), &iam.ListUsersInput{})
	if code, _ := apiErr(t, err); code != "ExpiredToken" || httpStatus(err) != http.StatusForbidden {
		t.Errorf("query: %s %d", code, httpStatus(err))
	}
	_, err = f.orgs().ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if code, _ := apiErr(t, err); code != "ExpiredTokenException" {
		t.Errorf("json: %s", code)
	}
}

// TestAfterCallsMidPagination denies a paginated listing after two pages.
func TestAfterCallsMidPagination(t *testing.T) {
	f := newFixture(t, testOrg())
	f.srv.Inject(Fault{Service: svcIAM, Operation: "GetAccountAuthorizationDetails", Code: "AccessDenied", AfterCalls: 2})
	p := iam.NewGetAccountAuthorizationDetailsPaginator(f.iam(), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	pages := 0
	var err error
	for p.HasMorePages() {
		if _, err = p.NextPage(t.Context()); err != nil {
			break
		}
		pages++
	}
	if pages != 2 {
		t.Errorf("pages before the fault = %d, want 2", pages)
	}
	if code, _ := apiErr(t, err); code != "AccessDenied" {
		t.Errorf("third page: %s, want AccessDenied", code)
	}
}

func TestFaultMatchingAndRemoval(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	remove := f.srv.Inject(Fault{Service: svcIAM, Operation: "ListUsers", Code: "AccessDenied"})
	if _, err := client.ListRoles(t.Context(), &iam.ListRolesInput{}); err != nil {
		t.Errorf("another operation was affected: %v", err)
	}
	if _, err := f.orgs().ListAccounts(t.Context(), &organizations.ListAccountsInput{}); err != nil {
		t.Errorf("another service was affected: %v", err)
	}
	if _, err := client.ListUsers(t.Context(), &iam.ListUsersInput{}); err == nil {
		t.Error("the fault did not fire")
	}
	remove()
	remove() // idempotent
	if _, err := client.ListUsers(t.Context(), &iam.ListUsersInput{}); err != nil {
		t.Errorf("after removal: %v", err)
	}

	// The first due fault decides; a later one that matched too keeps its Times for later.
	f.srv.Inject(Fault{Operation: "ListGroups", Code: "AccessDenied", Times: 1})
	f.srv.Inject(Fault{Operation: "ListGroups", Code: "NoSuchEntity", Times: 1})
	var codes []string
	for range 3 {
		_, err := client.ListGroups(t.Context(), &iam.ListGroupsInput{})
		if err == nil {
			codes = append(codes, "ok")
			continue
		}
		code, _ := apiErr(t, err)
		codes = append(codes, code)
	}
	if diff := cmp.Diff([]string{"AccessDenied", "NoSuchEntity", "ok"}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
}

func TestFaultDelay(t *testing.T) {
	f := newFixture(t, testOrg())
	f.srv.Inject(Fault{Operation: "ListUsers", Delay: time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := f.iam().ListUsers(ctx, &iam.ListUsersInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed call with a short deadline: %v, want DeadlineExceeded", err)
	}

	f.srv.Inject(Fault{Operation: "ListRoles", Delay: time.Millisecond})
	if _, err := f.iam().ListRoles(t.Context(), &iam.ListRolesInput{}); err != nil {
		t.Errorf("a delay without a code must succeed: %v", err)
	}
}
