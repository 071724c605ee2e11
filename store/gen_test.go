package store

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// The synthetic estate used by tests and benchmarks: AWS IAM users and roles spread over
// accounts of at most 5,000 principals, with realistic field sizes (ARNs of ~60 characters, 1–3
// credentials, 2–5 grants over ~200 distinct policy ARNs, a few tags, 1–3 groups).

var (
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yasmin"}
	lastNames = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis",
		"rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas"}
	departments = []string{"engineering", "finance", "sales", "marketing", "security", "data", "support", "legal"}
	envs        = []string{"prod", "staging", "dev", "sandbox"}
	groupNames  = []string{"admins", "developers", "readonly", "billing", "oncall", "data-analysts",
		"security-audit", "support-tier1", "support-tier2", "release-managers", "contractors", "interns"}
	awsManaged = []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "IAMFullAccess",
		"AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2FullAccess", "AmazonEC2ReadOnlyAccess",
		"AWSLambda_FullAccess", "CloudWatchReadOnlyAccess", "AmazonRDSFullAccess", "AmazonDynamoDBFullAccess",
		"SecurityAudit", "ViewOnlyAccess", "AWSBillingReadOnlyAccess", "AmazonSQSFullAccess",
		"AmazonSNSReadOnlyAccess", "AWSCloudTrail_ReadOnlyAccess", "AmazonVPCFullAccess", "SupportUser"}
	base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// policyARNs are the ~200 distinct policies grants refer to: the AWS-managed ones above and
// customer-managed ones in a handful of shared-services accounts.
var policyARNs = func() []string {
	var out []string
	for _, n := range awsManaged {
		out = append(out, "arn:aws:iam::aws:policy/"+n)
	}
	for i := 0; len(out) < 200; i++ {
		acct := accountID(i % 5)
		out = append(out, fmt.Sprintf("arn:aws:iam::%s:policy/%s-%s-access-%d", acct, departments[i%len(departments)], envs[i%len(envs)], i))
	}
	return out
}()

func accountID(i int) string { return fmt.Sprintf("%012d", 210987654321+int64(i)*7919) }

func privilegeOf(arn string) inventory.Privilege {
	switch {
	case arn == "arn:aws:iam::aws:policy/AdministratorAccess" || arn == "arn:aws:iam::aws:policy/IAMFullAccess":
		return inventory.PrivilegeAdmin
	case len(arn) > 6 && (arn[len(arn)-6:] == "Access" && !strings.Contains(arn, "ReadOnly")):
		return inventory.PrivilegeWrite
	}
	return inventory.PrivilegeRead
}

func randID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = base32[r.IntN(len(base32))]
	}
	return string(b)
}

var genEpoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// genPrincipals returns n synthetic principals, deterministic for a seed, in collection order
// (account by account, not sorted by ID).
func genPrincipals(n int, seed uint64) []inventory.Principal {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	out := make([]inventory.Principal, n)
	for i := range out {
		out[i] = genPrincipal(r, i)
	}
	return out
}

