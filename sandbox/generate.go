package sandbox

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// GenerateOptions configure Generate. The zero value generates the default "Acme Health".
type GenerateOptions struct {
	// Seed makes the organisation reproducible: the same options give the same Org.
	Seed uint64
	// Scale is the approximate number of principals (AWS IAM users, roles and root users,
	// Identity Center users, Google users, groups and service accounts); default DefaultScale.
	// The planted problems are repeated in proportion (once per DefaultScale principals).
	Scale int
	// Now is the time every timestamp is relative to; default 2025-06-02T09:00:00Z (a fixed
	// time, so that an Org does not depend on the clock).
	Now time.Time
	// Domain is the company's email domain; default "acmehealth.com".
	Domain string
}

// DefaultScale is the size of the default organisation.
const DefaultScale = 300

// DefaultNow is the default GenerateOptions.Now.
var DefaultNow = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// ProtectedTag is the tag key carried by break-glass principals; its value says why.
const ProtectedTag = "provost:protected"

// HRSourceName is the name of the HR source the generated roster is meant for: person IDs are
// "hr:<employee ID>".
const HRSourceName = "hr"

// Org is a generated organisation: what the fakes serve, the HR roster, and what a scan of it
// must find.
type Org struct {
	Options GenerateOptions // with defaults applied
	Now     time.Time
	AWS     *awsfake.Organization
	GCP     *gcpfake.Organization
	// HRCSV is the HR export in the hrfile CSV format with hrfile.DefaultColumns (see HRColumns).
	HRCSV []byte
	// Mapping maps principal IDs to the employee IDs of their owners (a linking mapping file):
	// Google service accounts carry no owner tag.
	Mapping map[string]string
	// OrgDomains are the company's email domains (policy config org_domains).
	OrgDomains []string
	// Protected are principal ID globs of the break-glass principals (policy config
	// protected_principals); the AWS ones also carry ProtectedTag.
	Protected []string
	// Planted is every (check, principal) pair a scan must report, sorted; nothing else fires
	// but Drift.
	Planted []Planted
	// Drift is every (check, principal) pair the drift checks must report when the previous
	// scan saw the organisation a day earlier (Day-1), sorted; empty on day 0.
	Drift []Planted
	// People counts the roster rows, Principals the principals a scan collects.
	People, Principals int
	// Day is how many days Advance moved the organisation past Options.Now.
	Day int
}

// Planted is one planted problem: the check that must report it and the principal it is on.
type Planted struct {
	CheckID     string `json:"check_id"`
	PrincipalID string `json:"principal_id"`
}

// Account IDs of the generated AWS Organization.
const (
	AccountManagement = "210000000001"
	AccountSecurity   = "210000000002"
	AccountProd       = "210000000003"
	AccountDev        = "210000000004"
	AccountSandbox    = "210000000005"
)

// GCPOrgID is the generated Google Cloud organization number.
const GCPOrgID = "470000000001"

const (
	identityStoreID = "d-9067ac0e01"
	maxUsersPerAcct = 4000 // IAM allows 5,000
	maxSAsPerProj   = 100  // GCP's default quota
	arnAdmin        = "arn:aws:iam::aws:policy/AdministratorAccess"
	arnViewOnly     = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	arnReadOnly     = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	arnAudit        = "arn:aws:iam::aws:policy/SecurityAudit"
	saDomain        = ".iam.gserviceaccount.com"
)

var (
	firstNames = []string{"ada", "amir", "beatriz", "chen", "dara", "elena", "farid", "grace", "hana", "ivan", "jonas",
		"kemal", "lena", "malik", "nadia", "omar", "priya", "quinn", "rosa", "sami", "tariq", "uma", "vera", "wei",
		"xena", "yusuf", "zoe", "aiko", "bruno", "carla", "diego", "emma", "felix", "gita", "hugo", "ines", "jamal",
		"kira", "luca", "mei"}
	lastNames = []string{"abbott", "bauer", "costa", "dubois", "eriksen", "fischer", "garcia", "haddad", "ito",
		"jensen", "kowalski", "lopez", "moreau", "nakamura", "okafor", "petrov", "quispe", "rossi", "silva", "tanaka",
		"ueda", "varga", "weber", "xu", "yilmaz", "zhang", "adeyemi", "brandt", "castillo", "demir"}
	departments = []struct{ name, title string }{
		{"Engineering", "Software Engineer"}, {"Clinical Informatics", "Clinical Analyst"},
		{"Data Science", "Data Scientist"}, {"Security", "Security Engineer"}, {"Platform", "Site Reliability Engineer"},
		{"Finance", "Financial Analyst"}, {"Patient Services", "Care Coordinator"}, {"Compliance", "Compliance Officer"},
	}
	gcpCleanRoles = []string{"roles/bigquery.dataViewer", "roles/logging.viewer", "roles/monitoring.viewer",
		"roles/container.developer", "roles/storage.objectViewer", "roles/cloudsql.client"}
	saCleanRoles = []string{"roles/pubsub.publisher", "roles/pubsub.subscriber", "roles/storage.objectViewer",
		"roles/cloudsql.client", "roles/secretmanager.secretAccessor", "roles/run.invoker"}
	gcpFolders = []string{"Clinical", "Corporate", "Platform", "Sandbox"}
	gcpApps    = []string{"ehr", "claims", "patient-portal", "analytics", "billing", "scheduling", "imaging", "pharmacy"}
)

