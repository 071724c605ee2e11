package awsfake

import (
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// world is the served state: the normalized organization plus the indexes the handlers use.
// It is guarded by Server.mu; handlers that change it hold the write lock.
type world struct {
	org        *Organization
	accounts   map[string]*acct
	acctIDs    []string // every account ID, sorted
	root       *ouNode
	ous        map[string]*ouNode // by OU ID, the root included
	acctParent map[string]*ouNode // account ID → its parent
	sso        *ssoIndex
}

type ouNode struct {
	id, name string
	parent   *ouNode
	children []*ouNode
	accounts []string // sorted IDs
}

// sorted is a list kept in case-insensitive name order (IAM names are unique regardless of
// case), with the folded keys alongside so that paging markers resume by binary search.
type sorted[T any] struct {
	items []T
	keys  []string
}

func newSorted[T any](items []T, name func(T) string) sorted[T] {
	idx := make([]int, len(items))
	keys := make([]string, len(items))
	for i, it := range items {
		idx[i] = i
		keys[i] = strings.ToLower(name(it))
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	s := sorted[T]{items: make([]T, len(items)), keys: make([]string, len(items))}
	for i, j := range idx {
		s.items[i] = items[j]
		s.keys[i] = keys[j]
	}
	return s
}

// search returns the index of the first item whose key is >= key.
func (s sorted[T]) search(key string) int {
	return sort.SearchStrings(s.keys, key)
}

func (s *sorted[T]) remove(i int) {
	s.items = slices.Delete(s.items, i, i+1)
	s.keys = slices.Delete(s.keys, i, i+1)
}

// acct indexes one account's IAM estate.
type acct struct {
	a        *Account
	users    sorted[*User]
	groups   sorted[*Group]
	roles    sorted[*Role]
	policies sorted[*Policy] // customer managed
	byUser   map[string]*User
	byGroup  map[string]*Group
	byRole   map[string]*Role
	byPolicy map[string]*Policy // local, by ARN
	keyOwner map[string]*User   // access key ID → user

	// Derived from the attachments by recount.
	attached   map[string]int  // policy ARN → AttachmentCount
	boundaries map[string]int  // policy ARN → PermissionsBoundaryUsageCount
	awsInUse   sorted[*Policy] // built-in AWS managed policies attached or used as a boundary

	report *reportState
}

func newWorld(org *Organization) *world {
	w := &world{
		org:        org,
		accounts:   make(map[string]*acct, len(org.Accounts)),
		ous:        make(map[string]*ouNode),
		acctParent: make(map[string]*ouNode, len(org.Accounts)),
	}
	w.root = &ouNode{id: org.RootID, name: "Root"}
	w.ous[w.root.id] = w.root
	var addOUs func(parent *ouNode, ous []*OU)
	addOUs = func(parent *ouNode, ous []*OU) {
		for _, ou := range ous {
			n := &ouNode{id: ou.ID, name: ou.Name, parent: parent}
			parent.children = append(parent.children, n)
			w.ous[n.id] = n
			addOUs(n, ou.Children)
		}
	}
	addOUs(w.root, org.OUs)
	indexed := make([]*acct, len(org.Accounts))
	parallel(len(org.Accounts), func(i int) { indexed[i] = newAcct(org.Accounts[i]) })
	for i, a := range org.Accounts {
		if _, dup := w.accounts[a.ID]; dup {
			continue // Validate reports duplicates; the first one wins.
		}
		w.accounts[a.ID] = indexed[i]
		w.acctIDs = append(w.acctIDs, a.ID)
		parent := w.root
		for _, name := range a.OUPath {
			for _, c := range parent.children {
				if c.name == name {
					parent = c
					break
				}
			}
		}
		parent.accounts = append(parent.accounts, a.ID)
		w.acctParent[a.ID] = parent
	}
	sort.Strings(w.acctIDs)
	for _, n := range w.ous {
		sort.Strings(n.accounts)
	}
	if org.IdentityCenter != nil {
		w.sso = newSSOIndex(org.IdentityCenter)
	}
	return w
}

func newAcct(a *Account) *acct {
	x := &acct{
		a:        a,
		users:    newSorted(a.Users, func(u *User) string { return u.Name }),
		groups:   newSorted(a.Groups, func(g *Group) string { return g.Name }),
		roles:    newSorted(a.Roles, func(r *Role) string { return r.Name }),
		policies: newSorted(a.Policies, func(p *Policy) string { return p.Name }),
		byUser:   make(map[string]*User, len(a.Users)),
		byGroup:  make(map[string]*Group, len(a.Groups)),
		byRole:   make(map[string]*Role, len(a.Roles)),
		byPolicy: make(map[string]*Policy, len(a.Policies)),
		keyOwner: make(map[string]*User, len(a.Users)),
	}
	for _, u := range a.Users {
		x.byUser[strings.ToLower(u.Name)] = u
		for _, k := range u.AccessKeys {
			x.keyOwner[k.ID] = u
		}
	}
	for _, g := range a.Groups {
		x.byGroup[strings.ToLower(g.Name)] = g
	}
	for _, r := range a.Roles {
		x.byRole[strings.ToLower(r.Name)] = r
	}
	for _, p := range a.Policies {
		x.byPolicy[PolicyARN(a.ID, p.Path, p.Name)] = p
	}
	x.recount()
	return x
}

// recount recomputes attachment and boundary counts and the list of AWS managed policies in use.
func (x *acct) recount() {
	x.attached = make(map[string]int)
	x.boundaries = make(map[string]int)
	add := func(arns []string, boundary string) {
		for _, arn := range arns {
			x.attached[arn]++
		}
		if boundary != "" {
			x.boundaries[boundary]++
		}
	}
	for _, u := range x.users.items {
		add(u.AttachedPolicies, u.PermissionsBoundary)
	}
	for _, g := range x.groups.items {
		add(g.AttachedPolicies, "")
	}
	for _, r := range x.roles.items {
		add(r.AttachedPolicies, r.PermissionsBoundary)
	}
	var inUse []*Policy
	for _, arn := range builtinOrder {
		if x.attached[arn] > 0 || x.boundaries[arn] > 0 {
			inUse = append(inUse, builtinPolicies[arn])
		}
	}
	x.awsInUse = newSorted(inUse, func(p *Policy) string { return p.Name })
}

// policy finds a managed policy (local or built-in) by ARN.
func (x *acct) policy(arn string) (*Policy, bool) {
	if p, ok := x.byPolicy[arn]; ok {
		return p, true
	}
	p, ok := builtinPolicies[arn]
	return p, ok
}

func (x *acct) user(name string) *User   { return x.byUser[strings.ToLower(name)] }
func (x *acct) group(name string) *Group { return x.byGroup[strings.ToLower(name)] }

// deleteUser removes a user from every index.
func (x *acct) deleteUser(u *User) {
	key := strings.ToLower(u.Name)
	if i := x.users.search(key); i < len(x.users.items) && x.users.items[i] == u {
		x.users.remove(i)
	}
	delete(x.byUser, key)
	for _, k := range u.AccessKeys {
		delete(x.keyOwner, k.ID)
	}
	x.a.Users = slices.DeleteFunc(x.a.Users, func(v *User) bool { return v == u })
	x.recount()
}

// ssoIndex indexes the Identity Center instance.
type ssoIndex struct {
	ic             *IdentityCenter
	userByID       map[string]*SSOUser
	groupByID      map[string]*SSOGroup
	membersByGroup map[string][]Membership
	psByArn        map[string]*PermissionSet
	psArns         []string            // in declaration order
	accountsByPS   map[string][]string // provisioned accounts, sorted
	psByAccount    map[string][]string // provisioned permission sets, in psArns order
	assignments    map[[2]string][]Assignment
}

func newSSOIndex(ic *IdentityCenter) *ssoIndex {
	x := &ssoIndex{
		ic:             ic,
		userByID:       make(map[string]*SSOUser, len(ic.Users)),
		groupByID:      make(map[string]*SSOGroup, len(ic.Groups)),
		membersByGroup: make(map[string][]Membership),
		psByArn:        make(map[string]*PermissionSet, len(ic.PermissionSets)),
		accountsByPS:   make(map[string][]string),
		psByAccount:    make(map[string][]string),
		assignments:    make(map[[2]string][]Assignment),
	}
	for _, u := range ic.Users {
		x.userByID[u.ID] = u
	}
	for _, g := range ic.Groups {
		x.groupByID[g.ID] = g
	}
	for _, m := range ic.Memberships {
		x.membersByGroup[m.GroupID] = append(x.membersByGroup[m.GroupID], m)
	}
	order := make(map[string]int, len(ic.PermissionSets))
	for i, ps := range ic.PermissionSets {
		x.psByArn[ps.Arn] = ps
		x.psArns = append(x.psArns, ps.Arn)
		order[ps.Arn] = i
	}
	seen := make(map[[2]string]bool)
	for _, as := range ic.Assignments {
		k := [2]string{as.AccountID, as.PermissionSetArn}
		x.assignments[k] = append(x.assignments[k], as)
		if !seen[k] {
			seen[k] = true
			x.accountsByPS[as.PermissionSetArn] = append(x.accountsByPS[as.PermissionSetArn], as.AccountID)
			x.psByAccount[as.AccountID] = append(x.psByAccount[as.AccountID], as.PermissionSetArn)
		}
	}
	for _, v := range x.accountsByPS {
		sort.Strings(v)
	}
	for _, v := range x.psByAccount {
		sort.Slice(v, func(i, j int) bool { return order[v[i]] < order[v[j]] })
	}
	return x
}

// reportState is one account's credential report generation.
type reportState struct {
	started time.Time    // GeneratedTime
	polls   atomic.Int64 // Generate/Get calls since the generation started (Get holds only the read lock)
	content []byte       // the CSV, rendered when the generation started
	// previous is the report this generation replaces (Options.ReportStaleWhileGenerating).
	previous *reportState
}
