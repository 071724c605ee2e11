package awsiam_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

// benchOrg builds an organization of accounts × users: each account has its users (half with
// a console password, every user with one access key, every tenth with two), 10 groups with an
// AWS managed policy each, 20 roles and a customer policy.
func benchOrg(accounts, users int) *awsfake.Organization {
	org := &awsfake.Organization{ManagementAccount: fmt.Sprintf("%012d", 100000000000)}
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	managed := []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit", "AmazonS3FullAccess"}
	for a := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+a)
		acct := &awsfake.Account{ID: id, Name: fmt.Sprintf("acct-%d", a), Email: fmt.Sprintf("a%d@example.com", a),
			Root: awsfake.Root{Created: created, MFA: true}}
		if a > 0 {
			acct.OUPath = []string{fmt.Sprintf("OU%d", a%4)}
		}
		for g := range 10 {
			acct.Groups = append(acct.Groups, &awsfake.Group{Name: fmt.Sprintf("group-%d", g), Created: created,
				AttachedPolicies: []string{"arn:aws:iam::aws:policy/" + managed[g%len(managed)]}})
		}
		acct.Policies = []*awsfake.Policy{{Name: "app", Created: created,
			Versions: []awsfake.PolicyVersion{{Document: deployV1, Created: created}}}}
		for r := range 20 {
			acct.Roles = append(acct.Roles, &awsfake.Role{Name: fmt.Sprintf("role-%d", r), Created: created, AssumeRolePolicy: trustDoc,
				AttachedPolicies: []string{"arn:aws:iam::" + id + ":policy/app"}, LastUsed: created.AddDate(0, 1, 0)})
		}
		for u := range users {
			user := &awsfake.User{Name: fmt.Sprintf("user-%05d", u), Created: created,
				PasswordEnabled: u%2 == 0, PasswordLastChanged: created,
				Groups:         []string{fmt.Sprintf("group-%d", u%10)},
				InlinePolicies: map[string]string{"s3": s3ReadDoc},
				AccessKeys:     []awsfake.AccessKey{{ID: fmt.Sprintf("AKIA%04d%012d", a, u), Created: created, LastUsed: created.AddDate(0, 2, 0)}},
			}
			if u%10 == 0 {
				user.AccessKeys = append(user.AccessKeys, awsfake.AccessKey{ID: fmt.Sprintf("AKIB%04d%012d", a, u), Status: awsfake.KeyInactive, Created: created})
			}
			acct.Users = append(acct.Users, user)
		}
		org.Accounts = append(org.Accounts, acct)
	}
	return org
}

// BenchmarkCollect measures a cold nightly collection (credential reports generated) against
// the sandbox fake over loopback: wall time per run, IAM calls per 1,000 principals (the target
// is at most 5) and principals collected. Accounts are collected concurrently (Parallelism 8).
func BenchmarkCollect(b *testing.B) {
	for _, size := range []struct{ accounts, users int }{{1, 10000}, {20, 500}} {
		b.Run(fmt.Sprintf("accounts=%d/users=%d", size.accounts, size.users), func(b *testing.B) {
			org := benchOrg(size.accounts, size.users)
			var principals, iamCalls int
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				srv := awsfake.New(awsfake.Options{})
				if err := srv.LoadOrganization(org); err != nil {
					b.Fatal(err)
				}
				if err := srv.Start(); err != nil {
					b.Fatal(err)
				}
				cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
					Credentials: credentials.NewStaticCredentialsProvider(awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, "")}
				c, err := awsiam.New(awsiam.Options{Name: "bench", Endpoint: srv.URL(), Organization: true, AWSConfig: &cfg,
					ReportPoll: time.Millisecond})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, err := c.Collect(b.Context())
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				for _, cov := range res.Coverage {
					if !cov.Complete() {
						b.Fatalf("coverage of %s: %s %s", cov.Scope, cov.Status, cov.Error)
					}
				}
				principals = len(res.Principals)
				iamCalls = 0
				for k, v := range srv.Calls() {
					if strings.HasPrefix(k, "iam:") {
						iamCalls += v
					}
				}
				srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(principals), "principals")
			b.ReportMetric(float64(iamCalls), "iam-calls")
			b.ReportMetric(float64(iamCalls)*1000/float64(principals), "iam-calls/1k-principals")
		})
	}
}
