// Package scim is the remediation executor for SCIM 2.0 identity providers (RFC 7644) over
// net/http: disable a user with PATCH active=false (undone by active=true), delete a user with
// DELETE (irreversible). Users are addressed by the SCIM id the collector recorded
// (scim:<source>:<id>); a 404 is "already gone". SCIM has no place for a mark, so marks live in
// the store only. The bearer token is never logged.
package scim
