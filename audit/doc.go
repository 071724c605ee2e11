// Package audit runs one pass of Provost's pipeline: collect the configured sources into a
// snapshot, store it, evaluate the policy library over it (at the snapshot's collection time,
// with waivers), diff it against the previous snapshot, carry the findings' lifecycle forward
// from the previous snapshot's findings (finding.Merge), store the findings, apply retention,
// and render the configured reports into a directory.
//
// Run is the only entry point; `provost scan`, `provost demo` and the daemon are adapters over
// it. It returns a Result — the run record: timings per stage, open findings by severity, new
// and resolved counts, coverage, and the problems that did not stop the run (a failed source is
// coverage, a broken check is an error finding, a report that failed to render is listed in
// Errors). It fails only when the pipeline cannot go on: nothing to collect, a store that
// cannot be written, policies that cannot be loaded, ctx cancelled.
//
// Remediation (remediation.go), when Options.Remediation is set, runs after the findings are
// stored and before retention: remediate.MakePlan over the run's findings with the stored
// marks, the run guards (remediate.CheckRun, inside Apply; a refusal is recorded in
// PlanRecord.Refused, not returned), then remediate.Applier.Apply with AutomaticOnly. Mark steps
// are applied for every enabled rule (a mark is a tag and the start of the grace period);
// acting steps only when their rule is automatic and in scope, or when a human approved them
// (Approve, stored per plan; step IDs are stable under one mark, so the next run's plan has the
// same IDs). When Options.Notifier is set, one digest lists the findings newly marked and when
// they will be acted on. The record of the plan is stored as the latest plan (LatestPlan).
//
// Seam: run notification of new findings and drift is sent by the daemon, not here (see the
// "notify" comment in Run).
//
// Caveats:
//   - The previous snapshot, for drift and for the findings' lifecycle, is the last one before
//     this one with findings stored: the last run that finished. A run killed between its
//     snapshot and findings writes leaves a snapshot without findings, which is passed over, so
//     finding history carries on and the killed run's changes are this run's drift. When no
//     earlier snapshot has findings (all scanned by an older Provost), it is the one just before
//     and every finding starts new.
//   - Reports are written to fixed file names (report.html, report.json, …) in Options.ReportDir
//     through an os.Root, so no name can escape the directory; an existing report is replaced.
//   - The remediation cap guards count every acting step of the plan, including those waiting
//     for approval, so a backlog of unapproved steps can refuse a run's automatic steps.
//   - Memory: the run holds its snapshot from collection to the reports. Drift loads the
//     previous snapshot whole to read its people (the store has no read without principals)
//     and keeps only its metadata and roster counts after; the previous findings are decoded
//     once to find the previous snapshot and again after evaluation, not held through it; the report's KPIs load each earlier retained snapshot whole, one at a
//     time, before the report is built (reports.Lifecycle observes whole snapshots).
//   - The owner digest carries the marked findings with the mark and its deadline in the
//     message: notify.Digest has no field for marks (notify is not changed here).
package audit
