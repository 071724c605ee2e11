package gcpfake

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Organization is the whole fake estate: an organization with its folders and projects, the IAM
// policies set on them, Cloud Identity groups and custom roles. ID may be empty for a set of
// standalone projects (Parent "" on each project).
type Organization struct {
	ID          string // the organization number, e.g. "123456789012"
	DisplayName string // usually the primary domain
	Domain      string
	CustomerID  string // Cloud Identity directoryCustomerId, e.g. "C01abc234"
	Folders     []Folder
	Projects    []Project
	// Policies maps a resource name ("organizations/<ID>", "folders/<id>", "projects/<project
	// ID>") to the allow policy set on it. Resources without an entry have an empty policy.
	Policies    map[string]Policy
	Groups      []Group
	CustomRoles []Role // names "organizations/<ID>/roles/<id>" or "projects/<project ID>/roles/<id>"
}

// Name returns "organizations/<ID>".
func (o *Organization) Name() string { return "organizations/" + o.ID }

// Folder is a Resource Manager folder. Parent is "organizations/<ID>" or "folders/<id>".
type Folder struct {
	ID          string // the folder number
	DisplayName string
	Parent      string
}

// Project is a Resource Manager project with its service accounts. Parent is
// "organizations/<ID>", "folders/<id>" or "" for a project outside any organization.
type Project struct {
	ID              string // the project ID, e.g. "payments-prod"
	Number          int64
	DisplayName     string
	Parent          string
	Labels          map[string]string
	ServiceAccounts []ServiceAccount
}

// ServiceAccount is an IAM service account. LastAuth is what Policy Analyzer reports as its last
// authentication (zero: never seen).
type ServiceAccount struct {
	Email       string
	UniqueID    string // 21 digits; generated from the email when empty
	DisplayName string
	Description string
	Disabled    bool
	Keys        []Key
	LastAuth    time.Time
}

// KeyType is a service-account key's keyType.
type KeyType string

// Key types as the IAM API names them.
const (
	UserManaged   KeyType = "USER_MANAGED"
	SystemManaged KeyType = "SYSTEM_MANAGED"
)

// Key is a service-account key's metadata (the fake never has key material).
type Key struct {
	ID          string // 40 hex digits; generated when empty
	Type        KeyType
	ValidAfter  time.Time
	ValidBefore time.Time
	Disabled    bool
	LastAuth    time.Time
}

// Policy is an IAM allow policy. Etag is the base64 etag; one is generated when empty. The policy
// version is derived: 3 when a binding has a condition, 1 otherwise.
type Policy struct {
	Etag     string
	Bindings []Binding
}

// Binding grants Role to Members, optionally under a Condition.
type Binding struct {
	Role      string
	Members   []string
	Condition *Condition
}

// Condition is an IAM condition (a CEL expression).
type Condition struct {
	Title       string
	Description string
	Expression  string
}

// Group is a Cloud Identity group. Members are IAM member strings: "user:<email>",
// "serviceAccount:<email>" or "group:<email>" (nested groups).
type Group struct {
	Email   string
	ID      string // the Cloud Identity group ID; generated from the email when empty
	Members []string
}

// Role is an IAM role definition.
type Role struct {
	Name        string // "roles/<id>", "organizations/<n>/roles/<id>", "projects/<p>/roles/<id>"
	Title       string
	Description string
	Permissions []string
	Stage       string // GA when empty
	Deleted     bool
}

// Validate reports the first inconsistency in the estate: duplicate or missing IDs, parents that
// do not exist, policies on unknown resources, malformed members or roles.
func (o *Organization) Validate() error {
	_, err := index(o)
	return err
}

// state is the indexed, deep-copied estate the handlers read.
type state struct {
	org          Organization
	orgName      string
	created      time.Time
	folders      map[string]*Folder // "folders/<id>"
	folderOrder  []string           // hierarchy order: parents before children
	childFolders map[string][]string
	childProjs   map[string][]string // parent → project IDs
	projects     map[string]*Project // project ID
	projOrder    []string
	projByNumber map[string]string
	policies     map[string]*Policy // canonical resource name (projects by ID)
	groups       map[string]*Group  // lower-cased email
	groupByID    map[string]*Group
	roles        map[string]Role
	sas          map[string]saRef // lower-cased email or unique ID
	etagSeq      uint64
}