// person is one roster row while generating.
type person struct {
	id, first, last, user, email, dept, title, manager, status string
	aliases                                                    []string
	principals, ownedSAs                                       []string
	start, end                                                 time.Time
}

// gen holds the state of one generation.
type gen struct {
	o         GenerateOptions
	now       time.Time
	rng       *rand.Rand
	people    []*person
	users     map[string]int // username → count, for uniqueness
	aws       *awsfake.Organization
	accts     map[string]*awsfake.Account
	legacy    []*awsfake.Account // accounts without Identity Center, holding IAM users
	ic        *awsfake.IdentityCenter
	gcp       *gcpfake.Organization
	projIdx   map[string]int
	bind      map[string]map[string][]string // resource → role → members
	mapping   map[string]string
	planted   []Planted
	drift     []Planted // the last day's drift findings
	protected []string
	serial    int       // hardware MFA serials and access key IDs
	clean     []*person // active people with only clean accounts, for Advance
	day       int
}

func (o *GenerateOptions) defaults() {
	if o.Scale <= 0 {
		o.Scale = DefaultScale
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	if o.Domain == "" {
		o.Domain = "acmehealth.com"
	}
}

// Generate builds a synthetic healthcare organisation: an AWS Organization (management,
// security, prod, dev and sandbox accounts, more workload accounts at scale) with IAM Identity
// Center, a Google Cloud organization with folders and projects, and an HR roster. Most of it
// is clean; the planted problems (Org.Planted) make every bundled check fire at least once.
// Generate is deterministic: the same options give an identical Org.
func Generate(opts GenerateOptions) *Org { return generate(opts, 0) }

func generate(opts GenerateOptions, days int) *Org {
	opts.defaults()
	g := &gen{
		o: opts, now: opts.Now.UTC(), rng: rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15)),
		users: map[string]int{}, accts: map[string]*awsfake.Account{}, projIdx: map[string]int{},
		bind: map[string]map[string][]string{}, mapping: map[string]string{},
	}
	g.skeleton()
	g.population()
	g.plant()
	g.breakGlass()
	for d := 1; d <= days; d++ {
		g.advance(d)
	}
	return g.finish()
}

func (g *gen) daysAgo(d int) time.Time { return g.now.Add(-time.Duration(d) * 24 * time.Hour) }

// between returns a time lo..hi days ago (at whole minutes).
func (g *gen) between(lo, hi int) time.Time {
	m := lo*1440 + g.rng.IntN((hi-lo)*1440+1)
	return g.now.Add(-time.Duration(m) * time.Minute)
}

