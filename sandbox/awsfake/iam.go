package awsfake

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func iamHandlers() map[string]handler {
	return map[string]handler{
		"GetAccountAuthorizationDetails": {query: (*Server).getAccountAuthorizationDetails},
		"GenerateCredentialReport":       {query: (*Server).generateCredentialReport, write: true},
		"GetCredentialReport":            {query: (*Server).getCredentialReport},
		"GetAccountSummary":              {query: (*Server).getAccountSummary},
		"GetAccountPasswordPolicy":       {query: (*Server).getAccountPasswordPolicy},
		"GetPolicy":                      {query: (*Server).getPolicy},
		"GetPolicyVersion":               {query: (*Server).getPolicyVersion},
		"ListVirtualMFADevices":          {query: (*Server).listVirtualMFADevices},
		"ListUsers":                      {query: (*Server).listUsers},
		"ListGroups":                     {query: (*Server).listGroups},
		"ListRoles":                      {query: (*Server).listRoles},
		"ListPolicies":                   {query: (*Server).listPolicies},
		"ListAccessKeys":                 {query: (*Server).listAccessKeys},
		"GetAccessKeyLastUsed":           {query: (*Server).getAccessKeyLastUsed},
		"ListMFADevices":                 {query: (*Server).listMFADevices},
		"GetLoginProfile":                {query: (*Server).getLoginProfile},
		"ListAttachedUserPolicies":       {query: (*Server).listAttachedUserPolicies},
		"ListUserPolicies":               {query: (*Server).listUserPolicies},
		"ListGroupsForUser":              {query: (*Server).listGroupsForUser},
		"ListUserTags":                   {query: (*Server).listUserTags},

		"UpdateAccessKey":     {query: (*Server).updateAccessKey, write: true, noResult: true},
		"DeleteAccessKey":     {query: (*Server).deleteAccessKey, write: true, noResult: true},
		"DeleteLoginProfile":  {query: (*Server).deleteLoginProfile, write: true, noResult: true},
		"AttachUserPolicy":    {query: (*Server).attachUserPolicy, write: true, noResult: true},
		"DetachUserPolicy":    {query: (*Server).detachUserPolicy, write: true, noResult: true},
		"PutUserPolicy":       {query: (*Server).putUserPolicy, write: true, noResult: true},
		"DeleteUserPolicy":    {query: (*Server).deleteUserPolicy, write: true, noResult: true},
		"RemoveUserFromGroup": {query: (*Server).removeUserFromGroup, write: true, noResult: true},
		"TagUser":             {query: (*Server).tagUser, write: true, noResult: true},
		"UntagUser":           {query: (*Server).untagUser, write: true, noResult: true},
		"DeactivateMFADevice": {query: (*Server).deactivateMFADevice, write: true, noResult: true},
		"DeleteUser":          {query: (*Server).deleteUser, write: true, noResult: true},
	}
}

