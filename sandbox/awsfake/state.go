package awsfake

import (
	"time"
)

// Organization is the whole state the fake serves: an AWS Organization, every member account's
// IAM estate and, optionally, IAM Identity Center. SetOrganization deep-copies it; empty IDs are
// filled with deterministic, well-formed values derived from names (see the field comments).
type Organization struct {
	// ID is the organization ID ("o-" + 10 lowercase characters); derived from the management
	// account when empty.
	ID string
	// RootID is the ID of the organization root ("r-" + 4 characters); derived when empty.
	RootID string
	// ManagementAccount is the 12-digit ID of the management account. Requests signed with the
	// server's base credentials act in it. An empty account is added when it is not in Accounts.
	ManagementAccount string
	// OUs are the organizational units directly under the root, each with its children.
	// OUs named by an Account.OUPath but absent here are created.
	OUs []*OU
	// Accounts are all accounts of the organization, the management account included.
	Accounts []*Account
	// IdentityCenter is the IAM Identity Center instance of the management account, if any.
	IdentityCenter *IdentityCenter
}

// OU is an organizational unit.
type OU struct {
	// ID is "ou-<root suffix>-<8 characters>"; derived from the OU's path of names when empty.
	ID       string
	Name     string
	Children []*OU
}

// Account status values (Organizations' Account.Status).
const (
	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"
)

// DefaultRoleName is the role that Organizations creates in every member account it creates.
const DefaultRoleName = "OrganizationAccountAccessRole"

// Account is one AWS account: its Organizations record and its IAM estate.
type Account struct {
	ID    string // 12 digits
	Name  string
	Email string
	// Status is ACTIVE (the default) or SUSPENDED. A suspended account cannot be assumed into.
	Status string
	// JoinedMethod is CREATED (the default) or INVITED; Joined is when the account joined.
	JoinedMethod string
	Joined       time.Time
	// OUPath is the names of the OUs from the root down to the account's parent, without the
	// root itself: nil for an account directly under the root, []string{"Prod", "Web"} for one
	// in Root/Prod/Web.
	OUPath []string

	Users    []*User
	Groups   []*Group
	Roles    []*Role
	Policies []*Policy // customer-managed policies
	// PasswordPolicy is the account password policy; nil means none is set.
	PasswordPolicy *PasswordPolicy
	Root           Root
	// UnassignedMFADevices are the serial ARNs (arn:aws:iam::<account>:mfa/<name>) of virtual
	// MFA devices that exist in the account but are enabled for no user. DeactivateMFADevice
	// of a user's virtual device adds it here, as in IAM, where the device outlives its
	// assignment until DeleteVirtualMFADevice.
	UnassignedMFADevices []string

	// RoleNames are the roles that AssumeRole may assume in this account (AssumeRole does not
	// evaluate trust policies). Nil means []string{DefaultRoleName}; an empty non-nil slice
	// means none.
	RoleNames []string
	// ExternalID, when set, must be passed as AssumeRole's ExternalId.
	ExternalID string

	// CredentialReportCSV, when non-empty, is served verbatim as this account's credential
	// report content instead of the generated one (to test how a reader handles bad reports).
	CredentialReportCSV string
}

// Root is the account's root user, as the credential report and GetAccountSummary show it.
type Root struct {
	// Created is the account's creation time (the root row's user_creation_time).
	Created time.Time
	// PasswordEnabled is whether the root user has a password. The credential report always
	// says "not_supported" for the root's password_enabled; this field only decides whether a
	// never-used password shows as "no_information" (enabled) or "N/A" (no password).
	PasswordEnabled  bool
	PasswordLastUsed time.Time
	MFA              bool
	// VirtualMFA says the root's MFA device (when MFA is set) is a virtual one, with serial
	// RootMFASerial(account), which ListVirtualMFADevices lists; otherwise it is a hardware or
	// FIDO device, which no account-wide call lists.
	VirtualMFA   bool
	AccessKeys   [2]*RootAccessKey // nil slot = no key
	Certificates [2]*Certificate   // nil slot = no certificate
}

// RootAccessKey is one of the root user's access key slots.
type RootAccessKey struct {
	Active          bool
	Created         time.Time // last_rotated
	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string
}

// Access key and certificate statuses.
const (
	KeyActive   = "Active"
	KeyInactive = "Inactive"
)

// User is an IAM user.
type User struct {
	Name string
	Path string // default "/"
	// UserID is "AIDA" + 17 characters; derived from the account and name when empty.
	UserID  string
	Created time.Time

	// PasswordEnabled is whether the user has a console password (a login profile).
	PasswordEnabled       bool
	PasswordLastUsed      time.Time
	PasswordLastChanged   time.Time // also the login profile's creation time
	PasswordResetRequired bool

	// MFADevices are the serial numbers of the user's enabled MFA devices: virtual devices by
	// their ARN (arn:aws:iam::<account>:mfa/<name>, listed by ListVirtualMFADevices too),
	// hardware devices by their serial. Their enable date is reported as the user's creation
	// time.
	MFADevices   []string
	AccessKeys   []AccessKey
	Certificates []Certificate

	Groups              []string // group names
	AttachedPolicies    []string // managed policy ARNs
	InlinePolicies      map[string]string
	Tags                map[string]string
	PermissionsBoundary string // managed policy ARN
}

