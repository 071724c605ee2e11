package awsfake

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/google/go-cmp/cmp"
)

func TestSSOAdmin(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.sso()
	c := t.Context()
	s := aws.String

	inst, err := client.ListInstances(c, &ssoadmin.ListInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantInst := []ssotypes.InstanceMetadata{{InstanceArn: s(instance), IdentityStoreId: s(storeID), OwnerAccountId: s(mgmtID),
		Name: s("corp"), CreatedDate: aws.Time(day(-500)), Status: ssotypes.InstanceStatusActive}}
	if diff := cmp.Diff(wantInst, inst.Instances, cmpSDK...); diff != "" {
		t.Errorf("ListInstances (-want +got):\n%s", diff)
	}

	var sets []string
	p := ssoadmin.NewListPermissionSetsPaginator(client, &ssoadmin.ListPermissionSetsInput{InstanceArn: s(instance), MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(c)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, page.PermissionSets...)
	}
	if len(sets) != 2 || sets[0] != psAdmin || !regexp.MustCompile(`^arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-[0-9a-f]{16}$`).MatchString(sets[1]) {
		t.Fatalf("permission sets %v", sets)
	}
	psRead := sets[1]

	desc, err := client.DescribePermissionSet(c, &ssoadmin.DescribePermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(psRead)})
	if err != nil {
		t.Fatal(err)
	}
	wantPS := &ssotypes.PermissionSet{Name: s("ReadOnly"), PermissionSetArn: s(psRead), Description: s("read only"), CreatedDate: aws.Time(day(-300)), SessionDuration: s("PT1H")}
	if diff := cmp.Diff(wantPS, desc.PermissionSet, cmpSDK...); diff != "" {
		t.Errorf("DescribePermissionSet (-want +got):\n%s", diff)
	}

	var managed []ssotypes.AttachedManagedPolicy
	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(client, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(psRead), MaxResults: aws.Int32(1)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(c)
		if err != nil {
			t.Fatal(err)
		}
		managed = append(managed, page.AttachedManagedPolicies...)
	}
	wantManaged := []ssotypes.AttachedManagedPolicy{
		{Name: s("ReadOnlyAccess"), Arn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")},
		{Name: s("SecurityAudit"), Arn: s("arn:aws:iam::aws:policy/SecurityAudit")},
	}
	if diff := cmp.Diff(wantManaged, managed, cmpSDK...); diff != "" {
		t.Errorf("ListManagedPoliciesInPermissionSet (-want +got):\n%s", diff)
	}

	inline, err := client.GetInlinePolicyForPermissionSet(c, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(psRead)})
	if err != nil {
		t.Fatal(err)
	}
	if *inline.InlinePolicy != s3ReadInline {
		t.Errorf("inline policy %q", *inline.InlinePolicy)
	}

	refs, err := client.ListCustomerManagedPolicyReferencesInPermissionSet(c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(psRead)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ssotypes.CustomerManagedPolicyReference{{Name: s("extra-read"), Path: s("/")}}, refs.CustomerManagedPolicyReferences, cmpSDK...); diff != "" {
		t.Errorf("ListCustomerManagedPolicyReferencesInPermissionSet (-want +got):\n%s", diff)
	}

	provisioned := map[string][]string{}
	for _, ps := range sets {
		out, err := client.ListAccountsForProvisionedPermissionSet(c, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(ps)})
		if err != nil {
			t.Fatal(err)
		}
		provisioned[ps] = out.AccountIds
	}
	if diff := cmp.Diff(map[string][]string{psAdmin: {prodID}, psRead: {prodID, webID}}, provisioned); diff != "" {
		t.Errorf("ListAccountsForProvisionedPermissionSet (-want +got):\n%s", diff)
	}

	toAccount := map[string][]string{}
	for _, acc := range []string{mgmtID, prodID, webID} {
		out, err := client.ListPermissionSetsProvisionedToAccount(c, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: s(instance), AccountId: s(acc)})
		if err != nil {
			t.Fatal(err)
		}
		toAccount[acc] = out.PermissionSets
	}
	if diff := cmp.Diff(map[string][]string{mgmtID: {}, prodID: {psAdmin, psRead}, webID: {psRead}}, toAccount); diff != "" {
		t.Errorf("ListPermissionSetsProvisionedToAccount (-want +got):\n%s", diff)
	}

	var assignments []ssotypes.AccountAssignment
	ap := ssoadmin.NewListAccountAssignmentsPaginator(client, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: s(instance), AccountId: s(prodID), PermissionSetArn: s(psAdmin), MaxResults: aws.Int32(1)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(c)
		if err != nil {
			t.Fatal(err)
		}
		assignments = append(assignments, page.AccountAssignments...)
	}
	wantAssign := []ssotypes.AccountAssignment{
		{AccountId: s(prodID), PermissionSetArn: s(psAdmin), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: s("g-1")},
		{AccountId: s(prodID), PermissionSetArn: s(psAdmin), PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: s("u-1")},
	}
	if diff := cmp.Diff(wantAssign, assignments, cmpSDK...); diff != "" {
		t.Errorf("ListAccountAssignments (-want +got):\n%s", diff)
	}
	web, err := client.ListAccountAssignments(c, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: s(instance), AccountId: s(webID), PermissionSetArn: s(psRead)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ssotypes.AccountAssignment{{AccountId: s(webID), PermissionSetArn: s(psRead), PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: s("g-2")}}, web.AccountAssignments, cmpSDK...); diff != "" {
		t.Errorf("assignment by group display name resolves to the group ID (-want +got):\n%s", diff)
	}
}

