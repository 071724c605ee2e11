package awsiam

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SessionName is the role session name remediation calls carry, so CloudTrail shows them.
const SessionName = "provost-remediate"

// NewAssumeRole returns an executor that reaches each account as the collector does: the base
// credentials in the account they belong to (found once with GetCallerIdentity), and role
// roleName (with externalID when set) in every other account. Clients are cached per account.
func NewAssumeRole(base aws.Config, roleName, externalID string) *Executor {
	var (
		mu      sync.Mutex
		caller  string
		clients = map[string]API{}
	)
	return &Executor{Client: func(ctx context.Context, account string) (API, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[account]; ok {
			return c, nil
		}
		stsClient := sts.NewFromConfig(base)
		if caller == "" {
			out, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return nil, fmt.Errorf("who are the base credentials: %w", err)
			}
			caller = aws.ToString(out.Account)
		}
		cfg := base
		if account != caller {
			if roleName == "" {
				return nil, fmt.Errorf("account %s is not the base credentials' account %s and no role_name is configured", account, caller)
			}
			roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, strings.TrimPrefix(roleName, "/"))
			provider := stscreds.NewAssumeRoleProvider(stsClient, roleARN, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = SessionName
				if externalID != "" {
					o.ExternalID = aws.String(externalID)
				}
			})
			cfg = base.Copy()
			cfg.Credentials = aws.NewCredentialsCache(provider)
		}
		c := iam.NewFromConfig(cfg)
		clients[account] = c
		return c, nil
	}}
}