func noSuchEntity(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

// GetAccountAuthorizationDetails lists users, then groups, then roles, then customer-managed
// policies, then AWS managed policies in use, MaxItems entities per page in total.
const (
	catUsers = iota
	catGroups
	catRoles
	catLocalPolicies
	catAWSPolicies
	numCats
)

var gaadFilters = map[string]int{
	"User":               catUsers,
	"Group":              catGroups,
	"Role":               catRoles,
	"LocalManagedPolicy": catLocalPolicies,
	"AWSManagedPolicy":   catAWSPolicies,
}

func (x *acct) catKeys(cat int) []string {
	switch cat {
	case catUsers:
		return x.users.keys
	case catGroups:
		return x.groups.keys
	case catRoles:
		return x.roles.keys
	case catLocalPolicies:
		return x.policies.keys
	default:
		return x.awsInUse.keys
	}
}

func (s *Server) getAccountAuthorizationDetails(req *request, x *acct, w *xmlWriter) error {
	var want [numCats]bool
	filters := listParam(req, "Filter")
	for _, f := range filters {
		cat, ok := gaadFilters[f]
		if !ok {
			return validationError("1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]]", f)
		}
		want[cat] = true
	}
	if len(filters) == 0 {
		for i := range want {
			want[i] = true
		}
	}
	limit, err := maxItems(req)
	if err != nil {
		return err
	}
	startCat, key, err := decodeMarker(req)
	if err != nil {
		return err
	}
	if startCat >= numCats {
		return validationError("Invalid Marker")
	}

	// Select the page: a [start, end) range per category, and where the next page starts.
	var ranges [numCats][2]int
	remaining := limit
	nextCat, nextKey := -1, ""
	for c := startCat; c < numCats; c++ {
		if !want[c] {
			continue
		}
		keys := x.catKeys(c)
		start := 0
		if c == startCat && key != "" {
			start = searchKeys(keys, key)
		}
		if start >= len(keys) {
			continue
		}
		if remaining == 0 {
			nextCat, nextKey = c, keys[start]
			break
		}
		end := min(start+remaining, len(keys))
		ranges[c] = [2]int{start, end}
		remaining -= end - start
		if end < len(keys) {
			nextCat, nextKey = c, keys[end]
			break
		}
	}

	acc := x.a.ID
	w.open("UserDetailList")
	for _, u := range x.users.items[ranges[catUsers][0]:ranges[catUsers][1]] {
		w.open("member")
		w.text("Path", u.Path)
		w.text("UserName", u.Name)
		w.text("UserId", u.UserID)
		w.text("Arn", UserARN(acc, u.Path, u.Name))
		w.time("CreateDate", u.Created)
		if len(u.InlinePolicies) > 0 {
			w.inlinePolicies("UserPolicyList", u.InlinePolicies, true)
		}
		w.open("GroupList")
		for _, g := range u.Groups {
			w.text("member", g)
		}
		w.close("GroupList")
		w.attachedPolicies("AttachedManagedPolicies", u.AttachedPolicies)
		w.boundary(u.PermissionsBoundary)
		w.tags(u.Tags, false)
		w.close("member")
	}
	w.close("UserDetailList")

	w.open("GroupDetailList")
	for _, g := range x.groups.items[ranges[catGroups][0]:ranges[catGroups][1]] {
		w.open("member")
		w.text("Path", g.Path)
		w.text("GroupName", g.Name)
		w.text("GroupId", g.GroupID)
		w.text("Arn", GroupARN(acc, g.Path, g.Name))
		w.time("CreateDate", g.Created)
		w.inlinePolicies("GroupPolicyList", g.InlinePolicies, true)
		w.attachedPolicies("AttachedManagedPolicies", g.AttachedPolicies)
		w.close("member")
	}
	w.close("GroupDetailList")

	w.open("RoleDetailList")
	for _, r := range x.roles.items[ranges[catRoles][0]:ranges[catRoles][1]] {
		w.open("member")
		w.text("Path", r.Path)
		w.text("RoleName", r.Name)
		w.text("RoleId", r.RoleID)
		w.text("Arn", RoleARN(acc, r.Path, r.Name))
		w.time("CreateDate", r.Created)
		if r.AssumeRolePolicy != "" {
			w.doc("AssumeRolePolicyDocument", r.AssumeRolePolicy)
		}
		w.empty("InstanceProfileList")
		w.inlinePolicies("RolePolicyList", r.InlinePolicies, true)
		w.attachedPolicies("AttachedManagedPolicies", r.AttachedPolicies)
		w.boundary(r.PermissionsBoundary)
		w.tags(r.Tags, false)
		w.roleLastUsed(r)
		w.close("member")
	}
	w.close("RoleDetailList")

	w.open("Policies")
	for _, p := range x.policies.items[ranges[catLocalPolicies][0]:ranges[catLocalPolicies][1]] {
		w.policyDetail(x, PolicyARN(acc, p.Path, p.Name), p)
	}
	for _, p := range x.awsInUse.items[ranges[catAWSPolicies][0]:ranges[catAWSPolicies][1]] {
		w.policyDetail(x, AWSManagedPolicyARN(p.Path, p.Name), p)
	}
	w.close("Policies")
	w.page(req.op, nextCat >= 0, nextCat, nextKey)
	return nil
}

func searchKeys(keys []string, key string) int {
	return sort.SearchStrings(keys, key)
}

func (w *xmlWriter) inlinePolicies(tag string, m map[string]string, always bool) {
	if len(m) == 0 {
		if always {
			w.empty(tag)
		}
		return
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	w.open(tag)
	for _, n := range names {
		w.open("member")
		w.text("PolicyName", n)
		w.doc("PolicyDocument", m[n])
		w.close("member")
	}
	w.close(tag)
}

func (w *xmlWriter) attachedPolicies(tag string, arns []string) {
	if len(arns) == 0 {
		w.empty(tag)
		return
	}
	w.open(tag)
	for _, arn := range arns {
		w.open("member")
		w.text("PolicyName", policyNameFromARN(arn))
		w.text("PolicyArn", arn)
		w.close("member")
	}
	w.close(tag)
}

func (w *xmlWriter) boundary(arn string) {
	if arn == "" {
		return
	}
	w.open("PermissionsBoundary")
	w.text("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
	w.text("PermissionsBoundaryArn", arn)
	w.close("PermissionsBoundary")
}

func (w *xmlWriter) roleLastUsed(r *Role) {
	if r.LastUsed.IsZero() {
		w.empty("RoleLastUsed")
		return
	}
	w.open("RoleLastUsed")
	w.time("LastUsedDate", r.LastUsed)
	w.opt("Region", r.LastUsedRegion)
	w.close("RoleLastUsed")
}

func (w *xmlWriter) policyDetail(x *acct, arn string, p *Policy) {
	w.open("member")
	w.text("PolicyName", p.Name)
	w.text("PolicyId", p.PolicyID)
	w.text("Arn", arn)
	w.text("Path", p.Path)
	w.text("DefaultVersionId", p.DefaultVersion)
	w.int("AttachmentCount", x.attached[arn])
	w.int("PermissionsBoundaryUsageCount", x.boundaries[arn])
	w.bool("IsAttachable", true)
	w.opt("Description", p.Description)
	w.time("CreateDate", p.Created)
	w.time("UpdateDate", p.Updated)
	w.open("PolicyVersionList")
	for _, v := range p.Versions {
		w.open("member")
		w.doc("Document", v.Document)
		w.text("VersionId", v.ID)
		w.bool("IsDefaultVersion", v.ID == p.DefaultVersion)
		w.time("CreateDate", v.Created)
		w.close("member")
	}
	w.close("PolicyVersionList")
	w.close("member")
}

func (w *xmlWriter) policySummary(x *acct, arn string, p *Policy) {
	w.open("member")
	w.text("PolicyName", p.Name)
	w.text("PolicyId", p.PolicyID)
	w.text("Arn", arn)
	w.text("Path", p.Path)
	w.text("DefaultVersionId", p.DefaultVersion)
	w.int("AttachmentCount", x.attached[arn])
	w.int("PermissionsBoundaryUsageCount", x.boundaries[arn])
	w.bool("IsAttachable", true)
	w.time("CreateDate", p.Created)
	w.time("UpdateDate", p.Updated)
	w.close("member")
}

// namedPage selects, from a name-sorted list, up to MaxItems items from the request's Marker
// on that satisfy keep; next is the key to resume from when more remain.
func namedPage[T any](req *request, l sorted[T], keep func(T) bool) (items []T, next string, truncated bool, err error) {
	limit, err := maxItems(req)
	if err != nil {
		return nil, "", false, err
	}
	_, key, err := decodeMarker(req)
	if err != nil {
		return nil, "", false, err
	}
	for i := l.search(key); i < len(l.items); i++ {
		if !keep(l.items[i]) {
			continue
		}
		if len(items) == limit {
			return items, l.keys[i], true, nil
		}
		items = append(items, l.items[i])
	}
	return items, "", false, nil
}

// offsetPage pages a short, unsorted list of n items by position.
// writeOffsetPage writes the page of items that MaxItems and Marker select as one IAM list
// element (<wrapper>, with one call of each per item), then IsTruncated and the next Marker.
func writeOffsetPage[T any](req *request, w *xmlWriter, wrapper string, items []T, each func(T)) error {
	start, end, err := offsetPage(req, len(items))
	if err != nil {
		return err
	}
	w.open(wrapper)
	for _, it := range items[start:end] {
		each(it)
	}
	w.close(wrapper)
	w.page(req.op, end < len(items), 0, strconv.Itoa(end))
	return nil
}

func offsetPage(req *request, n int) (start, end int, err error) {
	limit, err := maxItems(req)
	if err != nil {
		return 0, 0, err
	}
	_, key, err := decodeMarker(req)
	if err != nil {
		return 0, 0, err
	}
	if key != "" {
		start, err = strconv.Atoi(key)
		if err != nil || start < 0 || start > n {
			return 0, 0, validationError("Invalid Marker")
		}
	}
	return start, min(start+limit, n), nil
}

func hasPathPrefix(path, prefix string) bool {
	return prefix == "" || strings.HasPrefix(path, prefix)
}

func (s *Server) listUsers(req *request, x *acct, w *xmlWriter) error {
	prefix := req.form.Get("PathPrefix")
	users, next, truncated, err := namedPage(req, x.users, func(u *User) bool { return hasPathPrefix(u.Path, prefix) })
	if err != nil {
		return err
	}
	w.open("Users")
	for _, u := range users {
		w.open("member")
		w.text("Path", u.Path)
		w.text("UserName", u.Name)
		w.text("UserId", u.UserID)
		w.text("Arn", UserARN(x.a.ID, u.Path, u.Name))
		w.time("CreateDate", u.Created)
		w.time("PasswordLastUsed", u.PasswordLastUsed)
		w.close("member")
	}
	w.close("Users")
	w.page(req.op, truncated, 0, next)
	return nil
}

func (w *xmlWriter) groupSummary(account string, g *Group) {
	w.open("member")
	w.text("Path", g.Path)
	w.text("GroupName", g.Name)
	w.text("GroupId", g.GroupID)
	w.text("Arn", GroupARN(account, g.Path, g.Name))
	w.time("CreateDate", g.Created)
	w.close("member")
}

func (s *Server) listGroups(req *request, x *acct, w *xmlWriter) error {
	prefix := req.form.Get("PathPrefix")
	groups, next, truncated, err := namedPage(req, x.groups, func(g *Group) bool { return hasPathPrefix(g.Path, prefix) })
	if err != nil {
		return err
	}
	w.open("Groups")
	for _, g := range groups {
		w.groupSummary(x.a.ID, g)
	}
	w.close("Groups")
	w.page(req.op, truncated, 0, next)
	return nil
}

func (s *Server) listRoles(req *request, x *acct, w *xmlWriter) error {
	prefix := req.form.Get("PathPrefix")
	roles, next, truncated, err := namedPage(req, x.roles, func(r *Role) bool { return hasPathPrefix(r.Path, prefix) })
	if err != nil {
		return err
	}
	w.open("Roles")
	for _, r := range roles {
		w.open("member")
		w.text("Path", r.Path)
		w.text("RoleName", r.Name)
		w.text("RoleId", r.RoleID)
		w.text("Arn", RoleARN(x.a.ID, r.Path, r.Name))
		w.time("CreateDate", r.Created)
		if r.AssumeRolePolicy != "" {
			w.doc("AssumeRolePolicyDocument", r.AssumeRolePolicy)
		}
		w.opt("Description", r.Description)
		w.int("MaxSessionDuration", r.MaxSessionDuration)
		w.close("member")
	}
	w.close("Roles")
	w.page(req.op, truncated, 0, next)
	return nil
}

// builtinSorted is every built-in AWS managed policy in name order (ListPolicies Scope=AWS).
var builtinSorted = func() sorted[*Policy] {
	all := make([]*Policy, 0, len(builtinOrder))
	for _, arn := range builtinOrder {
		all = append(all, builtinPolicies[arn])
	}
	return newSorted(all, func(p *Policy) string { return p.Name })
}()

func (s *Server) listPolicies(req *request, x *acct, w *xmlWriter) error {
	scope := req.form.Get("Scope")
	if scope == "" {
		scope = "All"
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return validationError("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
	usage := req.form.Get("PolicyUsageFilter")
	if usage != "" && usage != "PermissionsPolicy" && usage != "PermissionsBoundary" {
		return validationError("1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", usage)
	}
	onlyAttached := req.form.Get("OnlyAttached") == "true"
	prefix := req.form.Get("PathPrefix")
	limit, err := maxItems(req)
	if err != nil {
		return err
	}
	startCat, key, err := decodeMarker(req)
	if err != nil {
		return err
	}
	keep := func(arn string, p *Policy) bool {
		if !hasPathPrefix(p.Path, prefix) {
			return false
		}
		if !onlyAttached {
			return true
		}
		switch usage {
		case "PermissionsPolicy":
			return x.attached[arn] > 0
		case "PermissionsBoundary":
			return x.boundaries[arn] > 0
		}
		return x.attached[arn] > 0 || x.boundaries[arn] > 0
	}
	// Category 0: customer managed; 1: AWS managed.
	lists := [2]sorted[*Policy]{x.policies, builtinSorted}
	arnOf := [2]func(p *Policy) string{
		func(p *Policy) string { return PolicyARN(x.a.ID, p.Path, p.Name) },
		func(p *Policy) string { return AWSManagedPolicyARN(p.Path, p.Name) },
	}
	wanted := [2]bool{scope != "AWS", scope != "Local"}
	w.open("Policies")
	n := 0
	truncated, nextCat, nextKey := false, 0, ""
outer:
	for c := startCat; c < 2; c++ {
		if !wanted[c] {
			continue
		}
		i := 0
		if c == startCat {
			i = lists[c].search(key)
		}
		for ; i < len(lists[c].items); i++ {
			p := lists[c].items[i]
			arn := arnOf[c](p)
			if !keep(arn, p) {
				continue
			}
			if n == limit {
				truncated, nextCat, nextKey = true, c, lists[c].keys[i]
				break outer
			}
			w.policySummary(x, arn, p)
			n++
		}
	}
	w.close("Policies")
	w.page(req.op, truncated, nextCat, nextKey)
	return nil
}

// userParam returns the user named by the UserName parameter; NoSuchEntity when absent.
func userParam(req *request, x *acct) (*User, error) {
	name, err := param(req, "UserName")
	if err != nil {
		return nil, err
	}
	u := x.user(name)
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

// selfOrUserParam handles operations whose UserName defaults to the calling IAM user.
func selfOrUserParam(req *request, x *acct) (*User, error) {
	if req.form.Get("UserName") != "" {
		return userParam(req, x)
	}
	if req.who.role != "" {
		return nil, validationError("Must specify userName when calling with non-User credentials")
	}
	name := req.who.arn[strings.LastIndexByte(req.who.arn, '/')+1:]
	u := x.user(name)
	if u == nil {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

func (s *Server) listAccessKeys(req *request, x *acct, w *xmlWriter) error {
	u, err := selfOrUserParam(req, x)
	if err != nil {
		return err
	}
	return writeOffsetPage(req, w, "AccessKeyMetadata", u.AccessKeys, func(k AccessKey) {
		w.open("member")
		w.text("UserName", u.Name)
		w.text("AccessKeyId", k.ID)
		w.text("Status", k.Status)
		w.time("CreateDate", k.Created)
		w.close("member")
	})
}

func (s *Server) getAccessKeyLastUsed(req *request, x *acct, w *xmlWriter) error {
	id, err := param(req, "AccessKeyId")
	if err != nil {
		return err
	}
	u := x.keyOwner[id]
	if u == nil {
		return noSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	for _, k := range u.AccessKeys {
		if k.ID != id {
			continue
		}
		w.text("UserName", u.Name)
		w.open("AccessKeyLastUsed")
		w.time("LastUsedDate", k.LastUsed)
		w.text("ServiceName", orDefault(k.LastUsedService, "N/A"))
		w.text("Region", orDefault(k.LastUsedRegion, "N/A"))
		w.close("AccessKeyLastUsed")
	}
	return nil
}

func (s *Server) listMFADevices(req *request, x *acct, w *xmlWriter) error {
	u, err := selfOrUserParam(req, x)
	if err != nil {
		return err
	}
	return writeOffsetPage(req, w, "MFADevices", u.MFADevices, func(serial string) {
		w.open("member")
		w.text("UserName", u.Name)
		w.text("SerialNumber", serial)
		w.time("EnableDate", u.Created)
		w.close("member")
	})
}

func (s *Server) getLoginProfile(req *request, x *acct, w *xmlWriter) error {
	u, err := selfOrUserParam(req, x)
	if err != nil {
		return err
	}
	if !u.PasswordEnabled {
		return noSuchEntity("Login Profile for User %s cannot be found.", u.Name)
	}
	w.open("LoginProfile")
	w.text("UserName", u.Name)
	w.time("CreateDate", orNow(u.PasswordLastChanged, u.Created))
	w.bool("PasswordResetRequired", u.PasswordResetRequired)
	w.close("LoginProfile")
	return nil
}

func (s *Server) listAttachedUserPolicies(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	prefix := req.form.Get("PathPrefix")
	var arns []string
	for _, arn := range u.AttachedPolicies {
		if p, ok := x.policy(arn); !ok || hasPathPrefix(p.Path, prefix) {
			arns = append(arns, arn)
		}
	}
	return writeOffsetPage(req, w, "AttachedPolicies", arns, func(arn string) {
		w.open("member")
		w.text("PolicyName", policyNameFromARN(arn))
		w.text("PolicyArn", arn)
		w.close("member")
	})
}

func (s *Server) listUserPolicies(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(u.InlinePolicies))
	for n := range u.InlinePolicies {
		names = append(names, n)
	}
	sort.Strings(names)
	return writeOffsetPage(req, w, "PolicyNames", names, func(n string) {
		w.text("member", n)
	})
}

func (s *Server) listGroupsForUser(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	return writeOffsetPage(req, w, "Groups", u.Groups, func(name string) {
		g := x.group(name)
		if g == nil {
			g = &Group{Name: name, Path: "/"} // an invalid reference, served as given
		}
		w.groupSummary(x.a.ID, g)
	})
}

func (s *Server) listUserTags(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(u.Tags))
	for k := range u.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return writeOffsetPage(req, w, "Tags", keys, func(k string) {
		w.open("member")
		w.text("Key", k)
		w.text("Value", u.Tags[k])
		w.close("member")
	})
}

// GetAccountSummary: MFADevices counts every device, unassigned virtual ones included;
// MFADevicesInUse the ones enabled for a user or the root.
func (s *Server) getAccountSummary(req *request, x *acct, w *xmlWriter) error {
	inUse := 0
	for _, u := range x.users.items {
		inUse += len(u.MFADevices)
	}
	root := x.a.Root
	if root.MFA {
		inUse++
	}
	versions := 0
	for _, p := range x.policies.items {
		versions += len(p.Versions)
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	summary := map[string]int{
		"AccessKeysPerUserQuota":            2,
		"AccountAccessKeysPresent":          b2i(root.AccessKeys[0] != nil || root.AccessKeys[1] != nil),
		"AccountMFAEnabled":                 b2i(root.MFA),
		"AccountSigningCertificatesPresent": b2i(root.Certificates[0] != nil || root.Certificates[1] != nil),
		"AssumeRolePolicySizeQuota":         2048,
		"AttachedPoliciesPerGroupQuota":     10,
		"AttachedPoliciesPerRoleQuota":      10,
		"AttachedPoliciesPerUserQuota":      10,
		"GlobalEndpointTokenVersion":        1,
		"GroupPolicySizeQuota":              5120,
		"Groups":                            len(x.groups.items),
		"GroupsPerUserQuota":                10,
		"GroupsQuota":                       300,
		"InstanceProfiles":                  0,
		"InstanceProfilesQuota":             1000,
		"MFADevices":                        inUse + len(x.a.UnassignedMFADevices),
		"MFADevicesInUse":                   inUse,
		"Policies":                          len(x.policies.items),
		"PoliciesQuota":                     1500,
		"PolicySizeQuota":                   6144,
		"PolicyVersionsInUse":               versions,
		"PolicyVersionsInUseQuota":          10000,
		"Providers":                         0,
		"RolePolicySizeQuota":               10240,
		"Roles":                             len(x.roles.items),
		"RolesQuota":                        1000,
		"ServerCertificates":                0,
		"ServerCertificatesQuota":           20,
		"SigningCertificatesPerUserQuota":   2,
		"UserPolicySizeQuota":               2048,
		"Users":                             len(x.users.items),
		"UsersQuota":                        5000,
		"VersionsPerPolicyQuota":            5,
	}
	keys := make([]string, 0, len(summary))
	for k := range summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.open("SummaryMap")
	for _, k := range keys {
		w.open("entry")
		w.text("key", k)
		w.int("value", summary[k])
		w.close("entry")
	}
	w.close("SummaryMap")
	return nil
}

func (s *Server) getAccountPasswordPolicy(req *request, x *acct, w *xmlWriter) error {
	pp := x.a.PasswordPolicy
	if pp == nil {
		return noSuchEntity("The Password Policy with domain name %s cannot be found.", x.a.ID)
	}
	w.open("PasswordPolicy")
	w.int("MinimumPasswordLength", pp.MinimumPasswordLength)
	w.bool("RequireSymbols", pp.RequireSymbols)
	w.bool("RequireNumbers", pp.RequireNumbers)
	w.bool("RequireUppercaseCharacters", pp.RequireUppercaseCharacters)
	w.bool("RequireLowercaseCharacters", pp.RequireLowercaseCharacters)
	w.bool("AllowUsersToChangePassword", pp.AllowUsersToChangePassword)
	w.bool("ExpirePasswords", pp.MaxPasswordAge > 0)
	if pp.MaxPasswordAge > 0 {
		w.int("MaxPasswordAge", pp.MaxPasswordAge)
	}
	if pp.PasswordReusePrevention > 0 {
		w.int("PasswordReusePrevention", pp.PasswordReusePrevention)
	}
	if pp.MaxPasswordAge > 0 || pp.HardExpiry {
		w.bool("HardExpiry", pp.HardExpiry)
	}
	w.close("PasswordPolicy")
	return nil
}
