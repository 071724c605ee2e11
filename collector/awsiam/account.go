package awsiam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// iamAPI is what the collector calls on IAM: account-wide reads only, never one call per user.
type iamAPI interface {
	iam.GetAccountAuthorizationDetailsAPIClient
	iam.ListVirtualMFADevicesAPIClient
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	GetPolicy(context.Context, *iam.GetPolicyInput, ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(context.Context, *iam.GetPolicyVersionInput, ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

var _ iamAPI = (*iam.Client)(nil)

// accountResult is what one account yielded.
type accountResult struct {
	account    inventory.Account
	coverage   inventory.Coverage
	principals []inventory.Principal
	docs       []inventory.PolicyDoc
}

// problem is one step of a collection that failed.
type problem struct {
	step string
	err  error
}

// authDetails accumulates the pages of GetAccountAuthorizationDetails.
type authDetails struct {
	pages    int
	users    []iamtypes.UserDetail
	groups   []iamtypes.GroupDetail
	roles    []iamtypes.RoleDetail
	policies []iamtypes.ManagedPolicyDetail
}

// collectAccount reads one account within Options.AccountTimeout. It never returns an error:
// what failed is recorded in the result's Coverage.
func (c *Collector) collectAccount(ctx context.Context, t target) *accountResult {
	res := &accountResult{account: t.account}
	res.coverage = inventory.Coverage{
		Source:    c.opts.Name,
		Provider:  inventory.ProviderAWS,
		Scope:     t.account.ID,
		Method:    Method,
		StartedAt: c.now(),
	}
	log := c.log.With("account", t.account.ID)
	fail := func(err error) *accountResult {
		res.coverage.Status = inventory.CoverageFailed
		res.coverage.ErrorKind = collector.KindOf(err)
		res.coverage.Error = err.Error()
		res.coverage.FinishedAt = c.now()
		log.Warn("account collection failed", "kind", res.coverage.ErrorKind, "err", err)
		return res
	}
	if t.err != nil {
		return fail(t.err)
	}

	actx, cancel := context.WithTimeout(ctx, c.opts.AccountTimeout)
	defer cancel()
	if t.assumed {
		if _, err := t.cfg.Credentials.Retrieve(actx); err != nil {
			return fail(fmt.Errorf("assume %s: %w", t.reach, Classify(err)))
		}
	}
	client := iam.NewFromConfig(t.cfg)

	var (
		details              *authDetails
		rows                 []ReportRow
		summary              map[string]int
		policy               *inventory.PasswordPolicy
		detailsErr, rowsErr  error
		summaryErr, policyEr error
	)
	var wg sync.WaitGroup
	wg.Go(func() { details, detailsErr = c.authorizationDetails(actx, client) })
	wg.Go(func() { rows, rowsErr = c.credentialReport(actx, client, t.account.ID) })
	wg.Go(func() {
		if c.opts.AccountSummary == SummaryAlways {
			summary, summaryErr = accountSummary(actx, client)
		}
		policy, policyEr = passwordPolicy(actx, client)
	})
	wg.Wait()
	if c.opts.AccountSummary == SummaryOnReportFailure && rowsErr != nil {
		// The root's MFA and access-key facts need other evidence.
		summary, summaryErr = accountSummary(actx, client)
	}

	var problems []problem
	add := func(step string, err error) {
		if err != nil {
			problems = append(problems, problem{step, err})
		}
	}
	add("authorization details", detailsErr)
	add("credential report", rowsErr)
	add("account summary", summaryErr)
	add("password policy", policyEr)

	var mfa map[string][]inventory.Credential
	if c.opts.VirtualMFADevices && rowsErr == nil && anyMFA(rows) {
		var err error
		mfa, err = c.virtualMFADevices(actx, client)
		add("virtual mfa devices", err)
	}

	res.account.Settings = summary
	res.account.PasswordPolicy = policy
	if details.pages > 0 {
		b := buildAccount(t.account.ID, details, rows, mfa)
		res.principals, res.docs = b.principals, b.docs
		for _, p := range b.problems {
			add(p.step, p.err)
		}
	}

	counts := map[string]int{"principals": len(res.principals)}
	for _, k := range []inventory.PrincipalKind{inventory.KindUser, inventory.KindRole, inventory.KindGroup, inventory.KindRoot} {
		counts[string(k)+"s"] = 0
	}
	for _, p := range res.principals {
		counts[string(p.Kind)+"s"]++
	}
	counts["policies"] = len(res.docs)
	res.coverage.Counts = counts
	res.coverage.FinishedAt = c.now()

	switch {
	case len(problems) == 0:
		res.coverage.Status = inventory.CoverageComplete
		log.Info("account collected", "principals", len(res.principals))
	default:
		res.coverage.Status = inventory.CoveragePartial
		if details.pages == 0 {
			res.coverage.Status = inventory.CoverageFailed
		}
		res.coverage.ErrorKind = collector.KindOf(problems[0].err)
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.step + ": " + p.err.Error()
		}
		res.coverage.Error = strings.Join(msgs, "; ")
		log.Warn("account collection incomplete", "status", res.coverage.Status, "kind", res.coverage.ErrorKind, "err", res.coverage.Error)
	}
	return res
}

// authorizationDetails reads every page of GetAccountAuthorizationDetails. On error it returns
// what the earlier pages held.
func (c *Collector) authorizationDetails(ctx context.Context, client iamAPI) (*authDetails, error) {
	d := &authDetails{}
	p := iam.NewGetAccountAuthorizationDetailsPaginator(client, &iam.GetAccountAuthorizationDetailsInput{
		MaxItems: aws.Int32(c.opts.MaxItems),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return d, Classify(err)
		}
		d.pages++
		d.users = append(d.users, page.UserDetailList...)
		d.groups = append(d.groups, page.GroupDetailList...)
		d.roles = append(d.roles, page.RoleDetailList...)
		d.policies = append(d.policies, page.Policies...)
	}
	return d, nil
}

// credentialReport fetches and parses the account's credential report. It reads the existing
// report first: IAM regenerates a report at most every 4 hours and answers
// GenerateCredentialReport with COMPLETE while one is younger, so a run within that window
// costs one call. It generates a report only when GetCredentialReport answers ReportNotPresent
// or ReportExpired, or returns a report generated more than Options.ReportMaxAge ago (then at
// most once: what IAM serves after that is as fresh as it gets), polls with doubling waits
// while generation is in progress, and waits out LimitExceeded.
func (c *Collector) credentialReport(ctx context.Context, client iamAPI, account string) ([]ReportRow, error) {
	const maxGenerations = 3
	wait := c.opts.ReportPoll
	maxWait := 15 * c.opts.ReportPoll
	pause := func() error {
		err := sleepCtx(ctx, wait)
		wait = min(2*wait, maxWait)
		return err
	}
	var (
		generations int
		complete    bool      // the last GenerateCredentialReport answered COMPLETE
		stale       time.Time // GeneratedTime of a report found too old
	)
	generate := func() error {
		for {
			gen, err := client.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
			if err == nil {
				generations++
				complete = gen.State == iamtypes.ReportStateTypeComplete
				if complete {
					return nil
				}
				return pause()
			}
			if code := errorCode(err); code != "LimitExceeded" && code != "LimitExceededException" {
				return fmt.Errorf("generate: %w", Classify(err))
			}
			if err := pause(); err != nil {
				return err
			}
		}
	}
	for {
		out, err := client.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if err == nil {
			generated := aws.ToTime(out.GeneratedTime)
			switch {
			case generations == 0 && !generated.IsZero() && c.now().Sub(generated) > c.opts.ReportMaxAge:
				stale = generated
				c.log.Debug("credential report too old; generating", "account", account, "generated", generated)
				if err := generate(); err != nil {
					return nil, err
				}
				continue
			case !stale.IsZero() && !complete && !generated.After(stale):
				// The old report, served while the new one is generated.
				if err := pause(); err != nil {
					return nil, err
				}
				continue
			}
			rows, perr := ParseCredentialReport(bytes.NewReader(out.Content))
			if perr != nil {
				return nil, collector.Errorf(inventory.ErrInvalid, "%w", perr)
			}
			return rows, nil
		}
		switch errorCode(err) {
		case "ReportInProgress":
			if err := pause(); err != nil {
				return nil, err
			}
		case "ReportNotPresent", "ReportExpired":
			if generations >= maxGenerations {
				return nil, collector.Errorf(inventory.ErrUnavailable, "still not present in %s after %d generations: %w", account, generations, err)
			}
			if err := generate(); err != nil {
				return nil, err
			}
		default:
			return nil, Classify(err)
		}
	}
}

func accountSummary(ctx context.Context, client iamAPI) (map[string]int, error) {
	out, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return nil, Classify(err)
	}
	m := make(map[string]int, len(out.SummaryMap))
	for k, v := range out.SummaryMap {
		m[k] = int(v)
	}
	return m, nil
}

// passwordPolicy returns the account's password policy, or nil when it has none.
func passwordPolicy(ctx context.Context, client iamAPI) (*inventory.PasswordPolicy, error) {
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) || errorCode(err) == "NoSuchEntity" {
		return nil, nil
	}
	if err != nil {
		return nil, Classify(err)
	}
	pp := out.PasswordPolicy
	if pp == nil {
		return nil, nil
	}
	return &inventory.PasswordPolicy{
		MinimumLength:           int(aws.ToInt32(pp.MinimumPasswordLength)),
		RequireSymbols:          pp.RequireSymbols,
		RequireNumbers:          pp.RequireNumbers,
		RequireUppercase:        pp.RequireUppercaseCharacters,
		RequireLowercase:        pp.RequireLowercaseCharacters,
		AllowUsersToChange:      pp.AllowUsersToChangePassword,
		MaxAgeDays:              int(aws.ToInt32(pp.MaxPasswordAge)),
		PasswordReusePrevention: int(aws.ToInt32(pp.PasswordReusePrevention)),
		HardExpiry:              aws.ToBool(pp.HardExpiry),
		ExpirePasswords:         pp.ExpirePasswords,
	}, nil
}

