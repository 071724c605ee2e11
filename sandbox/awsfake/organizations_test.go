package awsfake

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"
)

func TestDescribeOrganizationAndRoots(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.orgs()
	org, err := client.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	s := aws.String
	pt := []types.PolicyTypeSummary{{Type: types.PolicyTypeServiceControlPolicy, Status: types.PolicyTypeStatusEnabled}}
	wantOrg := &types.Organization{
		Id: s("o-exampleorg1"), Arn: s("arn:aws:organizations::111111111111:organization/o-exampleorg1"), FeatureSet: types.OrganizationFeatureSetAll,
		MasterAccountArn: s("arn:aws:organizations::111111111111:account/o-exampleorg1/111111111111"), MasterAccountId: s(mgmtID),
		MasterAccountEmail: s("aws-root@example.com"), AvailablePolicyTypes: pt,
	}
	if diff := cmp.Diff(wantOrg, org.Organization, cmpSDK...); diff != "" {
		t.Errorf("DescribeOrganization (-want +got):\n%s", diff)
	}

	roots, err := client.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantRoots := []types.Root{{Id: s("r-ab12"), Arn: s("arn:aws:organizations::111111111111:root/o-exampleorg1/r-ab12"), Name: s("Root"), PolicyTypes: pt}}
	if diff := cmp.Diff(wantRoots, roots.Roots, cmpSDK...); diff != "" {
		t.Errorf("ListRoots (-want +got):\n%s", diff)
	}

	// A member account may describe its organization but not list it.
	member := organizations.NewFromConfig(f.assumed(t, prodID, extID))
	if _, err := member.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{}); err != nil {
		t.Errorf("DescribeOrganization from a member: %v", err)
	}
	_, err = member.ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	var denied *types.AccessDeniedException
	if !asErr(err, &denied) {
		t.Errorf("ListAccounts from a member: %v, want AccessDeniedException", err)
	}
}

// TestOUTreeWalk walks the tree the way the collector does, one item per page.
func TestOUTreeWalk(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.orgs()
	one := aws.Int32(1)
	got := map[string][]string{} // OU path → account IDs
	var walk func(parentID, path string)
	walk = func(parentID, path string) {
		ap := organizations.NewListAccountsForParentPaginator(client, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID), MaxResults: one})
		accounts := []string{}
		for ap.HasMorePages() {
			page, err := ap.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Accounts {
				accounts = append(accounts, *a.Id)
			}
		}
		got[path] = accounts
		op := organizations.NewListOrganizationalUnitsForParentPaginator(client, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID), MaxResults: one})
		for op.HasMorePages() {
			page, err := op.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, ou := range page.OrganizationalUnits {
				if want := "arn:aws:organizations::111111111111:ou/o-exampleorg1/" + *ou.Id; *ou.Arn != want {
					t.Errorf("OU ARN %s, want %s", *ou.Arn, want)
				}
				walk(*ou.Id, path+"/"+*ou.Name)
			}
		}
	}
	walk("r-ab12", "Root")
	want := map[string][]string{
		"Root":          {mgmtID, suspID},
		"Root/Prod":     {prodID},
		"Root/Prod/Web": {webID},
		"Root/Dev":      {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestListAccounts(t *testing.T) {
	f := newFixture(t, testOrg())
	var got []types.Account
	pages := 0
	p := organizations.NewListAccountsPaginator(f.orgs(), &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.Accounts...)
	}
	if pages != 2 {
		t.Errorf("pages = %d, want 2", pages)
	}
	s := aws.String
	acc := func(id, name, email string, status types.AccountStatus, state types.AccountState, method types.AccountJoinedMethod, joined int) types.Account {
		return types.Account{Id: s(id), Arn: s("arn:aws:organizations::111111111111:account/o-exampleorg1/" + id), Email: s(email), Name: s(name),
			Status: status, State: state, JoinedMethod: method, JoinedTimestamp: aws.Time(day(joined))}
	}
	want := []types.Account{
		acc(mgmtID, "management", "aws-root@example.com", types.AccountStatusActive, types.AccountStateActive, types.AccountJoinedMethodCreated, -1000),
		acc(prodID, "prod", "prod@example.com", types.AccountStatusActive, types.AccountStateActive, types.AccountJoinedMethodInvited, -800),
		acc(webID, "web", "web@example.com", types.AccountStatusActive, types.AccountStateActive, types.AccountJoinedMethodCreated, -700),
		acc(suspID, "old", "old@example.com", types.AccountStatusSuspended, types.AccountStateSuspended, types.AccountJoinedMethodCreated, -1200),
	}
	if diff := cmp.Diff(want, got, cmpSDK...); diff != "" {
		t.Errorf("ListAccounts (-want +got):\n%s", diff)
	}
}

func TestListParentsAndDescribeOU(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.orgs()
	for _, tc := range []struct {
		child string
		want  types.Parent
	}{
		{webID, types.Parent{Id: aws.String("ou-ab12-web00001"), Type: types.ParentTypeOrganizationalUnit}},
		{"ou-ab12-web00001", types.Parent{Id: aws.String("ou-ab12-prod0001"), Type: types.ParentTypeOrganizationalUnit}},
		{"ou-ab12-prod0001", types.Parent{Id: aws.String("r-ab12"), Type: types.ParentTypeRoot}},
		{mgmtID, types.Parent{Id: aws.String("r-ab12"), Type: types.ParentTypeRoot}},
	} {
		out, err := client.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(tc.child)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]types.Parent{tc.want}, out.Parents, cmpSDK...); diff != "" {
			t.Errorf("ListParents(%s) (-want +got):\n%s", tc.child, diff)
		}
	}
	ou, err := client.DescribeOrganizationalUnit(t.Context(), &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-ab12-web00001")})
	if err != nil {
		t.Fatal(err)
	}
	want := &types.OrganizationalUnit{Id: aws.String("ou-ab12-web00001"), Arn: aws.String("arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-web00001"), Name: aws.String("Web")}
	if diff := cmp.Diff(want, ou.OrganizationalUnit, cmpSDK...); diff != "" {
		t.Errorf("DescribeOrganizationalUnit (-want +got):\n%s", diff)
	}
}

