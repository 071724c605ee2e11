package awsiam_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

// Collect an organization's accounts. Here the accounts are served by the sandbox's fake AWS;
// against real AWS, leave Endpoint and AWSConfig unset and the SDK's credential chain is used.
func ExampleCollector_Collect() {
	srv := awsfake.New(awsfake.Options{})
	if err := srv.LoadOrganization(&awsfake.Organization{
		ManagementAccount: "111111111111",
		Accounts: []*awsfake.Account{
			{ID: "111111111111", Name: "management", Root: awsfake.Root{Created: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), MFA: true}},
			{ID: "222222222222", Name: "prod", OUPath: []string{"Prod"}, Users: []*awsfake.User{{Name: "deploy",
				AccessKeys: []awsfake.AccessKey{{ID: "AKIADEPLOY0000000001", Created: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}}}}},
		},
	}); err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := aws.Config{Credentials: credentials.NewStaticCredentialsProvider(awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, "")}

	c, err := awsiam.New(awsiam.Options{
		Name:         "aws-example",
		Endpoint:     srv.URL(),
		Organization: true,
		AWSConfig:    &cfg,
		ReportPoll:   10 * time.Millisecond,
	})
	if err != nil {
		panic(err)
	}
	res, err := c.Collect(context.Background())
	if err != nil {
		panic(err)
	}
	for _, cov := range res.Coverage {
		fmt.Println(cov.Scope, cov.Status, cov.Counts["principals"])
	}
	for _, p := range res.Principals {
		fmt.Println(p.Kind, p.ID, len(p.Credentials))
	}
	// Output:
	// 111111111111 complete 1
	// 222222222222 complete 2
	// root arn:aws:iam::111111111111:root 1
	// root arn:aws:iam::222222222222:root 1
	// user arn:aws:iam::222222222222:user/deploy 1
}
