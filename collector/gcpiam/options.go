package gcpiam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"google.golang.org/api/impersonate"
	"google.golang.org/api/option"
)

// Options configure a Collector. Exactly one of Organization and Projects is set.
type Options struct {
	// Name is the source's configured name (e.g. "gcp-prod").
	Name string
	// Organization ("organizations/123") makes the collector walk every folder and project under
	// it and read the organization's and folders' policies too.
	Organization string
	// Projects is an explicit list of project IDs (or "projects/<id>") to scan instead.
	// Project scans do not see grants inherited from folders and the organization.
	Projects []string
	// Endpoint is one base URL for every Google API (the sandbox fake); "" means real Google.
	Endpoint string
	// UseAssetInventory reads all organization, folder and project policies with Cloud Asset
	// Inventory searchAllIamPolicies, falling back to per-resource getIamPolicy when the API is
	// unavailable. Organization scans only.
	UseAssetInventory bool
	// ImpersonateServiceAccount, when set, makes every call as this service account (the caller's
	// Application Default Credentials need roles/iam.serviceAccountTokenCreator on it).
	ImpersonateServiceAccount string
	// ExpandGroups lists the members of every bound group with the Cloud Identity API so that
	// grants through groups appear on each member with via "group:<group ID>".
	ExpandGroups bool
	// Parallelism bounds concurrent API work (projects, folders, roles, groups); default 8.
	Parallelism int
	// ProjectTimeout bounds the work on one project; 0 means no limit beyond ctx.
	ProjectTimeout time.Duration
	// MaxRetries is how many times a call answered 429 or 5xx is retried; default 5.
	MaxRetries int
	// RetryBaseDelay is the first backoff delay, doubled per retry with jitter up to 30s;
	// default 500ms.
	RetryBaseDelay time.Duration
	// HTTPClient replaces the authenticated transport (tests, custom proxies). With it, requests
	// carry no credentials unless the client adds them.
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

var (
	orgRE     = regexp.MustCompile(`^organizations/[0-9]+$`)
	projectRE = regexp.MustCompile(`^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	saEmailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.gserviceaccount\.com$`)
)

func (o *Options) defaults() {
	if o.Parallelism <= 0 {
		o.Parallelism = 8
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 5
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o *Options) validate() error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	switch {
	case o.Organization == "" && len(o.Projects) == 0:
		errs = append(errs, errors.New("set organization (organizations/<number>) or projects"))
	case o.Organization != "" && len(o.Projects) > 0:
		errs = append(errs, errors.New("set organization or projects, not both"))
	case o.Organization != "" && !orgRE.MatchString(o.Organization):
		errs = append(errs, fmt.Errorf("organization %q: want organizations/<number>", o.Organization))
	}
	seen := map[string]bool{}
	for i, p := range o.Projects {
		id := strings.TrimPrefix(p, "projects/")
		switch {
		case !projectRE.MatchString(id):
			errs = append(errs, fmt.Errorf("projects[%d] %q: not a project ID (6-30 lowercase letters, digits, hyphens)", i, p))
		case seen[id]:
			errs = append(errs, fmt.Errorf("projects[%d] %q: listed twice", i, p))
		}
		seen[id] = true
	}
	if o.ImpersonateServiceAccount != "" && !saEmailRE.MatchString(o.ImpersonateServiceAccount) {
		errs = append(errs, fmt.Errorf("impersonate_service_account %q: want a service account email", o.ImpersonateServiceAccount))
	}
	if o.Endpoint != "" && !strings.HasPrefix(o.Endpoint, "http://") && !strings.HasPrefix(o.Endpoint, "https://") {
		errs = append(errs, fmt.Errorf("endpoint %q: want an http:// or https:// URL", o.Endpoint))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("gcp source %q: %w", o.Name, err)
	}
	return nil
}

// clientOptions builds the options shared by every API client. Real runs use Application
// Default Credentials, or a token source impersonating ImpersonateServiceAccount; nothing is
// stored.
func (o *Options) clientOptions(ctx context.Context) ([]option.ClientOption, error) {
	var opts []option.ClientOption
	if o.Endpoint != "" {
		ep := o.Endpoint
		if !strings.HasSuffix(ep, "/") {
			ep += "/"
		}
		opts = append(opts, option.WithEndpoint(ep))
	}
	switch {
	case o.HTTPClient != nil:
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	case o.ImpersonateServiceAccount != "":
		ts, err := impersonate.CredentialsTokenSource(ctx, impersonate.CredentialsConfig{
			TargetPrincipal: o.ImpersonateServiceAccount,
			Scopes:          []string{"https://www.googleapis.com/auth/cloud-platform"},
		})
		if err != nil {
			return nil, fmt.Errorf("impersonate %s: %w", o.ImpersonateServiceAccount, err)
		}
		opts = append(opts, option.WithTokenSource(ts))
	case o.Endpoint != "" && isLoopback(o.Endpoint):
		// The sandbox fake: no credentials to find or send.
		opts = append(opts, option.WithoutAuthentication())
	}
	return opts, nil
}

func isLoopback(u string) bool {
	rest := u[strings.Index(u, "//")+2:]
	return strings.HasPrefix(rest, "127.") || strings.HasPrefix(rest, "localhost") || strings.HasPrefix(rest, "[::1]")
}