func genPrincipal(r *rand.Rand, i int) inventory.Principal {
	acct := accountID(i / 2000)
	dept := departments[r.IntN(len(departments))]
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	name := first + "." + last + strconv.Itoa(i)
	created := genEpoch.Add(-time.Duration(r.IntN(9*365*24)) * time.Hour).Truncate(time.Second)
	p := inventory.Principal{
		Provider: inventory.ProviderAWS,
		Account:  acct,
		Tags: map[string]string{
			"team": dept,
			"env":  envs[r.IntN(len(envs))],
		},
		Attributes: map[string]string{"path": "/" + dept + "/"},
	}
	if r.IntN(10) < 8 {
		p.Kind = inventory.KindUser
		p.ID = "arn:aws:iam::" + acct + ":user/" + dept + "/" + name
		p.Name = name
		p.Email = name + "@corp.example.com"
		p.NativeID = randID(r, "AIDA", 17)
		p.Console = r.IntN(3) > 0
		p.MFA = p.Console && r.IntN(4) > 0
		if r.IntN(10) < 9 {
			p.PersonID = "hr:E" + strconv.Itoa(100000+i)
			p.LinkRule = "email"
		}
		if r.IntN(3) == 0 {
			p.Tags["cost-center"] = "cc-" + strconv.Itoa(1000+r.IntN(40))
		}
	} else {
		p.Kind = inventory.KindRole
		role := dept + "-" + envs[r.IntN(len(envs))] + "-role-" + strconv.Itoa(i)
		p.ID = "arn:aws:iam::" + acct + ":role/service-role/" + role
		p.Name = role
		p.NativeID = randID(r, "AROA", 17)
		p.Tags["owner"] = first + "." + last + "@corp.example.com"
	}
	p.CreatedAt = created
	if r.IntN(5) > 0 {
		p.LastActivity = genEpoch.Add(-time.Duration(r.IntN(200*24)) * time.Hour).Truncate(time.Second)
	}

	ngroups := 1 + r.IntN(3)
	if p.Kind == inventory.KindUser {
		for range ngroups {
			p.Groups = append(p.Groups, groupNames[r.IntN(len(groupNames))])
		}
	}

	ncreds := 1 + r.IntN(3)
	for c := range ncreds {
		cred := inventory.Credential{Status: inventory.CredActive, CreatedAt: created.Add(time.Duration(r.IntN(1000)) * time.Hour)}
		if c == 0 && p.Console {
			cred.Kind = inventory.CredPassword
		} else {
			cred.Kind = inventory.CredAccessKey
			cred.ID = randID(r, "AKIA", 16)
			if r.IntN(4) == 0 {
				cred.Status = inventory.CredInactive
			}
		}
		if r.IntN(3) > 0 {
			cred.LastUsed = genEpoch.Add(-time.Duration(r.IntN(90*24)) * time.Hour).Truncate(time.Second)
		}
		p.Credentials = append(p.Credentials, cred)
	}

	ngrants := 2 + r.IntN(4)
	for range ngrants {
		// Skewed towards popular policies, as real estates are.
		what := policyARNs[min(r.IntN(len(policyARNs)), r.IntN(len(policyARNs)))]
		via := "direct"
		if len(p.Groups) > 0 && r.IntN(2) == 0 {
			via = "group:" + p.Groups[r.IntN(len(p.Groups))]
		}
		p.Grants = append(p.Grants, inventory.Grant{What: what, Where: acct, Via: via, Privilege: privilegeOf(what)})
	}
	return p
}

// mutate returns a copy of ps in which about frac of the principals changed (their last
// activity and a credential's last use moved on, as happens nightly); unchanged principals share
// storage with ps, changed ones do not.
func mutate(ps []inventory.Principal, frac float64, seed uint64) []inventory.Principal {
	r := rand.New(rand.NewPCG(seed, 7))
	out := slices.Clone(ps)
	n := int(float64(len(ps))*frac + 0.5)
	for _, i := range r.Perm(len(ps))[:n] {
		p := out[i]
		p.Credentials = slices.Clone(p.Credentials)
		p.LastActivity = p.LastActivity.Add(24*time.Hour + time.Duration(r.IntN(3600))*time.Second)
		if len(p.Credentials) > 0 {
			c := &p.Credentials[r.IntN(len(p.Credentials))]
			c.LastUsed = p.LastActivity
		}
		out[i] = p
	}
	return out
}

// genSnapshot wraps principals in a snapshot with the accounts, policy documents, people and
// coverage a collection of them would have.
func genSnapshot(id string, ps []inventory.Principal, started time.Time) *inventory.Snapshot {
	s := &inventory.Snapshot{
		ID:             id,
		StartedAt:      started,
		FinishedAt:     started.Add(17 * time.Minute),
		ProvostVersion: "v0.1.0-test",
		PolicyVersion:  "bundle-1",
		Principals:     ps,
	}
	accts := map[string]bool{}
	for i := range ps {
		accts[ps[i].Account] = true
	}
	for _, a := range slices.Sorted(maps.Keys(accts)) {
		s.Accounts = append(s.Accounts, inventory.Account{ID: a, Provider: inventory.ProviderAWS, Name: "acct-" + a, Kind: "aws_account"})
		s.Coverage = append(s.Coverage, inventory.Coverage{
			Source: "aws-org", Provider: inventory.ProviderAWS, Scope: a, Status: inventory.CoverageComplete,
			Method: "iam", Counts: map[string]int{"users": 1},
		})
	}
	for _, arn := range policyARNs[:20] {
		s.PolicyDocs = append(s.PolicyDocs, inventory.PolicyDoc{
			ID: arn, Provider: inventory.ProviderAWS, Name: arn[len("arn:aws:iam::aws:policy/"):], Kind: "aws_managed",
			Version: "v1", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			Privilege: privilegeOf(arn),
		})
	}
	for i := range min(len(ps), 50) {
		if ps[i].PersonID != "" {
			s.People = append(s.People, inventory.Person{ID: ps[i].PersonID, Source: "hr", Name: ps[i].Name, Emails: []string{ps[i].Email}, Status: inventory.PersonActive})
		}
	}
	return s
}
