package gcpiam

import (
	"context"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	iam "google.golang.org/api/iam/v1"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// escalation holds permissions that let a holder gain more power than the role names: acting as
// or minting credentials for service accounts, rewriting roles or org policy, or running code as
// a privileged service agent. Any setIamPolicy permission is admin too.
var escalation = map[string]bool{
	"*":                                      true,
	"iam.serviceAccounts.actAs":              true,
	"iam.serviceAccounts.getAccessToken":     true,
	"iam.serviceAccounts.getOpenIdToken":     true,
	"iam.serviceAccounts.implicitDelegation": true,
	"iam.serviceAccounts.signBlob":           true,
	"iam.serviceAccounts.signJwt":            true,
	"iam.serviceAccountKeys.create":          true,
	"iam.roles.create":                       true,
	"iam.roles.update":                       true,
	"orgpolicy.policy.set":                   true,
	"deploymentmanager.deployments.create":   true,
	"cloudbuild.builds.create":               true,
	"storage.hmacKeys.create":                true,
	"serviceusage.apiKeys.create":            true,
}

// readVerbs are permission verbs (the last dot-separated part) that only read.
var readVerbs = []string{"get", "list", "search", "query", "read", "view", "lookup"}

// PermissionPrivilege classifies one IAM permission ("service.resource.verb").
func PermissionPrivilege(perm string) inventory.Privilege {
	if escalation[perm] || strings.HasSuffix(perm, ".setIamPolicy") {
		return inventory.PrivilegeAdmin
	}
	verb := strings.ToLower(perm[strings.LastIndexByte(perm, '.')+1:])
	for _, v := range readVerbs {
		if strings.HasPrefix(verb, v) {
			return inventory.PrivilegeRead
		}
	}
	return inventory.PrivilegeWrite
}

// RolePrivilege classifies a role from its name and, when known, its permissions:
// roles/owner and roles/editor are admin; roles whose ID has an "…admin" part
// (roles/storage.admin, roles/iam.securityAdmin, roles/compute.instanceAdmin.v1) are admin; so
// is a role with any admin permission. roles/viewer and roles/browser are read, as is a role
// whose permissions only read. Without permissions, a "…viewer"/"…reader" name is read and any
// other name write. A role known to have no permissions grants nothing.
func RolePrivilege(name string, perms []string, known bool) inventory.Privilege {
	switch name {
	case "roles/owner", "roles/editor":
		return inventory.PrivilegeAdmin
	case "roles/viewer", "roles/browser":
		return inventory.PrivilegeRead
	}
	id := name[strings.LastIndexByte(name, '/')+1:]
	parts := strings.Split(strings.ToLower(id), ".")
	for _, p := range parts {
		if strings.HasSuffix(p, "admin") {
			return inventory.PrivilegeAdmin
		}
	}
	if known {
		level := inventory.PrivilegeNone
		for _, p := range perms {
			level = level.Max(PermissionPrivilege(p))
		}
		return level
	}
	for _, p := range parts {
		if strings.HasSuffix(p, "viewer") || strings.HasSuffix(p, "reader") || strings.HasSuffix(p, "browser") {
			return inventory.PrivilegeRead
		}
	}
	return inventory.PrivilegeWrite
}

// roleInfo is what the collection knows about one role.
type roleInfo struct {
	doc inventory.PolicyDoc
	err error // why the definition could not be read; doc then holds a name-based guess
}

// unknown reports whether the role's definition could not be read for a reason that may not
// last (denied, throttled, unavailable, reset, timed out), so that its privilege, guessed from
// its name, may differ from the real one and from the next run's. A role the API says does not
// exist (a custom role deleted and purged) is an answer, not a gap: the guess is the same every
// run.
func (i *roleInfo) unknown() bool {
	return i.err != nil && collector.KindOf(i.err) != inventory.ErrNotFound
}

// fetchRoles reads the definition of every role name (predefined with roles.get, custom with
// organizations.roles.get or projects.roles.get) in parallel.
func (c *Collector) fetchRoles(ctx context.Context, names []string) map[string]*roleInfo {
	out := make(map[string]*roleInfo, len(names))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallelism)
	for _, name := range names {
		g.Go(func() error {
			info := c.fetchRole(gctx, name)
			mu.Lock()
			out[name] = info
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // fetchRole records its errors in roleInfo
	return out
}

func (c *Collector) fetchRole(ctx context.Context, name string) *roleInfo {
	get := func() (*iam.Role, error) {
		switch {
		case strings.HasPrefix(name, "organizations/"):
			return c.iam.Organizations.Roles.Get(name).Context(ctx).Do()
		case strings.HasPrefix(name, "projects/"):
			return c.iam.Projects.Roles.Get(name).Context(ctx).Do()
		}
		return c.iam.Roles.Get(name).Context(ctx).Do()
	}
	role, err := retry(ctx, c, get)
	if err != nil {
		return &roleInfo{
			doc: inventory.PolicyDoc{
				ID: name, Provider: inventory.ProviderGCP, Name: name, Kind: "gcp_role",
				Privilege: RolePrivilege(name, nil, false),
			},
			err: wrap(err, "get role %s", name),
		}
	}
	perms := slices.Clone(role.IncludedPermissions)
	slices.Sort(perms)
	perms = slices.Compact(perms)
	title := role.Title
	if title == "" {
		title = name
	}
	return &roleInfo{doc: inventory.PolicyDoc{
		ID: name, Provider: inventory.ProviderGCP, Name: title, Kind: "gcp_role",
		Permissions: perms, Privilege: RolePrivilege(name, perms, true),
	}}
}
