package inventory

import (
	"time"
)

// Provider names the system a record came from.
type Provider string

const (
	ProviderAWS    Provider = "aws"
	ProviderGCP    Provider = "gcp"
	ProviderLDAP   Provider = "ldap"
	ProviderSCIM   Provider = "scim"
	ProviderHR     Provider = "hr"
	ProviderStatic Provider = "static"
)

// PrincipalKind is what sort of identity a principal is.
type PrincipalKind string

const (
	KindUser           PrincipalKind = "user"
	KindServiceAccount PrincipalKind = "service_account"
	KindRole           PrincipalKind = "role"
	KindGroup          PrincipalKind = "group"
	KindRoot           PrincipalKind = "root"
	KindSSOUser        PrincipalKind = "sso_user"
)

// Human reports whether principals of this kind are normally used by a person.
func (k PrincipalKind) Human() bool {
	return k == KindUser || k == KindSSOUser || k == KindRoot
}

// Privilege is the computed power of a grant, ordered none < read < write < admin.
type Privilege string

const (
	PrivilegeNone  Privilege = ""
	PrivilegeRead  Privilege = "read"
	PrivilegeWrite Privilege = "write"
	PrivilegeAdmin Privilege = "admin"
)

// Rank orders privileges so that a rise can be detected: none 0, read 1, write 2, admin 3.
func (p Privilege) Rank() int {
	switch p {
	case PrivilegeRead:
		return 1
	case PrivilegeWrite:
		return 2
	case PrivilegeAdmin:
		return 3
	}
	return 0
}

// Max returns the higher of two privileges.
func (p Privilege) Max(q Privilege) Privilege {
	if q.Rank() > p.Rank() {
		return q
	}
	return p
}

// CredentialKind is the sort of secret a credential is. Provost records only metadata about it.
type CredentialKind string

const (
	CredPassword    CredentialKind = "password"
	CredAccessKey   CredentialKind = "access_key"
	CredSAKey       CredentialKind = "sa_key"
	CredSSHKey      CredentialKind = "ssh_key"
	CredCertificate CredentialKind = "certificate"
	CredMFA         CredentialKind = "mfa_device"
	CredServiceCred CredentialKind = "service_credential"
)

// Credential status values.
const (
	CredActive   = "active"
	CredInactive = "inactive"
	CredExpired  = "expired"
)

// PersonStatus is a person's employment status in a source of truth.
type PersonStatus string

const (
	PersonActive     PersonStatus = "active"
	PersonLeave      PersonStatus = "leave"
	PersonTerminated PersonStatus = "terminated"
)

// CoverageStatus says how much of a scope a collection saw.
type CoverageStatus string

const (
	CoverageComplete CoverageStatus = "complete"
	CoveragePartial  CoverageStatus = "partial"
	CoverageFailed   CoverageStatus = "failed"
)

// ErrorKind classifies why a collection was not complete. Providers map their own errors onto
// these few kinds so that policies and the remediator can reason about them.
type ErrorKind string

const (
	ErrNone             ErrorKind = ""
	ErrNotFound         ErrorKind = "not_found"
	ErrPermissionDenied ErrorKind = "permission_denied"
	ErrThrottled        ErrorKind = "throttled"
	ErrUnavailable      ErrorKind = "unavailable"
	ErrInvalid          ErrorKind = "invalid"
	ErrTimeout          ErrorKind = "timeout"
	ErrUnknown          ErrorKind = "unknown"
)

// Snapshot is everything one collection saw, at one time. A snapshot is immutable once built:
// the store writes it whole or not at all.
type Snapshot struct {
	ID             string      `json:"id"`
	StartedAt      time.Time   `json:"started_at"`
	FinishedAt     time.Time   `json:"finished_at"`
	ProvostVersion string      `json:"provost_version,omitempty"`
	PolicyVersion  string      `json:"policy_version,omitempty"`
	Coverage       []Coverage  `json:"coverage"`
	Accounts       []Account   `json:"accounts"`
	Principals     []Principal `json:"principals"`
	PolicyDocs     []PolicyDoc `json:"policy_docs"`
	People         []Person    `json:"people"`
}

// Coverage records what one source saw of one scope (an AWS account, a GCP organization or
// project, a directory). It is data: a principal whose scope is not complete is never remediated,
// and a missing principal in an incomplete scope is never read as removed.
type Coverage struct {
	Source     string         `json:"source"`
	Provider   Provider       `json:"provider"`
	Scope      string         `json:"scope"`
	Status     CoverageStatus `json:"status"`
	ErrorKind  ErrorKind      `json:"error_kind,omitempty"`
	Error      string         `json:"error,omitempty"`
	Method     string         `json:"method,omitempty"`
	Counts     map[string]int `json:"counts,omitempty"`
	StartedAt  time.Time      `json:"started_at,omitzero"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
}

// Complete reports whether the scope was seen whole.
func (c Coverage) Complete() bool { return c.Status == CoverageComplete }

// Account is a scope principals live in: an AWS account, a GCP organization, folder or project,
// or a directory.
type Account struct {
	ID       string            `json:"id"`
	Provider Provider          `json:"provider"`
	Name     string            `json:"name,omitempty"`
	Kind     string            `json:"kind,omitempty"`
	Parent   string            `json:"parent,omitempty"`
	Path     []string          `json:"path,omitempty"`
	Status   string            `json:"status,omitempty"`
	Email    string            `json:"email,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	// Settings holds account-wide facts, e.g. AWS GetAccountSummary counters
	// ("AccountMFAEnabled", "AccountAccessKeysPresent") or "uses_identity_center".
	Settings       map[string]int  `json:"settings,omitempty"`
	PasswordPolicy *PasswordPolicy `json:"password_policy,omitempty"`
}