func (g *gen) skeleton() {
	created := g.daysAgo(2000)
	pp := func() *awsfake.PasswordPolicy {
		return &awsfake.PasswordPolicy{MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
			RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			MaxPasswordAge: 90, PasswordReusePrevention: 24}
	}
	acct := func(id, name string, ou []string) *awsfake.Account {
		a := &awsfake.Account{ID: id, Name: name, Email: "aws-" + name + "@" + g.o.Domain, OUPath: ou,
			Joined: created, PasswordPolicy: pp(),
			Root: awsfake.Root{Created: created, PasswordEnabled: true, PasswordLastUsed: g.daysAgo(120), MFA: true}}
		g.accts[id] = a
		g.aws.Accounts = append(g.aws.Accounts, a)
		// Every account has a service-linked role, never used: exempt from the unused-role check.
		a.Roles = append(a.Roles, &awsfake.Role{Name: "AWSServiceRoleForSupport", Path: "/aws-service-role/support.amazonaws.com/",
			Created: created, AttachedPolicies: []string{arnAudit}})
		return a
	}
	g.aws = &awsfake.Organization{ManagementAccount: AccountManagement}
	acct(AccountManagement, "management", nil)
	acct(AccountSecurity, "security", []string{"Security"})
	acct(AccountProd, "prod", []string{"Workloads", "Prod"})
	g.legacy = append(g.legacy, acct(AccountDev, "dev", []string{"Workloads", "Dev"}), acct(AccountSandbox, "sandbox", []string{"Sandbox"}))
	for _, a := range g.aws.Accounts {
		a.Groups = append(a.Groups, &awsfake.Group{Name: "Developers", Created: created, AttachedPolicies: []string{arnViewOnly}},
			&awsfake.Group{Name: "Auditors", Created: created, AttachedPolicies: []string{arnAudit}})
	}
	g.ic = &awsfake.IdentityCenter{IdentityStoreID: identityStoreID, Name: "acme-health", Created: created,
		PermissionSets: []*awsfake.PermissionSet{
			{Name: "AdministratorAccess", Created: created, ManagedPolicies: []string{arnAdmin}, SessionDuration: "PT1H"},
			{Name: "ReadOnly", Created: created, ManagedPolicies: []string{arnReadOnly}, SessionDuration: "PT8H"},
			{Name: "ViewOnly", Created: created, ManagedPolicies: []string{arnViewOnly}, SessionDuration: "PT8H"},
			{Name: "SecurityAudit", Created: created, ManagedPolicies: []string{arnAudit}, SessionDuration: "PT8H"},
		}}
	for i, ps := range g.ic.PermissionSets {
		ps.Arn = fmt.Sprintf("arn:aws:sso:::permissionSet/ssoins-7223acme00000001/ps-%016x", 0xac3e0000+i)
	}
	g.ic.InstanceArn = "arn:aws:sso:::instance/ssoins-7223acme00000001"
	g.aws.IdentityCenter = g.ic
	// Groups and their assignments: Identity Center manages management, security and prod.
	for i, grp := range []struct{ name, ps string }{
		{"Platform Admins", "AdministratorAccess"}, {"Engineering", "ReadOnly"}, {"Clinical", "ViewOnly"}, {"Security", "SecurityAudit"},
	} {
		id := fmt.Sprintf("a0e1c2d3-0000-4000-8000-%012x", i+1)
		g.ic.Groups = append(g.ic.Groups, &awsfake.SSOGroup{ID: id, DisplayName: grp.name})
		for _, acct := range []string{AccountManagement, AccountSecurity, AccountProd} {
			g.ic.Assignments = append(g.ic.Assignments, awsfake.Assignment{AccountID: acct, PermissionSetArn: g.psArn(grp.ps),
				PrincipalType: awsfake.PrincipalGroup, PrincipalID: id})
		}
	}

	g.gcp = &gcpfake.Organization{ID: GCPOrgID, DisplayName: g.o.Domain, Domain: g.o.Domain, CustomerID: "C04cme9x1",
		Policies: map[string]gcpfake.Policy{}}
	for i, f := range gcpFolders {
		g.gcp.Folders = append(g.gcp.Folders, gcpfake.Folder{ID: strconv.Itoa(480000000001 + i), DisplayName: f, Parent: g.gcp.Name()})
	}
	for i, app := range gcpApps {
		for j, env := range []string{"prod", "dev"} {
			folder := g.gcp.Folders[i%3].ID
			if env == "dev" && i%2 == 1 {
				folder = g.gcp.Folders[3].ID
			}
			g.addProject(app+"-"+env, "folders/"+folder, map[string]string{"env": env, "app": app, "data": []string{"phi", "internal"}[j]})
		}
	}
	g.group("group:engineering@"+g.o.Domain, "roles/browser", g.gcp.Name())
	g.group("group:security@"+g.o.Domain, "roles/iam.securityReviewer", g.gcp.Name())
}

func (g *gen) psArn(name string) string {
	for _, ps := range g.ic.PermissionSets {
		if ps.Name == name {
			return ps.Arn
		}
	}
	panic("sandbox: unknown permission set " + name) // a bug in the generator, not input
}

func (g *gen) addProject(id, parent string, labels map[string]string) *gcpfake.Project {
	g.projIdx[id] = len(g.gcp.Projects)
	g.gcp.Projects = append(g.gcp.Projects, gcpfake.Project{ID: id, Number: int64(600000000001 + len(g.gcp.Projects)),
		DisplayName: id, Parent: parent, Labels: labels})
	return &g.gcp.Projects[len(g.gcp.Projects)-1]
}

func (g *gen) group(member, role, resource string) { g.binding(resource, role, member) }

func (g *gen) binding(resource, role, member string) {
	m := g.bind[resource]
	if m == nil {
		m = map[string][]string{}
		g.bind[resource] = m
	}
	m[role] = append(m[role], member)
}

// newPerson adds a roster row: active unless status says otherwise.
func (g *gen) newPerson(status string) *person {
	first := firstNames[g.rng.IntN(len(firstNames))]
	last := lastNames[g.rng.IntN(len(lastNames))]
	user := first + "." + last
	g.users[user]++
	if n := g.users[user]; n > 1 {
		user += strconv.Itoa(n)
	}
	d := departments[g.rng.IntN(len(departments))]
	p := &person{id: fmt.Sprintf("AH%06d", len(g.people)+1), first: first, last: last, user: user,
		email: user + "@" + g.o.Domain, dept: d.name, title: d.title, status: status, start: g.between(30, 3000)}
	if len(g.people) > 0 {
		p.manager = g.people[g.rng.IntN(min(len(g.people), 1+len(g.people)/8))].id
	}
	switch status {
	case "terminated":
		p.end = g.between(60, 700)
	case "leave":
		p.end = time.Time{}
	}
	g.people = append(g.people, p)
	return p
}

