package awsfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// maxValidationErrors bounds how many problems Validate reports.
const maxValidationErrors = 20

// Validate reports what real AWS could not hold: malformed or duplicate account IDs, names
// duplicated within an account (IAM names are case-insensitive), references to groups,
// policies, permission sets, users or accounts that do not exist, more than two access keys per
// user, access key IDs or MFA devices used twice, invalid statuses and policy documents that are
// not JSON. Each problem names the account and principal. SetOrganization serves invalid input
// as given.
func (o *Organization) Validate() error {
	if o == nil {
		return errors.New("organization is nil")
	}
	v := &validator{}
	if !isAccountID(o.ManagementAccount) {
		v.add("management account %q: want 12 digits", o.ManagementAccount)
	}
	accounts := make(map[string]bool, len(o.Accounts))
	keys := make(map[string]string)
	for i, a := range o.Accounts {
		if a == nil {
			v.add("accounts[%d]: nil", i)
			continue
		}
		if !isAccountID(a.ID) {
			v.add("account %q: ID must be 12 digits", a.ID)
		}
		if accounts[a.ID] {
			v.add("account %s: listed twice", a.ID)
		}
		accounts[a.ID] = true
		v.account(a, keys)
	}
	if ic := o.IdentityCenter; ic != nil {
		v.identityCenter(ic, accounts)
	}
	return v.err()
}

type validator struct {
	errs []error
	more int
}

