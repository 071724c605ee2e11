package awsfake_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/provost-dev/provost/sandbox/awsfake"
)

// Example serves a two-account organization and reaches the member account the way Provost's
// collector does: base credentials, then AssumeRole, then IAM in the member account.
func Example() {
	srv := awsfake.New(awsfake.Options{})
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	err := srv.LoadOrganization(&awsfake.Organization{
		ManagementAccount: "111111111111",
		Accounts: []*awsfake.Account{
			{ID: "111111111111", Name: "management"},
			{ID: "222222222222", Name: "prod", OUPath: []string{"Prod"}, Users: []*awsfake.User{
				{Name: "alice", AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
			}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	base := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, ""),
	}
	member := base.Copy()
	member.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base),
		awsfake.RoleARN("222222222222", "/", awsfake.DefaultRoleName)))

	out, err := iam.NewFromConfig(member).GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range out.UserDetailList {
		fmt.Println(*u.Arn, *u.AttachedManagedPolicies[0].PolicyName)
	}
	fmt.Println(srv.CallsFor("222222222222"))
	// Output:
	// arn:aws:iam::222222222222:user/alice AdministratorAccess
	// map[iam:GetAccountAuthorizationDetails:1]
}
