package awsfake

import (
	"sort"
	"time"
)

// The built-in AWS managed policies: real names, paths and ARNs; documents are the real ones for
// the small policies and faithful abridgements (same shape, a representative subset of the
// actions) for the very long ones (ReadOnlyAccess, SecurityAudit, ViewOnlyAccess). Policy IDs
// are synthesised.
var awsManaged = []struct {
	name, path, desc, version string
	created, updated          string
	doc                       string
}{
	{"AdministratorAccess", "/", "Provides full access to AWS services and resources.", "v1",
		"2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`},
	{"PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.", "v5",
		"2015-02-06T18:39:47Z", "2023-07-06T22:04:00Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "NotAction": [
                "iam:*",
                "organizations:*",
                "account:*"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.", "v2",
		"2015-02-06T18:40:38Z", "2019-06-21T19:40:00Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:*",
                "organizations:DescribeAccount",
                "organizations:DescribeOrganization",
                "organizations:DescribeOrganizationalUnit",
                "organizations:DescribePolicy",
                "organizations:ListChildren",
                "organizations:ListParents",
                "organizations:ListPoliciesForTarget",
                "organizations:ListRoots",
                "organizations:ListPolicies",
                "organizations:ListTargetsForPolicy"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.", "v4",
		"2015-02-06T18:40:39Z", "2018-01-25T19:11:27Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.", "v121",
		"2015-02-06T18:39:48Z", "2024-09-10T17:40:52Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadOnlyActions",
            "Effect": "Allow",
            "Action": [
                "access-analyzer:Get*",
                "access-analyzer:List*",
                "acm:Describe*",
                "acm:Get*",
                "acm:List*",
                "apigateway:GET",
                "autoscaling:Describe*",
                "cloudformation:Describe*",
                "cloudformation:Get*",
                "cloudformation:List*",
                "cloudfront:Get*",
                "cloudfront:List*",
                "cloudtrail:Describe*",
                "cloudtrail:Get*",
                "cloudtrail:List*",
                "cloudtrail:LookupEvents",
                "cloudwatch:Describe*",
                "cloudwatch:Get*",
                "cloudwatch:List*",
                "config:Describe*",
                "config:Get*",
                "config:List*",
                "dynamodb:BatchGet*",
                "dynamodb:Describe*",
                "dynamodb:Get*",
                "dynamodb:List*",
                "dynamodb:Query",
                "dynamodb:Scan",
                "ec2:Describe*",
                "ec2:Get*",
                "ecr:BatchGet*",
                "ecr:Describe*",
                "ecr:Get*",
                "ecr:List*",
                "ecs:Describe*",
                "ecs:List*",
                "eks:Describe*",
                "eks:List*",
                "elasticloadbalancing:Describe*",
                "iam:Generate*",
                "iam:Get*",
                "iam:List*",
                "iam:Simulate*",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "lambda:Get*",
                "lambda:List*",
                "logs:Describe*",
                "logs:FilterLogEvents",
                "logs:Get*",
                "logs:StartQuery",
                "organizations:Describe*",
                "organizations:List*",
                "rds:Describe*",
                "rds:List*",
                "route53:Get*",
                "route53:List*",
                "s3:Describe*",
                "s3:Get*",
                "s3:List*",
                "secretsmanager:Describe*",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:List*",
                "sns:Get*",
                "sns:List*",
                "sqs:Get*",
                "sqs:List*",
                "sqs:Receive*",
                "sso:Describe*",
                "sso:Get*",
                "sso:List*",
                "sts:GetCallerIdentity"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"SecurityAudit", "/", "The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account.", "v41",
		"2015-02-06T18:41:01Z", "2024-08-23T17:31:49Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "access-analyzer:GetAnalyzer",
                "access-analyzer:ListAnalyzers",
                "account:GetAlternateContact",
                "acm:Describe*",
                "acm:List*",
                "cloudtrail:DescribeTrails",
                "cloudtrail:GetEventSelectors",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:ListTags",
                "cloudtrail:LookupEvents",
                "config:Describe*",
                "ec2:Describe*",
                "ec2:GetEbsEncryptionByDefault",
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy",
                "kms:Describe*",
                "kms:Get*",
                "kms:List*",
                "organizations:Describe*",
                "organizations:List*",
                "s3:GetAccountPublicAccessBlock",
                "s3:GetBucket*",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:ListAllMyBuckets",
                "s3:ListBucket",
                "sso:DescribePermissionSet",
                "sso:ListAccountAssignments",
                "sso:ListInstances",
                "sso:ListPermissionSets",
                "identitystore:ListUsers",
                "identitystore:ListGroups",
                "identitystore:ListGroupMemberships"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "apigateway:HEAD",
                "apigateway:GET",
                "apigateway:OPTIONS"
            ],
            "Resource": [
                "arn:aws:apigateway:*::/restapis",
                "arn:aws:apigateway:*::/restapis/*/authorizers",
                "arn:aws:apigateway:*::/restapis/*/stages"
            ]
        }
    ]
}`},
	{"ViewOnlyAccess", "/job-function/", "This policy grants permissions to view resources and basic metadata across all AWS services", "v18",
		"2016-11-10T17:20:15Z", "2024-06-27T19:29:29Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "acm:ListCertificates",
                "autoscaling:Describe*",
                "cloudformation:DescribeStacks",
                "cloudformation:ListStacks",
                "cloudfront:ListDistributions",
                "cloudtrail:DescribeTrails",
                "cloudwatch:ListMetrics",
                "dynamodb:ListTables",
                "ec2:DescribeInstances",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeVpcs",
                "iam:ListGroups",
                "iam:ListPolicies",
                "iam:ListRoles",
                "iam:ListUsers",
                "lambda:ListFunctions",
                "rds:DescribeDBInstances",
                "s3:ListAllMyBuckets",
                "sns:ListTopics",
                "sqs:ListQueues"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"Billing", "/job-function/", "Grants permissions for billing and cost management. This includes viewing account usage and viewing and modifying budgets and payment methods.", "v12",
		"2016-11-10T17:33:18Z", "2024-01-17T19:58:52Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "account:GetAccountInformation",
                "aws-portal:*Billing",
                "aws-portal:*PaymentMethods",
                "aws-portal:*Usage",
                "billing:*",
                "budgets:ModifyBudget",
                "budgets:ViewBudget",
                "ce:*",
                "cur:*",
                "payments:*",
                "tax:*"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.", "v2",
		"2015-02-06T18:40:58Z", "2021-09-27T20:16:37Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "s3-object-lambda:*"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.", "v3",
		"2015-02-06T18:40:59Z", "2023-08-10T21:31:39Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"AmazonEC2FullAccess", "/", "Provides full access to Amazon EC2 via the AWS Management Console.", "v5",
		"2015-02-06T18:40:15Z", "2018-11-27T02:16:56Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": "ec2:*",
            "Effect": "Allow",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "elasticloadbalancing:*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "cloudwatch:*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "autoscaling:*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": [
                        "autoscaling.amazonaws.com",
                        "ec2scheduled.amazonaws.com",
                        "elasticloadbalancing.amazonaws.com",
                        "spot.amazonaws.com",
                        "spotfleet.amazonaws.com",
                        "transitgateway.amazonaws.com"
                    ]
                }
            }
        }
    ]
}`},
	{"AmazonEC2ReadOnlyAccess", "/", "Provides read only access to Amazon EC2 via the AWS Management Console.", "v3",
		"2015-02-06T18:40:17Z", "2020-11-05T18:31:35Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "ec2:Describe*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "elasticloadbalancing:Describe*",
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "cloudwatch:ListMetrics",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:Describe*"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": "autoscaling:Describe*",
            "Resource": "*"
        }
    ]
}`},
	{"AWSSupportAccess", "/", "Allow users to access the AWS Support Center.", "v1",
		"2015-02-06T18:41:11Z", "2015-02-06T18:41:11Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "support:*"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"AWSOrganizationsFullAccess", "/", "Provides full access to AWS Organizations.", "v6",
		"2018-11-06T20:31:57Z", "2023-09-11T18:47:03Z", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AWSOrganizationsFullAccess",
            "Effect": "Allow",
            "Action": "organizations:*",
            "Resource": "*"
        },
        {
            "Sid": "AWSOrganizationsFullAccessAccount",
            "Effect": "Allow",
            "Action": [
                "account:PutAlternateContact",
                "account:DeleteAlternateContact",
                "account:GetAlternateContact",
                "account:GetContactInformation",
                "account:PutContactInformation",
                "account:ListRegions",
                "account:EnableRegion",
                "account:DisableRegion"
            ],
            "Resource": "*"
        }
    ]
}`},
}

