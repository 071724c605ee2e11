package gcpiam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	cloudasset "google.golang.org/api/cloudasset/v1"
	cloudidentity "google.golang.org/api/cloudidentity/v1"
	crm "google.golang.org/api/cloudresourcemanager/v3"
	iam "google.golang.org/api/iam/v1"
	"google.golang.org/api/policyanalyzer/v1"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Coverage methods: which path read the allow policies.
const (
	MethodAssetInventory = "asset-inventory"
	MethodGetIamPolicy   = "get-iam-policy"
)

// AssetFallbackMethod is the Coverage.Method when asset inventory was asked for but answered an
// error of kind k, so policies were read per resource instead, e.g.
// "get-iam-policy (asset-inventory fallback: permission_denied)".
func AssetFallbackMethod(k inventory.ErrorKind) string {
	return MethodGetIamPolicy + " (asset-inventory fallback: " + string(k) + ")"
}

// Collector reads identities and access from Google Cloud. Collect keeps its state per call, so
// a Collector is safe for concurrent use; create one per configured source.
type Collector struct {
	opts  Options
	log   *slog.Logger
	crm   *crm.Service
	asset *cloudasset.Service
	iam   *iam.Service
	pa    *policyanalyzer.Service
	ci    *cloudidentity.Service
}

var (
	_ collector.Source    = (*Collector)(nil)
	_ collector.Describer = (*Collector)(nil)
)

// New validates opts and builds the API clients. It makes no API calls; credentials are looked
// up here (Application Default Credentials or impersonation) unless HTTPClient or a loopback
// Endpoint is given.
func New(ctx context.Context, opts Options) (*Collector, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts.defaults()
	opts.Projects = slices.Clone(opts.Projects)
	for i, p := range opts.Projects {
		opts.Projects[i] = strings.TrimPrefix(p, "projects/")
	}
	copts, err := opts.clientOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("gcp source %q: %w", opts.Name, err)
	}
	c := &Collector{opts: opts, log: opts.Logger.With("component", "gcpiam", "source", opts.Name)}
	if c.crm, err = crm.NewService(ctx, copts...); err == nil {
		if c.asset, err = cloudasset.NewService(ctx, copts...); err == nil {
			if c.iam, err = iam.NewService(ctx, copts...); err == nil {
				if c.pa, err = policyanalyzer.NewService(ctx, copts...); err == nil {
					c.ci, err = cloudidentity.NewService(ctx, copts...)
				}
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("gcp source %q: create api clients: %w", opts.Name, err)
	}
	return c, nil
}

// Name is the configured source name.
func (c *Collector) Name() string { return c.opts.Name }

// Provider is gcp, the provider of every Coverage entry the collector reports.
func (c *Collector) Provider() inventory.Provider { return inventory.ProviderGCP }

// Method is MethodGetIamPolicy when policies are read per resource (a list of projects, or an
// organization without UseAssetInventory), and "" with UseAssetInventory on an organization:
// whether asset inventory answers, or its fallback is taken, is known only while collecting.
func (c *Collector) Method() string {
	if c.opts.Organization != "" && c.opts.UseAssetInventory {
		return ""
	}
	return MethodGetIamPolicy
}

// scope is one organization, folder or project.
type scope struct {
	name    string // organizations/<n>, folders/<n>, projects/<project ID>
	kind    string // organization, folder, project
	display string
	parent  string
	number  string // project number
	state   string // ACTIVE, DELETE_REQUESTED
	labels  map[string]string
}

type binding struct {
	role    string
	members []string
	cond    string // CEL expression
}

// run is the state of one Collect.
type run struct {
	c *Collector

	mu        sync.Mutex
	scopes    map[string]*scope
	order     []string // org, folders in walk order, projects
	projects  []string // project IDs in order
	policies  map[string][]binding
	policyErr map[string]error
	method    string

	orgCov  *inventory.Coverage
	results map[string]*projectResult
}

// Collect reads the configured organization or projects. Per-project failures are recorded in
// Coverage; Collect fails only when it could read nothing (the organization itself, or every
// listed project).
func (c *Collector) Collect(ctx context.Context) (*collector.Result, error) {
	r := &run{
		c:      c,
		scopes: map[string]*scope{}, policies: map[string][]binding{}, policyErr: map[string]error{},
		results: map[string]*projectResult{},
	}
	if c.opts.Organization != "" {
		if err := r.walkOrganization(ctx); err != nil {
			return nil, err
		}
		r.readHierarchyPolicies(ctx)
	} else {
		r.method = MethodGetIamPolicy
		r.projects = slices.Clone(c.opts.Projects)
	}
	r.collectProjects(ctx)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect %s: %w", c.opts.Name, err)
	}
	if c.opts.Organization == "" && r.allProjectsFailed() {
		var errs []error
		for _, id := range r.projects {
			errs = append(errs, r.results[id].errs...)
		}
		return nil, collector.Errorf(collector.KindOf(errors.Join(errs...)), "collect %s: every project failed: %w", c.opts.Name, errors.Join(errs...))
	}
	return r.build(ctx), nil
}