func TestSSOAdminErrors(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.sso()
	s := aws.String
	_, err := client.DescribePermissionSet(t.Context(), &ssoadmin.DescribePermissionSetInput{InstanceArn: s(instance), PermissionSetArn: s(psAdmin + "x")})
	var nf *ssotypes.ResourceNotFoundException
	if !asErr(err, &nf) {
		t.Errorf("unknown permission set: %v, want ResourceNotFoundException", err)
	}
	_, err = client.ListPermissionSets(t.Context(), &ssoadmin.ListPermissionSetsInput{InstanceArn: s("arn:aws:sso:::instance/ssoins-ffffffffffffffff")})
	if !asErr(err, &nf) {
		t.Errorf("unknown instance: %v, want ResourceNotFoundException", err)
	}
	_, err = client.ListPermissionSets(t.Context(), &ssoadmin.ListPermissionSetsInput{InstanceArn: s(instance), MaxResults: aws.Int32(101)})
	var ve *ssotypes.ValidationException
	if !asErr(err, &ve) {
		t.Errorf("MaxResults 101: %v, want ValidationException", err)
	}
	member := ssoadmin.NewFromConfig(f.assumed(t, prodID, extID))
	inst, err := member.ListInstances(t.Context(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) != 0 {
		t.Errorf("ListInstances from a member account: %v %v, want none", inst, err)
	}
	_, err = member.ListPermissionSets(t.Context(), &ssoadmin.ListPermissionSetsInput{InstanceArn: s(instance)})
	var denied *ssotypes.AccessDeniedException
	if !asErr(err, &denied) {
		t.Errorf("ListPermissionSets from a member account: %v, want AccessDeniedException", err)
	}
}

func TestIdentityStore(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.identitystore()
	c := t.Context()
	s := aws.String

	var users []idtypes.User
	p := identitystore.NewListUsersPaginator(client, &identitystore.ListUsersInput{IdentityStoreId: s(storeID), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(c)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		users = append(users, page.Users...)
	}
	dana := idtypes.User{
		IdentityStoreId: s(storeID), UserId: s("u-1"), UserName: s("dana@example.com"), DisplayName: s("Dana Scully"),
		Name:        &idtypes.Name{Formatted: s("Dana Scully"), GivenName: s("Dana"), FamilyName: s("Scully")},
		Emails:      []idtypes.Email{{Value: s("dana@example.com"), Type: s("work"), Primary: true}},
		ExternalIds: []idtypes.ExternalId{{Issuer: s("okta"), Id: s("00u1")}},
		UserStatus:  idtypes.UserStatusEnabled,
	}
	wantUsers := []idtypes.User{
		dana,
		{IdentityStoreId: s(storeID), UserId: s("u-2"), UserName: s("fox@example.com"), DisplayName: s("Fox Mulder"),
			Emails: []idtypes.Email{{Value: s("fox@example.com"), Type: s("work"), Primary: true}}, UserStatus: idtypes.UserStatusEnabled},
		{IdentityStoreId: s(storeID), UserId: s("u-3"), UserName: s("skinner@example.com"), UserStatus: idtypes.UserStatusDisabled},
	}
	if diff := cmp.Diff(wantUsers, users, cmpSDK...); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("pages = %d, want 2", pages)
	}

	filtered, err := client.ListUsers(c, &identitystore.ListUsersInput{IdentityStoreId: s(storeID), Filters: []idtypes.Filter{{AttributePath: s("UserName"), AttributeValue: s("fox@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(filtered.Users, func(u idtypes.User) *string { return u.UserId }); !cmp.Equal(got, []string{"u-2"}) {
		t.Errorf("filtered users %v", got)
	}

	groups, err := client.ListGroups(c, &identitystore.ListGroupsInput{IdentityStoreId: s(storeID)})
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []idtypes.Group{
		{IdentityStoreId: s(storeID), GroupId: s("g-1"), DisplayName: s("platform"), Description: s("platform team")},
		{IdentityStoreId: s(storeID), GroupId: s("g-2"), DisplayName: s("auditors")},
	}
	if diff := cmp.Diff(wantGroups, groups.Groups, cmpSDK...); diff != "" {
		t.Errorf("ListGroups (-want +got):\n%s", diff)
	}

	members := map[string][]string{}
	for _, g := range []string{"g-1", "g-2"} {
		mp := identitystore.NewListGroupMembershipsPaginator(client, &identitystore.ListGroupMembershipsInput{IdentityStoreId: s(storeID), GroupId: s(g), MaxResults: aws.Int32(1)})
		for mp.HasMorePages() {
			page, err := mp.NextPage(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page.GroupMemberships {
				uid, ok := m.MemberId.(*idtypes.MemberIdMemberUserId)
				if !ok || *m.GroupId != g || *m.IdentityStoreId != storeID || *m.MembershipId == "" {
					t.Fatalf("membership %+v", m)
				}
				members[g] = append(members[g], uid.Value)
			}
		}
	}
	if diff := cmp.Diff(map[string][]string{"g-1": {"u-1", "u-2"}, "g-2": {"u-3"}}, members); diff != "" {
		t.Errorf("ListGroupMemberships (-want +got):\n%s", diff)
	}

	du, err := client.DescribeUser(c, &identitystore.DescribeUserInput{IdentityStoreId: s(storeID), UserId: s("u-1")})
	if err != nil {
		t.Fatal(err)
	}
	got := idtypes.User{IdentityStoreId: du.IdentityStoreId, UserId: du.UserId, UserName: du.UserName, DisplayName: du.DisplayName,
		Name: du.Name, Emails: du.Emails, ExternalIds: du.ExternalIds, UserStatus: du.UserStatus}
	if diff := cmp.Diff(dana, got, cmpSDK...); diff != "" {
		t.Errorf("DescribeUser (-want +got):\n%s", diff)
	}

	_, err = client.DescribeUser(c, &identitystore.DescribeUserInput{IdentityStoreId: s(storeID), UserId: s("u-404")})
	var nf *idtypes.ResourceNotFoundException
	if !asErr(err, &nf) {
		t.Fatalf("unknown user: %v, want ResourceNotFoundException", err)
	}
	if nf.ResourceType != idtypes.ResourceTypeUser || aws.ToString(nf.ResourceId) != "u-404" {
		t.Errorf("not found: type %s id %s", nf.ResourceType, aws.ToString(nf.ResourceId))
	}
	_, err = client.ListUsers(c, &identitystore.ListUsersInput{IdentityStoreId: s("d-ffffffffff")})
	if !asErr(err, &nf) {
		t.Errorf("unknown identity store: %v, want ResourceNotFoundException", err)
	}
	_, err = client.ListUsers(c, &identitystore.ListUsersInput{IdentityStoreId: s(storeID), Filters: []idtypes.Filter{{AttributePath: s("Title"), AttributeValue: s("x")}}})
	var ve *idtypes.ValidationException
	if !asErr(err, &ve) {
		t.Errorf("unsupported filter: %v, want ValidationException", err)
	}
}