// builtinPolicies is the catalogue keyed by ARN, built once.
var builtinPolicies, builtinOrder = buildBuiltins()

func buildBuiltins() (map[string]*Policy, []string) {
	m := make(map[string]*Policy, len(awsManaged))
	order := make([]string, 0, len(awsManaged))
	for _, p := range awsManaged {
		arn := AWSManagedPolicyARN(p.path, p.name)
		created, _ := time.Parse(time.RFC3339, p.created)
		updated, _ := time.Parse(time.RFC3339, p.updated)
		m[arn] = &Policy{
			Name: p.name, Path: p.path, PolicyID: uniqueID("ANPA", arn), Description: p.desc,
			Created: created, Updated: updated, DefaultVersion: p.version,
			Versions: []PolicyVersion{{ID: p.version, Document: p.doc, Created: updated}},
		}
		order = append(order, arn)
	}
	sort.Slice(order, func(i, j int) bool { return lessFold(m[order[i]].Name, m[order[j]].Name) })
	return m, order
}

// AWSManagedPolicies returns copies of the built-in AWS managed policies, keyed by ARN.
func AWSManagedPolicies() map[string]Policy {
	out := make(map[string]Policy, len(builtinPolicies))
	for arn, p := range builtinPolicies {
		out[arn] = *clonePolicy(p)
	}
	return out
}
