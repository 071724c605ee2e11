// Package awsiam is the remediation executor for AWS IAM users, through aws-sdk-go-v2's IAM
// client: deactivate or delete one access key, delete the console login profile, quarantine with
// a deny-all inline policy, remove from one group, detach one managed or delete one inline user
// policy, delete a user in the order IAM requires, and mark users with the provost:marked-for
// tag.
//
// Every step re-reads the live state first (Check). Access keys are identified in the snapshot
// by the credential report's slot and creation time (docs/inventory.md): Check lists that one
// user's keys and picks the key whose creation time matches to the second; a slot whose key was
// replaced is "already gone" and the new key is never touched. A key used after the snapshot saw
// it is no longer stale and is skipped; two keys created in the same second are refused rather
// than guessed. The deletion phase deletes only a key that is still inactive (one turned back on
// since its deactivation is skipped). NoSuchEntity on the user or the object is success.
//
// Undo: deactivate → reactivate; quarantine → delete the policy; remove from group → add back;
// detach → attach; delete inline policy → put the document back (read before deleting); mark →
// untag. Key deletion, login-profile deletion and user deletion are irreversible.
package awsiam