// walkOrganization reads the organization and lists its folders and projects level by level.
func (r *run) walkOrganization(ctx context.Context) error {
	c := r.c
	orgName := c.opts.Organization
	start := c.opts.Now().UTC()
	org, err := retry(ctx, c, func() (*crm.Organization, error) {
		return c.crm.Organizations.Get(orgName).Context(ctx).Do()
	})
	if err != nil {
		return wrap(err, "get %s", orgName)
	}
	r.addScope(&scope{name: orgName, kind: "organization", display: org.DisplayName, state: org.State})
	r.orgCov = &inventory.Coverage{
		Source: c.opts.Name, Provider: inventory.ProviderGCP, Scope: orgName,
		Status: inventory.CoverageComplete, StartedAt: start, Counts: map[string]int{},
	}

	type listing struct {
		folders  []*crm.Folder
		projects []*crm.Project
		errs     []error
	}
	var walkErrs []error
	level := []string{orgName}
	for len(level) > 0 {
		out := make([]listing, len(level))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(c.opts.Parallelism)
		for i, parent := range level {
			g.Go(func() error {
				l := &out[i]
				err := pages(gctx, c, func(tok string) (string, error) {
					resp, err := c.crm.Folders.List().Parent(parent).PageSize(1000).PageToken(tok).Context(gctx).Do()
					if err != nil {
						return "", err
					}
					l.folders = append(l.folders, resp.Folders...)
					return resp.NextPageToken, nil
				})
				if err != nil {
					l.errs = append(l.errs, wrap(err, "list folders in %s", parent))
				}
				err = pages(gctx, c, func(tok string) (string, error) {
					resp, err := c.crm.Projects.List().Parent(parent).PageSize(1000).PageToken(tok).Context(gctx).Do()
					if err != nil {
						return "", err
					}
					l.projects = append(l.projects, resp.Projects...)
					return resp.NextPageToken, nil
				})
				if err != nil {
					l.errs = append(l.errs, wrap(err, "list projects in %s", parent))
				}
				return nil
			})
		}
		_ = g.Wait() // listing errors are recorded per parent
		var next []string
		for i := range out {
			walkErrs = append(walkErrs, out[i].errs...)
			for _, f := range out[i].folders {
				if f.State == "DELETE_REQUESTED" || r.scopes[f.Name] != nil {
					continue
				}
				r.addScope(&scope{name: f.Name, kind: "folder", display: f.DisplayName, parent: f.Parent, state: f.State})
				next = append(next, f.Name)
			}
			for _, p := range out[i].projects {
				name := "projects/" + p.ProjectId
				if p.State == "DELETE_REQUESTED" || p.ProjectId == "" || r.scopes[name] != nil {
					continue
				}
				r.projects = append(r.projects, p.ProjectId)
				r.addProject(p)
			}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("walk %s: %w", orgName, err)
		}
		level = next
	}
	// Projects come after every folder in the scope order.
	slices.SortStableFunc(r.order, func(a, b string) int {
		return rankKind(r.scopes[a].kind) - rankKind(r.scopes[b].kind)
	})
	if len(walkErrs) > 0 {
		r.degradeOrg(walkErrs...)
	}
	return nil
}

func rankKind(k string) int {
	switch k {
	case "organization":
		return 0
	case "folder":
		return 1
	}
	return 2
}

func (r *run) addScope(s *scope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.scopes[s.name] == nil {
		r.order = append(r.order, s.name)
	}
	r.scopes[s.name] = s
}

func (r *run) addProject(p *crm.Project) {
	r.addScope(&scope{
		name: "projects/" + p.ProjectId, kind: "project", display: p.DisplayName, parent: p.Parent,
		number: strings.TrimPrefix(p.Name, "projects/"), state: p.State, labels: p.Labels,
	})
}

// degradeOrg marks the organization's coverage partial with errs.
func (r *run) degradeOrg(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cov := r.orgCov
	cov.Status = inventory.CoveragePartial
	if cov.ErrorKind == inventory.ErrNone {
		cov.ErrorKind = collector.KindOf(errs[0])
	}
	msgs := []string{}
	if cov.Error != "" {
		msgs = append(msgs, cov.Error)
	}
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	cov.Error = summarize(msgs)
}

// summarize joins error messages, keeping the first few so Coverage stays readable.
func summarize(msgs []string) string {
	const keep = 5
	if len(msgs) <= keep {
		return strings.Join(msgs, "; ")
	}
	return strings.Join(msgs[:keep], "; ") + fmt.Sprintf("; and %d more", len(msgs)-keep)
}

