package awsiam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// MethodIdentityCenter is appended to the Coverage.Method of the account that owns the
// Identity Center instance.
const MethodIdentityCenter = "identity-center"

// ssoAdminAPI is what the collector calls on IAM Identity Center administration.
type ssoAdminAPI interface {
	ssoadmin.ListInstancesAPIClient
	ssoadmin.ListPermissionSetsAPIClient
	ssoadmin.ListManagedPoliciesInPermissionSetAPIClient
	ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetAPIClient
	ssoadmin.ListAccountsForProvisionedPermissionSetAPIClient
	ssoadmin.ListAccountAssignmentsAPIClient
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
}

// identityStoreAPI is what the collector calls on the Identity Store.
type identityStoreAPI interface {
	identitystore.ListUsersAPIClient
	identitystore.ListGroupsAPIClient
	identitystore.ListGroupMembershipsAPIClient
}

var (
	_ ssoAdminAPI      = (*ssoadmin.Client)(nil)
	_ identityStoreAPI = (*identitystore.Client)(nil)
)

// icData is what Identity Center yielded, before it is joined with the accounts' documents.
type icData struct {
	// owner is the account that owns the (first) instance; sso principals live in it.
	owner     string
	instances []icInstance
	problems  []problem
}

type icInstance struct {
	arn, store, owner string
	users             []icUser
	groups            []idtypes.Group
	members           map[string][]string // group ID → user IDs
	permSets          []icPermissionSet
	assignments       []ssotypes.AccountAssignment
}

// icUser is what the collector keeps of an identity store user: the SDK's User holds much
// more, and an identity store can hold hundreds of thousands of users.
type icUser struct {
	id, userName, displayName, email, externalID string
	created                                      time.Time
	disabled, hasExternalID                      bool
}

func newICUser(u *idtypes.User) icUser {
	v := icUser{id: aws.ToString(u.UserId), userName: aws.ToString(u.UserName), displayName: aws.ToString(u.DisplayName),
		email: primaryEmail(u.Emails), created: utc(u.CreatedAt), disabled: u.UserStatus == idtypes.UserStatusDisabled}
	if v.email == v.userName {
		v.email = v.userName // one string for both
	}
	if len(u.ExternalIds) > 0 {
		v.externalID, v.hasExternalID = aws.ToString(u.ExternalIds[0].Id), true
	}
	return v
}

type icPermissionSet struct {
	arn, name string
	inline    string
	managed   []string
	customer  []ssotypes.CustomerManagedPolicyReference
}

// collectIdentityCenter reads every Identity Center instance visible to cfg. Errors are
// recorded as problems; what was read before an error is kept.
func (c *Collector) collectIdentityCenter(ctx context.Context, cfg aws.Config, fallbackOwner string) *icData {
	ctx, cancel := context.WithTimeout(ctx, c.opts.AccountTimeout)
	defer cancel()
	d := &icData{owner: fallbackOwner}
	admin := ssoadmin.NewFromConfig(cfg)
	store := identitystore.NewFromConfig(cfg)

	ip := ssoadmin.NewListInstancesPaginator(admin, &ssoadmin.ListInstancesInput{})
	var metas []ssotypes.InstanceMetadata
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			d.problems = append(d.problems, problem{"identity center instances", Classify(err)})
			return d
		}
		metas = append(metas, page.Instances...)
	}
	for i, m := range metas {
		inst := icInstance{
			arn:     aws.ToString(m.InstanceArn),
			store:   aws.ToString(m.IdentityStoreId),
			owner:   aws.ToString(m.OwnerAccountId),
			members: map[string][]string{},
		}
		if inst.owner == "" {
			inst.owner = fallbackOwner
		}
		if i == 0 {
			d.owner = inst.owner
		}
		if err := c.readIdentityStore(ctx, store, &inst); err != nil {
			d.problems = append(d.problems, problem{"identity store " + inst.store, err})
		}
		if err := c.readPermissionSets(ctx, admin, &inst); err != nil {
			d.problems = append(d.problems, problem{"identity center instance " + inst.arn, err})
		}
		d.instances = append(d.instances, inst)
	}
	return d
}