func TestOrganizationsErrors(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.orgs()
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"unknown parent", func() error {
			_, err := client.ListAccountsForParent(t.Context(), &organizations.ListAccountsForParentInput{ParentId: aws.String("ou-ab12-nothere1")})
			return err
		}, "ParentNotFoundException"},
		{"unknown child", func() error {
			_, err := client.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String("999999999999")})
			return err
		}, "ChildNotFoundException"},
		{"unknown OU", func() error {
			_, err := client.DescribeOrganizationalUnit(t.Context(), &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-ab12-nothere1")})
			return err
		}, "OrganizationalUnitNotFoundException"},
		{"MaxResults above 20", func() error {
			_, err := client.ListAccounts(t.Context(), &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
			return err
		}, "InvalidInputException"},
		{"foreign NextToken", func() error {
			out, err := client.ListAccounts(t.Context(), &organizations.ListAccountsInput{MaxResults: aws.Int32(1)})
			if err != nil {
				return err
			}
			_, err = client.ListRoots(t.Context(), &organizations.ListRootsInput{NextToken: out.NextToken})
			return err
		}, "InvalidInputException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := apiErr(t, tc.call()); code != tc.code {
				t.Errorf("code %s, want %s", code, tc.code)
			}
		})
	}
}

// TestDerivedIDs: OUs named only by account paths are created, with well-formed derived IDs.
func TestDerivedIDs(t *testing.T) {
	org := &Organization{ManagementAccount: mgmtID, Accounts: []*Account{{ID: prodID, OUPath: []string{"Workloads", "Prod"}}}}
	f := newFixture(t, org)
	client := f.orgs()
	roots, err := client.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	rootID := *roots.Roots[0].Id
	if !strings.HasPrefix(rootID, "r-") || len(rootID) != 6 {
		t.Errorf("root ID %q", rootID)
	}
	ous, err := client.ListOrganizationalUnitsForParent(t.Context(), &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ous.OrganizationalUnits) != 1 || *ous.OrganizationalUnits[0].Name != "Workloads" {
		t.Fatalf("OUs under the root: %+v", ous.OrganizationalUnits)
	}
	ouID := *ous.OrganizationalUnits[0].Id
	if want := "ou-" + rootID[2:] + "-"; !strings.HasPrefix(ouID, want) || len(ouID) != len(want)+8 {
		t.Errorf("OU ID %q, want %s + 8 characters", ouID, want)
	}
	parents, err := client.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: aws.String(prodID)})
	if err != nil {
		t.Fatal(err)
	}
	ou, err := client.DescribeOrganizationalUnit(t.Context(), &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: parents.Parents[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	if *ou.OrganizationalUnit.Name != "Prod" {
		t.Errorf("account parent %q, want Prod", *ou.OrganizationalUnit.Name)
	}
	// The management account was added although it was not listed.
	accounts, err := client.ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(accounts.Accounts, func(a types.Account) *string { return a.Id }); !cmp.Equal(got, []string{mgmtID, prodID}) {
		t.Errorf("accounts %v", got)
	}
}
