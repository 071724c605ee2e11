package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// maxListedRejects is how many undecodable resources a coverage message names.
const maxListedRejects = 5

// Source lists the users (and groups) of one SCIM 2.0 service provider.
type Source struct {
	opts   Options
	client *client
}

var (
	_ collector.Source    = (*Source)(nil)
	_ collector.Describer = (*Source)(nil)
)

// New returns a Source for opts; it fails when options are missing or invalid. Nothing is
// requested until Collect.
func New(opts Options) (*Source, error) {
	opts.defaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("scim source %q: %w", opts.Name, err)
	}
	hc, err := opts.httpClient()
	if err != nil {
		return nil, fmt.Errorf("scim source %q: %w", opts.Name, err)
	}
	return &Source{opts: opts, client: &client{
		base: opts.URL, token: opts.Token, http: hc, maxRetries: opts.MaxRetries, baseDelay: opts.RetryBaseDelay,
	}}, nil
}

// Name returns the configured source name.
func (s *Source) Name() string { return s.opts.Name }

// Provider is scim, the provider of the source's Coverage entry, so that the runner's entry for
// a Collect that failed outright (timed out, panicked) still names a source of truth.
func (s *Source) Provider() inventory.Provider { return inventory.ProviderSCIM }

// Method is "scim2", as the source's Coverage entry records it.
func (s *Source) Method() string { return "scim2" }

// Collect lists /Users (and /Groups when Options.Groups) page by page. Its one Coverage entry,
// scope the base URL, counts "people" (the roster size), "users", "groups", "disabled" and
// "rejected". A service that rejects the token, cannot be reached or answers nonsense on the
// first page is failed with the kind of the error; a failure on a later page, a group listing
// failure, undecodable resources or a list that changed while it was paged make it partial.
// Only ctx's error is returned.
func (s *Source) Collect(ctx context.Context) (*collector.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := s.opts.Logger.With("component", "scim", "source", s.opts.Name)
	cov := inventory.Coverage{
		Source:    s.opts.Name,
		Provider:  inventory.ProviderSCIM,
		Scope:     s.opts.URL,
		Method:    "scim2",
		StartedAt: s.opts.Now().UTC(),
	}
	res := &collector.Result{Accounts: []inventory.Account{{
		ID: s.opts.URL, Provider: inventory.ProviderSCIM, Name: s.opts.Name, Kind: "directory",
	}}}
	var problems []string
	var worst inventory.ErrorKind
	note := func(kind inventory.ErrorKind, msg string) {
		problems = append(problems, msg)
		if worst == inventory.ErrNone {
			worst = kind
		}
	}

	var users []User
	var rejects []rejected
	seen := map[string]bool{} // a list that shifts while paged can repeat a resource
	changed, err := s.client.list(ctx, "/Users", s.opts.Filter, s.opts.PageSize, func(raw json.RawMessage, i int) string {
		u, err := DecodeUser(raw)
		if err != nil {
			rejects = append(rejects, rejected{"user", i, err})
			return ""
		}
		if !seen["u:"+u.ID] {
			seen["u:"+u.ID] = true
			users = append(users, u)
		}
		return u.ID
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		log.Warn("listing users failed", "error", err, "users_read", len(users))
		if len(users) == 0 {
			cov.Status, cov.ErrorKind, cov.Error = inventory.CoverageFailed, kindOf(err), "list users: "+err.Error()
			cov.FinishedAt = s.opts.Now().UTC()
			res.Coverage = []inventory.Coverage{cov}
			return res, nil
		}
		note(kindOf(err), fmt.Sprintf("list users stopped after %d: %v", len(users), err))
	}
	if changed {
		note(inventory.ErrUnavailable, "the user list changed while it was paged, so users may have been skipped; the next run should see it whole")
	}

	var groups []Group
	if s.opts.Groups {
		gchanged, err := s.client.list(ctx, "/Groups", "", s.opts.PageSize, func(raw json.RawMessage, i int) string {
			g, err := DecodeGroup(raw)
			if err != nil {
				rejects = append(rejects, rejected{"group", i, err})
				return ""
			}
			if !seen["g:"+g.ID] {
				seen["g:"+g.ID] = true
				groups = append(groups, g)
			}
			return g.ID
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			log.Warn("listing groups failed", "error", err)
			note(kindOf(err), "list groups: "+err.Error())
		}
		if gchanged {
			note(inventory.ErrUnavailable, "the group list changed while it was paged")
		}
	}
	if len(rejects) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d resources could not be decoded: ", len(rejects))
		for i, r := range rejects {
			if i == maxListedRejects {
				fmt.Fprintf(&b, "; and %d more", len(rejects)-maxListedRejects)
				break
			}
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(r.String())
		}
		note(inventory.ErrInvalid, b.String())
	}

	b := &builder{source: s.opts.Name, account: s.opts.URL, opts: &s.opts}
	res.People, res.Principals = b.build(users, groups)
	disabled := 0
	for _, u := range users {
		if !u.IsActive() {
			disabled++
		}
	}
	cov.Counts = map[string]int{
		"people":   len(res.People),
		"users":    len(users),
		"groups":   len(groups),
		"disabled": disabled,
		"rejected": len(rejects),
	}
	switch {
	case len(users) == 0 && len(problems) > 0:
		cov.Status, cov.ErrorKind = inventory.CoverageFailed, worst
	case len(users) == 0:
		cov.Status, cov.ErrorKind = inventory.CoverageFailed, inventory.ErrInvalid
		problems = append(problems, "the service listed no users; an empty directory is taken as a failed read, not as nobody working here")
	case len(problems) > 0:
		cov.Status, cov.ErrorKind = inventory.CoveragePartial, worst
	default:
		cov.Status = inventory.CoverageComplete
	}
	cov.Error = strings.Join(problems, "; ")
	cov.FinishedAt = s.opts.Now().UTC()
	res.Coverage = []inventory.Coverage{cov}
	log.Info("listed SCIM users", "users", len(users), "groups", len(groups), "status", cov.Status)
	return res, nil
}
