package awsiam

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Method is the Coverage.Method of every AWS account this collector reads.
const Method = "authorization-details+credential-report"

// Defaults applied by New.
const (
	DefaultRegion         = "us-east-1"
	DefaultRoleName       = "OrganizationAccountAccessRole"
	DefaultParallelism    = 8
	DefaultAccountTimeout = 5 * time.Minute
	DefaultMaxItems       = 1000
	DefaultReportPoll     = 2 * time.Second
	DefaultReportMaxAge   = 4 * time.Hour
	DefaultMaxAttempts    = 10
	DefaultMaxBackoff     = 20 * time.Second
)

// SessionName is the role session name of every AssumeRole, so that CloudTrail shows Provost.
const SessionName = "provost"

// MinReportMaxAge is the shortest Options.ReportMaxAge: IAM regenerates a credential report at
// most every 4 hours, so asking for a younger one returns the same report for two more calls.
const MinReportMaxAge = 4 * time.Hour

// SummaryMode says when an account's GetAccountSummary is read into Account.Settings.
//
// The summary's root facts (AccountMFAEnabled, AccountAccessKeysPresent,
// AccountSigningCertificatesPresent) repeat the credential report's root row, which becomes the
// root principal's MFA flag and credentials; its other keys are entity counts the authorization
// details also give (Users, Roles, Groups, Policies), quotas, and counts nothing else reads
// (Providers, ServerCertificates, MFADevices including unassigned virtual devices). The bundled
// checks read only AccountMFAEnabled and AccountAccessKeysPresent: as evidence when the
// credential report is missing, and AccountAccessKeysPresent also for a root key that is
// inactive (AWS counts any key; CIS forbids any), which the report gives only as an inactive
// access_key credential of the root principal. Without the summary those findings depend on
// the report alone.
type SummaryMode int

const (
	// SummaryAlways reads every account's summary: one call per account (the default).
	SummaryAlways SummaryMode = iota
	// SummaryOnReportFailure reads it only for accounts whose credential report could not be
	// read, so the root facts keep their evidence when the report is missing, at no cost
	// otherwise. Settings then hold only derived keys (uses_identity_center) for the others.
	SummaryOnReportFailure
	// SummaryNever never reads it.
	SummaryNever
)

func (m SummaryMode) String() string {
	switch m {
	case SummaryAlways:
		return "always"
	case SummaryOnReportFailure:
		return "on-report-failure"
	case SummaryNever:
		return "never"
	}
	return fmt.Sprintf("SummaryMode(%d)", int(m))
}

// Options configure a Collector. Only Name is required.
type Options struct {
	Name     string
	Region   string // default us-east-1
	Endpoint string // BaseEndpoint override for every client (moto, the sandbox)
	// Organization discovers accounts by walking the Organizations OU tree from the caller
	// (management or delegated administrator) account.
	Organization bool
	// Accounts lists account IDs to collect. With Organization, only these accounts of the
	// organization are collected (IDs the organization does not list are still tried).
	Accounts   []string
	RoleName   string // role assumed in member accounts, default OrganizationAccountAccessRole
	ExternalID string
	// Profiles are shared-config profiles used instead of AssumeRole, one account each. They
	// cannot be combined with Organization or Accounts.
	Profiles []string
	// IdentityCenter reads IAM Identity Center (users, groups, permission sets, assignments)
	// with the base credentials, or with Profiles the first profile that works. Its principals
	// belong to the instance's owner account and that account's Coverage covers them.
	IdentityCenter bool
	// VirtualMFADevices also lists each account's virtual MFA devices (one paginated
	// ListVirtualMFADevices call, made only when the credential report shows an MFA user) to
	// record them as mfa_device credentials with their serial ARNs. Off by default: hardware
	// and FIDO devices have no account-wide listing, so the MFA flag is the complete fact.
	VirtualMFADevices bool
	Parallelism       int           // accounts at once, default 8
	AccountTimeout    time.Duration // default 5m
	MaxItems          int32         // page size of IAM list calls, 1-1000, default 1000
	// IncludeSuspended also collects SUSPENDED (and closing or closed) accounts; otherwise they
	// are left out of the Result altogether.
	IncludeSuspended bool
	// ReportPoll is the base interval for polling a credential report being generated; it
	// doubles up to 15 times that. Default 2s.
	ReportPoll time.Duration
	// ReportMaxAge is the oldest credential report used as found: GetCredentialReport is called
	// first, and GenerateCredentialReport only when it answers ReportNotPresent or
	// ReportExpired or its report was generated (GeneratedTime) more than ReportMaxAge before
	// Now. Default and minimum 4h, the interval at which IAM regenerates reports; a longer age
	// saves calls and accepts older data.
	ReportMaxAge time.Duration
	// AccountSummary says when GetAccountSummary is read; see SummaryMode. Default
	// SummaryAlways.
	AccountSummary SummaryMode
	// MaxAttempts and MaxBackoff tune the SDK's adaptive retry mode (defaults 10 and 20s).
	MaxAttempts int
	MaxBackoff  time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
	// AWSConfig, if set, is used as the base aws.Config instead of LoadDefaultConfig (tests).
	// Its Retryer is kept when set; otherwise the adaptive retryer is installed.
	AWSConfig *aws.Config
}

