// Package gcpiam is the remediation executor for Google Cloud IAM, through the
// google.golang.org/api clients: remove one member from one binding (role and condition) of an
// organization, folder or project allow policy with the etag read-modify-write loop (a 409 from
// a concurrent writer re-reads and retries, up to MaxAttempts), disable one service-account key,
// disable a service account. Each is undone by the reverse call (the member is added back to the
// same role and condition; enable). GCP principals carry no mark label: a mark lives in the
// store only.
//
// Caveats: a binding granted to a group or inherited from an ancestor is not removed here (the
// planner blocks those); key last use is not re-read (Policy Analyzer lags by up to two days), only
// the key's and the account's live state.
package gcpiam