// virtualMFADevices lists the account's assigned virtual MFA devices by user ARN (root
// included). Hardware and FIDO devices have no account-wide listing; the credential report's
// mfa_active still covers them.
func (c *Collector) virtualMFADevices(ctx context.Context, client iamAPI) (map[string][]inventory.Credential, error) {
	out := map[string][]inventory.Credential{}
	p := iam.NewListVirtualMFADevicesPaginator(client, &iam.ListVirtualMFADevicesInput{
		AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned,
		MaxItems:         aws.Int32(c.opts.MaxItems),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, Classify(err)
		}
		for _, d := range page.VirtualMFADevices {
			if d.User == nil || d.User.Arn == nil {
				continue
			}
			arn := aws.ToString(d.User.Arn)
			out[arn] = append(out[arn], inventory.Credential{
				Kind:      inventory.CredMFA,
				ID:        aws.ToString(d.SerialNumber),
				Status:    inventory.CredActive,
				CreatedAt: utc(d.EnableDate),
			})
		}
	}
	return out, nil
}

func anyMFA(rows []ReportRow) bool {
	for _, r := range rows {
		if r.MFAActive.True() {
			return true
		}
	}
	return false
}

// cloneSettings copies a settings map so that merging Identity Center facts does not alias.
func cloneSettings(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}
