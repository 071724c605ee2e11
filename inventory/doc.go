// Package inventory holds Provost's domain model: the immutable Snapshot of everything one
// collection saw, its Coverage, and the Accounts, Principals, Credentials, Grants, PolicyDocs and
// People in it.
//
// Principal IDs are stable across snapshots (an AWS ARN, "gcp:user:alice@corp.com",
// "ldap:<dn>", "scim:<source>:<id>"), and Principal.ContentHash gives a canonical content
// address so that unchanged records can be shared between snapshots and skipped when diffing.
//
// The package imports only the standard library. No type here may ever hold a secret value:
// credentials are described by their metadata alone.
package inventory