// Collector reads IAM, Organizations and Identity Center. It implements collector.Source.
type Collector struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
}

var (
	_ collector.Source    = (*Collector)(nil)
	_ collector.Describer = (*Collector)(nil)
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// New validates opts, applies defaults and returns a Collector. It does no I/O.
func New(opts Options) (*Collector, error) {
	if strings.TrimSpace(opts.Name) == "" {
		return nil, fmt.Errorf("awsiam: name is required")
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.RoleName == "" {
		opts.RoleName = DefaultRoleName
	}
	if opts.Parallelism == 0 {
		opts.Parallelism = DefaultParallelism
	}
	if opts.Parallelism < 0 {
		return nil, fmt.Errorf("awsiam %s: parallelism %d: want a positive number", opts.Name, opts.Parallelism)
	}
	if opts.AccountTimeout == 0 {
		opts.AccountTimeout = DefaultAccountTimeout
	}
	if opts.AccountTimeout < 0 {
		return nil, fmt.Errorf("awsiam %s: account timeout %s: want a positive duration", opts.Name, opts.AccountTimeout)
	}
	if opts.MaxItems == 0 {
		opts.MaxItems = DefaultMaxItems
	}
	if opts.MaxItems < 1 || opts.MaxItems > 1000 {
		return nil, fmt.Errorf("awsiam %s: max items %d: want 1 to 1000", opts.Name, opts.MaxItems)
	}
	if opts.ReportPoll == 0 {
		opts.ReportPoll = DefaultReportPoll
	}
	if opts.ReportPoll < 0 {
		return nil, fmt.Errorf("awsiam %s: report poll %s: want a positive duration", opts.Name, opts.ReportPoll)
	}
	if opts.ReportMaxAge == 0 {
		opts.ReportMaxAge = DefaultReportMaxAge
	}
	if opts.ReportMaxAge < MinReportMaxAge {
		return nil, fmt.Errorf("awsiam %s: report max age %s: want at least %s, IAM regenerates a credential report at most every 4 hours",
			opts.Name, opts.ReportMaxAge, MinReportMaxAge)
	}
	switch opts.AccountSummary {
	case SummaryAlways, SummaryOnReportFailure, SummaryNever:
	default:
		return nil, fmt.Errorf("awsiam %s: account summary mode %d: want SummaryAlways, SummaryOnReportFailure or SummaryNever", opts.Name, int(opts.AccountSummary))
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.MaxAttempts < 0 {
		return nil, fmt.Errorf("awsiam %s: max attempts %d: want a positive number", opts.Name, opts.MaxAttempts)
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.MaxBackoff < 0 {
		return nil, fmt.Errorf("awsiam %s: max backoff %s: want a positive duration", opts.Name, opts.MaxBackoff)
	}
	if len(opts.Profiles) > 0 && (opts.Organization || len(opts.Accounts) > 0) {
		return nil, fmt.Errorf("awsiam %s: profiles cannot be combined with organization or accounts", opts.Name)
	}
	seen := map[string]bool{}
	for _, id := range opts.Accounts {
		if !accountIDPattern.MatchString(id) {
			return nil, fmt.Errorf("awsiam %s: account %q: want a 12-digit account ID", opts.Name, id)
		}
		if seen[id] {
			return nil, fmt.Errorf("awsiam %s: account %s listed twice", opts.Name, id)
		}
		seen[id] = true
	}
	seen = map[string]bool{}
	for _, p := range opts.Profiles {
		if strings.TrimSpace(p) == "" || seen[p] {
			return nil, fmt.Errorf("awsiam %s: profile %q: want distinct non-empty profile names", opts.Name, p)
		}
		seen[p] = true
	}
	opts.Accounts = slices.Clone(opts.Accounts)
	opts.Profiles = slices.Clone(opts.Profiles)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Collector{
		opts: opts,
		log:  log.With("component", "awsiam", "source", opts.Name),
		now:  func() time.Time { return now().UTC() },
	}, nil
}

// Name returns the configured source name.
func (c *Collector) Name() string { return c.opts.Name }

// Provider is aws, the provider of every Coverage entry the collector reports.
func (c *Collector) Provider() inventory.Provider { return inventory.ProviderAWS }

// Method is Method, what every account's Coverage entry records (the account that owns Identity
// Center adds MethodIdentityCenter once it has been read).
func (c *Collector) Method() string { return Method }

// target is one account to collect and the configuration that reaches it.
type target struct {
	account inventory.Account
	cfg     aws.Config
	// reach names how the account is reached, for error messages ("base credentials",
	// "role arn:…", "profile dev").
	reach string
	// assumed is true when cfg's credentials come from AssumeRole and must be checked first.
	assumed bool
	// err is set when the account could not even be identified (a profile that fails).
	err error
}

// Collect reads every configured account, in parallel, and Identity Center when enabled.
// Failures of single accounts are recorded in their Coverage; Collect returns an error only
// when nothing could be read (the caller's identity or the organization's account list).
func (c *Collector) Collect(ctx context.Context) (*collector.Result, error) {
	started := c.now()
	targets, icp, partition, err := c.plan(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	c.log.Info("collecting", "accounts", len(targets), "identity_center", c.opts.IdentityCenter,
		"account_summary", c.opts.AccountSummary.String())

	results := make([]*accountResult, len(targets))
	var ic *icData
	g := new(errgroup.Group)
	g.SetLimit(c.opts.Parallelism)
	if c.opts.IdentityCenter && icp != nil {
		g.Go(func() error {
			ic = c.collectIdentityCenter(ctx, icp.cfg, icp.owner)
			return nil
		})
	}
	for i, t := range targets {
		g.Go(func() error {
			results[i] = c.collectAccount(ctx, t)
			return nil
		})
	}
	_ = g.Wait() // every task records its failure as data and returns nil
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := c.merge(ctx, results, ic, icp, partition)
	c.log.Info("collected", "accounts", len(res.Accounts), "principals", len(res.Principals),
		"elapsed", c.now().Sub(started).String())
	return res, nil
}

// baseConfig returns the base configuration: Options.AWSConfig or the SDK's default chain
// (optionally with a shared-config profile), with the region, endpoint and retryer applied.
func (c *Collector) baseConfig(ctx context.Context, profile string) (aws.Config, error) {
	var cfg aws.Config
	if c.opts.AWSConfig != nil && profile == "" {
		cfg = c.opts.AWSConfig.Copy()
		if cfg.Region == "" {
			cfg.Region = c.opts.Region
		}
	} else {
		loaders := []func(*config.LoadOptions) error{config.WithRegion(c.opts.Region)}
		if profile != "" {
			loaders = append(loaders, config.WithSharedConfigProfile(profile))
		}
		var err error
		cfg, err = config.LoadDefaultConfig(ctx, loaders...)
		if err != nil {
			return aws.Config{}, collector.Errorf(inventory.ErrInvalid, "load aws config: %w", err)
		}
	}
	if c.opts.Endpoint != "" {
		cfg.BaseEndpoint = aws.String(c.opts.Endpoint)
	}
	if cfg.Retryer == nil {
		maxAttempts, maxBackoff := c.opts.MaxAttempts, c.opts.MaxBackoff
		cfg.Retryer = func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = maxAttempts
					so.MaxBackoff = maxBackoff
				})
			})
		}
	}
	return cfg, nil
}