type saRef struct {
	project string
	index   int
}

func (s *state) sa(ref saRef) *ServiceAccount {
	return &s.projects[ref.project].ServiceAccounts[ref.index]
}

func index(src *Organization) (*state, error) {
	st := &state{
		org:          cloneOrg(src),
		folders:      map[string]*Folder{},
		childFolders: map[string][]string{},
		childProjs:   map[string][]string{},
		projects:     map[string]*Project{},
		projByNumber: map[string]string{},
		policies:     map[string]*Policy{},
		groups:       map[string]*Group{},
		groupByID:    map[string]*Group{},
		roles:        map[string]Role{},
		sas:          map[string]saRef{},
	}
	o := &st.org
	if o.ID != "" {
		if !digits(o.ID) {
			return nil, fmt.Errorf("organization ID %q: want digits", o.ID)
		}
		st.orgName = o.Name()
	}
	for i := range o.Folders {
		f := &o.Folders[i]
		if !digits(f.ID) {
			return nil, fmt.Errorf("folder %q: ID must be digits", f.ID)
		}
		name := "folders/" + f.ID
		if _, dup := st.folders[name]; dup {
			return nil, fmt.Errorf("folder %s: duplicate", name)
		}
		st.folders[name] = f
	}
	for name, f := range st.folders {
		if !st.parentExists(f.Parent) || f.Parent == "" {
			return nil, fmt.Errorf("folder %s: unknown parent %q", name, f.Parent)
		}
		st.childFolders[f.Parent] = append(st.childFolders[f.Parent], name)
	}
	for _, kids := range st.childFolders {
		slices.SortFunc(kids, compareNumericNames)
	}
	// Hierarchy order, detecting cycles: every folder must be reachable from the organization.
	queue := []string{st.orgName}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range st.childFolders[p] {
			st.folderOrder = append(st.folderOrder, c)
			queue = append(queue, c)
		}
	}
	if len(st.folderOrder) != len(st.folders) {
		return nil, errors.New("folders: a cycle or a folder not under the organization")
	}
	for i := range o.Projects {
		p := &o.Projects[i]
		if p.ID == "" {
			return nil, fmt.Errorf("project #%d: empty ID", i)
		}
		if _, dup := st.projects[p.ID]; dup {
			return nil, fmt.Errorf("project %s: duplicate", p.ID)
		}
		if p.Number <= 0 {
			return nil, fmt.Errorf("project %s: number must be positive", p.ID)
		}
		num := strconv.FormatInt(p.Number, 10)
		if other, dup := st.projByNumber[num]; dup {
			return nil, fmt.Errorf("project %s: number %s already used by %s", p.ID, num, other)
		}
		if p.Parent != "" && !st.parentExists(p.Parent) {
			return nil, fmt.Errorf("project %s: unknown parent %q", p.ID, p.Parent)
		}
		st.projects[p.ID] = p
		st.projByNumber[num] = p.ID
		st.projOrder = append(st.projOrder, p.ID)
		st.childProjs[p.Parent] = append(st.childProjs[p.Parent], p.ID)
		for j := range p.ServiceAccounts {
			sa := &p.ServiceAccounts[j]
			if !strings.Contains(sa.Email, "@") {
				return nil, fmt.Errorf("project %s: service account %q: not an email", p.ID, sa.Email)
			}
			if sa.UniqueID == "" {
				sa.UniqueID = numericID(sa.Email, 21)
			}
			for _, k := range []string{strings.ToLower(sa.Email), sa.UniqueID} {
				if _, dup := st.sas[k]; dup {
					return nil, fmt.Errorf("project %s: service account %s: duplicate email or unique ID", p.ID, sa.Email)
				}
				st.sas[k] = saRef{project: p.ID, index: j}
			}
			keyIDs := map[string]bool{}
			for k := range sa.Keys {
				key := &sa.Keys[k]
				if key.ID == "" {
					key.ID = hexID(sa.Email+"/"+strconv.Itoa(k), 40)
				}
				if keyIDs[key.ID] {
					return nil, fmt.Errorf("service account %s: duplicate key %s", sa.Email, key.ID)
				}
				keyIDs[key.ID] = true
				switch key.Type {
				case UserManaged, SystemManaged:
				case "":
					key.Type = UserManaged
				default:
					return nil, fmt.Errorf("service account %s: key %s: unknown type %q", sa.Email, key.ID, key.Type)
				}
			}
		}
	}
	for name, pol := range o.Policies {
		canon, ok := st.canonicalResource(name)
		if !ok {
			return nil, fmt.Errorf("policy on %q: no such organization, folder or project", name)
		}
		if _, dup := st.policies[canon]; dup {
			return nil, fmt.Errorf("policy on %q: set twice", name)
		}
		if err := validatePolicy(pol); err != nil {
			return nil, fmt.Errorf("policy on %s: %w", name, err)
		}
		p := pol
		if p.Etag == "" {
			p.Etag = st.nextEtag()
		}
		st.policies[canon] = &p
	}
	for i := range o.Groups {
		g := &o.Groups[i]
		key := strings.ToLower(g.Email)
		if !strings.Contains(key, "@") {
			return nil, fmt.Errorf("group %q: not an email", g.Email)
		}
		if _, dup := st.groups[key]; dup {
			return nil, fmt.Errorf("group %s: duplicate", g.Email)
		}
		if g.ID == "" {
			g.ID = hexID(key, 15)
		}
		for _, m := range g.Members {
			if _, _, err := splitMember(m); err != nil {
				return nil, fmt.Errorf("group %s: %w", g.Email, err)
			}
		}
		st.groups[key] = g
		st.groupByID[g.ID] = g
	}
	for _, r := range PredefinedRoles() {
		st.roles[r.Name] = r
	}
	for _, r := range o.CustomRoles {
		parent, _, ok := strings.Cut(r.Name, "/roles/")
		if !ok || strings.HasPrefix(r.Name, "roles/") {
			return nil, fmt.Errorf("custom role %q: want organizations/<n>/roles/<id> or projects/<p>/roles/<id>", r.Name)
		}
		if parent != st.orgName && !(strings.HasPrefix(parent, "projects/") && st.projects[strings.TrimPrefix(parent, "projects/")] != nil) {
			return nil, fmt.Errorf("custom role %s: unknown parent %s", r.Name, parent)
		}
		st.roles[r.Name] = r
	}
	return st, nil
}