// population adds the clean majority: people and their accounts, roles and service accounts.
func (g *gen) population() {
	n := g.o.Scale
	nPeople := max(20, n*47/100)
	nRoles := max(10, n*5/100)
	nSAs := max(12, n*12/100)
	for i := range nPeople {
		r := g.rng.IntN(100)
		switch {
		case r < 4: // offboarded properly: in the roster, no accounts left
			g.newPerson("terminated")
			continue
		case r < 6: // on leave: accounts disabled
			p := g.newPerson("leave")
			g.ssoUser(p, "Clinical", true)
			continue
		case r < 9: // joiner: started in the last two weeks
			p := g.newPerson("active")
			p.start = g.between(0, 14)
			g.ssoUser(p, "Clinical", false)
			continue
		}
		p := g.newPerson("active")
		grp := map[string]string{"Engineering": "Engineering", "Data Science": "Engineering", "Platform": "Engineering",
			"Security": "Security"}[p.dept]
		if grp == "" {
			grp = "Clinical"
		}
		if i%53 == 7 && p.dept == "Platform" {
			grp = "Platform Admins"
		}
		p.principals = append(p.principals, g.ssoUser(p, grp, false))
		if g.rng.IntN(100) < 50 {
			p.principals = append(p.principals, g.gcpUser(p))
		}
		if g.rng.IntN(100) < 20 {
			a := g.legacyAccount()
			g.iamUser(a, p.user, p)
			p.principals = append(p.principals, userARN(a.ID, p.user))
		}
		if grp != "Platform Admins" {
			g.clean = append(g.clean, p)
		}
	}
	for i := range nRoles {
		a := g.aws.Accounts[i%len(g.aws.Accounts)]
		a.Roles = append(a.Roles, &awsfake.Role{Name: fmt.Sprintf("%s-app-%04d", gcpApps[i%len(gcpApps)], i),
			Created: g.between(100, 1500), LastUsed: g.between(0, 30), LastUsedRegion: "us-east-1",
			AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			AttachedPolicies: []string{arnReadOnly}, Tags: map[string]string{"owner": g.activePerson().email}})
	}
	for i := range nSAs {
		proj := g.saProject(i)
		email := fmt.Sprintf("%s-%05d@%s%s", []string{"etl", "api", "worker", "sync", "report"}[i%5], i, proj.ID, saDomain)
		proj.ServiceAccounts = append(proj.ServiceAccounts, gcpfake.ServiceAccount{Email: email, DisplayName: "workload " + strconv.Itoa(i),
			LastAuth: g.between(0, 20), Keys: []gcpfake.Key{{Type: gcpfake.SystemManaged, ValidAfter: g.between(1, 30), ValidBefore: g.now.AddDate(0, 0, 60)}}})
		g.binding("projects/"+proj.ID, saCleanRoles[i%len(saCleanRoles)], "serviceAccount:"+email)
		owner := g.activePerson()
		owner.ownedSAs = append(owner.ownedSAs, "gcp:serviceAccount:"+strings.ToLower(email))
		g.mapping["gcp:serviceAccount:"+strings.ToLower(email)] = HRSourceName + ":" + owner.id
	}
}

// activePerson returns a random active person with accounts (the first people are all active).
func (g *gen) activePerson() *person {
	for {
		p := g.people[g.rng.IntN(len(g.people))]
		if p.status == "active" {
			return p
		}
	}
}

func (g *gen) legacyAccount() *awsfake.Account {
	for _, a := range g.legacy {
		if len(a.Users) < maxUsersPerAcct {
			return a
		}
	}
	id := fmt.Sprintf("2100000%05d", 100+len(g.legacy))
	a := &awsfake.Account{ID: id, Name: fmt.Sprintf("workloads-%02d", len(g.legacy)-1), Email: "aws-" + id + "@" + g.o.Domain,
		OUPath: []string{"Workloads", "Legacy"}, Joined: g.daysAgo(900), PasswordPolicy: g.accts[AccountDev].PasswordPolicy,
		Root: awsfake.Root{Created: g.daysAgo(900), PasswordEnabled: true, PasswordLastUsed: g.daysAgo(300), MFA: true}}
	a.PasswordPolicy = &awsfake.PasswordPolicy{MinimumPasswordLength: 14, PasswordReusePrevention: 24, RequireSymbols: true}
	a.Groups = []*awsfake.Group{{Name: "Developers", Created: g.daysAgo(900), AttachedPolicies: []string{arnViewOnly}}}
	g.accts[id] = a
	g.aws.Accounts = append(g.aws.Accounts, a)
	g.legacy = append(g.legacy, a)
	return a
}

func (g *gen) saProject(i int) *gcpfake.Project {
	base := len(gcpApps) * 2
	k := i / maxSAsPerProj
	if k < base {
		return &g.gcp.Projects[k]
	}
	id := fmt.Sprintf("%s-svc-%03d", gcpApps[k%len(gcpApps)], k)
	if j, ok := g.projIdx[id]; ok {
		return &g.gcp.Projects[j]
	}
	return g.addProject(id, "folders/"+g.gcp.Folders[k%3].ID, map[string]string{"env": "prod", "app": gcpApps[k%len(gcpApps)]})
}

