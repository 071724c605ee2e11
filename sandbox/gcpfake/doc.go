// Package gcpfake is a wire-compatible fake of the Google Cloud APIs that Provost's GCP collector
// and remediator call. It serves the REST/JSON shapes of the real APIs on 127.0.0.1, so the real
// google.golang.org/api clients talk to it through option.WithEndpoint (one base URL for every
// API):
//
//   - Cloud Resource Manager v3: organizations.get, folders.list/search/get, projects.list/search/get,
//     {organizations,folders,projects}.getIamPolicy and setIamPolicy (etag concurrency: a stale etag
//     gets 409 ABORTED; requestedPolicyVersion < 3 hides conditions behind "_withcond_" role names as
//     the real API does);
//   - Cloud Asset Inventory v1: searchAllIamPolicies (organization, folder or project scope,
//     assetTypes, an empty or "policy:<text>" query, pageSize capped at 500);
//   - IAM v1: projects.serviceAccounts.list/get/disable/enable, serviceAccounts.keys.list/get/
//     disable/enable (keyTypes filter, the "-" project wildcard), roles.get,
//     organizations.roles.get, projects.roles.get;
//   - Policy Analyzer v1: activities.query for serviceAccountLastAuthentication and
//     serviceAccountKeyLastAuthentication (with the fullResourceName filter);
//   - Cloud Identity v1: groups.lookup, groups.memberships.list and
//     groups.memberships.searchTransitiveMemberships.
//
// Errors use Google's JSON error envelope ({"error":{"code","message","status","errors"}}) so that
// googleapi.CheckResponse classifies them as it would real ones. Paging uses opaque pageToken /
// nextPageToken values. Every request is counted per API method and per project, and faults
// (403, 404, 429, 500, 503, optional latency) can be injected per API, method and resource.
//
// Simplifications, on purpose: no authentication or authorization (every caller may do
// everything unless a fault says otherwise); the predefined role catalogue is a small abridged
// set (see PredefinedRoles) and unknown predefined roles are 404; searchAllIamPolicies knows only
// organization, folder and project policies; policy version, etags and timestamps are
// synthesised; folders.search and projects.search understand only "parent=<name>" queries.
//
// The server state is a plain Organization value (SetOrganization deep-copies it), so tests, the
// sandbox generator and benchmarks build estates directly.
package gcpfake
