package gcpiam

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	crm "google.golang.org/api/cloudresourcemanager/v3"
	iam "google.golang.org/api/iam/v1"
	"google.golang.org/api/policyanalyzer/v1"
)

// Policy Analyzer activity types for last authentication.
const (
	activitySALastAuth  = "serviceAccountLastAuthentication"
	activityKeyLastAuth = "serviceAccountKeyLastAuthentication"
)

// projectResult is what one project's collection saw.
type projectResult struct {
	id                string
	started, finished time.Time
	accounts          []*iam.ServiceAccount
	keys              map[string][]*iam.ServiceAccountKey // by SA email
	saLastAuth        map[string]time.Time                // by SA email (lower) and unique ID
	keyLastAuth       map[string]time.Time                // by key ID
	calls, failures   int                                 // steps attempted and failed
	errs              []error
}

func (p *projectResult) fail(err error) {
	p.failures++
	p.errs = append(p.errs, err)
}

// failed reports whether nothing could be read from the project itself.
func (p *projectResult) failed() bool { return p.calls > 0 && p.failures == p.calls }

// collectProjects runs every project's collection, Parallelism at a time, each bounded by
// ProjectTimeout when it is set.
func (r *run) collectProjects(ctx context.Context) {
	c := r.c
	results := make([]*projectResult, len(r.projects))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Parallelism)
	for i, id := range r.projects {
		g.Go(func() error {
			pctx, cancel := gctx, context.CancelFunc(func() {})
			if c.opts.ProjectTimeout > 0 {
				pctx, cancel = context.WithTimeout(gctx, c.opts.ProjectTimeout)
			}
			defer cancel()
			results[i] = r.collectProject(pctx, id)
			return nil
		})
	}
	_ = g.Wait() // each project records its own errors
	for i, id := range r.projects {
		r.results[id] = results[i]
	}
}

func (r *run) collectProject(ctx context.Context, id string) *projectResult {
	c := r.c
	name := "projects/" + id
	res := &projectResult{
		id: id, started: c.opts.Now().UTC(), keys: map[string][]*iam.ServiceAccountKey{},
		saLastAuth: map[string]time.Time{}, keyLastAuth: map[string]time.Time{},
	}
	defer func() { res.finished = c.opts.Now().UTC() }()

	if c.opts.Organization == "" {
		res.calls++
		p, err := retry(ctx, c, func() (*crm.Project, error) {
			return c.crm.Projects.Get(name).Context(ctx).Do()
		})
		if err != nil {
			res.fail(wrap(err, "get %s", name))
			r.addScope(&scope{name: name, kind: "project"})
		} else {
			r.addProject(p)
		}
	}
	if c.opts.Organization == "" || r.method != MethodAssetInventory {
		res.calls++
		if err := r.getIamPolicy(ctx, name); err != nil {
			res.fail(err)
		}
	}

	res.calls++
	err := pages(ctx, c, func(tok string) (string, error) {
		resp, err := c.iam.Projects.ServiceAccounts.List(name).PageSize(100).PageToken(tok).Context(ctx).Do()
		if err != nil {
			return "", err
		}
		res.accounts = append(res.accounts, resp.Accounts...)
		return resp.NextPageToken, nil
	})
	if err != nil {
		res.fail(wrap(err, "list service accounts in %s", name))
	}
	if len(res.accounts) > 0 { // keys of whatever accounts were listed, even partially
		res.calls++
		var keyErr error
		var failed []string
		for _, sa := range res.accounts {
			saName := name + "/serviceAccounts/" + sa.Email
			resp, err := retry(ctx, c, func() (*iam.ListServiceAccountKeysResponse, error) {
				return c.iam.Projects.ServiceAccounts.Keys.List(saName).Context(ctx).Do()
			})
			if err != nil {
				keyErr = cmp.Or(keyErr, err)
				failed = append(failed, sa.Email)
				continue
			}
			res.keys[strings.ToLower(sa.Email)] = resp.Keys
		}
		if keyErr != nil {
			res.fail(wrap(keyErr, "list keys of %d of %d service accounts in %s (first %s)", len(failed), len(res.accounts), name, failed[0]))
		}
	}

	for _, typ := range []string{activitySALastAuth, activityKeyLastAuth} {
		res.calls++
		parent := name + "/locations/global/activityTypes/" + typ
		err := pages(ctx, c, func(tok string) (string, error) {
			resp, err := c.pa.Projects.Locations.ActivityTypes.Activities.Query(parent).PageSize(1000).PageToken(tok).Context(ctx).Do()
			if err != nil {
				return "", err
			}
			for _, a := range resp.Activities {
				res.addActivity(a)
			}
			return resp.NextPageToken, nil
		})
		if err != nil {
			res.fail(wrap(err, "query %s in %s", typ, name))
		}
	}
	return res
}

// activityBody is the part of a Policy Analyzer activity's free-form "activity" object we read.
type activityBody struct {
	LastAuthenticatedTime string `json:"lastAuthenticatedTime"`
	ServiceAccount        *struct {
		ServiceAccountID string `json:"serviceAccountId"`
	} `json:"serviceAccount"`
}

// addActivity records a last-authentication time. Service accounts are matched by the email or
// unique ID that ends their full resource name, and by serviceAccountId; keys by the key ID
// after "/keys/".
func (p *projectResult) addActivity(a *policyanalyzer.GoogleCloudPolicyanalyzerV1Activity) {
	var body activityBody
	if err := json.Unmarshal(a.Activity, &body); err != nil || body.LastAuthenticatedTime == "" {
		return
	}
	t, err := time.Parse(time.RFC3339Nano, body.LastAuthenticatedTime)
	if err != nil {
		return
	}
	t = t.UTC()
	set := func(m map[string]time.Time, k string) {
		if k != "" && t.After(m[k]) {
			m[k] = t
		}
	}
	_, rest, ok := strings.Cut(a.FullResourceName, "/serviceAccounts/")
	if !ok {
		return
	}
	switch a.ActivityType {
	case activitySALastAuth:
		set(p.saLastAuth, strings.ToLower(rest))
		if body.ServiceAccount != nil {
			set(p.saLastAuth, body.ServiceAccount.ServiceAccountID)
		}
	case activityKeyLastAuth:
		if _, key, ok := strings.Cut(rest, "/keys/"); ok {
			set(p.keyLastAuth, key)
		}
	}
}
