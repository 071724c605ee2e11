package awsiam

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// SettingUsesIdentityCenter is set to 1 in Account.Settings of every account that an Identity
// Center account assignment targets.
const SettingUsesIdentityCenter = "uses_identity_center"

// merge assembles the accounts' results and Identity Center into one Result: accounts,
// coverage, principals and documents sorted by ID (scope), each document once.
func (c *Collector) merge(ctx context.Context, results []*accountResult, ic *icData, icp *icPlan, partition string) *collector.Result {
	slices.SortStableFunc(results, func(a, b *accountResult) int { return strings.Compare(a.account.ID, b.account.ID) })
	res := &collector.Result{}
	docs := map[string]inventory.PolicyDoc{}
	covIdx := map[string]int{}
	n := 0
	for _, r := range results {
		n += len(r.principals)
	}
	for _, r := range results {
		covIdx[r.account.ID] = len(res.Coverage)
		res.Accounts = append(res.Accounts, r.account)
		res.Coverage = append(res.Coverage, r.coverage)
		for _, d := range r.docs {
			if _, dup := docs[d.ID]; !dup {
				docs[d.ID] = d
			}
		}
	}

	var icPrincipals []inventory.Principal
	if ic != nil {
		icPrincipals = c.mergeIdentityCenter(ctx, res, ic, icp, partition, docs, covIdx)
	}
	// One array of exactly the principals' size, each account's released once copied: at a
	// million principals every spare or extra copy costs hundreds of megabytes.
	res.Principals = make([]inventory.Principal, 0, n+len(icPrincipals))
	for _, r := range results {
		res.Principals = append(res.Principals, r.principals...)
		r.principals = nil
	}
	res.Principals = append(res.Principals, icPrincipals...)

	slices.SortStableFunc(res.Accounts, func(a, b inventory.Account) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(res.Coverage, func(a, b inventory.Coverage) int { return strings.Compare(a.Scope, b.Scope) })
	for _, d := range docs {
		res.PolicyDocs = append(res.PolicyDocs, d)
	}
	slices.SortFunc(res.PolicyDocs, func(a, b inventory.PolicyDoc) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(res.Principals, func(a, b inventory.Principal) int { return strings.Compare(a.ID, b.ID) })
	return res
}

// mergeIdentityCenter adds Identity Center's documents, settings and coverage to res and returns
// its principals.
func (c *Collector) mergeIdentityCenter(ctx context.Context, res *collector.Result, ic *icData, icp *icPlan, partition string, docs map[string]inventory.PolicyDoc, covIdx map[string]int) []inventory.Principal {
	started := c.now()
	fctx, cancel := context.WithTimeout(ctx, c.opts.AccountTimeout)
	defer cancel()
	// AWS managed policies that permission sets reference and no collected account attaches
	// are read once per run, failures included, however many permission sets or instances
	// reference them.
	var client *iam.Client
	type fetched struct {
		doc inventory.PolicyDoc
		err error
	}
	cache := map[string]fetched{}
	fetch := func(ctx context.Context, arn string) (inventory.PolicyDoc, error) {
		if f, ok := cache[arn]; ok {
			return f.doc, f.err
		}
		if client == nil {
			client = iam.NewFromConfig(icp.cfg)
		}
		doc, err := fetchManagedPolicy(ctx, client, arn)
		cache[arn] = fetched{doc, err}
		return doc, err
	}
	j := joinIdentityCenter(fctx, ic, partition, docs, fetch)
	for _, d := range j.docs {
		docs[d.ID] = d
	}
	for i := range res.Accounts {
		if j.targets[res.Accounts[i].ID] {
			s := cloneSettings(res.Accounts[i].Settings)
			if s == nil {
				s = map[string]int{}
			}
			s[SettingUsesIdentityCenter] = 1
			res.Accounts[i].Settings = s
		}
	}

	// Identity Center principals live in the owner account: its coverage says whether they
	// were seen whole.
	idx, ok := covIdx[ic.owner]
	if !ok {
		idx = len(res.Coverage)
		res.Accounts = append(res.Accounts, inventory.Account{ID: ic.owner, Provider: inventory.ProviderAWS, Kind: "account"})
		res.Coverage = append(res.Coverage, inventory.Coverage{
			Source:    c.opts.Name,
			Provider:  inventory.ProviderAWS,
			Scope:     ic.owner,
			Status:    inventory.CoverageComplete,
			StartedAt: started,
			Counts:    map[string]int{},
		})
	}
	cov := &res.Coverage[idx]
	if cov.Method == "" {
		cov.Method = MethodIdentityCenter
	} else {
		cov.Method += "+" + MethodIdentityCenter
	}
	if cov.Counts == nil {
		cov.Counts = map[string]int{}
	}
	for _, k := range []string{"sso_users", "sso_groups", "permission_sets"} {
		cov.Counts[k] += j.counts[k]
	}
	cov.Counts["principals"] += len(j.principals)
	if now := c.now(); now.After(cov.FinishedAt) {
		cov.FinishedAt = now
	}
	if len(j.problems) > 0 {
		if cov.Status == inventory.CoverageComplete {
			cov.Status = inventory.CoveragePartial
		}
		if cov.ErrorKind == inventory.ErrNone {
			cov.ErrorKind = collector.KindOf(j.problems[0].err)
		}
		msgs := make([]string, 0, len(j.problems)+1)
		if cov.Error != "" {
			msgs = append(msgs, cov.Error)
		}
		for _, p := range j.problems {
			msgs = append(msgs, p.step+": "+p.err.Error())
		}
		cov.Error = strings.Join(msgs, "; ")
		c.log.Warn("identity center collection incomplete", "account", ic.owner, "kind", cov.ErrorKind, "err", cov.Error)
	}
	return j.principals
}