// icPlan is how Identity Center is read: with the base (or first profile's) credentials, in
// the caller's account.
type icPlan struct {
	cfg   aws.Config
	owner string
}

// plan decides which accounts to collect and how to reach each; it also returns how Identity
// Center is read and the caller's ARN partition.
func (c *Collector) plan(ctx context.Context) ([]target, *icPlan, string, error) {
	if len(c.opts.Profiles) > 0 {
		return c.planProfiles(ctx)
	}
	base, err := c.baseConfig(ctx, "")
	if err != nil {
		return nil, nil, "", err
	}
	caller, err := sts.NewFromConfig(base).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, nil, "", fmt.Errorf("get caller identity: %w", Classify(err))
	}
	callerAccount := aws.ToString(caller.Account)
	partition := "aws"
	if a, err := inventory.ParseARN(aws.ToString(caller.Arn)); err == nil {
		partition = a.Partition
	}

	var accounts []inventory.Account
	switch {
	case c.opts.Organization:
		org, err := discoverOrganization(ctx, organizations.NewFromConfig(base))
		if err != nil {
			return nil, nil, "", err
		}
		if len(c.opts.Accounts) == 0 {
			for _, a := range org {
				if c.opts.IncludeSuspended || !inactiveAccount(a.Status) {
					accounts = append(accounts, a)
				} else {
					c.log.Info("skipping inactive account", "account", a.ID, "status", a.Status)
				}
			}
		} else {
			byID := map[string]inventory.Account{}
			for _, a := range org {
				byID[a.ID] = a
			}
			for _, id := range c.opts.Accounts {
				a, ok := byID[id]
				if !ok {
					a = inventory.Account{ID: id, Provider: inventory.ProviderAWS, Kind: "account"}
				}
				accounts = append(accounts, a)
			}
		}
	case len(c.opts.Accounts) > 0:
		for _, id := range c.opts.Accounts {
			accounts = append(accounts, inventory.Account{ID: id, Provider: inventory.ProviderAWS, Kind: "account"})
		}
	default:
		accounts = []inventory.Account{{ID: callerAccount, Provider: inventory.ProviderAWS, Kind: "account"}}
	}

	stsClient := sts.NewFromConfig(base)
	targets := make([]target, 0, len(accounts))
	for _, a := range accounts {
		if a.ID == callerAccount {
			targets = append(targets, target{account: a, cfg: base, reach: "base credentials"})
			continue
		}
		roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, a.ID, strings.TrimPrefix(c.opts.RoleName, "/"))
		provider := stscreds.NewAssumeRoleProvider(stsClient, roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = SessionName
			if c.opts.ExternalID != "" {
				o.ExternalID = aws.String(c.opts.ExternalID)
			}
		})
		cfg := base.Copy()
		cfg.Credentials = aws.NewCredentialsCache(provider)
		targets = append(targets, target{account: a, cfg: cfg, reach: "role " + roleARN, assumed: true})
	}
	return targets, &icPlan{cfg: base, owner: callerAccount}, partition, nil
}