func (s *state) parentExists(parent string) bool {
	if parent == "" {
		return true
	}
	if strings.HasPrefix(parent, "organizations/") {
		return parent == s.orgName && s.orgName != ""
	}
	_, ok := s.folders[parent]
	return ok
}

// canonicalResource maps "projects/<number>" to "projects/<ID>" and checks the resource exists.
func (s *state) canonicalResource(name string) (string, bool) {
	kind, id, ok := strings.Cut(name, "/")
	if !ok {
		return "", false
	}
	switch kind {
	case "organizations":
		return name, s.orgName != "" && name == s.orgName
	case "folders":
		_, ok := s.folders[name]
		return name, ok
	case "projects":
		if _, ok := s.projects[id]; ok {
			return name, true
		}
		if pid, ok := s.projByNumber[id]; ok {
			return "projects/" + pid, true
		}
	}
	return "", false
}

// ancestors returns the resource names above name, nearest first, ending at the organization.
func (s *state) ancestors(name string) []string {
	var out []string
	parent := ""
	if strings.HasPrefix(name, "projects/") {
		if p := s.projects[strings.TrimPrefix(name, "projects/")]; p != nil {
			parent = p.Parent
		}
	} else if f := s.folders[name]; f != nil {
		parent = f.Parent
	}
	for parent != "" {
		out = append(out, parent)
		f := s.folders[parent]
		if f == nil {
			break
		}
		parent = f.Parent
	}
	return out
}

func (s *state) nextEtag() string {
	s.etagSeq++
	var b [9]byte
	b[0] = 0x07
	binary.BigEndian.PutUint64(b[1:], s.etagSeq)
	return base64.StdEncoding.EncodeToString(b[:])
}

func validatePolicy(p Policy) error {
	for i, b := range p.Bindings {
		if !validRoleName(b.Role) {
			return fmt.Errorf("binding %d: invalid role %q", i, b.Role)
		}
		if len(b.Members) == 0 {
			return fmt.Errorf("binding %d (%s): no members", i, b.Role)
		}
		for _, m := range b.Members {
			if err := validMember(m); err != nil {
				return fmt.Errorf("binding %d (%s): %w", i, b.Role, err)
			}
		}
		if b.Condition != nil && b.Condition.Expression == "" {
			return fmt.Errorf("binding %d (%s): condition without expression", i, b.Role)
		}
	}
	return nil
}

