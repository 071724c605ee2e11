package awsfake

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpSDK = []cmp.Option{ignoreUnexported, cmpopts.EquateEmpty()}

func attached(arns ...string) []types.AttachedPolicy {
	out := make([]types.AttachedPolicy, 0, len(arns))
	for _, a := range arns {
		out = append(out, types.AttachedPolicy{PolicyArn: aws.String(a), PolicyName: aws.String(policyNameFromARN(a))})
	}
	return out
}

// unescapeDoc URL-decodes a policy document as a collector must.
func unescapeDoc(t *testing.T, doc *string) *string {
	t.Helper()
	if doc == nil {
		return nil
	}
	d, err := url.QueryUnescape(*doc)
	if err != nil {
		t.Fatalf("policy document %q is not URL-encoded: %v", *doc, err)
	}
	return &d
}

// decodeGAAD URL-decodes every policy document of a GetAccountAuthorizationDetails page.
func decodeGAAD(t *testing.T, out *iam.GetAccountAuthorizationDetailsOutput) {
	t.Helper()
	for i := range out.UserDetailList {
		for j := range out.UserDetailList[i].UserPolicyList {
			p := &out.UserDetailList[i].UserPolicyList[j]
			p.PolicyDocument = unescapeDoc(t, p.PolicyDocument)
		}
	}
	for i := range out.GroupDetailList {
		for j := range out.GroupDetailList[i].GroupPolicyList {
			p := &out.GroupDetailList[i].GroupPolicyList[j]
			p.PolicyDocument = unescapeDoc(t, p.PolicyDocument)
		}
	}
	for i := range out.RoleDetailList {
		r := &out.RoleDetailList[i]
		r.AssumeRolePolicyDocument = unescapeDoc(t, r.AssumeRolePolicyDocument)
		for j := range r.RolePolicyList {
			r.RolePolicyList[j].PolicyDocument = unescapeDoc(t, r.RolePolicyList[j].PolicyDocument)
		}
	}
	for i := range out.Policies {
		for j := range out.Policies[i].PolicyVersionList {
			v := &out.Policies[i].PolicyVersionList[j]
			v.Document = unescapeDoc(t, v.Document)
		}
	}
}

