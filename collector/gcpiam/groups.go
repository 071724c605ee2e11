package gcpiam

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	cloudidentity "google.golang.org/api/cloudidentity/v1"
	"google.golang.org/api/googleapi"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Cloud Identity methods used to expand groups, recorded in the groups' Coverage.Method.
const (
	methodTransitive = "searchTransitiveMemberships"
	methodList       = "memberships.list"
)

// groupExpansion is the membership of one bound group.
type groupExpansion struct {
	members []Member // users, service accounts and nested groups, transitively
	err     error
}

// expandGroups lists the transitive members of each group email. searchTransitiveMemberships
// needs a Cloud Identity Premium or Workspace Enterprise account and answers 403 otherwise; the
// first such 403 switches every group to a recursive memberships.list walk.
func (c *Collector) expandGroups(ctx context.Context, emails []string) (map[string]*groupExpansion, inventory.Coverage) {
	cov := inventory.Coverage{
		Source: c.opts.Name, Provider: inventory.ProviderGCP, Scope: "cloudidentity/groups",
		Status: inventory.CoverageComplete, StartedAt: c.opts.Now().UTC(), Counts: map[string]int{"groups": len(emails)},
	}
	out := make(map[string]*groupExpansion, len(emails))
	var (
		mu           sync.Mutex
		noTransitive atomic.Bool
		methods      = map[string]bool{}
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallelism)
	for _, email := range emails {
		g.Go(func() error {
			exp, method := c.expandGroup(gctx, email, &noTransitive)
			mu.Lock()
			out[email] = exp
			methods[method] = true
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()

	var errs []string
	var kind inventory.ErrorKind
	for _, email := range emails {
		exp := out[email]
		cov.Counts["memberships"] += len(exp.members)
		if exp.err != nil {
			errs = append(errs, exp.err.Error())
			if kind == inventory.ErrNone {
				kind = collector.KindOf(exp.err)
			}
			continue
		}
		cov.Counts["expanded"]++
	}
	switch {
	case methods[methodTransitive] && methods[methodList]:
		cov.Method = methodTransitive + "+" + methodList
	case methods[methodList]:
		cov.Method = methodList
	default:
		cov.Method = methodTransitive
	}
	if len(errs) > 0 {
		cov.Status, cov.ErrorKind, cov.Error = inventory.CoveragePartial, kind, summarize(errs)
		if len(errs) == len(emails) {
			cov.Status = inventory.CoverageFailed
		}
	}
	cov.FinishedAt = c.opts.Now().UTC()
	return out, cov
}

// expandGroup lists one group's transitive members and says which method did it.
func (c *Collector) expandGroup(ctx context.Context, email string, noTransitive *atomic.Bool) (*groupExpansion, string) {
	name, err := c.lookupGroup(ctx, email)
	if err != nil {
		return &groupExpansion{err: err}, ""
	}
	if !noTransitive.Load() {
		members, err := c.searchTransitive(ctx, name)
		var ge *googleapi.Error
		if !errors.As(err, &ge) || ge.Code != http.StatusForbidden {
			return &groupExpansion{members: members, err: wrap(err, "search transitive memberships of %s", email)}, methodTransitive
		}
		noTransitive.Store(true)
	}
	members, err := c.listMembersRecursive(ctx, email, name)
	return &groupExpansion{members: members, err: err}, methodList
}

func (c *Collector) lookupGroup(ctx context.Context, email string) (string, error) {
	resp, err := retry(ctx, c, func() (*cloudidentity.LookupGroupNameResponse, error) {
		return c.ci.Groups.Lookup().GroupKeyId(email).Context(ctx).Do()
	})
	if err != nil {
		return "", wrap(err, "look up group %s", email)
	}
	return resp.Name, nil
}

// searchTransitive lists every direct and indirect member of group name. It returns the raw
// error so the caller can see a 403.
func (c *Collector) searchTransitive(ctx context.Context, name string) ([]Member, error) {
	var out []Member
	err := pages(ctx, c, func(tok string) (string, error) {
		resp, err := c.ci.Groups.Memberships.SearchTransitiveMemberships(name).PageSize(1000).PageToken(tok).Context(ctx).Do()
		if err != nil {
			return "", err
		}
		for _, m := range resp.Memberships {
			if len(m.PreferredMemberKey) == 0 {
				continue
			}
			isGroup := strings.HasPrefix(m.Member, "groups/")
			if mem, ok := identityMember(m.PreferredMemberKey[0].Id, isGroup); ok {
				out = append(out, mem)
			}
		}
		return resp.NextPageToken, nil
	})
	return out, err
}

// identityMember turns a Cloud Identity member key into an IAM member: groups by their resource
// name, service accounts by their gserviceaccount.com address, everyone else as a user.
func identityMember(email string, isGroup bool) (Member, bool) {
	if checkEmail(email) != nil {
		return Member{}, false // e.g. a device or shared drive key, not an identity
	}
	switch {
	case isGroup:
		return Member{Type: MemberGroup, Value: email}, true
	case strings.HasSuffix(strings.ToLower(email), ".gserviceaccount.com"):
		return Member{Type: MemberServiceAccount, Value: email}, true
	}
	return Member{Type: MemberUser, Value: email}, true
}

// listMembersRecursive walks direct memberships breadth-first through nested groups.
func (c *Collector) listMembersRecursive(ctx context.Context, email, name string) ([]Member, error) {
	type item struct{ email, name string }
	queue := []item{{email, name}}
	seen := map[string]bool{strings.ToLower(email): true}
	var out []Member
	var errs []error
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		err := pages(ctx, c, func(tok string) (string, error) {
			resp, err := c.ci.Groups.Memberships.List(it.name).View("FULL").PageSize(500).PageToken(tok).Context(ctx).Do()
			if err != nil {
				return "", err
			}
			for _, m := range resp.Memberships {
				if m.PreferredMemberKey == nil {
					continue
				}
				var mem Member
				var ok bool
				switch m.Type {
				case "USER":
					mem, ok = identityMember(m.PreferredMemberKey.Id, false)
					mem.Type = MemberUser
				case "SERVICE_ACCOUNT":
					mem, ok = identityMember(m.PreferredMemberKey.Id, false)
					mem.Type = MemberServiceAccount
				case "GROUP":
					mem, ok = identityMember(m.PreferredMemberKey.Id, true)
				}
				key := strings.ToLower(mem.Value)
				if !ok || seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, mem)
				if mem.Type == MemberGroup {
					nested, err := c.lookupGroup(ctx, mem.Value)
					if err != nil {
						errs = append(errs, err)
						continue
					}
					queue = append(queue, item{mem.Value, nested})
				}
			}
			return resp.NextPageToken, nil
		})
		if err != nil {
			errs = append(errs, wrap(err, "list memberships of %s", it.email))
		}
	}
	return out, errors.Join(errs...)
}