// planProfiles makes one target per shared-config profile; the account is whatever the
// profile's credentials belong to.
func (c *Collector) planProfiles(ctx context.Context) ([]target, *icPlan, string, error) {
	var (
		targets   []target
		icp       *icPlan
		partition = "aws"
	)
	seen := map[string]string{}
	for _, p := range c.opts.Profiles {
		t := target{reach: "profile " + p}
		cfg, err := c.baseConfig(ctx, p)
		if err == nil {
			var out *sts.GetCallerIdentityOutput
			out, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err == nil {
				t.account = inventory.Account{ID: aws.ToString(out.Account), Provider: inventory.ProviderAWS, Kind: "account"}
				t.cfg = cfg
				if a, perr := inventory.ParseARN(aws.ToString(out.Arn)); perr == nil {
					partition = a.Partition
				}
			} else {
				err = fmt.Errorf("get caller identity: %w", Classify(err))
			}
		}
		if ctx.Err() != nil {
			return nil, nil, "", ctx.Err()
		}
		if err != nil {
			t.account = inventory.Account{ID: "profile:" + p, Provider: inventory.ProviderAWS, Kind: "account"}
			t.err = fmt.Errorf("profile %s: %w", p, err)
		} else if prev, dup := seen[t.account.ID]; dup {
			c.log.Warn("profiles reach the same account; collecting it once", "account", t.account.ID, "profiles", prev+","+p)
			continue
		} else {
			seen[t.account.ID] = p
			if icp == nil {
				icp = &icPlan{cfg: cfg, owner: t.account.ID}
			}
		}
		targets = append(targets, t)
	}
	return targets, icp, partition, nil
}

// inactiveAccount reports whether an Organizations status or state means the account cannot
// be used.
func inactiveAccount(status string) bool {
	switch status {
	case "SUSPENDED", "PENDING_CLOSURE", "CLOSED":
		return true
	}
	return false
}

// sleepCtx waits for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
