package awsfake

import (
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// normalizeOrg deep-copies org and fills every defaulted field (IDs, paths, statuses, creation
// times) so that the handlers never have to. A nil org gives an empty organization.
func normalizeOrg(org *Organization, now time.Time) *Organization {
	if org == nil {
		org = &Organization{}
	}
	out := &Organization{
		ID:                org.ID,
		RootID:            org.RootID,
		ManagementAccount: org.ManagementAccount,
	}
	if out.ID == "" {
		out.ID = "o-" + lowerID(10, "org", org.ManagementAccount)
	}
	if out.RootID == "" {
		out.RootID = "r-" + lowerID(4, "root", out.ID)
	}
	out.OUs = cloneOUs(org.OUs, out.RootID, nil)
	in := make([]*Account, 0, len(org.Accounts))
	hasMgmt := false
	for _, a := range org.Accounts {
		if a == nil {
			continue
		}
		if a.ID == org.ManagementAccount {
			hasMgmt = true
		}
		in = append(in, a)
	}
	out.Accounts = make([]*Account, len(in), len(in)+1)
	parallel(len(in), func(i int) { out.Accounts[i] = cloneAccount(in[i], now) })
	if !hasMgmt && org.ManagementAccount != "" {
		out.Accounts = append(out.Accounts, cloneAccount(&Account{ID: org.ManagementAccount, Name: "management"}, now))
	}
	for _, a := range out.Accounts {
		out.OUs = ensureOUPath(out.OUs, out.RootID, a.OUPath)
	}
	if org.IdentityCenter != nil {
		out.IdentityCenter = cloneIdentityCenter(org.IdentityCenter, out, now)
	}
	return out
}

func cloneOUs(in []*OU, rootID string, path []string) []*OU {
	if len(in) == 0 {
		return nil
	}
	out := make([]*OU, 0, len(in))
	for _, ou := range in {
		if ou == nil {
			continue
		}
		p := append(slices.Clip(path), ou.Name)
		c := &OU{ID: ou.ID, Name: ou.Name}
		if c.ID == "" {
			c.ID = ouID(rootID, p)
		}
		c.Children = cloneOUs(ou.Children, rootID, p)
		out = append(out, c)
	}
	return out
}

func ouID(rootID string, path []string) string {
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + lowerID(8, append([]string{"ou", rootID}, path...)...)
}

// ensureOUPath adds the OUs of path that do not exist yet under the given level.
func ensureOUPath(level []*OU, rootID string, path []string) []*OU {
	var walk func(level []*OU, depth int) []*OU
	walk = func(level []*OU, depth int) []*OU {
		if depth == len(path) {
			return level
		}
		for _, ou := range level {
			if ou.Name == path[depth] {
				ou.Children = walk(ou.Children, depth+1)
				return level
			}
		}
		ou := &OU{ID: ouID(rootID, path[:depth+1]), Name: path[depth]}
		ou.Children = walk(nil, depth+1)
		return append(level, ou)
	}
	return walk(level, 0)
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cloneAccount(a *Account, now time.Time) *Account {
	c := &Account{
		ID: a.ID, Name: a.Name, Email: a.Email,
		Status:              orDefault(a.Status, StatusActive),
		JoinedMethod:        orDefault(a.JoinedMethod, "CREATED"),
		Joined:              orNow(a.Joined, now),
		OUPath:              slices.Clone(a.OUPath),
		Root:                cloneRoot(a.Root, now),
		ExternalID:          a.ExternalID,
		CredentialReportCSV: a.CredentialReportCSV,

		UnassignedMFADevices: slices.Clone(a.UnassignedMFADevices),
	}
	if a.RoleNames == nil {
		c.RoleNames = []string{DefaultRoleName}
	} else {
		c.RoleNames = slices.Clone(a.RoleNames)
	}
	if a.PasswordPolicy != nil {
		pp := *a.PasswordPolicy
		c.PasswordPolicy = &pp
	}
	c.Users = make([]*User, 0, len(a.Users))
	for _, u := range a.Users {
		if u != nil {
			c.Users = append(c.Users, cloneUser(u, a.ID, now))
		}
	}
	c.Groups = make([]*Group, 0, len(a.Groups))
	for _, g := range a.Groups {
		if g == nil {
			continue
		}
		c.Groups = append(c.Groups, &Group{
			Name: g.Name, Path: orDefault(g.Path, "/"),
			GroupID:          orDefault(g.GroupID, uniqueID("AGPA", a.ID, "group", g.Name)),
			Created:          orNow(g.Created, now),
			AttachedPolicies: slices.Clone(g.AttachedPolicies),
			InlinePolicies:   maps.Clone(g.InlinePolicies),
		})
	}
	c.Roles = make([]*Role, 0, len(a.Roles))
	for _, r := range a.Roles {
		if r == nil {
			continue
		}
		msd := r.MaxSessionDuration
		if msd == 0 {
			msd = 3600
		}
		c.Roles = append(c.Roles, &Role{
			Name: r.Name, Path: orDefault(r.Path, "/"),
			RoleID:              orDefault(r.RoleID, uniqueID("AROA", a.ID, "role", r.Name)),
			Created:             orNow(r.Created, now),
			Description:         r.Description,
			MaxSessionDuration:  msd,
			AssumeRolePolicy:    r.AssumeRolePolicy,
			LastUsed:            r.LastUsed,
			LastUsedRegion:      r.LastUsedRegion,
			AttachedPolicies:    slices.Clone(r.AttachedPolicies),
			InlinePolicies:      maps.Clone(r.InlinePolicies),
			Tags:                maps.Clone(r.Tags),
			PermissionsBoundary: r.PermissionsBoundary,
		})
	}
	c.Policies = make([]*Policy, 0, len(a.Policies))
	for _, p := range a.Policies {
		if p == nil {
			continue
		}
		cp := clonePolicy(p)
		cp.Path = orDefault(cp.Path, "/")
		cp.PolicyID = orDefault(cp.PolicyID, uniqueID("ANPA", a.ID, "policy", cp.Path, cp.Name))
		cp.Created = orNow(cp.Created, now)
		if cp.Updated.IsZero() {
			cp.Updated = cp.Created
		}
		for i := range cp.Versions {
			v := &cp.Versions[i]
			v.ID = orDefault(v.ID, "v"+strconv.Itoa(i+1))
			if v.Created.IsZero() {
				v.Created = cp.Created
			}
		}
		if cp.DefaultVersion == "" && len(cp.Versions) > 0 {
			cp.DefaultVersion = cp.Versions[len(cp.Versions)-1].ID
		}
		c.Policies = append(c.Policies, cp)
	}
	return c
}

func cloneRoot(r Root, now time.Time) Root {
	c := r
	c.Created = orNow(r.Created, now)
	for i, k := range r.AccessKeys {
		if k != nil {
			kk := *k
			c.AccessKeys[i] = &kk
		}
	}
	for i, cert := range r.Certificates {
		if cert != nil {
			cc := *cert
			c.Certificates[i] = &cc
		}
	}
	return c
}

func cloneUser(u *User, account string, now time.Time) *User {
	c := *u
	c.Path = orDefault(u.Path, "/")
	c.UserID = orDefault(u.UserID, uniqueID("AIDA", account, "user", u.Name))
	c.Created = orNow(u.Created, now)
	c.MFADevices = slices.Clone(u.MFADevices)
	c.AccessKeys = slices.Clone(u.AccessKeys)
	for i := range c.AccessKeys {
		k := &c.AccessKeys[i]
		k.Status = orDefault(k.Status, KeyActive)
		if k.Created.IsZero() {
			k.Created = c.Created
		}
	}
	// The credential report's slots and ListAccessKeys follow creation order.
	if len(c.AccessKeys) > 1 {
		slices.SortStableFunc(c.AccessKeys, func(a, b AccessKey) int { return a.Created.Compare(b.Created) })
	}
	c.Certificates = slices.Clone(u.Certificates)
	for i := range c.Certificates {
		cert := &c.Certificates[i]
		cert.Status = orDefault(cert.Status, KeyActive)
		if cert.Uploaded.IsZero() {
			cert.Uploaded = c.Created
		}
	}
	c.Groups = slices.Clone(u.Groups)
	c.AttachedPolicies = slices.Clone(u.AttachedPolicies)
	c.InlinePolicies = maps.Clone(u.InlinePolicies)
	c.Tags = maps.Clone(u.Tags)
	return &c
}

func clonePolicy(p *Policy) *Policy {
	c := *p
	c.Versions = slices.Clone(p.Versions)
	return &c
}

func cloneIdentityCenter(ic *IdentityCenter, org *Organization, now time.Time) *IdentityCenter {
	c := &IdentityCenter{
		InstanceArn:     ic.InstanceArn,
		IdentityStoreID: ic.IdentityStoreID,
		Name:            ic.Name,
		Created:         orNow(ic.Created, now),
		Memberships:     slices.Clone(ic.Memberships),
		Assignments:     slices.Clone(ic.Assignments),
	}
	if c.InstanceArn == "" {
		c.InstanceArn = "arn:aws:sso:::instance/ssoins-" + hexID(16, "instance", org.ID)
	}
	if c.IdentityStoreID == "" {
		c.IdentityStoreID = "d-" + hexID(10, "identitystore", org.ID)
	}
	for _, u := range ic.Users {
		if u == nil {
			continue
		}
		cu := *u
		cu.ID = orDefault(u.ID, uuidID("ssouser", c.IdentityStoreID, u.UserName))
		cu.Status = orDefault(u.Status, "ENABLED")
		cu.Emails = slices.Clone(u.Emails)
		cu.ExternalIDs = slices.Clone(u.ExternalIDs)
		c.Users = append(c.Users, &cu)
	}
	for _, g := range ic.Groups {
		if g == nil {
			continue
		}
		cg := *g
		cg.ID = orDefault(g.ID, uuidID("ssogroup", c.IdentityStoreID, g.DisplayName))
		cg.ExternalIDs = slices.Clone(g.ExternalIDs)
		c.Groups = append(c.Groups, &cg)
	}
	resolveSSONames(c)
	for i := range c.Memberships {
		m := &c.Memberships[i]
		m.ID = orDefault(m.ID, uuidID("membership", c.IdentityStoreID, m.GroupID, m.UserID))
	}
	instanceID := c.InstanceArn[strings.LastIndexByte(c.InstanceArn, '/')+1:]
	for _, ps := range ic.PermissionSets {
		if ps == nil {
			continue
		}
		cp := *ps
		cp.Arn = orDefault(ps.Arn, "arn:aws:sso:::permissionSet/"+instanceID+"/ps-"+hexID(16, "ps", instanceID, ps.Name))
		cp.Created = orNow(ps.Created, now)
		cp.SessionDuration = orDefault(ps.SessionDuration, "PT1H")
		cp.ManagedPolicies = slices.Clone(ps.ManagedPolicies)
		cp.CustomerManagedPolicies = slices.Clone(ps.CustomerManagedPolicies)
		for i := range cp.CustomerManagedPolicies {
			r := &cp.CustomerManagedPolicies[i]
			r.Path = orDefault(r.Path, "/")
		}
		c.PermissionSets = append(c.PermissionSets, &cp)
	}
	psByName := make(map[string]string, len(c.PermissionSets))
	for _, ps := range c.PermissionSets {
		psByName[ps.Name] = ps.Arn
	}
	for i := range c.Assignments {
		a := &c.Assignments[i]
		if arn, ok := psByName[a.PermissionSetArn]; ok && !strings.HasPrefix(a.PermissionSetArn, "arn:") {
			a.PermissionSetArn = arn
		}
	}
	return c
}

// resolveSSONames lets memberships and assignments name users by UserName and groups by
// DisplayName instead of by their (possibly derived) IDs.
func resolveSSONames(c *IdentityCenter) {
	userIDs := make(map[string]bool, len(c.Users))
	userByName := make(map[string]string, len(c.Users))
	for _, u := range c.Users {
		userIDs[u.ID] = true
		userByName[u.UserName] = u.ID
	}
	groupIDs := make(map[string]bool, len(c.Groups))
	groupByName := make(map[string]string, len(c.Groups))
	for _, g := range c.Groups {
		groupIDs[g.ID] = true
		groupByName[g.DisplayName] = g.ID
	}
	resolve := func(id string, ids map[string]bool, byName map[string]string) string {
		if ids[id] {
			return id
		}
		if real, ok := byName[id]; ok {
			return real
		}
		return id
	}
	for i := range c.Memberships {
		m := &c.Memberships[i]
		m.UserID = resolve(m.UserID, userIDs, userByName)
		m.GroupID = resolve(m.GroupID, groupIDs, groupByName)
	}
	for i := range c.Assignments {
		a := &c.Assignments[i]
		switch a.PrincipalType {
		case PrincipalUser:
			a.PrincipalID = resolve(a.PrincipalID, userIDs, userByName)
		case PrincipalGroup:
			a.PrincipalID = resolve(a.PrincipalID, groupIDs, groupByName)
		}
	}
}

// cloneForExport returns a deep copy of a normalized organization (Server.Organization).
func cloneForExport(org *Organization) *Organization {
	// normalizeOrg is idempotent on normalized input: every defaulted field is already set, so
	// the zero "now" is never used.
	return normalizeOrg(org, time.Time{})
}

// parallel runs fn(0) … fn(n-1) on up to GOMAXPROCS goroutines: copying and indexing a
// million-principal organization is worth the cores.
func parallel(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error {
			fn(i)
			return nil
		})
	}
	_ = g.Wait() // fn returns no errors
}
