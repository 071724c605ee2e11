// Package daemon is Provost's long-running service (`provost serve`): it runs audit passes on
// cron schedules and on demand, notifies (package notify) of each run's new high-severity
// findings and drift, and serves the HTTP API, a dashboard, Prometheus metrics and health checks.
//
// # Runs
//
// One run at a time. A schedule tick (robfig/cron/v3 specs: five fields, an optional leading
// seconds field, or descriptors such as @daily and @every 6h, read in Config.Timezone) is
// delayed by a random jitter in [0, Config.Jitter) and skipped — counted in
// provost_runs_skipped_total — when the previous run is still going. POST /api/v1/runs starts a
// manual run (409 while one is going). Run records (trigger, status, times, the audit.Result
// summary: stage timings, counts, coverage, problems) are stored in the store's runs bucket
// when a run starts and when it ends, so they survive a restart; a record still "running" at
// start-up belongs to a process that died mid-run and is marked interrupted. The newest 200
// are served.
//
// # Shutdown
//
// When Serve's ctx is done (SIGTERM/SIGINT in `provost serve`) the daemon stops taking runs,
// lets the run in progress finish within Config.ShutdownTimeout and then cancels it. A
// cancelled run stores nothing partial: audit.Run writes a snapshot in one transaction and
// PutSnapshot writes nothing once ctx is cancelled. The HTTP server is shut down last, so
// /readyz answers 503 while the daemon drains. A second daemon on the same database cannot
// start: the store's file lock refuses it (store.ErrLocked).
//
// # HTTP
//
// /healthz and /readyz need no token; everything else (/metrics, /api/v1/...) needs
// "Authorization: Bearer <token>", the token read from the environment variable named by
// Config.TokenEnv and compared in constant time over SHA-256 digests (so neither content nor
// length leaks). Bodies are bounded by Config.MaxBodyBytes (413 beyond), headers by 64 KiB, and
// the server has read, write and idle timeouts. Errors are JSON {"error", "kind"} and counted
// in provost_api_errors_total{kind}. The listener is 127.0.0.1:8080 unless configured; TLS when
// Config.TLSCert and TLSKey are set.
//
//	GET  /api/v1/snapshots                 newest first
//	GET  /api/v1/snapshots/{id}
//	GET  /api/v1/findings                  ?snapshot= severity= min_severity= check= status=
//	                                       principal= q= offset= limit= (≤ 1000)
//	GET  /api/v1/drift                     ?snapshot= : events against the snapshot before
//	GET  /api/v1/runs, POST /api/v1/runs, GET /api/v1/runs/{id}
//	GET  /api/v1/principals/{id...}        ?snapshot= : record, findings, history per snapshot
//	GET  /api/v1/reports/{format}          ?snapshot= : rendered on the fly by reports.Render
//	GET  /api/v1/trend                     open findings by severity and score per snapshot
//	GET  /api/v1/remediation/plans         the latest run's plan (audit.PlanRecord): steps,
//	                                       blocked steps, outcomes, refusal, approval
//	POST /api/v1/remediation/plans/{id}/approve
//	                                       approves the latest plan's non-automatic acting
//	                                       steps; the next run applies them (404 for another id)
//
// # Dashboard
//
// /dashboard/ (and / redirecting to it) serves a page shell and its script and styles without
// a token: they hold no data. The script asks for the API token once per tab (sessionStorage),
// sends it as the bearer header, and puts every value into the page as text, never as HTML,
// under a CSP allowing only the daemon's own scripts, styles and API. It uses the HTML report's
// stylesheet (taken from a rendered report, since package reports does not export it) plus a
// few rules of its own. Pages: overview with the trend, findings with filters and paging,
// principal with findings, evidence and history, drift timeline, runs with "Run now",
// remediation with the latest plan, its blocked findings and "Approve".
//
// # Caveats
//
//   - The runs bucket is never pruned (about 2 KB per run).
//   - The principal history reads the principal once per stored snapshot: fine for the tens
//     of snapshots retention keeps, slow for thousands.
package daemon