// AccessKey is an IAM user's access key: metadata only, the fake never has a secret for it.
type AccessKey struct {
	ID              string // "AKIA" + 16 characters
	Status          string // Active (the default) or Inactive
	Created         time.Time
	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string
}

// Certificate is an X.509 signing certificate of a user (metadata only).
type Certificate struct {
	ID       string
	Status   string // Active (the default) or Inactive
	Uploaded time.Time
}

// Group is an IAM group. Its members are the users whose Groups name it.
type Group struct {
	Name             string
	Path             string // default "/"
	GroupID          string // "AGPA" + 17 characters; derived when empty
	Created          time.Time
	AttachedPolicies []string
	InlinePolicies   map[string]string
}

// Role is an IAM role.
type Role struct {
	Name               string
	Path               string // default "/"; service-linked roles use "/aws-service-role/<service>/"
	RoleID             string // "AROA" + 17 characters; derived when empty
	Created            time.Time
	Description        string
	MaxSessionDuration int    // seconds; default 3600
	AssumeRolePolicy   string // the trust policy document, raw JSON
	LastUsed           time.Time
	LastUsedRegion     string

	AttachedPolicies    []string
	InlinePolicies      map[string]string
	Tags                map[string]string
	PermissionsBoundary string
}

// Policy is a managed policy: customer-managed in Account.Policies, or one of the built-in AWS
// managed policies (AWSManagedPolicies).
type Policy struct {
	Name        string
	Path        string // default "/"
	PolicyID    string // "ANPA" + 17 characters; derived when empty
	Description string
	Created     time.Time
	Updated     time.Time
	// DefaultVersion is the ID of the default version; the last version when empty.
	DefaultVersion string
	// Versions hold the documents, at least one; version IDs default to v1, v2, … in order.
	Versions []PolicyVersion
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string // "v1", "v2", …
	Document string // raw JSON
	Created  time.Time
}

// PasswordPolicy is an account password policy.
type PasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	// MaxPasswordAge in days; 0 means passwords never expire (ExpirePasswords false).
	MaxPasswordAge          int
	PasswordReusePrevention int
	HardExpiry              bool
}

// IdentityCenter is an IAM Identity Center instance with its identity store.
type IdentityCenter struct {
	// InstanceArn is "arn:aws:sso:::instance/ssoins-" + 16 hex digits; derived when empty.
	InstanceArn string
	// IdentityStoreID is "d-" + 10 hex digits; derived when empty.
	IdentityStoreID string
	Name            string
	Created         time.Time

	Users          []*SSOUser
	Groups         []*SSOGroup
	Memberships    []Membership
	PermissionSets []*PermissionSet
	Assignments    []Assignment
}

// SSOUser is an identity store user.
type SSOUser struct {
	ID          string // derived from UserName when empty
	UserName    string
	DisplayName string
	GivenName   string
	FamilyName  string
	Emails      []Email
	ExternalIDs []ExternalID
	Status      string // ENABLED (the default) or DISABLED
}

// Email is one of an identity store user's email addresses.
type Email struct {
	Value   string
	Type    string // "work", "home", …
	Primary bool
}

// ExternalID links an identity store user or group to its identity provider (SCIM externalId).
type ExternalID struct {
	Issuer string
	ID     string
}

// SSOGroup is an identity store group.
type SSOGroup struct {
	ID          string // derived from DisplayName when empty
	DisplayName string
	Description string
	ExternalIDs []ExternalID
}

// Membership puts a user in a group.
type Membership struct {
	ID      string // derived when empty
	GroupID string
	UserID  string
}

// PermissionSet is an Identity Center permission set.
type PermissionSet struct {
	// Arn is "arn:aws:sso:::permissionSet/<instance id>/ps-" + 16 hex digits; derived when empty.
	Arn                     string
	Name                    string
	Description             string
	Created                 time.Time
	SessionDuration         string   // ISO 8601 duration; default "PT1H"
	ManagedPolicies         []string // AWS managed policy ARNs
	CustomerManagedPolicies []PolicyReference
	InlinePolicy            string // raw JSON; empty when none
}

// PolicyReference names a customer-managed policy that a permission set references in every
// account it is provisioned to.
type PolicyReference struct {
	Name string
	Path string // default "/"
}

// Principal types of an account assignment.
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
)

// Assignment grants a user or group a permission set in one account. A permission set counts as
// provisioned to every account it is assigned in.
type Assignment struct {
	AccountID        string
	PermissionSetArn string
	PrincipalType    string // USER or GROUP
	PrincipalID      string
}
