// Package drift says what changed between two snapshots: principals added, removed, disabled or
// re-enabled; credentials created, deleted, activated or deactivated; MFA and console access
// added or removed; grants added or removed, flagged as an escalation when they raise the
// principal's highest privilege at that scope; group memberships; people who joined, left,
// moved (department, title or manager) or changed status; and coverage that changed, including
// a source that stopped answering.
//
// Diff compares two in-memory snapshots. DiffStore gives the same events for two stored
// snapshots while decoding only the principals whose content hash differs, so diffing two
// snapshots of a million principals with 1% churn decodes about ten thousand records a side.
// ForPrincipal groups events by principal: it is what checks read as input.drift.
//
// # Absence is not removal
//
// A principal missing from the current snapshot is reported removed only when everything that
// made it visible was seen whole in the current snapshot: the coverage of its account, of every
// scope its grants were on and, for GCP principals with groups, of Cloud Identity group
// expansion (GCPGroupsScope). Otherwise it gets a principal_not_seen event naming the scope that
// was not seen, and no removal. People are treated alike against the coverage of their source of
// truth (person_not_seen).
//
// The same holds inside a principal that is still there: a loss — a credential, grant or group
// gone, MFA or console access removed, re-enabled (disabled false is the zero value) — is only
// reported when the current snapshot saw its scope whole, because a fact a partial collection
// did not read looks exactly like a fact that went away. Such losses are dropped silently; the
// coverage_changed event says why. Gains seen against a previous snapshot that did not see the
// scope whole are reported with Uncertain set: they may have been there, unseen.
//
// Likewise a grant that differs from a previous one only in privilege, in a scope the current
// snapshot did not see whole, is taken as unchanged (no grant_added, escalation or grant_removed,
// and its previous privilege counts toward the scope's highest): there the privilege may be a
// guess, as when a GCP role's definition could not be read and it is rated by its name. Grants
// the previous snapshot did not have at all are still reported.
//
// A scope is seen whole when the coverage entries naming it are all complete. A scope no entry
// names counts as seen whole only when the snapshot has coverage and all of it is complete (so a
// principal of an account that left the organization is removed), and as not seen as soon as any
// entry is partial or failed, because a source that failed outright records one entry without a
// scope. A snapshot without coverage vouches for nothing: nothing in it is ever removed.
//
// # Caveats
//
//   - Credentials are matched by kind and ID. AWS names access keys by slot (access_key_1), so a
//     slot whose creation time changed is reported as the old key deleted and a new one created.
//   - A grant whose privilege level changed (its policy document was edited) is a grant removed
//     and a grant added, where the current snapshot saw its scope whole; elsewhere it is no
//     event, so a real change of privilege in a partial scope shows only once it is seen whole.
//     The reverse is not handled: after a scope with a guessed privilege becomes complete
//     again, the corrected privilege shows as a grant removed and an uncertain grant added.
//   - A principal's link to a person changing, last-activity and last-used times are not
//     events.
package drift