// PasswordPolicy is an account's password policy; nil on Account means none is set.
type PasswordPolicy struct {
	MinimumLength           int  `json:"minimum_length"`
	RequireSymbols          bool `json:"require_symbols"`
	RequireNumbers          bool `json:"require_numbers"`
	RequireUppercase        bool `json:"require_uppercase"`
	RequireLowercase        bool `json:"require_lowercase"`
	AllowUsersToChange      bool `json:"allow_users_to_change"`
	MaxAgeDays              int  `json:"max_age_days"`
	PasswordReusePrevention int  `json:"password_reuse_prevention"`
	HardExpiry              bool `json:"hard_expiry"`
	ExpirePasswords         bool `json:"expire_passwords"`
}

// Principal is one identity that can act in a cloud or directory.
type Principal struct {
	// ID is stable across snapshots: an AWS ARN, "gcp:user:alice@corp.com",
	// "gcp:serviceAccount:sa@p.iam.gserviceaccount.com", "ldap:<dn>", "scim:<source>:<id>".
	ID           string            `json:"id"`
	Provider     Provider          `json:"provider"`
	Account      string            `json:"account"`
	Kind         PrincipalKind     `json:"kind"`
	Name         string            `json:"name"`
	Email        string            `json:"email,omitempty"`
	NativeID     string            `json:"native_id,omitempty"`
	CreatedAt    time.Time         `json:"created_at,omitzero"`
	LastActivity time.Time         `json:"last_activity,omitzero"`
	Disabled     bool              `json:"disabled"`
	Console      bool              `json:"console_access"`
	MFA          bool              `json:"mfa"`
	Tags         map[string]string `json:"tags,omitempty"`
	Groups       []string          `json:"groups,omitempty"`
	Credentials  []Credential      `json:"credentials,omitempty"`
	Grants       []Grant           `json:"grants,omitempty"`
	// Attributes holds provider-specific facts that checks may read (IAM path, permissions
	// boundary, AD userAccountControl, ...). Never a secret.
	Attributes map[string]string `json:"attributes,omitempty"`
	PersonID   string            `json:"person_id,omitempty"`
	// LinkRule names the linking rule that matched (mapping, email, tag:owner, external_id,
	// username, owner), or "ambiguous" when more than one person matched.
	LinkRule string `json:"link_rule,omitempty"`
}

// Credential is metadata about one secret. The secret value itself is never collected.
type Credential struct {
	Kind      CredentialKind `json:"kind"`
	ID        string         `json:"id"`
	Status    string         `json:"status"`
	CreatedAt time.Time      `json:"created_at,omitzero"`
	LastUsed  time.Time      `json:"last_used,omitzero"`
	ExpiresAt time.Time      `json:"expires_at,omitzero"`
	// Managed is "user" or "system" for GCP service-account keys; empty elsewhere.
	Managed string `json:"managed,omitempty"`
}

// Active reports whether the credential can currently be used.
func (c Credential) Active() bool { return c.Status == CredActive }

// Grant is one permission a principal holds somewhere.
type Grant struct {
	// What: a policy ARN, a GCP role, a permission set ARN; it names a PolicyDoc ID when the
	// document is known.
	What string `json:"what"`
	// Where: the scope the grant applies to (an account ID, "projects/p", "folders/1", "*").
	Where string `json:"where"`
	// Via: "direct", "group:<id>" or "inherited:<scope>".
	Via       string    `json:"via"`
	Privilege Privilege `json:"privilege"`
	Condition string    `json:"condition,omitempty"`
}

// PolicyDoc is a permission document shared by many grants, stored once per snapshot.
type PolicyDoc struct {
	// ID is what Grant.What names: an AWS policy ARN, an inline policy's
	// "<principal ARN>/inline/<name>", a permission set ARN, or a GCP role name.
	ID       string   `json:"id"`
	Provider Provider `json:"provider"`
	Name     string   `json:"name"`
	// Kind: aws_managed, customer_managed, inline, permission_set, gcp_role.
	Kind string `json:"kind,omitempty"`
	// Version is the document's version where the provider has one (an AWS default version "v3").
	Version     string    `json:"version,omitempty"`
	Document    string    `json:"document,omitempty"`
	Permissions []string  `json:"permissions,omitempty"`
	Privilege   Privilege `json:"privilege"`
}

// Person is one human from a source of truth (an HR export, a directory, an identity provider).
type Person struct {
	ID         string       `json:"id"`
	Source     string       `json:"source"`
	EmployeeID string       `json:"employee_id,omitempty"`
	Emails     []string     `json:"emails,omitempty"`
	Aliases    []string     `json:"aliases,omitempty"`
	Name       string       `json:"name,omitempty"`
	Department string       `json:"department,omitempty"`
	Title      string       `json:"title,omitempty"`
	Manager    string       `json:"manager,omitempty"`
	Status     PersonStatus `json:"status"`
	StartDate  time.Time    `json:"start_date,omitzero"`
	EndDate    time.Time    `json:"end_date,omitzero"`
	ExternalID string       `json:"external_id,omitempty"`
}
