// Package remediate turns findings into a plan of single, reversible-first actions, guards the
// plan, and applies it through per-target executors with a journal, following DESIGN.md
// ("Remediation: safety first").
//
// # Flow
//
//   - Plan (plan.go): each open finding whose check a Rule enables becomes at most one Step, on
//     one credential, group, policy or binding (never "all keys of a user"). A step is a mark
//     first (Phase mark: a provost:marked-for tag plus a mark in the store); once the mark is
//     older than the rule's Grace it becomes the gentle action (Phase act), and only when the
//     rule names a DeleteAction and the mark is older than DeleteAfter, the deletion (Phase
//     delete). Steps on protected principals or on principals whose scope or source of truth
//     was not completely collected are listed as Blocked with the reason, never as steps.
//     Marks of findings no longer open are listed in ClearMarks and deleted by the next Apply,
//     so a finding that comes back starts a new grace period. Step IDs are stable under one
//     mark (StepID), which is what lets a re-made plan resume from the journal.
//   - Guards (guard.go): Check refuses a whole run when the plan is older than the latest
//     snapshot, when a source-of-truth roster shrank by more than Policy.MaxRosterShrinkPercent,
//     or when the acting steps exceed Policy.MaxActions or Policy.MaxPercent of the principals.
//     Exceeding a cap aborts the run; it never trims it.
//   - Apply (apply.go): for each step, the journal is read (a finished step is not repeated),
//     the executor re-reads the live state (Check), the intent is journalled (bbolt commits are
//     fsynced), the executor acts (Do) and re-reads again to verify (Entry.Verified: a change
//     not yet visible is recorded, not failed, since cloud IAM is eventually consistent), and
//     the result with what undo needs is journalled. A
//     crash between intent and result is resumed by re-reading the live state: a target already
//     in the wanted state is recorded as done without a second call, and "already gone" is
//     success. A dry run only reads: no journal, no marks, no target writes. With
//     AutomaticOnly (the daemon) only automatic steps and the step IDs in Approved are applied.
//   - Undo (apply.go): reverses a done, reversible step from its journalled undo data.
//
// The store is reached through the small Journal interface (implemented by store.DB); the
// targets through Executor (remediate/awsiam, remediate/gcpiam, ...).
//
// # Caveats
//
// The roster-shrink guard compares people counts per source between the plan's snapshot and
// the one before; it cannot tell a reorganisation from a broken export, so a large legitimate
// departure needs the percentage raised for one run. Marks are counted against no cap.
package remediate
