// Package scim is a Source that reads people and their accounts from an identity provider over
// SCIM 2.0 (RFC 7643/7644): Okta, Entra ID, OneLogin, JumpCloud or any service provider that
// serves /Users (and /Groups).
//
// Users are listed with startIndex/count paging and an optional filter, under a bearer token
// taken from the environment and never logged. Each user becomes a principal
// "scim:<source>:<id>" (kind user, disabled when not active, its groups, its externalId under
// collector.AttrExternalID), linked by rule "source" to its person. People are keyed by the
// enterprise extension's employeeNumber ("<source>:<employeeNumber>", else the SCIM ID), so that
// several accounts of one employee are one person; a person's manager is named by the manager's
// employee number. Inactive users are terminated people; Options.StatusAttribute can map an
// attribute (userType, an extension's employeeType) to leave.
//
// Failures are coverage, not errors: a rejected token (401), a missing endpoint, a server that
// cannot be reached or answers something other than SCIM JSON fails the source; a failure after
// the first page, undecodable resources, a failed group listing or a list that changed while
// paged (totalResults moved, so index paging may have skipped someone) make it partial. A
// service that lists no users at all is failed, never "nobody works here". Requests answered 429
// or 5xx are retried with backoff, honouring Retry-After.
package scim