func validRoleName(r string) bool {
	if id, ok := strings.CutPrefix(r, "roles/"); ok {
		return id != "" && !strings.Contains(id, "/")
	}
	parts := strings.Split(r, "/")
	return len(parts) == 4 && (parts[0] == "organizations" || parts[0] == "projects") &&
		parts[1] != "" && parts[2] == "roles" && parts[3] != ""
}

// validMember accepts the member forms IAM accepts in allow policies.
func validMember(m string) error {
	switch m {
	case "allUsers", "allAuthenticatedUsers":
		return nil
	}
	if strings.HasPrefix(m, "principal://") || strings.HasPrefix(m, "principalSet://") {
		if strings.ContainsAny(m, " \t\n") {
			return fmt.Errorf("invalid member %q", m)
		}
		return nil
	}
	inner, deleted := strings.CutPrefix(m, "deleted:")
	typ, rest, ok := strings.Cut(inner, ":")
	if !ok || rest == "" {
		return fmt.Errorf("invalid member %q", m)
	}
	switch typ {
	case "user", "serviceAccount", "group":
		email, uid, hasUID := strings.Cut(rest, "?uid=")
		if !strings.Contains(email, "@") || deleted != hasUID || (hasUID && uid == "") {
			return fmt.Errorf("invalid member %q", m)
		}
	case "domain", "projectOwner", "projectEditor", "projectViewer":
		if deleted {
			return fmt.Errorf("invalid member %q", m)
		}
	default:
		return fmt.Errorf("invalid member %q: unknown type %q", m, typ)
	}
	return nil
}

// splitMember splits a group member "user:a@b" into its Cloud Identity type and email.
func splitMember(m string) (typ, email string, err error) {
	t, e, ok := strings.Cut(m, ":")
	if !ok || !strings.Contains(e, "@") {
		return "", "", fmt.Errorf("member %q: want user:, serviceAccount: or group: and an email", m)
	}
	switch t {
	case "user":
		return "USER", e, nil
	case "serviceAccount":
		return "SERVICE_ACCOUNT", e, nil
	case "group":
		return "GROUP", e, nil
	}
	return "", "", fmt.Errorf("member %q: unknown type %q", m, t)
}

func cloneOrg(o *Organization) Organization {
	c := *o
	c.Folders = slices.Clone(o.Folders)
	c.Projects = slices.Clone(o.Projects)
	for i := range c.Projects {
		p := &c.Projects[i]
		p.Labels = maps.Clone(p.Labels)
		p.ServiceAccounts = slices.Clone(p.ServiceAccounts)
		for j := range p.ServiceAccounts {
			p.ServiceAccounts[j].Keys = slices.Clone(p.ServiceAccounts[j].Keys)
		}
	}
	c.Policies = make(map[string]Policy, len(o.Policies))
	for k, v := range o.Policies {
		c.Policies[k] = clonePolicy(v)
	}
	c.Groups = slices.Clone(o.Groups)
	for i := range c.Groups {
		c.Groups[i].Members = slices.Clone(c.Groups[i].Members)
	}
	c.CustomRoles = slices.Clone(o.CustomRoles)
	for i := range c.CustomRoles {
		c.CustomRoles[i].Permissions = slices.Clone(c.CustomRoles[i].Permissions)
	}
	return c
}

func clonePolicy(p Policy) Policy {
	c := Policy{Etag: p.Etag, Bindings: slices.Clone(p.Bindings)}
	for i := range c.Bindings {
		b := &c.Bindings[i]
		b.Members = slices.Clone(b.Members)
		if b.Condition != nil {
			cond := *b.Condition
			b.Condition = &cond
		}
	}
	return c
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func compareNumericNames(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// numericID derives a stable decimal ID of n digits (first digit non-zero) from seed.
func numericID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	var b strings.Builder
	b.WriteByte('1')
	for i := 0; b.Len() < n; i++ {
		b.WriteByte('0' + sum[i%len(sum)]%10)
	}
	return b.String()
}

func hexID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])[:n]
}