// ssoUser adds an Identity Center user for p in group grp (none when grp is "").
func (g *gen) ssoUser(p *person, grp string, disabled bool) string {
	id := fmt.Sprintf("90670ac3-%04x-4%03x-8000-%012x", len(g.ic.Users)>>24, len(g.ic.Users)>>12&0xfff, len(g.ic.Users))
	u := &awsfake.SSOUser{ID: id, UserName: p.email, DisplayName: strings.Title(p.first) + " " + strings.Title(p.last), //nolint:staticcheck // ASCII names
		GivenName: p.first, FamilyName: p.last, Emails: []awsfake.Email{{Value: p.email, Type: "work", Primary: true}},
		ExternalIDs: []awsfake.ExternalID{{Issuer: "hr", ID: p.id}}}
	if disabled {
		u.Status = "DISABLED"
	}
	g.ic.Users = append(g.ic.Users, u)
	if grp != "" {
		for _, sg := range g.ic.Groups {
			if sg.DisplayName == grp {
				g.ic.Memberships = append(g.ic.Memberships, awsfake.Membership{GroupID: sg.ID, UserID: id})
			}
		}
	}
	return "aws-sso:" + identityStoreID + ":" + id
}

func (g *gen) gcpUser(p *person) string {
	proj := g.gcp.Projects[g.rng.IntN(len(gcpApps)*2)].ID
	g.binding("projects/"+proj, gcpCleanRoles[g.rng.IntN(len(gcpCleanRoles))], "user:"+p.email)
	return "gcp:user:" + p.email
}

// iamUser adds a clean IAM user: in Developers, with MFA, a recent console login or none, and at
// most one fresh, recently used access key.
func (g *gen) iamUser(a *awsfake.Account, name string, p *person) *awsfake.User {
	u := &awsfake.User{Name: name, Created: g.between(100, 1200), Groups: []string{"Developers"},
		MFADevices: []string{g.mfaSerial()}}
	if g.rng.IntN(2) == 0 {
		u.PasswordEnabled, u.PasswordLastChanged, u.PasswordLastUsed = true, g.between(30, 80), g.between(0, 20)
	}
	if g.rng.IntN(3) != 0 {
		u.AccessKeys = []awsfake.AccessKey{g.key(a, u, g.between(5, 60), g.between(0, 10))}
	}
	a.Users = append(a.Users, u)
	return u
}

func (g *gen) key(a *awsfake.Account, u *awsfake.User, created, used time.Time) awsfake.AccessKey {
	g.serial++
	id := fmt.Sprintf("AKIA%s%06d", a.ID[6:], g.serial)
	k := awsfake.AccessKey{ID: id, Status: awsfake.KeyActive, Created: created, LastUsed: used}
	if !used.IsZero() {
		k.LastUsedService, k.LastUsedRegion = "s3", "us-east-1"
	}
	return k
}

func (g *gen) mfaSerial() string {
	g.serial++
	return fmt.Sprintf("GAHT%08d", g.serial)
}

func (g *gen) plantPair(check, principal string) {
	g.planted = append(g.planted, Planted{CheckID: check, PrincipalID: principal})
}

func userARN(acct, name string) string { return "arn:aws:iam::" + acct + ":user/" + name }
func roleARN(acct, name string) string { return "arn:aws:iam::" + acct + ":role/" + name }
func rootARN(acct string) string       { return "arn:aws:iam::" + acct + ":root" }

// plant adds the planted problems: account-level ones once, the others once per DefaultScale
// principals.
func (g *gen) plant() {
	// Root users and password policy.
	mgmt, dev, sbx := g.accts[AccountManagement], g.accts[AccountDev], g.accts[AccountSandbox]
	mgmt.Root.PasswordLastUsed = g.daysAgo(2)
	g.plantPair("PV-AWS-003", rootARN(AccountManagement))
	dev.Root.AccessKeys[0] = &awsfake.RootAccessKey{Active: true, Created: g.daysAgo(400), LastUsed: g.daysAgo(30),
		LastUsedService: "s3", LastUsedRegion: "us-east-1"}
	g.plantPair("PV-AWS-001", rootARN(AccountDev))
	sbx.Root.MFA = false
	g.plantPair("PV-AWS-002", rootARN(AccountSandbox))
	dev.PasswordPolicy = &awsfake.PasswordPolicy{MinimumPasswordLength: 8, PasswordReusePrevention: 0, AllowUsersToChangePassword: true}
	g.plantPair("PV-AWS-012", rootARN(AccountDev))

	copies := max(1, g.o.Scale/DefaultScale)
	for c := range copies {
		g.plantCopy(c)
	}
}