func wantGAAD() *iam.GetAccountAuthorizationDetailsOutput {
	s := aws.String
	managed := AWSManagedPolicies()
	awsDetail := func(name string, count int32) types.ManagedPolicyDetail {
		arn := AWSManagedPolicyARN("/", name)
		p := managed[arn]
		return types.ManagedPolicyDetail{
			PolicyName: s(name), PolicyId: s(p.PolicyID), Arn: s(arn), Path: s("/"), DefaultVersionId: s(p.DefaultVersion),
			AttachmentCount: aws.Int32(count), PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
			Description: s(p.Description), CreateDate: aws.Time(p.Created), UpdateDate: aws.Time(p.Updated),
			PolicyVersionList: []types.PolicyVersion{{Document: s(p.Versions[0].Document), VersionId: s(p.DefaultVersion), IsDefaultVersion: true, CreateDate: aws.Time(p.Versions[0].Created)}},
		}
	}
	return &iam.GetAccountAuthorizationDetailsOutput{
		UserDetailList: []types.UserDetail{
			{
				Path: s("/"), UserName: s("alice"), UserId: s("AIDAALICE0000000001"), Arn: s("arn:aws:iam::111111111111:user/alice"), CreateDate: aws.Time(day(-400)),
				UserPolicyList:          []types.PolicyDetail{{PolicyName: s("s3-read"), PolicyDocument: s(s3ReadInline)}},
				GroupList:               []string{"admins"},
				AttachedManagedPolicies: attached("arn:aws:iam::aws:policy/ReadOnlyAccess"),
				Tags:                    []types.Tag{{Key: s("owner"), Value: s("alice@example.com")}, {Key: s("team"), Value: s("security")}},
			},
			{
				Path: s("/"), UserName: s("bob"), UserId: s("AIDABOB000000000001"), Arn: s("arn:aws:iam::111111111111:user/bob"), CreateDate: aws.Time(day(-200)),
				GroupList: []string{"devs"},
			},
			{
				Path: s("/"), UserName: s("Carol"), UserId: s("AIDACAROL0000000001"), Arn: s("arn:aws:iam::111111111111:user/Carol"), CreateDate: aws.Time(day(-50)),
				GroupList: []string{"devs", "admins"},
				PermissionsBoundary: &types.AttachedPermissionsBoundary{
					PermissionsBoundaryType: types.PermissionsBoundaryAttachmentTypePolicy,
					PermissionsBoundaryArn:  s("arn:aws:iam::111111111111:policy/boundary/dev-boundary"),
				},
			},
			{
				Path: s("/service/"), UserName: s("svc-deploy"), UserId: s("AIDASVC000000000001"), Arn: s("arn:aws:iam::111111111111:user/service/svc-deploy"), CreateDate: aws.Time(day(-500)),
				AttachedManagedPolicies: attached("arn:aws:iam::111111111111:policy/deploy"),
			},
		},
		GroupDetailList: []types.GroupDetail{
			{
				Path: s("/"), GroupName: s("admins"), GroupId: s("AGPAADMINS000000001"), Arn: s("arn:aws:iam::111111111111:group/admins"), CreateDate: aws.Time(day(-900)),
				AttachedManagedPolicies: attached("arn:aws:iam::aws:policy/AdministratorAccess"),
			},
			{
				Path: s("/"), GroupName: s("devs"), GroupId: s("AGPADEVS00000000001"), Arn: s("arn:aws:iam::111111111111:group/devs"), CreateDate: aws.Time(day(-800)),
				GroupPolicyList:         []types.PolicyDetail{{PolicyName: s("logs"), PolicyDocument: s(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)}},
				AttachedManagedPolicies: attached("arn:aws:iam::111111111111:policy/deploy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
			},
		},
		RoleDetailList: []types.RoleDetail{
			{
				Path: s("/aws-service-role/support.amazonaws.com/"), RoleName: s("AWSServiceRoleForSupport"), RoleId: s("AROASUPPORT00000001"),
				Arn: s("arn:aws:iam::111111111111:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"), CreateDate: aws.Time(day(-999)),
				AssumeRolePolicyDocument: s(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"support.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
				AttachedManagedPolicies:  attached("arn:aws:iam::aws:policy/AWSSupportAccess"),
				RoleLastUsed:             &types.RoleLastUsed{},
			},
			{
				Path: s("/"), RoleName: s("ci-deployer"), RoleId: s("AROACI0000000000001"), Arn: s("arn:aws:iam::111111111111:role/ci-deployer"), CreateDate: aws.Time(day(-600)),
				AssumeRolePolicyDocument: s(trustEC2),
				AttachedManagedPolicies:  attached("arn:aws:iam::111111111111:policy/deploy"),
				Tags:                     []types.Tag{{Key: s("owner"), Value: s("platform")}},
				RoleLastUsed:             &types.RoleLastUsed{LastUsedDate: aws.Time(day(-1)), Region: s("eu-west-1")},
			},
		},
		Policies: []types.ManagedPolicyDetail{
			{
				PolicyName: s("deploy"), PolicyId: s("ANPADEPLOY000000001"), Arn: s("arn:aws:iam::111111111111:policy/deploy"), Path: s("/"),
				DefaultVersionId: s("v2"), AttachmentCount: aws.Int32(3), PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
				Description: s("deploy services"), CreateDate: aws.Time(day(-700)), UpdateDate: aws.Time(day(-100)),
				PolicyVersionList: []types.PolicyVersion{
					{Document: s(deployV1), VersionId: s("v1"), IsDefaultVersion: false, CreateDate: aws.Time(day(-700))},
					{Document: s(deployV2), VersionId: s("v2"), IsDefaultVersion: true, CreateDate: aws.Time(day(-100))},
				},
			},
			{
				PolicyName: s("dev-boundary"), PolicyId: s("ANPABOUNDARY0000001"), Arn: s("arn:aws:iam::111111111111:policy/boundary/dev-boundary"), Path: s("/boundary/"),
				DefaultVersionId: s("v1"), AttachmentCount: aws.Int32(0), PermissionsBoundaryUsageCount: aws.Int32(1), IsAttachable: true,
				CreateDate: aws.Time(day(-60)), UpdateDate: aws.Time(day(-60)),
				PolicyVersionList: []types.PolicyVersion{
					{Document: s(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), VersionId: s("v1"), IsDefaultVersion: true, CreateDate: aws.Time(day(-60))},
				},
			},
			awsDetail("AdministratorAccess", 1),
			awsDetail("AWSSupportAccess", 1),
			awsDetail("ReadOnlyAccess", 2),
		},
		IsTruncated: false,
	}
}

func TestGetAccountAuthorizationDetailsContent(t *testing.T) {
	f := newFixture(t, testOrg())
	out, err := f.iam().GetAccountAuthorizationDetails(t.Context(), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	decodeGAAD(t, out)
	out.ResultMetadata = wantGAAD().ResultMetadata
	if diff := cmp.Diff(wantGAAD(), out, cmpSDK...); diff != "" {
		t.Errorf("GetAccountAuthorizationDetails (-want +got):\n%s", diff)
	}
}

// TestPolicyDocumentEncoding pins the wire form of documents to IAM's: every character but
// A-Z a-z 0-9 - _ . ~ percent-encoded, spaces as %20.
func TestPolicyDocumentEncoding(t *testing.T) {
	f := newFixture(t, testOrg())
	out, err := f.iam().GetAccountAuthorizationDetails(t.Context(), &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"trust":     *out.RoleDetailList[1].AssumeRolePolicyDocument,
		"deploy v2": *out.Policies[0].PolicyVersionList[1].Document,
	}
	want := map[string]string{
		"trust":     "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
		"deploy v2": "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%5B%22ecs%3AUpdateService%22%2C%20%22iam%3APassRole%22%5D%2C%20%22Resource%22%3A%20%22%2A%22%7D%5D%7D",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("encoded documents (-want +got):\n%s", diff)
	}
}

func TestGetAccountAuthorizationDetailsPaging(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	for _, tc := range []struct {
		name      string
		filter    []types.EntityType
		wantPages int
	}{
		{"all entities", nil, 7},                                                      // 4 users + 2 groups + 2 roles + 5 policies = 13
		{"users and roles", []types.EntityType{"User", "Role"}, 3},                    // 6
		{"policies", []types.EntityType{"LocalManagedPolicy", "AWSManagedPolicy"}, 3}, // 5
		{"groups only", []types.EntityType{"Group"}, 1},                               // exactly one full page, no empty tail
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.ResetCalls()
			want, err := client.GetAccountAuthorizationDetails(t.Context(), &iam.GetAccountAuthorizationDetailsInput{Filter: tc.filter, MaxItems: aws.Int32(1000)})
			if err != nil {
				t.Fatal(err)
			}
			got := &iam.GetAccountAuthorizationDetailsOutput{}
			pages := 0
			p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{Filter: tc.filter, MaxItems: aws.Int32(2)})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if n := len(page.UserDetailList) + len(page.GroupDetailList) + len(page.RoleDetailList) + len(page.Policies); n > 2 || (n < 2 && page.IsTruncated) {
					t.Errorf("page %d has %d entities, truncated %v", pages, n, page.IsTruncated)
				}
				got.UserDetailList = append(got.UserDetailList, page.UserDetailList...)
				got.GroupDetailList = append(got.GroupDetailList, page.GroupDetailList...)
				got.RoleDetailList = append(got.RoleDetailList, page.RoleDetailList...)
				got.Policies = append(got.Policies, page.Policies...)
			}
			if pages != tc.wantPages {
				t.Errorf("pages = %d, want %d", pages, tc.wantPages)
			}
			want.ResultMetadata = got.ResultMetadata
			if diff := cmp.Diff(want, got, cmpSDK...); diff != "" {
				t.Errorf("paged result differs from the single page (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]int{"iam:GetAccountAuthorizationDetails": tc.wantPages + 1}, f.srv.Calls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPagingSurvivesDeletion: a marker names the next entity, so deleting an entity that was
// already served does not make the next page skip one.
func TestPagingSurvivesDeletion(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	first, err := client.ListUsers(t.Context(), &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteUser(t.Context(), &iam.DeleteUserInput{UserName: aws.String("nobody")}); err == nil {
		t.Fatal("deleting a missing user succeeded")
	}
	// bob (served on page 1) loses his key and group, then is deleted.
	if _, err := client.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String("AKIABOB0000000000001")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.RemoveUserFromGroup(t.Context(), &iam.RemoveUserFromGroupInput{UserName: aws.String("bob"), GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteUser(t.Context(), &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	second, err := client.ListUsers(t.Context(), &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: first.Marker})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range append(first.Users, second.Users...) {
		names = append(names, *u.UserName)
	}
	if diff := cmp.Diff([]string{"alice", "bob", "Carol", "svc-deploy"}, names); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
}

func TestGetAccountAuthorizationDetailsValidation(t *testing.T) {
	f := newFixture(t, testOrg())
	for _, tc := range []struct {
		name string
		in   *iam.GetAccountAuthorizationDetailsInput
		code string
	}{
		{"MaxItems 0", &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(0)}, "ValidationError"},
		{"MaxItems 1001", &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1001)}, "ValidationError"},
		{"bad filter", &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{"Robot"}}, "ValidationError"},
		{"foreign marker", &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String(encodeMarker("ListUsers", 0, "a"))}, "ValidationError"},
		{"garbage marker", &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("!!")}, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.iam().GetAccountAuthorizationDetails(t.Context(), tc.in)
			if code, _ := apiErr(t, err); code != tc.code {
				t.Errorf("code = %s, want %s (%v)", code, tc.code, err)
			}
		})
	}
}

func names[T any](items []T, name func(T) *string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, *name(it))
	}
	return out
}

