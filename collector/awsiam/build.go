package awsiam

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Policy document kinds (PolicyDoc.Kind).
const (
	DocAWSManaged      = "aws_managed"
	DocCustomerManaged = "customer_managed"
	DocInline          = "inline"
	DocPermissionSet   = "permission_set"
)

// Principal attribute keys.
const (
	AttrPath                = "path"
	AttrPermissionsBoundary = "permissions_boundary"
	AttrAssumeRolePolicy    = "assume_role_policy"
	AttrServiceLinked       = "service_linked"
)

// built is one account's principals and documents.
type built struct {
	principals []inventory.Principal
	docs       []inventory.PolicyDoc
	problems   []problem
}

// builder turns one account's authorization details, credential report and MFA devices into
// inventory records.
type builder struct {
	account    string
	docs       map[string]inventory.PolicyDoc
	referenced map[string]bool
	problems   []problem
}

// buildAccount maps an account's IAM data onto the inventory (see docs/inventory.md).
func buildAccount(account string, d *authDetails, rows []ReportRow, mfa map[string][]inventory.Credential) built {
	b := &builder{account: account, docs: map[string]inventory.PolicyDoc{}, referenced: map[string]bool{}}
	b.managedPolicies(d.policies)

	report := make(map[string]*ReportRow, len(rows))
	var root *ReportRow
	for i := range rows {
		if rows[i].Root() {
			root = &rows[i]
			continue
		}
		report[rows[i].ARN] = &rows[i]
	}

	principals := make([]inventory.Principal, 0, len(d.groups)+len(d.users)+len(d.roles)+1)
	seen := map[string]bool{}
	add := func(p inventory.Principal) {
		if seen[p.ID] {
			return
		}
		seen[p.ID] = true
		p.Normalize()
		principals = append(principals, p)
	}

	groupARNs := map[string]string{}
	// Each group's grants as its members get them: one Via string per group, not per member.
	groupGrants := map[string][]inventory.Grant{}
	for _, g := range d.groups {
		arn := aws.ToString(g.Arn)
		groupARNs[aws.ToString(g.GroupName)] = arn
		grants := b.grants(arn, g.AttachedManagedPolicies, g.GroupPolicyList)
		viaGroup, name := slices.Clone(grants), "group:"+arn
		for i := range viaGroup {
			viaGroup[i].Via = name
		}
		groupGrants[arn] = viaGroup
		add(inventory.Principal{
			ID:         arn,
			Provider:   inventory.ProviderAWS,
			Account:    account,
			Kind:       inventory.KindGroup,
			Name:       aws.ToString(g.GroupName),
			NativeID:   aws.ToString(g.GroupId),
			CreatedAt:  utc(g.CreateDate),
			Grants:     grants,
			Attributes: attrs(AttrPath, aws.ToString(g.Path)),
		})
	}

	for _, u := range d.users {
		arn := aws.ToString(u.Arn)
		p := inventory.Principal{
			ID:         arn,
			Provider:   inventory.ProviderAWS,
			Account:    account,
			Kind:       inventory.KindUser,
			Name:       aws.ToString(u.UserName),
			NativeID:   aws.ToString(u.UserId),
			CreatedAt:  utc(u.CreateDate),
			Tags:       tags(u.Tags),
			Grants:     b.grants(arn, u.AttachedManagedPolicies, u.UserPolicyList),
			Attributes: attrs(AttrPath, aws.ToString(u.Path), AttrPermissionsBoundary, boundary(u.PermissionsBoundary)),
		}
		for _, name := range u.GroupList {
			garn, ok := groupARNs[name]
			if !ok {
				b.problem("user "+arn, collector.Errorf(inventory.ErrInvalid, "group %q is not in the authorization details", name))
				continue
			}
			p.Groups = append(p.Groups, garn)
			p.Grants = append(p.Grants, groupGrants[garn]...)
		}
		if row := report[arn]; row != nil {
			applyReport(&p, row, false)
		}
		p.Credentials = append(p.Credentials, mfa[arn]...)
		add(p)
	}

	trusts := map[string]string{}
	for _, r := range d.roles {
		arn := aws.ToString(r.Arn)
		path := aws.ToString(r.Path)
		trust, err := decodeDocument(aws.ToString(r.AssumeRolePolicyDocument))
		if err != nil {
			b.problem("role "+arn, collector.Errorf(inventory.ErrInvalid, "assume role policy: %w", err))
		}
		// Roles share a handful of trust policies: one string for each.
		if t, ok := trusts[trust]; ok {
			trust = t
		} else {
			trusts[trust] = trust
		}
		a := attrs(AttrPath, path, AttrPermissionsBoundary, boundary(r.PermissionsBoundary), AttrAssumeRolePolicy, trust)
		if strings.HasPrefix(path, "/aws-service-role/") {
			if a == nil {
				a = map[string]string{}
			}
			a[AttrServiceLinked] = "true"
		}
		p := inventory.Principal{
			ID:         arn,
			Provider:   inventory.ProviderAWS,
			Account:    account,
			Kind:       inventory.KindRole,
			Name:       aws.ToString(r.RoleName),
			NativeID:   aws.ToString(r.RoleId),
			CreatedAt:  utc(r.CreateDate),
			Tags:       tags(r.Tags),
			Grants:     b.grants(arn, r.AttachedManagedPolicies, r.RolePolicyList),
			Attributes: a,
		}
		if r.RoleLastUsed != nil {
			p.LastActivity = utc(r.RoleLastUsed.LastUsedDate)
		}
		add(p)
	}

	if root != nil {
		p := inventory.Principal{
			ID:        root.ARN,
			Provider:  inventory.ProviderAWS,
			Account:   account,
			Kind:      inventory.KindRoot,
			Name:      RootUser,
			CreatedAt: root.UserCreationTime,
		}
		applyReport(&p, root, true)
		p.Credentials = append(p.Credentials, mfa[root.ARN]...)
		add(p)
	}

	slices.SortFunc(principals, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	var docs []inventory.PolicyDoc
	for id, doc := range b.docs {
		if doc.Kind == DocAWSManaged && !b.referenced[id] {
			continue // AWS publishes about 1,400; keep those something uses
		}
		docs = append(docs, doc)
	}
	slices.SortFunc(docs, func(a, b inventory.PolicyDoc) int { return strings.Compare(a.ID, b.ID) })
	return built{principals: principals, docs: docs, problems: b.problems}
}

func (b *builder) problem(step string, err error) {
	b.problems = append(b.problems, problem{step, err})
}

// managedPolicies records each managed policy's default version.
func (b *builder) managedPolicies(policies []iamtypes.ManagedPolicyDetail) {
	for _, p := range policies {
		arn := aws.ToString(p.Arn)
		if _, dup := b.docs[arn]; dup {
			continue
		}
		def := aws.ToString(p.DefaultVersionId)
		var raw string
		found := false
		for _, v := range p.PolicyVersionList {
			if v.IsDefaultVersion || (def != "" && aws.ToString(v.VersionId) == def) {
				raw, found = aws.ToString(v.Document), true
				if def == "" {
					def = aws.ToString(v.VersionId)
				}
				break
			}
		}
		name := aws.ToString(p.PolicyName)
		if name == "" {
			name = arn[strings.LastIndexByte(arn, '/')+1:]
		}
		doc := inventory.PolicyDoc{
			ID:       arn,
			Provider: inventory.ProviderAWS,
			Name:     name,
			Kind:     managedKind(arn),
			Version:  def,
		}
		if !found {
			b.problem("policy "+arn, collector.Errorf(inventory.ErrInvalid, "default version %q is not in the authorization details", def))
			b.docs[arn] = doc
			continue
		}
		doc.Document, doc.Privilege = b.document("policy "+arn, raw)
		b.docs[arn] = doc
	}
}

// document decodes a URL-encoded policy and computes its privilege, recording a problem for a
// document that cannot be read.
func (b *builder) document(step, raw string) (string, inventory.Privilege) {
	doc, err := decodeDocument(raw)
	if err != nil {
		b.problem(step, collector.Errorf(inventory.ErrInvalid, "%w", err))
		return raw, inventory.PrivilegeNone
	}
	priv, err := PolicyPrivilege(doc)
	if err != nil {
		b.problem(step, collector.Errorf(inventory.ErrInvalid, "%w", err))
	}
	return doc, priv
}

// grants returns a principal's direct grants: attached managed policies and inline policies
// (recorded as documents "<principal ARN>/inline/<name>").
func (b *builder) grants(principal string, attached []iamtypes.AttachedPolicy, inline []iamtypes.PolicyDetail) []inventory.Grant {
	var out []inventory.Grant
	for _, a := range attached {
		arn := aws.ToString(a.PolicyArn)
		b.referenced[arn] = true
		out = append(out, inventory.Grant{What: arn, Where: b.account, Via: "direct", Privilege: b.docs[arn].Privilege})
	}
	for _, p := range inline {
		name := aws.ToString(p.PolicyName)
		id := principal + "/inline/" + name
		doc, priv := b.document("inline policy "+id, aws.ToString(p.PolicyDocument))
		b.docs[id] = inventory.PolicyDoc{ID: id, Provider: inventory.ProviderAWS, Name: name, Kind: DocInline, Document: doc, Privilege: priv}
		out = append(out, inventory.Grant{What: id, Where: b.account, Via: "direct", Privilege: priv})
	}
	return out
}

// applyReport fills console access, MFA, credentials and last activity from a credential
// report row. The root row says not_supported for password_enabled: root has a password
// unless the report says false.
func applyReport(p *inventory.Principal, row *ReportRow, root bool) {
	p.Console = row.PasswordEnabled.True() || (root && row.PasswordEnabled == FlagAbsent)
	p.MFA = row.MFAActive.True()
	last := row.PasswordLastUsed
	if p.Console {
		p.Credentials = append(p.Credentials, inventory.Credential{
			Kind:      inventory.CredPassword,
			ID:        "password",
			Status:    inventory.CredActive,
			CreatedAt: row.PasswordLastChanged,
			LastUsed:  row.PasswordLastUsed,
			ExpiresAt: row.PasswordNextRotation,
		})
	}
	for i, k := range row.AccessKeys {
		if k.LastRotated.IsZero() {
			continue // empty slot
		}
		p.Credentials = append(p.Credentials, inventory.Credential{
			Kind:      inventory.CredAccessKey,
			ID:        fmt.Sprintf("access_key_%d", i+1),
			Status:    status(k.Active),
			CreatedAt: k.LastRotated,
			LastUsed:  k.LastUsed,
		})
		if k.LastUsed.After(last) {
			last = k.LastUsed
		}
	}
	for i, c := range row.Certs {
		if c.LastRotated.IsZero() {
			continue
		}
		p.Credentials = append(p.Credentials, inventory.Credential{
			Kind:      inventory.CredCertificate,
			ID:        fmt.Sprintf("cert_%d", i+1),
			Status:    status(c.Active),
			CreatedAt: c.LastRotated,
		})
	}
	p.LastActivity = last
}

func status(f Flag) string {
	if f.True() {
		return inventory.CredActive
	}
	return inventory.CredInactive
}

// decodeDocument returns the JSON of a policy document as IAM returns it: URL-encoded (RFC
// 3986) in authorization details and policy versions. A document that is already JSON is
// returned as is.
func decodeDocument(raw string) (string, error) {
	if raw == "" || strings.HasPrefix(strings.TrimSpace(raw), "{") {
		return raw, nil
	}
	doc, err := url.PathUnescape(raw)
	if err != nil {
		return "", fmt.Errorf("decode policy document: %w", err)
	}
	return doc, nil
}

func managedKind(arn string) string {
	if a, err := inventory.ParseARN(arn); err == nil && a.Account == "aws" {
		return DocAWSManaged
	}
	return DocCustomerManaged
}

func boundary(b *iamtypes.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return aws.ToString(b.PermissionsBoundaryArn)
}

// attrs builds an attribute map from key/value pairs, leaving out empty values.
func attrs(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func tags(ts []iamtypes.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func utc(t *time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