func (g *gen) plantCopy(c int) {
	dev := g.accts[AccountDev]
	if c > 0 {
		dev = g.legacyAccount()
	}
	prod := g.accts[AccountProd]
	// user adds a planted IAM user of a new active person in dev, clean but for what mod does.
	user := func(mod func(u *awsfake.User), checks ...string) {
		p := g.newPerson("active")
		u := &awsfake.User{Name: p.user, Created: g.daysAgo(400), Groups: []string{"Developers"},
			MFADevices: []string{g.mfaSerial()}}
		u.AccessKeys = []awsfake.AccessKey{g.key(dev, u, g.daysAgo(20), g.daysAgo(1))}
		mod(u)
		dev.Users = append(dev.Users, u)
		for _, ch := range checks {
			g.plantPair(ch, userARN(dev.ID, u.Name))
		}
	}
	user(func(u *awsfake.User) { // a leaver whose key still works
		p := g.people[len(g.people)-1]
		p.status, p.end = "terminated", g.daysAgo(10)
	}, "PV-IDN-002")
	user(func(u *awsfake.User) {
		u.AccessKeys[0].Created, u.AccessKeys[0].LastUsed = g.daysAgo(70), g.daysAgo(60)
	}, "PV-AWS-006")
	user(func(u *awsfake.User) {
		u.AccessKeys[0].Created, u.AccessKeys[0].LastUsed = g.daysAgo(60), time.Time{}
		u.AccessKeys[0].LastUsedService, u.AccessKeys[0].LastUsedRegion = "", ""
	}, "PV-AWS-006")
	user(func(u *awsfake.User) { u.AccessKeys[0].Created = g.daysAgo(200) }, "PV-AWS-007")
	user(func(u *awsfake.User) {
		u.AccessKeys = append(u.AccessKeys, g.key(dev, u, g.daysAgo(30), g.daysAgo(2)))
	}, "PV-AWS-008")
	user(func(u *awsfake.User) {
		u.MFADevices = nil
		u.PasswordEnabled, u.PasswordLastChanged, u.PasswordLastUsed = true, g.daysAgo(60), g.daysAgo(2)
	}, "PV-AWS-004")
	user(func(u *awsfake.User) {
		u.PasswordEnabled, u.PasswordLastChanged, u.PasswordLastUsed = true, g.daysAgo(300), g.daysAgo(100)
	}, "PV-AWS-005")
	user(func(u *awsfake.User) { u.AttachedPolicies = []string{arnViewOnly} }, "PV-AWS-009")
	user(func(u *awsfake.User) { u.AttachedPolicies = []string{arnAdmin} }, "PV-AWS-009", "PV-AWS-011")
	user(func(u *awsfake.User) { u.AttachedPolicies, u.MFADevices = []string{arnAdmin}, nil }, "PV-AWS-009", "PV-AWS-011", "PV-IDN-005")
	user(func(u *awsfake.User) { u.Groups = nil }, "PV-AWS-010")
	user(func(u *awsfake.User) { // nobody in HR answers to this name
		g.people = g.people[:len(g.people)-1]
		u.Name = fmt.Sprintf("kmorrow-ext%d", c)
	}, "PV-IDN-003")
	user(func(u *awsfake.User) { // a shared login, owned by someone
		owner := g.people[len(g.people)-1].email
		u.Name, u.Tags = "devops", map[string]string{"owner": owner}
		if c > 0 {
			u.Name = fmt.Sprintf("shared-ops-%d", c)
		}
	}, "PV-IDN-004")
	// An IAM user in an account Identity Center manages.
	p := g.newPerson("active")
	u := &awsfake.User{Name: p.user, Created: g.daysAgo(500), Groups: []string{"Developers"}, MFADevices: []string{g.mfaSerial()}}
	prod.Users = append(prod.Users, u)
	g.plantPair("PV-AWS-013", userARN(prod.ID, u.Name))

	// Roles.
	prod.Roles = append(prod.Roles, &awsfake.Role{Name: fmt.Sprintf("legacy-etl-%d", c), Created: g.daysAgo(900), LastUsed: g.daysAgo(200),
		LastUsedRegion: "us-east-1", AttachedPolicies: []string{arnReadOnly}})
	g.plantPair("PV-AWS-015", roleARN(prod.ID, fmt.Sprintf("legacy-etl-%d", c)))
	dev.Roles = append(dev.Roles, &awsfake.Role{Name: fmt.Sprintf("ci-deploy-%d", c), Created: g.daysAgo(300), LastUsed: g.daysAgo(1),
		LastUsedRegion: "us-east-1", AttachedPolicies: []string{arnAdmin}})
	g.plantPair("PV-AWS-011", roleARN(dev.ID, fmt.Sprintf("ci-deploy-%d", c)))

	// Identity Center.
	p = g.newPerson("active")
	id := g.ssoUser(p, "Engineering", false)
	g.ic.Assignments = append(g.ic.Assignments, awsfake.Assignment{AccountID: AccountProd, PermissionSetArn: g.psArn("AdministratorAccess"),
		PrincipalType: awsfake.PrincipalUser, PrincipalID: g.ic.Users[len(g.ic.Users)-1].ID})
	g.plantPair("PV-AWS-014", id)
	p = g.newPerson("terminated")
	p.end = g.daysAgo(5)
	g.plantPair("PV-IDN-002", g.ssoUser(p, "Clinical", false))

	// Google Cloud.
	portal := "projects/patient-portal-prod"
	analytics := "projects/analytics-dev"
	p = g.newPerson("active")
	gmail := fmt.Sprintf("%s.%s.%d@gmail.com", p.first, p.last, c)
	p.aliases = []string{gmail}
	g.binding(analytics, "roles/bigquery.dataViewer", "user:"+gmail)
	g.plantPair("PV-GCP-001", "gcp:user:"+gmail)
	if c == 0 {
		g.binding(portal, "roles/storage.objectViewer", "allUsers")
		g.plantPair("PV-GCP-002", "gcp:allUsers")
	}
	p = g.newPerson("active")
	g.binding(analytics, "roles/iam.serviceAccountUser", "user:"+p.email)
	g.plantPair("PV-GCP-006", "gcp:user:"+p.email)
	p = g.newPerson("active")
	g.binding(analytics, "roles/editor", "user:"+p.email)
	g.plantPair("PV-GCP-007", "gcp:user:"+p.email)
	p = g.newPerson("terminated")
	p.end = g.daysAgo(3)
	g.binding(analytics, "roles/logging.viewer", "user:"+p.email)
	g.plantPair("PV-IDN-002", "gcp:user:"+p.email)

	proj := &g.gcp.Projects[g.projIdx["analytics-dev"]]
	sa := func(name string, owner string, mod func(s *gcpfake.ServiceAccount), checks ...string) {
		email := fmt.Sprintf("%s-%d@%s%s", name, c, proj.ID, saDomain)
		s := gcpfake.ServiceAccount{Email: email, DisplayName: name, LastAuth: g.daysAgo(1)}
		mod(&s)
		proj.ServiceAccounts = append(proj.ServiceAccounts, s)
		g.binding("projects/"+proj.ID, "roles/pubsub.subscriber", "serviceAccount:"+email)
		pid := "gcp:serviceAccount:" + email
		if owner != "" {
			g.mapping[pid] = HRSourceName + ":" + owner
		}
		for _, ch := range checks {
			g.plantPair(ch, pid)
		}
	}
	owner := g.activePerson().id
	sa("uploader", owner, func(s *gcpfake.ServiceAccount) {
		s.Keys = []gcpfake.Key{{Type: gcpfake.UserManaged, ValidAfter: g.daysAgo(10), ValidBefore: g.now.AddDate(10, 0, 0), LastAuth: g.daysAgo(1)}}
	}, "PV-GCP-003")
	sa("legacy-export", owner, func(s *gcpfake.ServiceAccount) {
		s.Keys = []gcpfake.Key{{Type: gcpfake.UserManaged, ValidAfter: g.daysAgo(200), ValidBefore: g.now.AddDate(10, 0, 0), LastAuth: g.daysAgo(2)}}
	}, "PV-GCP-003", "PV-GCP-004")
	sa("fhir-import", owner, func(s *gcpfake.ServiceAccount) {
		s.Keys = []gcpfake.Key{{Type: gcpfake.UserManaged, ValidAfter: g.daysAgo(60), ValidBefore: g.now.AddDate(10, 0, 0)}}
	}, "PV-GCP-003", "PV-GCP-009")
	sa("terraform", owner, func(s *gcpfake.ServiceAccount) {
		g.binding("projects/"+proj.ID, "roles/editor", "serviceAccount:"+s.Email)
	}, "PV-GCP-005")
	sa("old-batch", owner, func(s *gcpfake.ServiceAccount) { s.LastAuth = g.daysAgo(200) }, "PV-GCP-008")
	sa("mystery", "", func(*gcpfake.ServiceAccount) {}, "PV-IDN-001")
	leaver := g.newPerson("terminated")
	sa("notebook", leaver.id, func(*gcpfake.ServiceAccount) {}, "PV-IDN-001")
}

