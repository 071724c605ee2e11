// Package awsiam collects who can get into AWS: IAM users, groups, roles and the root user of
// every account of an organization (or of listed accounts, or of shared-config profiles), and
// Identity Center users and groups with their permission-set assignments. It implements
// collector.Source; docs/inventory.md fixes how AWS maps onto the inventory.
//
// Reaching accounts: the caller's own account (GetCallerIdentity) is read with the base
// credentials from the SDK's chain; member accounts through STS AssumeRole of RoleName
// (session name "provost", optional external ID). Organization discovery walks the OU tree
// (ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent) so that each account
// carries its OU path; SUSPENDED, PENDING_CLOSURE and CLOSED accounts are skipped unless
// IncludeSuspended.
//
// Cost: per account, GetAccountAuthorizationDetails (one call per MaxItems entities),
// GetCredentialReport, GetAccountSummary (see SummaryMode) and GetAccountPasswordPolicy. The
// credential report is read before it is generated: IAM regenerates a report at most every 4
// hours, so within 4 hours of the last generation (another run's, or another tool's) the report
// costs one call; otherwise (ReportNotPresent, ReportExpired, or a report older than
// ReportMaxAge) GenerateCredentialReport and at least one more GetCredentialReport follow, one
// call more than generating first would cost. With VirtualMFADevices, also
// ListVirtualMFADevices when the report shows an MFA user. Nothing is called per user: access
// keys are recorded by the credential report's slots (access_key_1, access_key_2), since the
// report has no key IDs, and MFA by the report's mfa_active flag. Identity Center reads
// GetPolicy and GetPolicyVersion once per run for each AWS managed policy that a permission set
// references and no collected account's authorization details hold.
//
// Failure is data: a denied AssumeRole fails that account's Coverage with its kind, a missing
// or malformed credential report makes it partial, and the other accounts go on. Collect
// returns an error only when it can read nothing (the caller's identity, the organization).
// Throttling is absorbed by the SDK's adaptive retry mode; every account has its own deadline.
//
// Privilege levels (admin, write, read) are computed from policy documents by Policy.Privilege;
// the rules, and their deliberate approximations, are documented there.
//
// No secret is collected or logged: credentials come from the SDK chain and are never kept.
package awsiam