func TestListOperationsPaging(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	two := aws.Int32(2)
	for _, tc := range []struct {
		name string
		list func(t *testing.T) (items []string, pages int)
		want []string
	}{
		{"ListUsers", func(t *testing.T) ([]string, int) {
			var out []string
			pages := 0
			p := iam.NewListUsersPaginator(client, &iam.ListUsersInput{MaxItems: two})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				out = append(out, names(page.Users, func(u types.User) *string { return u.UserName })...)
			}
			return out, pages
		}, []string{"alice", "bob", "Carol", "svc-deploy"}},
		{"ListUsers PathPrefix", func(t *testing.T) ([]string, int) {
			page, err := client.ListUsers(t.Context(), &iam.ListUsersInput{PathPrefix: aws.String("/service/")})
			if err != nil {
				t.Fatal(err)
			}
			return names(page.Users, func(u types.User) *string { return u.Arn }), 1
		}, []string{"arn:aws:iam::111111111111:user/service/svc-deploy"}},
		{"ListGroups", func(t *testing.T) ([]string, int) {
			var out []string
			pages := 0
			p := iam.NewListGroupsPaginator(client, &iam.ListGroupsInput{MaxItems: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				out = append(out, names(page.Groups, func(g types.Group) *string { return g.GroupName })...)
			}
			return out, pages
		}, []string{"admins", "devs"}},
		{"ListRoles", func(t *testing.T) ([]string, int) {
			var out []string
			pages := 0
			p := iam.NewListRolesPaginator(client, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				out = append(out, names(page.Roles, func(r types.Role) *string { return r.RoleName })...)
			}
			return out, pages
		}, []string{"AWSServiceRoleForSupport", "ci-deployer"}},
		{"ListPolicies Local", func(t *testing.T) ([]string, int) {
			var out []string
			pages := 0
			p := iam.NewListPoliciesPaginator(client, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(1)})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				out = append(out, names(page.Policies, func(p types.Policy) *string { return p.Arn })...)
			}
			return out, pages
		}, []string{"arn:aws:iam::111111111111:policy/deploy", "arn:aws:iam::111111111111:policy/boundary/dev-boundary"}},
		{"ListPolicies All OnlyAttached", func(t *testing.T) ([]string, int) {
			var out []string
			pages := 0
			p := iam.NewListPoliciesPaginator(client, &iam.ListPoliciesInput{OnlyAttached: true, MaxItems: two})
			for p.HasMorePages() {
				page, err := p.NextPage(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pages++
				out = append(out, names(page.Policies, func(p types.Policy) *string { return p.PolicyName })...)
			}
			return out, pages
		}, []string{"deploy", "dev-boundary", "AdministratorAccess", "AWSSupportAccess", "ReadOnlyAccess"}},
		{"ListPolicies AWS PathPrefix", func(t *testing.T) ([]string, int) {
			page, err := client.ListPolicies(t.Context(), &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, PathPrefix: aws.String("/job-function/")})
			if err != nil {
				t.Fatal(err)
			}
			return names(page.Policies, func(p types.Policy) *string { return p.Arn }), 1
		}, []string{"arn:aws:iam::aws:policy/job-function/Billing", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := tc.list(t)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if want := (len(tc.want) + 1) / 2; tc.name == "ListUsers" && pages != want {
				t.Errorf("pages = %d, want %d", pages, want)
			}
		})
	}
}