// advance applies day d of the organisation's life after Options.Now: someone leaves (their
// accounts stay live), someone is made admin directly, and (on day 1) a stale key is rotated.
func (g *gen) advance(d int) {
	g.day = d
	g.drift = nil
	now := g.o.Now.UTC().Add(time.Duration(d) * 24 * time.Hour)
	g.now = now
	if len(g.clean) < 2 {
		return
	}
	leaver := g.clean[(d*7)%len(g.clean)]
	g.clean = slices.DeleteFunc(g.clean, func(p *person) bool { return p == leaver })
	leaver.status, leaver.end = "terminated", now.Add(-36*time.Hour)
	for _, id := range leaver.principals {
		g.plantPair("PV-IDN-002", id)
		// Left since the last scan, past the SLA, and still has grants.
		g.drift = append(g.drift, Planted{"PV-DRF-004", id})
	}
	for _, id := range leaver.ownedSAs {
		g.plantPair("PV-IDN-001", id)
	}
	admin := g.clean[(d*13)%len(g.clean)]
	g.clean = slices.DeleteFunc(g.clean, func(p *person) bool { return p == admin })
	g.ic.Assignments = append(g.ic.Assignments, awsfake.Assignment{AccountID: AccountProd, PermissionSetArn: g.psArn("AdministratorAccess"),
		PrincipalType: awsfake.PrincipalUser, PrincipalID: strings.TrimPrefix(admin.principals[0], "aws-sso:"+identityStoreID+":")})
	g.plantPair("PV-AWS-014", admin.principals[0])
	// Admin since the last scan.
	g.drift = append(g.drift, Planted{"PV-DRF-001", admin.principals[0]})
	if d == 1 { // the unrotated key of the first planted copy is replaced by a new one
		for _, u := range g.accts[AccountDev].Users {
			id := userARN(AccountDev, u.Name)
			if i := slices.Index(g.planted, Planted{"PV-AWS-007", id}); i >= 0 {
				u.AccessKeys = []awsfake.AccessKey{g.key(g.accts[AccountDev], u, now.Add(-2*time.Hour), now.Add(-time.Hour))}
				g.planted = slices.Delete(g.planted, i, i+1)
				break
			}
		}
	}
}

