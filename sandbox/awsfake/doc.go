// Package awsfake is a wire-compatible fake of the AWS APIs that Provost's AWS collector and
// remediator call. It listens on 127.0.0.1 and speaks the real protocols, so the real
// aws-sdk-go-v2 clients reach it through BaseEndpoint (one URL for every service):
//
//   - IAM and STS over the AWS Query protocol (form-encoded POST with Action and Version, XML
//     responses in the service namespace, <ErrorResponse><Error><Type><Code><Message> errors);
//   - Organizations, SSO admin and the identity store over AWS JSON 1.1 (X-Amz-Target
//     AWSOrganizationsV20161128.*, SWBExternalService.*, AWSIdentityStore.*; errors as
//     {"__type": …, "Message": …} with the status the service model gives).
//
// Requests are routed by the service of the SigV4 credential scope in the Authorization header
// (iam, sts, organizations, sso, identitystore), then by Action or X-Amz-Target. Unsigned
// requests get MissingAuthenticationToken, unknown operations InvalidAction or
// UnknownOperationException.
//
// # Accounts and credentials
//
// Requests signed with the base credentials (Options.AccessKeyID) act in the management account.
// STS AssumeRole issues temporary credentials whose access key ID is "ASIA" + the target account
// ID + a 4-character counter; requests signed with them (and their session token) act in that
// account until the expiry, after which they get ExpiredToken. AssumeRole is denied when the
// account is unknown or suspended, the role is not one of Account.RoleNames, or the ExternalId
// does not match Account.ExternalID.
//
// # What is faithful
//
// Operation names, parameters, response element names, list encodings, error codes and HTTP
// statuses follow the service models (the tests check them through the real SDK clients).
// IAM paging uses MaxItems (1–1000, default 100), IsTruncated and opaque Marker values;
// GetAccountAuthorizationDetails counts users, groups, roles and policies together against
// MaxItems, honours Filter, returns every version of customer-managed policies and the AWS
// managed policies in use in the account, with policy documents URL-encoded as IAM sends them.
// GetPolicy and GetPolicyVersion read the calling account's customer managed policies and every
// built-in AWS managed policy, attached or not (NoSuchEntity for any other ARN or version,
// InvalidInput for a string that is not a policy ARN). ListVirtualMFADevices lists the users'
// and the root's virtual devices and the unassigned ones (Account.UnassignedMFADevices) in
// serial order, filtered by AssignmentStatus; hardware devices are not listed, as in IAM.
// GetAccountSummary has AWS's keys (AccountSigningCertificatesPresent, not "Signin"). The
// credential report has AWS's 22 columns, its root row and its N/A, no_information and
// not_supported cells; it is generated asynchronously (STARTED, INPROGRESS, COMPLETE),
// snapshots the account when generation starts, is not regenerated within 4 hours
// (Options.ReportRegenerateAfter) and expires after its lifetime (ReportNotPresent,
// ReportInProgress, ReportExpired); GetCredentialReport returns its GeneratedTime and, with
// Options.ReportStaleWhileGenerating, the previous report while a new one is generated. JSON
// services page with MaxResults (Organizations at most 20, SSO at most 100) and NextToken. IAM
// write calls return NoSuchEntity, DeleteConflict and LimitExceeded where IAM does.
//
// # What is simplified
//
// Signatures are not verified (only that a request is signed, and by which key). No IAM policy
// is evaluated: the base credentials and every assumed role may call everything in their
// account, Organizations and Identity Center answer only the management account, and trust
// policies are ignored in favour of Account.RoleNames. Unique IDs (AIDA…, AROA…), organization,
// OU, instance and permission-set IDs are derived deterministically from names when not given.
// The built-in AWS managed policies are a small set (AWSManagedPolicies) whose longest documents
// are abridged. MFA devices report the user's creation time as their enable date. Paging markers
// resume by name, so a page boundary survives deletions between pages. Only the operations
// Provost uses are served.
//
// # Tests and faults
//
// Calls and CallsFor count requests per "service:Operation" and per account; Inject adds faults
// (throttling, 5xx, AccessDenied, ExpiredToken, any code, latency) for a service, operation and
// account, optionally after some calls and for a number of times. SetOrganization replaces the
// whole state with a deep copy of an Organization; Organization returns the current state after
// write calls. The server is safe for concurrent use and indexes each account once per
// SetOrganization (sorted lists, maps), so that pages of million-principal organizations are
// served without rescanning.
package awsfake