func TestListPoliciesCounts(t *testing.T) {
	f := newFixture(t, testOrg())
	out, err := f.iam().ListPolicies(t.Context(), &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil {
		t.Fatal(err)
	}
	s := aws.String
	want := []types.Policy{
		{PolicyName: s("deploy"), PolicyId: s("ANPADEPLOY000000001"), Arn: s("arn:aws:iam::111111111111:policy/deploy"), Path: s("/"), DefaultVersionId: s("v2"),
			AttachmentCount: aws.Int32(3), PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true, CreateDate: aws.Time(day(-700)), UpdateDate: aws.Time(day(-100))},
		{PolicyName: s("dev-boundary"), PolicyId: s("ANPABOUNDARY0000001"), Arn: s("arn:aws:iam::111111111111:policy/boundary/dev-boundary"), Path: s("/boundary/"), DefaultVersionId: s("v1"),
			AttachmentCount: aws.Int32(0), PermissionsBoundaryUsageCount: aws.Int32(1), IsAttachable: true, CreateDate: aws.Time(day(-60)), UpdateDate: aws.Time(day(-60))},
	}
	if diff := cmp.Diff(want, out.Policies, cmpSDK...); diff != "" {
		t.Errorf("ListPolicies (-want +got):\n%s", diff)
	}
}

func TestPerUserOperations(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	s := aws.String
	c := t.Context()

	keys, err := client.ListAccessKeys(c, &iam.ListAccessKeysInput{UserName: s("alice")})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []types.AccessKeyMetadata{
		{UserName: s("alice"), AccessKeyId: s("AKIAALICE00000000001"), Status: types.StatusTypeActive, CreateDate: aws.Time(day(-300))},
		{UserName: s("alice"), AccessKeyId: s("AKIAALICE00000000002"), Status: types.StatusTypeActive, CreateDate: aws.Time(day(-20))},
	}
	if diff := cmp.Diff(wantKeys, keys.AccessKeyMetadata, cmpSDK...); diff != "" {
		t.Errorf("ListAccessKeys (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		key  string
		want iam.GetAccessKeyLastUsedOutput
	}{
		{"AKIAALICE00000000001", iam.GetAccessKeyLastUsedOutput{UserName: s("alice"), AccessKeyLastUsed: &types.AccessKeyLastUsed{LastUsedDate: aws.Time(day(-2)), ServiceName: s("ec2"), Region: s("us-east-1")}}},
		{"AKIAALICE00000000002", iam.GetAccessKeyLastUsedOutput{UserName: s("alice"), AccessKeyLastUsed: &types.AccessKeyLastUsed{ServiceName: s("N/A"), Region: s("N/A")}}},
	} {
		got, err := client.GetAccessKeyLastUsed(c, &iam.GetAccessKeyLastUsedInput{AccessKeyId: s(tc.key)})
		if err != nil {
			t.Fatal(err)
		}
		got.ResultMetadata = tc.want.ResultMetadata
		if diff := cmp.Diff(&tc.want, got, cmpSDK...); diff != "" {
			t.Errorf("GetAccessKeyLastUsed %s (-want +got):\n%s", tc.key, diff)
		}
	}
	if _, err := client.GetAccessKeyLastUsed(c, &iam.GetAccessKeyLastUsedInput{AccessKeyId: s("AKIANOPE")}); err == nil {
		t.Error("GetAccessKeyLastUsed of an unknown key succeeded")
	} else if code, _ := apiErr(t, err); code != "NoSuchEntity" {
		t.Errorf("unknown key: code %s", code)
	}

	mfa, err := client.ListMFADevices(c, &iam.ListMFADevicesInput{UserName: s("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]types.MFADevice{{UserName: s("alice"), SerialNumber: s("arn:aws:iam::111111111111:mfa/alice"), EnableDate: aws.Time(day(-400))}}, mfa.MFADevices, cmpSDK...); diff != "" {
		t.Errorf("ListMFADevices (-want +got):\n%s", diff)
	}

	lp, err := client.GetLoginProfile(c, &iam.GetLoginProfileInput{UserName: s("Carol")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&types.LoginProfile{UserName: s("Carol"), CreateDate: aws.Time(day(-50)), PasswordResetRequired: true}, lp.LoginProfile, cmpSDK...); diff != "" {
		t.Errorf("GetLoginProfile (-want +got):\n%s", diff)
	}
	_, err = client.GetLoginProfile(c, &iam.GetLoginProfileInput{UserName: s("bob")})
	var nse *types.NoSuchEntityException
	if !asErr(err, &nse) {
		t.Errorf("GetLoginProfile without a password: %v, want NoSuchEntityException", err)
	}

	ap, err := client.ListAttachedUserPolicies(c, &iam.ListAttachedUserPoliciesInput{UserName: s("ALICE")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(attached("arn:aws:iam::aws:policy/ReadOnlyAccess"), ap.AttachedPolicies, cmpSDK...); diff != "" {
		t.Errorf("ListAttachedUserPolicies (user names are case-insensitive) (-want +got):\n%s", diff)
	}

	up, err := client.ListUserPolicies(c, &iam.ListUserPoliciesInput{UserName: s("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"s3-read"}, up.PolicyNames); diff != "" {
		t.Errorf("ListUserPolicies (-want +got):\n%s", diff)
	}

	var groups []string
	gp := iam.NewListGroupsForUserPaginator(client, &iam.ListGroupsForUserInput{UserName: s("Carol"), MaxItems: aws.Int32(1)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(c)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, names(page.Groups, func(g types.Group) *string { return g.Arn })...)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::111111111111:group/devs", "arn:aws:iam::111111111111:group/admins"}, groups); diff != "" {
		t.Errorf("ListGroupsForUser (-want +got):\n%s", diff)
	}

	tags, err := client.ListUserTags(c, &iam.ListUserTagsInput{UserName: s("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]types.Tag{{Key: s("owner"), Value: s("alice@example.com")}, {Key: s("team"), Value: s("security")}}, tags.Tags, cmpSDK...); diff != "" {
		t.Errorf("ListUserTags (-want +got):\n%s", diff)
	}

	_, err = client.ListAccessKeys(c, &iam.ListAccessKeysInput{UserName: s("nobody")})
	if code, msg := apiErr(t, err); code != "NoSuchEntity" || msg != "The user with name nobody cannot be found." {
		t.Errorf("ListAccessKeys of a missing user: %s %q", code, msg)
	}
}

func TestAccountSummaryAndPasswordPolicy(t *testing.T) {
	f := newFixture(t, testOrg())
	sum, err := f.iam().GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int32{
		"AccessKeysPerUserQuota": 2, "AccountAccessKeysPresent": 1, "AccountMFAEnabled": 1, "AccountSigningCertificatesPresent": 0,
		"AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10,
		"AttachedPoliciesPerUserQuota": 10, "GlobalEndpointTokenVersion": 1, "GroupPolicySizeQuota": 5120, "Groups": 2,
		"GroupsPerUserQuota": 10, "GroupsQuota": 300, "InstanceProfiles": 0, "InstanceProfilesQuota": 1000, "MFADevices": 2,
		"MFADevicesInUse": 2, "Policies": 2, "PoliciesQuota": 1500, "PolicySizeQuota": 6144, "PolicyVersionsInUse": 3,
		"PolicyVersionsInUseQuota": 10000, "Providers": 0, "RolePolicySizeQuota": 10240, "Roles": 2, "RolesQuota": 1000,
		"ServerCertificates": 0, "ServerCertificatesQuota": 20, "SigningCertificatesPerUserQuota": 2, "UserPolicySizeQuota": 2048,
		"Users": 4, "UsersQuota": 5000, "VersionsPerPolicyQuota": 5,
	}
	got := map[string]int32{}
	for k, v := range sum.SummaryMap {
		got[k] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SummaryMap (-want +got):\n%s", diff)
	}

	pp, err := f.iam().GetAccountPasswordPolicy(t.Context(), &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantPP := &types.PasswordPolicy{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, ExpirePasswords: true,
		MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24), HardExpiry: aws.Bool(false),
	}
	if diff := cmp.Diff(wantPP, pp.PasswordPolicy, cmpSDK...); diff != "" {
		t.Errorf("PasswordPolicy (-want +got):\n%s", diff)
	}

	prod := iam.NewFromConfig(f.assumed(t, prodID, extID))
	_, err = prod.GetAccountPasswordPolicy(t.Context(), &iam.GetAccountPasswordPolicyInput{})
	var nse *types.NoSuchEntityException
	if !asErr(err, &nse) {
		t.Fatalf("no password policy: %v, want NoSuchEntityException", err)
	}
	if want := "The Password Policy with domain name 222222222222 cannot be found."; nse.ErrorMessage() != want {
		t.Errorf("message %q, want %q", nse.ErrorMessage(), want)
	}
}