func (c *Collector) readIdentityStore(ctx context.Context, client identityStoreAPI, inst *icInstance) error {
	up := identitystore.NewListUsersPaginator(client, &identitystore.ListUsersInput{IdentityStoreId: aws.String(inst.store)})
	for up.HasMorePages() {
		page, err := up.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list users: %w", Classify(err))
		}
		for i := range page.Users {
			inst.users = append(inst.users, newICUser(&page.Users[i]))
		}
	}
	gp := identitystore.NewListGroupsPaginator(client, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(inst.store)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list groups: %w", Classify(err))
		}
		inst.groups = append(inst.groups, page.Groups...)
	}
	for _, g := range inst.groups {
		gid := aws.ToString(g.GroupId)
		mp := identitystore.NewListGroupMembershipsPaginator(client, &identitystore.ListGroupMembershipsInput{
			IdentityStoreId: aws.String(inst.store),
			GroupId:         aws.String(gid),
		})
		for mp.HasMorePages() {
			page, err := mp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list members of group %s: %w", gid, Classify(err))
			}
			for _, m := range page.GroupMemberships {
				if u, ok := m.MemberId.(*idtypes.MemberIdMemberUserId); ok {
					inst.members[gid] = append(inst.members[gid], u.Value)
				}
			}
		}
	}
	return nil
}

func (c *Collector) readPermissionSets(ctx context.Context, client ssoAdminAPI, inst *icInstance) error {
	instARN := aws.String(inst.arn)
	var arns []string
	pp := ssoadmin.NewListPermissionSetsPaginator(client, &ssoadmin.ListPermissionSetsInput{InstanceArn: instARN})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list permission sets: %w", Classify(err))
		}
		arns = append(arns, page.PermissionSets...)
	}
	for _, psARN := range arns {
		ps := icPermissionSet{arn: psARN}
		arn := aws.String(psARN)
		desc, err := client.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: instARN, PermissionSetArn: arn})
		if err != nil {
			return fmt.Errorf("describe permission set %s: %w", psARN, Classify(err))
		}
		if desc.PermissionSet != nil {
			ps.name = aws.ToString(desc.PermissionSet.Name)
		}
		inline, err := client.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instARN, PermissionSetArn: arn})
		if err != nil {
			return fmt.Errorf("get inline policy of %s: %w", psARN, Classify(err))
		}
		ps.inline = aws.ToString(inline.InlinePolicy)
		mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(client, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: instARN, PermissionSetArn: arn})
		for mp.HasMorePages() {
			page, err := mp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list managed policies of %s: %w", psARN, Classify(err))
			}
			for _, p := range page.AttachedManagedPolicies {
				ps.managed = append(ps.managed, aws.ToString(p.Arn))
			}
		}
		cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(client, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: instARN, PermissionSetArn: arn})
		for cp.HasMorePages() {
			page, err := cp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list customer managed policy references of %s: %w", psARN, Classify(err))
			}
			ps.customer = append(ps.customer, page.CustomerManagedPolicyReferences...)
		}
		inst.permSets = append(inst.permSets, ps)

		// Assigning a permission set provisions it, so the provisioned accounts are exactly
		// the accounts that can hold assignments of it.
		var accounts []string
		ap := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(client, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: instARN, PermissionSetArn: arn})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list accounts of %s: %w", psARN, Classify(err))
			}
			accounts = append(accounts, page.AccountIds...)
		}
		slices.Sort(accounts)
		for _, acct := range slices.Compact(accounts) {
			asp := ssoadmin.NewListAccountAssignmentsPaginator(client, &ssoadmin.ListAccountAssignmentsInput{
				InstanceArn: instARN, PermissionSetArn: arn, AccountId: aws.String(acct),
			})
			for asp.HasMorePages() {
				page, err := asp.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list assignments of %s in %s: %w", psARN, acct, Classify(err))
				}
				inst.assignments = append(inst.assignments, page.AccountAssignments...)
			}
		}
	}
	return nil
}

