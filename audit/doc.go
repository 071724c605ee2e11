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
// Seams for later stages: notification and remediation run after the findings are stored and
// before retention (see the "notify" and "remediate" comments in Run); they read Result.
//
// Caveats:
//   - The previous snapshot's findings are those of the snapshot stored just before this one;
//     when it was never evaluated (scanned by an older Provost), every finding starts new.
//   - Reports are written to fixed file names (report.html, report.json, …) in Options.ReportDir
//     through an os.Root, so no name can escape the directory; an existing report is replaced.
package audit
