package policy

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// genSnapshot builds a synthetic estate of about n principals, deterministic for a seed: AWS
// accounts with a root, IAM users, roles and groups, Identity Center users, a GCP organization
// with users, service accounts and groups, and an HR roster with leavers. It exercises every
// bundled check's happy and unhappy paths at realistic proportions.
func genSnapshot(n int, seed uint64) *inventory.Snapshot {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return at.Add(-time.Duration(days) * 24 * time.Hour) }
	s := &inventory.Snapshot{ID: fmt.Sprintf("synthetic-%d-%d", n, seed), StartedAt: at.Add(-time.Hour), FinishedAt: at}

	// Policy documents shared by many grants.
	awsDocs := []inventory.PolicyDoc{
		{ID: "arn:aws:iam::aws:policy/AdministratorAccess", Provider: "aws", Name: "AdministratorAccess", Kind: "aws_managed", Privilege: "admin",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{ID: "arn:aws:iam::aws:policy/ReadOnlyAccess", Provider: "aws", Name: "ReadOnlyAccess", Kind: "aws_managed", Privilege: "read",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","ec2:Describe*","iam:Get*","iam:List*"],"Resource":"*"}]}`},
		{ID: "arn:aws:iam::aws:policy/PowerUserAccess", Provider: "aws", Name: "PowerUserAccess", Kind: "aws_managed", Privilege: "write",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}`},
		{ID: "arn:aws:iam::aws:policy/AmazonS3FullAccess", Provider: "aws", Name: "AmazonS3FullAccess", Kind: "aws_managed", Privilege: "write",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
	}
	for i := range 40 {
		priv, doc := inventory.PrivilegeWrite, fmt.Sprintf(`{"Statement":[{"Effect":"Allow","Action":["s3:PutObject","sqs:SendMessage"],"Resource":"arn:aws:s3:::bucket-%d/*"}]}`, i)
		if i%10 == 0 {
			priv, doc = inventory.PrivilegeAdmin, `{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}]}`
		}
		awsDocs = append(awsDocs, inventory.PolicyDoc{ID: fmt.Sprintf("arn:aws:iam::000000000000:policy/app-%d", i), Provider: "aws", Name: fmt.Sprintf("app-%d", i), Kind: "customer_managed", Privilege: priv, Document: doc})
	}
	// Group policies: g0 is the admins group; the others are ordinary.
	groupDocs := []inventory.PolicyDoc{awsDocs[0], awsDocs[1], awsDocs[2], awsDocs[3], awsDocs[5]}
	psAdmin := inventory.PolicyDoc{ID: "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", Provider: "aws", Name: "AdministratorAccess", Kind: "permission_set", Privilege: "admin", Permissions: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
	psRead := inventory.PolicyDoc{ID: "arn:aws:sso:::permissionSet/ssoins-1/ps-read", Provider: "aws", Name: "ReadOnly", Kind: "permission_set", Privilege: "read", Permissions: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
	gcpRoles := []inventory.PolicyDoc{
		{ID: "roles/owner", Provider: "gcp", Name: "Owner", Kind: "gcp_role", Privilege: "admin"},
		{ID: "roles/editor", Provider: "gcp", Name: "Editor", Kind: "gcp_role", Privilege: "admin"},
		{ID: "roles/viewer", Provider: "gcp", Name: "Viewer", Kind: "gcp_role", Privilege: "read"},
		{ID: "roles/storage.admin", Provider: "gcp", Name: "Storage Admin", Kind: "gcp_role", Privilege: "admin"},
		{ID: "roles/bigquery.dataViewer", Provider: "gcp", Name: "BigQuery Data Viewer", Kind: "gcp_role", Privilege: "read"},
		{ID: "roles/iam.serviceAccountUser", Provider: "gcp", Name: "Service Account User", Kind: "gcp_role", Privilege: "write"},
		{ID: "roles/cloudsql.client", Provider: "gcp", Name: "Cloud SQL Client", Kind: "gcp_role", Privilege: "write"},
	}
	s.PolicyDocs = append(append(append(s.PolicyDocs, awsDocs...), psAdmin, psRead), gcpRoles...)

	// People: about one per three principals; 5% terminated, 2% on leave.
	nPeople := max(n/3, 10)
	for i := range nPeople {
		st, end := inventory.PersonActive, time.Time{}
		switch r := rng.IntN(100); {
		case r < 5:
			st, end = inventory.PersonTerminated, ago(rng.IntN(60))
		case r < 7:
			st, end = inventory.PersonLeave, ago(rng.IntN(30))
		}
		s.People = append(s.People, inventory.Person{
			ID: fmt.Sprintf("hr:%06d", i), Source: "hr", EmployeeID: fmt.Sprintf("%06d", i),
			Emails: []string{fmt.Sprintf("person%d@corp.com", i)}, Name: fmt.Sprintf("Person %d", i),
			Status: st, EndDate: end,
		})
	}
	s.Coverage = append(s.Coverage, inventory.Coverage{Source: "hr", Provider: inventory.ProviderHR, Scope: "hr", Status: inventory.CoverageComplete})
	pct := func(p int) bool { return rng.IntN(100) < p }
	person := func() (string, string) {
		if rng.IntN(100) < 4 {
			return "", "" // unlinked
		}
		if rng.IntN(200) == 0 {
			return fmt.Sprintf("hr:gone-%d", rng.IntN(1000)), "email" // linked to a vanished person
		}
		return s.People[rng.IntN(nPeople)].ID, "email"
	}

	nAccounts := max(n/5000, 2)
	for a := range nAccounts {
		acct := fmt.Sprintf("%012d", 100000000000+a)
		var pp *inventory.PasswordPolicy
		if a%3 != 0 {
			pp = &inventory.PasswordPolicy{MinimumLength: 8 + 6*(a%2), PasswordReusePrevention: 24 * (a % 2), RequireSymbols: true}
		}
		settings := map[string]int{"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}
		if a%2 == 0 {
			settings["uses_identity_center"] = 1
		}
		s.Accounts = append(s.Accounts, inventory.Account{ID: acct, Provider: "aws", Kind: "account", Path: []string{"Root", "Prod"}, Status: "ACTIVE", Settings: settings, PasswordPolicy: pp})
		status := inventory.CoverageComplete
		if a%7 == 6 {
			status = inventory.CoveragePartial
		}
		s.Coverage = append(s.Coverage, inventory.Coverage{Source: "aws", Provider: "aws", Scope: acct, Status: status})
		root := inventory.Principal{ID: "arn:aws:iam::" + acct + ":root", Provider: "aws", Account: acct, Kind: inventory.KindRoot, Name: "<root_account>", MFA: a%4 != 0, LastActivity: ago(rng.IntN(400))}
		if a%5 == 0 {
			root.Credentials = []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", CreatedAt: ago(900), LastUsed: ago(3)}}
		}
		s.Principals = append(s.Principals, root)
		for g, d := range groupDocs {
			s.Principals = append(s.Principals, inventory.Principal{ID: fmt.Sprintf("arn:aws:iam::%s:group/g%d", acct, g), Provider: "aws", Account: acct, Kind: inventory.KindGroup, Name: fmt.Sprintf("g%d", g),
				Grants: []inventory.Grant{{What: d.ID, Where: acct, Via: "direct", Privilege: d.Privilege}}})
		}
	}
	s.Coverage = append(s.Coverage, inventory.Coverage{Source: "gcp", Provider: "gcp", Scope: "organizations/1", Status: inventory.CoverageComplete})
	s.Accounts = append(s.Accounts, inventory.Account{ID: "organizations/1", Provider: "gcp", Kind: "organization"})
	for p := range 20 {
		proj := fmt.Sprintf("projects/p%d", p)
		s.Accounts = append(s.Accounts, inventory.Account{ID: proj, Provider: "gcp", Kind: "project", Parent: "organizations/1"})
		s.Coverage = append(s.Coverage, inventory.Coverage{Source: "gcp", Provider: "gcp", Scope: proj, Status: inventory.CoverageComplete})
	}
	s.Principals = append(s.Principals, inventory.Principal{ID: "gcp:allUsers", Provider: "gcp", Account: "organizations/1", Kind: inventory.KindGroup, Name: "allUsers",
		Grants: []inventory.Grant{{What: "roles/viewer", Where: "projects/p3", Via: "direct", Privilege: "read"}}})

	for len(s.Principals) < n {
		i := len(s.Principals)
		acct := s.Accounts[rng.IntN(nAccounts)].ID
		pid, rule := person()
		switch r := rng.IntN(100); {
		case r < 45: // IAM user
			u := inventory.Principal{ID: fmt.Sprintf("arn:aws:iam::%s:user/u%d", acct, i), Provider: "aws", Account: acct, Kind: inventory.KindUser,
				Name: fmt.Sprintf("u%d", i), Console: pct(60), MFA: pct(85), PersonID: pid, LinkRule: rule, CreatedAt: ago(rng.IntN(1500))}
			if rng.IntN(200) == 0 {
				u.Name = "admin"
			}
			if u.Console {
				used := rng.IntN(45)
				if pct(15) {
					used = 45 + rng.IntN(300)
				}
				u.Credentials = append(u.Credentials, inventory.Credential{Kind: inventory.CredPassword, ID: "password", Status: "active", CreatedAt: ago(used + rng.IntN(400)), LastUsed: ago(used)})
			}
			keys := 1
			if pct(15) {
				keys = 2
			}
			for k := range keys {
				created := 1 + rng.IntN(90)
				if pct(35) {
					created = 91 + rng.IntN(600)
				}
				c := inventory.Credential{Kind: inventory.CredAccessKey, ID: fmt.Sprintf("access_key_%d", k+1), Status: "active", CreatedAt: ago(created)}
				if pct(15) {
					c.Status = "inactive"
				}
				switch used := rng.IntN(100); {
				case used < 80:
					c.LastUsed = ago(min(created, rng.IntN(45)))
				case used < 90:
					c.LastUsed = ago(min(created, 45+rng.IntN(300)))
				}
				u.Credentials = append(u.Credentials, c)
			}
			if pct(85) {
				g := 1 + rng.IntN(4)
				if pct(3) {
					g = 0 // the admins group
				}
				u.Groups = []string{fmt.Sprintf("arn:aws:iam::%s:group/g%d", acct, g)}
				d := groupDocs[g]
				u.Grants = append(u.Grants, inventory.Grant{What: d.ID, Where: acct, Via: "group:" + u.Groups[0], Privilege: d.Privilege})
			}
			if pct(15) {
				d := awsDocs[4+rng.IntN(len(awsDocs)-4)]
				u.Grants = append(u.Grants, inventory.Grant{What: d.ID, Where: acct, Via: "direct", Privilege: d.Privilege})
			}
			s.Principals = append(s.Principals, u)
		case r < 65: // role
			role := inventory.Principal{ID: fmt.Sprintf("arn:aws:iam::%s:role/r%d", acct, i), Provider: "aws", Account: acct, Kind: inventory.KindRole, Name: fmt.Sprintf("r%d", i),
				CreatedAt: ago(rng.IntN(1500)), Attributes: map[string]string{"path": "/"}}
			if pct(10) {
				role.Attributes = map[string]string{"path": "/aws-service-role/", "service_linked": "true"}
			}
			if pct(85) {
				role.LastActivity = ago(rng.IntN(90))
			} else if pct(50) {
				role.LastActivity = ago(90 + rng.IntN(300))
			}
			for range 1 + rng.IntN(2) {
				d := awsDocs[1+rng.IntN(len(awsDocs)-1)]
				role.Grants = append(role.Grants, inventory.Grant{What: d.ID, Where: acct, Via: "direct", Privilege: d.Privilege})
			}
			s.Principals = append(s.Principals, role)
		case r < 70: // Identity Center user
			u := inventory.Principal{ID: fmt.Sprintf("aws-sso:d-1:u-%d", i), Provider: "aws", Account: s.Accounts[0].ID, Kind: inventory.KindSSOUser,
				Name: fmt.Sprintf("sso%d", i), Email: fmt.Sprintf("sso%d@corp.com", i), PersonID: pid, LinkRule: rule}
			ps, via := psRead, "group:aws-sso:d-1:g-readers"
			if pct(5) {
				ps, via = psAdmin, "direct"
			}
			u.Grants = []inventory.Grant{{What: ps.ID, Where: acct, Via: via, Privilege: ps.Privilege}}
			s.Principals = append(s.Principals, u)
		case r < 85: // Google user
			domain := "corp.com"
			if pct(3) {
				domain = "gmail.com"
			}
			email := fmt.Sprintf("g%d@%s", i, domain)
			u := inventory.Principal{ID: "gcp:user:" + email, Provider: "gcp", Account: "organizations/1", Kind: inventory.KindUser, Name: email, Email: email, PersonID: pid, LinkRule: rule}
			for range 1 + rng.IntN(3) {
				d := gcpRoles[3+rng.IntN(len(gcpRoles)-3)]
				if pct(10) {
					d = gcpRoles[rng.IntN(3)] // a basic role
				}
				via := "group:gcp:group:eng@corp.com"
				if pct(30) {
					via = "direct"
				}
				u.Grants = append(u.Grants, inventory.Grant{What: d.ID, Where: fmt.Sprintf("projects/p%d", rng.IntN(20)), Via: via, Privilege: d.Privilege})
			}
			s.Principals = append(s.Principals, u)
		case r < 98: // service account
			proj := fmt.Sprintf("p%d", rng.IntN(20))
			email := fmt.Sprintf("sa%d@%s.iam.gserviceaccount.com", i, proj)
			sa := inventory.Principal{ID: "gcp:serviceAccount:" + email, Provider: "gcp", Account: "projects/" + proj, Kind: inventory.KindServiceAccount, Name: email, Email: email,
				CreatedAt: ago(rng.IntN(1000)), PersonID: pid, LinkRule: "tag:owner"}
			if pct(80) {
				sa.LastActivity = ago(rng.IntN(90))
			} else if pct(50) {
				sa.LastActivity = ago(90 + rng.IntN(300))
			}
			sa.Credentials = append(sa.Credentials, inventory.Credential{Kind: inventory.CredSAKey, ID: "sys-" + strconv.Itoa(i), Status: "active", Managed: "system", CreatedAt: ago(rng.IntN(90))})
			if pct(25) {
				sa.Credentials = append(sa.Credentials, inventory.Credential{Kind: inventory.CredSAKey, ID: "user-" + strconv.Itoa(i), Status: "active", Managed: "user", CreatedAt: ago(rng.IntN(400)), LastUsed: ago(rng.IntN(60))})
			}
			d := gcpRoles[2+rng.IntN(len(gcpRoles)-2)]
			if pct(5) {
				d = gcpRoles[rng.IntN(2)]
			}
			sa.Grants = []inventory.Grant{{What: d.ID, Where: "projects/" + proj, Via: "direct", Privilege: d.Privilege}}
			s.Principals = append(s.Principals, sa)
		default: // Google group
			s.Principals = append(s.Principals, inventory.Principal{ID: fmt.Sprintf("gcp:group:team%d@corp.com", i), Provider: "gcp", Account: "organizations/1", Kind: inventory.KindGroup, Name: fmt.Sprintf("team%d@corp.com", i),
				Grants: []inventory.Grant{{What: "roles/viewer", Where: "projects/p1", Via: "direct", Privilege: "read"}}})
		}
	}
	return s
}
