// Package reports renders one audit run for the people and machines that act on it: a
// self-contained HTML report, JSON with a published schema (schema/report.v1.json), CSV,
// a Markdown summary, OCSF Compliance Finding JSON Lines, SARIF 2.1.0, JUnit XML, and the access
// review workbook (HTML and CSV) that managers certify.
//
// Every renderer reads one Report. FromSnapshot fills it from a snapshot and that snapshot's
// findings (with their lifecycle); the caller adds drift, waivers, the check catalogue, the
// trend history (NewHistoryPoint per retained snapshot), lifecycle KPIs (a Lifecycle observer
// fed the retained snapshots oldest first) and the review workbook (BuildReview). Render
// writes one Format; it never modifies the Report.
//
// # Escaping
//
// Names come from HR exports, directories and clouds, and anyone who can edit a display name
// can write markup. Every format treats every string as text: html/template and DOM textContent
// in HTML (the findings are embedded as JSON with <, > and & escaped, and a Content-Security-
// Policy with the script's hash stops any injected script), a leading ', for cells a
// spreadsheet would read as a formula (=, +, -, @, tab, carriage return), backslash and entity
// escapes in Markdown, and the encoders' own escaping in JSON and XML.
//
// # Caveats
//
//   - The HTML report embeds every finding and the principals that have findings: 100k findings
//     make a file of about 32 MB that headless Chromium opens in about 1.4 s on two cores, and
//     then searches, filters and sorts in under 0.3 s, because the table renders one page of
//     rows at a time (BenchmarkHTMLInBrowser100k).
//   - The score is 100 minus the share of principals weighted by their worst open finding
//     (critical 1, high 0.6, medium 0.3, low 0.1, info 0): waived findings do not count, and
//     findings without a principal (policy errors, expired waivers) neither.
//   - KPIs see only what the retained snapshots saw: a leaver whose access was already gone in
//     the oldest retained snapshot is not counted, and an absence in a scope that was not seen
//     whole is not a removal.
package reports
