// Package gcpiam collects Google Cloud identities and access into the inventory: the
// organization, folder and project hierarchy, every allow-policy binding (with its condition)
// materialised on each descendant scope, service accounts with their keys and last
// authentication, custom and predefined role definitions, and, optionally, the members of bound
// groups from Cloud Identity. docs/inventory.md fixes how each GCP fact maps onto the inventory.
//
// Organization scans walk folders and projects with Cloud Resource Manager v3. Policies come
// from one paginated Cloud Asset Inventory searchAllIamPolicies call family when
// Options.UseAssetInventory is set, and from per-resource getIamPolicy (policy version 3)
// otherwise or when asset inventory answers with an error; Coverage.Method records which path
// was used. Project scans (Options.Projects) read only the listed projects and cannot see grants
// inherited from folders or the organization.
//
// Per-project work (policy, service accounts, keys, Policy Analyzer last-authentication
// activities) runs Options.Parallelism projects at a time, each bounded by ProjectTimeout.
// Calls answered 429 or 5xx are retried with exponential backoff and jitter. A project whose
// calls fail is recorded in Coverage (failed when nothing of it could be read, partial when
// some of it could, or when an ancestor's policy and so its inherited grants are unknown) and
// the other projects complete. Collect returns an error only when it could read nothing at all.
//
// Beyond docs/inventory.md: principals carry Attributes "deleted" and "uid" for deleted:
// members, "google_managed" for Google's service agents, and "display_name" for listed service
// accounts; group expansion has its own Coverage entry with scope "cloudidentity/groups".
//
// Caveats: grants a member receives through a group carry via "group:<group ID>" on every scope,
// inherited ones included (the group's own grants keep the inherited:<scope> origin). Roles
// whose definition cannot be read are classified from their name and counted as
// roles_unresolved in Coverage (the organization's entry counts every role, a project's those
// bound on it). When the reason may not last (denied, throttled, unavailable, a reset), the
// guessed privilege may be wrong, so every scope a binding of such a role reaches (its own and,
// inherited, those below it) is partial with an error "roles unresolved: <roles> (<why>)"; a
// role the API says does not exist (404) is classified the same way every run and leaves the
// scope complete. Policy Analyzer reports authentication days, not instants; a
// service account or key without an activity record has a zero LastActivity/LastUsed, meaning
// none seen in the observation period. The collector never reads key material and never
// changes anything.
package gcpiam
