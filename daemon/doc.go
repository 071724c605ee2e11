// Package daemon is Provost's long-running service (`provost serve`): it runs audit passes on
// cron schedules and on demand, and serves the HTTP API, Prometheus metrics and health checks.
//
// # Runs
//
// One run at a time. A schedule tick (robfig/cron/v3 specs: five fields, an optional leading
// seconds field, or descriptors such as @daily and @every 6h, read in Config.Timezone) is
// delayed by a random jitter in [0, Config.Jitter) and skipped — counted in
// provost_runs_skipped_total — when the previous run is still going. POST /api/v1/runs starts a
// manual run (409 while one is going). Run records are kept in memory (the newest 200); the
// snapshots and findings they produced are in the store.
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
//
// # Caveats
//
//   - Run records do not survive a restart (no runs bucket in the store yet).
//   - The principal history reads the principal once per stored snapshot: fine for the tens
//     of snapshots retention keeps, slow for thousands.
package daemon
