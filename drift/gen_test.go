package drift_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// A synthetic estate for the store-backed tests and the benchmark: AWS users and roles in
// accounts of 2,000 principals, with realistic field sizes (ARNs of ~60 characters, 1–3
// credentials, 2–5 grants over ~60 policies, 1–3 groups).

var (
	genDepts  = []string{"engineering", "finance", "sales", "marketing", "security", "data", "support", "legal"}
	genGroups = []string{"admins", "developers", "readonly", "billing", "oncall", "analysts", "audit", "contractors"}
	genEpoch  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func genPolicy(i int) (string, inventory.Privilege) {
	switch {
	case i == 0:
		return admin, inventory.PrivilegeAdmin
	case i%3 == 0:
		return fmt.Sprintf("arn:aws:iam::aws:policy/Service%dFullAccess", i), inventory.PrivilegeWrite
	}
	return fmt.Sprintf("arn:aws:iam::aws:policy/Service%dReadOnlyAccess", i), inventory.PrivilegeRead
}

func genAccount(i int) string { return fmt.Sprintf("%012d", 300000000000+int64(i/2000)*7919) }

func genPrincipal(r *rand.Rand, i int) inventory.Principal {
	a := genAccount(i)
	dept := genDepts[r.IntN(len(genDepts))]
	name := dept + "-" + strconv.Itoa(i)
	p := inventory.Principal{
		Provider:  inventory.ProviderAWS,
		Account:   a,
		CreatedAt: genEpoch.Add(-time.Duration(r.IntN(5*365*24)) * time.Hour),
		Tags:      map[string]string{"team": dept},
	}
	if r.IntN(10) < 8 {
		p.Kind, p.ID, p.Name = inventory.KindUser, "arn:aws:iam::"+a+":user/"+dept+"/"+name, name
		p.Email = name + "@corp.example"
		p.Console = r.IntN(3) > 0
		p.MFA = p.Console && r.IntN(4) > 0
		p.PersonID, p.LinkRule = "hr:E"+strconv.Itoa(i), "email"
		for range 1 + r.IntN(3) {
			p.Groups = append(p.Groups, "arn:aws:iam::"+a+":group/"+genGroups[r.IntN(len(genGroups))])
		}
	} else {
		p.Kind, p.ID, p.Name = inventory.KindRole, "arn:aws:iam::"+a+":role/"+name, name
	}
	if r.IntN(5) > 0 {
		p.LastActivity = genEpoch.Add(-time.Duration(r.IntN(90*24)) * time.Hour)
	}
	for c := range 1 + r.IntN(3) {
		cr := inventory.Credential{Kind: inventory.CredAccessKey, ID: "access_key_" + strconv.Itoa(c+1), Status: inventory.CredActive,
			CreatedAt: p.CreatedAt.Add(time.Duration(r.IntN(1000)) * time.Hour)}
		if r.IntN(4) == 0 {
			cr.Status = inventory.CredInactive
		}
		p.Credentials = append(p.Credentials, cr)
	}
	for range 2 + r.IntN(4) {
		what, priv := genPolicy(1 + min(r.IntN(60), r.IntN(60)))
		via := "direct"
		if len(p.Groups) > 0 && r.IntN(2) == 0 {
			via = "group:" + p.Groups[r.IntN(len(p.Groups))]
		}
		p.Grants = append(p.Grants, inventory.Grant{What: what, Where: a, Via: via, Privilege: priv})
	}
	return p
}

// genEstate returns n principals (in collection order, not sorted) and the coverage of their
// accounts.
func genEstate(n int, seed uint64) ([]inventory.Principal, []inventory.Coverage) {
	r := rand.New(rand.NewPCG(seed, 1))
	ps := make([]inventory.Principal, n)
	for i := range ps {
		ps[i] = genPrincipal(r, i)
	}
	var cov []inventory.Coverage
	for i := 0; i < n; i += 2000 {
		cov = append(cov, complete("aws", inventory.ProviderAWS, genAccount(i)))
	}
	return ps, cov
}

// churn returns a copy of ps in which frac of the principals changed: a fifth removed (and as
// many new ones added), half only in activity times (no event), and three tenths in ways that
// are drift (MFA and an admin grant, a key deactivated and a group joined, disabled). Unchanged
// principals share storage with ps. New principals are numbered from firstNew.
func churn(ps []inventory.Principal, frac float64, seed uint64, firstNew int) []inventory.Principal {
	r := rand.New(rand.NewPCG(seed, 2))
	n := int(float64(len(ps))*frac + 0.5)
	picked := r.Perm(len(ps))[:n]
	removed := map[int]bool{}
	out := slices.Clone(ps)
	for k, i := range picked {
		p := out[i]
		p.Credentials = slices.Clone(p.Credentials)
		p.Grants = slices.Clone(p.Grants)
		p.Groups = slices.Clone(p.Groups)
		switch k % 10 {
		case 0, 1:
			removed[i] = true
		case 2, 3, 4, 5, 6:
			p.LastActivity = p.LastActivity.Add(24*time.Hour + time.Duration(r.IntN(3600))*time.Second)
			p.Credentials[0].LastUsed = p.LastActivity
		case 7:
			p.MFA = !p.MFA
			p.Grants = append(p.Grants, inventory.Grant{What: admin, Where: p.Account, Via: "direct", Privilege: inventory.PrivilegeAdmin})
		case 8:
			p.Credentials[0].Status = inventory.CredInactive
			p.Groups = append(p.Groups, "arn:aws:iam::"+p.Account+":group/new")
		case 9:
			p.Disabled = true
		}
		out[i] = p
	}
	kept := make([]inventory.Principal, 0, len(out))
	for i := range out {
		if !removed[i] {
			kept = append(kept, out[i])
		}
	}
	for j := range len(removed) {
		p := genPrincipal(r, firstNew+j)
		kept = append(kept, p)
	}
	return kept
}