// SSOPrincipalID returns the inventory ID of an Identity Center user or group.
func SSOPrincipalID(store, id string) string { return "aws-sso:" + store + ":" + id }

// customerPolicyARN is the ARN a customer-managed policy reference resolves to in account.
func customerPolicyARN(partition, account string, ref ssotypes.CustomerManagedPolicyReference) string {
	path := aws.ToString(ref.Path)
	if path == "" {
		path = "/"
	}
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", partition, account, path, aws.ToString(ref.Name))
}

// icJoined is Identity Center turned into inventory records.
type icJoined struct {
	principals []inventory.Principal
	docs       []inventory.PolicyDoc
	targets    map[string]bool // accounts that assignments target
	counts     map[string]int
	problems   []problem
}

// joinIdentityCenter builds sso_user and group principals with their grants and the permission
// set documents. docs holds every document collected from the accounts (by ID); fetch reads an
// AWS managed policy that no account's authorization details held.
func joinIdentityCenter(ctx context.Context, d *icData, partition string, docs map[string]inventory.PolicyDoc, fetch func(context.Context, string) (inventory.PolicyDoc, error)) icJoined {
	j := icJoined{targets: map[string]bool{}, counts: map[string]int{}, problems: slices.Clone(d.problems)}
	for _, inst := range d.instances {
		// Permission set documents.
		psDocs := map[string]inventory.PolicyDoc{}
		psByARN := map[string]icPermissionSet{}
		for _, ps := range inst.permSets {
			psByARN[ps.arn] = ps
			doc := inventory.PolicyDoc{
				ID:       ps.arn,
				Provider: inventory.ProviderAWS,
				Name:     ps.name,
				Kind:     DocPermissionSet,
				Document: ps.inline,
			}
			if ps.inline != "" {
				priv, err := PolicyPrivilege(ps.inline)
				if err != nil {
					j.problems = append(j.problems, problem{"permission set " + ps.arn, collector.Errorf(inventory.ErrInvalid, "inline policy: %w", err)})
				}
				doc.Privilege = doc.Privilege.Max(priv)
			}
			for _, arn := range ps.managed {
				doc.Permissions = append(doc.Permissions, arn)
				md, ok := docs[arn]
				if !ok {
					var err error
					md, err = fetch(ctx, arn)
					if err != nil {
						j.problems = append(j.problems, problem{"permission set " + ps.arn, fmt.Errorf("managed policy %s: %w", arn, Classify(err))})
						continue
					}
					docs[arn] = md
					j.docs = append(j.docs, md)
				}
				doc.Privilege = doc.Privilege.Max(md.Privilege)
			}
			for _, ref := range ps.customer {
				doc.Permissions = append(doc.Permissions, customerPolicyARN(partition, "*", ref))
			}
			slices.Sort(doc.Permissions)
			psDocs[ps.arn] = doc
			j.docs = append(j.docs, doc)
		}

		// Grants per principal: a permission set in a target account, at least as strong
		// as the customer-managed policies it references there.
		grantsOf := map[string][]inventory.Grant{} // "USER:id" / "GROUP:id"
		for _, a := range inst.assignments {
			psARN := aws.ToString(a.PermissionSetArn)
			acct := aws.ToString(a.AccountId)
			priv := psDocs[psARN].Privilege
			for _, ref := range psByARN[psARN].customer {
				priv = priv.Max(docs[customerPolicyARN(partition, acct, ref)].Privilege)
			}
			key := string(a.PrincipalType) + ":" + aws.ToString(a.PrincipalId)
			grantsOf[key] = append(grantsOf[key], inventory.Grant{What: psARN, Where: acct, Via: "direct", Privilege: priv})
			j.targets[acct] = true
		}

		groupsOf := map[string][]string{} // user ID → group principal IDs
		for _, g := range inst.groups {
			gid := aws.ToString(g.GroupId)
			id := SSOPrincipalID(inst.store, gid)
			p := inventory.Principal{
				ID:       id,
				Provider: inventory.ProviderAWS,
				Account:  inst.owner,
				Kind:     inventory.KindGroup,
				Name:     aws.ToString(g.DisplayName),
				NativeID: gid,
				Grants:   slices.Clone(grantsOf[string(ssotypes.PrincipalTypeGroup)+":"+gid]),
			}
			p.Normalize()
			j.principals = append(j.principals, p)
			for _, uid := range inst.members[gid] {
				groupsOf[uid] = append(groupsOf[uid], id)
			}
			j.counts["sso_groups"]++
		}
		// Each group's grants as its members get them: one Via string per group, not per member.
		groupGrants := map[string][]inventory.Grant{}
		for _, g := range inst.groups {
			gid := aws.ToString(g.GroupId)
			id := SSOPrincipalID(inst.store, gid)
			gs := slices.Clone(grantsOf[string(ssotypes.PrincipalTypeGroup)+":"+gid])
			via := "group:" + id
			for i := range gs {
				gs[i].Via = via
			}
			groupGrants[id] = gs
		}

		for _, u := range inst.users {
			uid := u.id
			direct := grantsOf[string(ssotypes.PrincipalTypeUser)+":"+uid]
			n := len(direct)
			for _, gid := range groupsOf[uid] {
				n += len(groupGrants[gid])
			}
			var grants []inventory.Grant
			if n > 0 {
				grants = append(make([]inventory.Grant, 0, n), direct...)
			}
			p := inventory.Principal{
				ID:        SSOPrincipalID(inst.store, uid),
				Provider:  inventory.ProviderAWS,
				Account:   inst.owner,
				Kind:      inventory.KindSSOUser,
				Name:      u.userName,
				Email:     u.email,
				NativeID:  uid,
				CreatedAt: u.created,
				Disabled:  u.disabled,
				Grants:    grants,
				Groups:    groupsOf[uid],
			}
			if u.displayName != "" || u.hasExternalID {
				a := make(map[string]string, 2)
				if u.displayName != "" {
					a["display_name"] = u.displayName
				}
				if u.hasExternalID {
					a["external_id"] = u.externalID
				}
				p.Attributes = a
			}
			for _, gid := range p.Groups {
				p.Grants = append(p.Grants, groupGrants[gid]...)
			}
			p.Normalize()
			j.principals = append(j.principals, p)
			j.counts["sso_users"]++
		}
		j.counts["permission_sets"] += len(inst.permSets)
	}
	slices.SortFunc(j.principals, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	return j
}

func primaryEmail(emails []idtypes.Email) string {
	for _, e := range emails {
		if e.Primary {
			return aws.ToString(e.Value)
		}
	}
	if len(emails) > 0 {
		return aws.ToString(emails[0].Value)
	}
	return ""
}

// fetchManagedPolicy reads one managed policy's default version with two IAM calls. It is used
// only for AWS managed policies that permission sets reference and no account attaches.
func fetchManagedPolicy(ctx context.Context, client iamAPI, arn string) (inventory.PolicyDoc, error) {
	pol, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return inventory.PolicyDoc{}, Classify(err)
	}
	if pol.Policy == nil || pol.Policy.DefaultVersionId == nil {
		return inventory.PolicyDoc{}, fmt.Errorf("policy %s has no default version", arn)
	}
	ver, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
	if err != nil {
		return inventory.PolicyDoc{}, Classify(err)
	}
	doc := inventory.PolicyDoc{
		ID:       arn,
		Provider: inventory.ProviderAWS,
		Name:     aws.ToString(pol.Policy.PolicyName),
		Kind:     managedKind(arn),
		Version:  aws.ToString(pol.Policy.DefaultVersionId),
	}
	if ver.PolicyVersion == nil {
		return doc, fmt.Errorf("policy %s version %s has no document", arn, doc.Version)
	}
	doc.Document, err = decodeDocument(aws.ToString(ver.PolicyVersion.Document))
	if err != nil {
		return doc, err
	}
	doc.Privilege, err = PolicyPrivilege(doc.Document)
	return doc, err
}