func (v *validator) add(format string, args ...any) {
	if len(v.errs) == maxValidationErrors {
		v.more++
		return
	}
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

func (v *validator) err() error {
	if v.more > 0 {
		v.errs = append(v.errs, fmt.Errorf("… and %d more problems", v.more))
	}
	if len(v.errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid organization: %w", errors.Join(v.errs...))
}

func validPath(p string) bool {
	return p == "" || (strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/"))
}

func (v *validator) document(where, doc string) {
	if !json.Valid([]byte(doc)) {
		v.add("%s: policy document is not valid JSON", where)
	}
}

func (v *validator) account(a *Account, keys map[string]string) {
	switch a.Status {
	case "", StatusActive, StatusSuspended:
	default:
		v.add("account %s: status %q: want ACTIVE or SUSPENDED", a.ID, a.Status)
	}
	policies := make(map[string]bool, len(a.Policies))
	names := make(map[string]bool, len(a.Policies))
	for i, p := range a.Policies {
		if p == nil {
			v.add("account %s: policies[%d]: nil", a.ID, i)
			continue
		}
		where := fmt.Sprintf("account %s: policy %q", a.ID, p.Name)
		if p.Name == "" {
			v.add("account %s: policies[%d]: empty name", a.ID, i)
		}
		if names[strings.ToLower(p.Name)] {
			v.add("%s: name used twice", where)
		}
		names[strings.ToLower(p.Name)] = true
		if !validPath(p.Path) {
			v.add("%s: path %q must begin and end with /", where, p.Path)
		}
		policies[PolicyARN(a.ID, p.Path, p.Name)] = true
		if len(p.Versions) == 0 {
			v.add("%s: no versions", where)
		}
		found := p.DefaultVersion == ""
		for j, ver := range p.Versions {
			id := ver.ID
			if id == "" {
				id = fmt.Sprintf("v%d", j+1)
			}
			found = found || id == p.DefaultVersion
			v.document(where+" version "+id, ver.Document)
		}
		if !found {
			v.add("%s: default version %q is not among its versions", where, p.DefaultVersion)
		}
	}
	checkPolicy := func(where, arn string) {
		if _, ok := builtinPolicies[arn]; ok || policies[arn] {
			return
		}
		v.add("%s: policy %s does not exist (not a customer-managed policy of this account nor a built-in AWS managed policy)", where, arn)
	}

	groups := make(map[string]bool, len(a.Groups))
	for i, g := range a.Groups {
		if g == nil {
			v.add("account %s: groups[%d]: nil", a.ID, i)
			continue
		}
		where := fmt.Sprintf("account %s: group %q", a.ID, g.Name)
		if g.Name == "" {
			v.add("account %s: groups[%d]: empty name", a.ID, i)
		}
		if groups[strings.ToLower(g.Name)] {
			v.add("%s: name used twice", where)
		}
		groups[strings.ToLower(g.Name)] = true
		if !validPath(g.Path) {
			v.add("%s: path %q must begin and end with /", where, g.Path)
		}
		for _, arn := range g.AttachedPolicies {
			checkPolicy(where, arn)
		}
		for n, d := range g.InlinePolicies {
			v.document(where+" inline policy "+n, d)
		}
	}

	// A virtual MFA device is enabled for at most one user, and is either assigned or not.
	mfa := make(map[string]string)
	device := func(where, serial string, virtualOnly bool) {
		virtual := isVirtualMFASerial(serial)
		switch {
		case (virtualOnly && !virtual) || (virtual && !strings.HasPrefix(serial, "arn:aws:iam::"+a.ID+":mfa/")):
			v.add("%s: MFA device %q: want a virtual device ARN arn:aws:iam::%s:mfa/<name>", where, serial, a.ID)
		case mfa[serial] != "":
			v.add("%s: MFA device %s is also %s's", where, serial, mfa[serial])
		default:
			mfa[serial] = where
		}
	}
	if a.Root.VirtualMFA {
		if !a.Root.MFA {
			v.add("account %s: root: VirtualMFA without MFA", a.ID)
		}
		device(fmt.Sprintf("account %s: root", a.ID), RootMFASerial(a.ID), false)
	}
	for _, serial := range a.UnassignedMFADevices {
		device(fmt.Sprintf("account %s: unassigned devices", a.ID), serial, true)
	}

	users := make(map[string]bool, len(a.Users))
	for i, u := range a.Users {
		if u == nil {
			v.add("account %s: users[%d]: nil", a.ID, i)
			continue
		}
		where := fmt.Sprintf("account %s: user %q", a.ID, u.Name)
		if u.Name == "" {
			v.add("account %s: users[%d]: empty name", a.ID, i)
		}
		if users[strings.ToLower(u.Name)] {
			v.add("%s: name used twice", where)
		}
		users[strings.ToLower(u.Name)] = true
		if !validPath(u.Path) {
			v.add("%s: path %q must begin and end with /", where, u.Path)
		}
		if len(u.AccessKeys) > 2 {
			v.add("%s: %d access keys, IAM allows 2", where, len(u.AccessKeys))
		}
		for _, k := range u.AccessKeys {
			if k.ID == "" {
				v.add("%s: access key without an ID", where)
			} else if other, dup := keys[k.ID]; dup {
				v.add("%s: access key %s is also %s's", where, k.ID, other)
			} else {
				keys[k.ID] = where
			}
			if k.Status != "" && k.Status != KeyActive && k.Status != KeyInactive {
				v.add("%s: access key %s status %q: want Active or Inactive", where, k.ID, k.Status)
			}
		}
		for _, serial := range u.MFADevices {
			device(where, serial, false)
		}
		if len(u.Certificates) > 2 {
			v.add("%s: %d signing certificates, IAM allows 2", where, len(u.Certificates))
		}
		for _, g := range u.Groups {
			if !groups[strings.ToLower(g)] {
				v.add("%s: group %q does not exist", where, g)
			}
		}
		for _, arn := range u.AttachedPolicies {
			checkPolicy(where, arn)
		}
		if u.PermissionsBoundary != "" {
			checkPolicy(where+" permissions boundary", u.PermissionsBoundary)
		}
		for n, d := range u.InlinePolicies {
			v.document(where+" inline policy "+n, d)
		}
	}

	roles := make(map[string]bool, len(a.Roles))
	for i, r := range a.Roles {
		if r == nil {
			v.add("account %s: roles[%d]: nil", a.ID, i)
			continue
		}
		where := fmt.Sprintf("account %s: role %q", a.ID, r.Name)
		if r.Name == "" {
			v.add("account %s: roles[%d]: empty name", a.ID, i)
		}
		if roles[strings.ToLower(r.Name)] {
			v.add("%s: name used twice", where)
		}
		roles[strings.ToLower(r.Name)] = true
		if !validPath(r.Path) {
			v.add("%s: path %q must begin and end with /", where, r.Path)
		}
		if r.AssumeRolePolicy != "" {
			v.document(where+" trust policy", r.AssumeRolePolicy)
		}
		for _, arn := range r.AttachedPolicies {
			checkPolicy(where, arn)
		}
		if r.PermissionsBoundary != "" {
			checkPolicy(where+" permissions boundary", r.PermissionsBoundary)
		}
		for n, d := range r.InlinePolicies {
			v.document(where+" inline policy "+n, d)
		}
	}
}

func (v *validator) identityCenter(ic *IdentityCenter, accounts map[string]bool) {
	users := make(map[string]bool, len(ic.Users))
	for i, u := range ic.Users {
		if u == nil {
			v.add("identity center: users[%d]: nil", i)
			continue
		}
		if u.UserName == "" {
			v.add("identity center: users[%d]: empty UserName", i)
		}
		for _, k := range []string{u.ID, u.UserName} {
			if k != "" && users[k] {
				v.add("identity center: user %q: ID or name used twice", k)
			}
		}
		users[u.UserName] = true
		if u.ID != "" {
			users[u.ID] = true
		}
		switch u.Status {
		case "", "ENABLED", "DISABLED":
		default:
			v.add("identity center: user %q: status %q: want ENABLED or DISABLED", u.UserName, u.Status)
		}
	}
	groups := make(map[string]bool, len(ic.Groups))
	for i, g := range ic.Groups {
		if g == nil {
			v.add("identity center: groups[%d]: nil", i)
			continue
		}
		groups[g.DisplayName] = true
		if g.ID != "" {
			groups[g.ID] = true
		}
	}
	for _, m := range ic.Memberships {
		if !groups[m.GroupID] {
			v.add("identity center: membership of user %q: group %q does not exist", m.UserID, m.GroupID)
		}
		if !users[m.UserID] {
			v.add("identity center: membership in group %q: user %q does not exist", m.GroupID, m.UserID)
		}
	}
	sets := make(map[string]bool, len(ic.PermissionSets))
	for i, ps := range ic.PermissionSets {
		if ps == nil {
			v.add("identity center: permission sets[%d]: nil", i)
			continue
		}
		sets[ps.Name] = true
		if ps.Arn != "" {
			sets[ps.Arn] = true
		}
		for _, arn := range ps.ManagedPolicies {
			if !strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
				v.add("identity center: permission set %q: %s is not an AWS managed policy ARN", ps.Name, arn)
			}
		}
		if ps.InlinePolicy != "" {
			v.document(fmt.Sprintf("identity center: permission set %q inline policy", ps.Name), ps.InlinePolicy)
		}
	}
	for _, as := range ic.Assignments {
		where := fmt.Sprintf("identity center: assignment of %s %q to account %s", as.PrincipalType, as.PrincipalID, as.AccountID)
		if !accounts[as.AccountID] {
			v.add("%s: account is not in the organization", where)
		}
		if !sets[as.PermissionSetArn] {
			v.add("%s: permission set %q does not exist", where, as.PermissionSetArn)
		}
		switch as.PrincipalType {
		case PrincipalUser:
			if !users[as.PrincipalID] {
				v.add("%s: user does not exist", where)
			}
		case PrincipalGroup:
			if !groups[as.PrincipalID] {
				v.add("%s: group does not exist", where)
			}
		default:
			v.add("%s: principal type must be USER or GROUP", where)
		}
	}
}

// lessFold orders names case-insensitively, as IAM lists them.
func lessFold(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	if la != lb {
		return la < lb
	}
	return a < b
}