// Advance returns org as it is days later (Org.Day grows by days): each day a person leaves
// without being offboarded, one is directly assigned an admin permission set, and on the first
// day the unrotated access key is rotated. Planted changes accordingly, and Drift holds what the
// drift checks see of the last day: the leaver still active and the new admin. The thresholds of the
// other planted problems keep them stable for about a week of advancing.
func Advance(org *Org, days int) *Org { return generate(org.Options, org.Day+max(0, days)) }

// breakGlass adds the protected emergency principals: admin by design, never remediated.
func (g *gen) breakGlass() {
	mgmt := g.accts[AccountManagement]
	sec := g.newPerson("active")
	sec.dept, sec.title = "Security", "Head of Security"
	tags := map[string]string{ProtectedTag: "break-glass", "owner": sec.email}
	mgmt.Groups = append(mgmt.Groups, &awsfake.Group{Name: "BreakGlass", Created: g.daysAgo(1500), AttachedPolicies: []string{arnAdmin}})
	mgmt.Users = append(mgmt.Users, &awsfake.User{Name: "breakglass", Created: g.daysAgo(1500), Groups: []string{"BreakGlass"},
		PasswordEnabled: true, PasswordLastChanged: g.daysAgo(30), PasswordLastUsed: g.daysAgo(20), MFADevices: []string{"GAHT00000001BG"}, Tags: tags})
	mgmt.Roles = append(mgmt.Roles, &awsfake.Role{Name: "BreakGlassRole", Created: g.daysAgo(1500), LastUsed: g.daysAgo(200),
		AttachedPolicies: []string{arnAdmin}, Tags: tags})
	g.binding(g.gcp.Name(), "roles/resourcemanager.organizationAdmin", "user:breakglass@"+g.o.Domain)
	g.protected = []string{userARN(AccountManagement, "breakglass"), roleARN(AccountManagement, "BreakGlassRole"), "gcp:user:breakglass@" + g.o.Domain}
}

// finish sorts what needs a stable order, sets the policies and writes the roster.
func (g *gen) finish() *Org {
	for res, roles := range g.bind {
		var bs []gcpfake.Binding
		for role, members := range roles {
			bs = append(bs, gcpfake.Binding{Role: role, Members: members})
		}
		slices.SortFunc(bs, func(a, b gcpfake.Binding) int { return strings.Compare(a.Role, b.Role) })
		g.gcp.Policies[res] = gcpfake.Policy{Bindings: bs}
	}
	sortPlanted(g.planted)
	sortPlanted(g.drift)
	org := &Org{Options: g.o, Now: g.now, AWS: g.aws, GCP: g.gcp, HRCSV: g.roster(), Mapping: g.mapping,
		OrgDomains: []string{g.o.Domain}, Protected: g.protected, Day: g.day, Planted: g.planted, Drift: g.drift, People: len(g.people)}
	org.Principals = countPrincipals(org)
	return org
}

func sortPlanted(ps []Planted) {
	slices.SortFunc(ps, func(a, b Planted) int {
		if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
			return c
		}
		return strings.Compare(a.PrincipalID, b.PrincipalID)
	})
}

func countPrincipals(o *Org) int {
	n := 0
	for _, a := range o.AWS.Accounts {
		n += 1 + len(a.Users) + len(a.Roles)
	}
	n += len(o.AWS.IdentityCenter.Users)
	members := map[string]bool{}
	for _, pol := range o.GCP.Policies {
		for _, b := range pol.Bindings {
			for _, m := range b.Members {
				if !strings.HasPrefix(m, "serviceAccount:") {
					members[m] = true
				}
			}
		}
	}
	n += len(members)
	for _, p := range o.GCP.Projects {
		n += len(p.ServiceAccounts)
	}
	return n
}

func (g *gen) roster() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"employee_id", "email", "aliases", "name", "department", "title", "manager", "status", "start_date", "end_date"})
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("2006-01-02")
	}
	for _, p := range g.people {
		name := strings.Title(p.first) + " " + strings.Title(p.last) //nolint:staticcheck // ASCII names
		_ = w.Write([]string{p.id, p.email, strings.Join(p.aliases, ";"), name, p.dept, p.title, p.manager, p.status, date(p.start), date(p.end)})
	}
	w.Flush()
	return buf.Bytes()
}