// pages calls one page at a time (each retried) until there is no next page token.
func pages(ctx context.Context, c *Collector, page func(token string) (next string, err error)) error {
	tok := ""
	for {
		next, err := retry(ctx, c, func() (string, error) { return page(tok) })
		if err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		tok = next
	}
}

// readHierarchyPolicies reads the organization's, folders' and (with asset inventory) projects'
// policies.
func (r *run) readHierarchyPolicies(ctx context.Context) {
	c := r.c
	if c.opts.UseAssetInventory {
		err := r.searchAllIamPolicies(ctx)
		if err == nil {
			r.method = MethodAssetInventory
			return
		}
		if ctx.Err() != nil {
			r.degradeOrg(err)
			return
		}
		kind := collector.KindOf(err)
		c.log.WarnContext(ctx, "asset inventory unavailable, falling back to getIamPolicy", "err", err)
		r.method = AssetFallbackMethod(kind)
		r.mu.Lock()
		r.policies = map[string][]binding{}
		r.mu.Unlock()
	} else {
		r.method = MethodGetIamPolicy
	}
	var hier []string
	for _, name := range r.order {
		if r.scopes[name].kind != "project" {
			hier = append(hier, name)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallelism)
	for _, name := range hier {
		g.Go(func() error {
			if err := r.getIamPolicy(gctx, name); err != nil {
				r.degradeOrg(err)
			}
			return nil
		})
	}
	_ = g.Wait()
}

var hierarchyAssetTypes = []string{
	"cloudresourcemanager.googleapis.com/Organization",
	"cloudresourcemanager.googleapis.com/Folder",
	"cloudresourcemanager.googleapis.com/Project",
}

// searchAllIamPolicies reads every organization, folder and project policy under the
// organization with Cloud Asset Inventory, 500 results per page.
func (r *run) searchAllIamPolicies(ctx context.Context) error {
	c := r.c
	org := c.opts.Organization
	byNumber := map[string]string{}
	for _, s := range r.scopes {
		if s.kind == "project" && s.number != "" {
			byNumber["projects/"+s.number] = s.name
		}
	}
	found := map[string][]binding{}
	err := pages(ctx, c, func(tok string) (string, error) {
		resp, err := c.asset.V1.SearchAllIamPolicies(org).AssetTypes(hierarchyAssetTypes...).
			PageSize(500).PageToken(tok).Context(ctx).Do()
		if err != nil {
			return "", err
		}
		for _, res := range resp.Results {
			name := strings.TrimPrefix(res.Resource, "//cloudresourcemanager.googleapis.com/")
			if canon, ok := byNumber[name]; ok {
				name = canon
			}
			if r.scopes[name] == nil {
				c.log.DebugContext(ctx, "policy on a resource outside the walk", "resource", res.Resource)
				continue
			}
			if res.Policy != nil {
				found[name] = append(found[name], assetBindings(res.Policy)...)
			}
		}
		return resp.NextPageToken, nil
	})
	if err != nil {
		return wrap(err, "search iam policies in %s", org)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range r.order {
		r.policies[name] = found[name] // nil: the resource has no bindings
	}
	return nil
}

func assetBindings(p *cloudasset.Policy) []binding {
	out := make([]binding, 0, len(p.Bindings))
	for _, b := range p.Bindings {
		nb := binding{role: b.Role, members: b.Members}
		if b.Condition != nil {
			nb.cond = b.Condition.Expression
		}
		out = append(out, nb)
	}
	return out
}

// getIamPolicy reads one resource's policy at version 3, so conditional bindings keep their
// conditions.
func (r *run) getIamPolicy(ctx context.Context, name string) error {
	c := r.c
	req := &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}
	p, err := retry(ctx, c, func() (*crm.Policy, error) {
		switch {
		case strings.HasPrefix(name, "organizations/"):
			return c.crm.Organizations.GetIamPolicy(name, req).Context(ctx).Do()
		case strings.HasPrefix(name, "folders/"):
			return c.crm.Folders.GetIamPolicy(name, req).Context(ctx).Do()
		}
		return c.crm.Projects.GetIamPolicy(name, req).Context(ctx).Do()
	})
	if err != nil {
		err = wrap(err, "get iam policy of %s", name)
		r.mu.Lock()
		r.policyErr[name] = err
		r.mu.Unlock()
		return err
	}
	bs := make([]binding, 0, len(p.Bindings))
	for _, b := range p.Bindings {
		nb := binding{role: b.Role, members: b.Members}
		if b.Condition != nil {
			nb.cond = b.Condition.Expression
		}
		bs = append(bs, nb)
	}
	r.mu.Lock()
	r.policies[name] = bs
	r.mu.Unlock()
	return nil
}

func (r *run) allProjectsFailed() bool {
	for _, id := range r.projects {
		if res := r.results[id]; res == nil || !res.failed() {
			return false
		}
	}
	return len(r.projects) > 0
}
