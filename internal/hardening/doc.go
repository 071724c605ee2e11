// Package hardening holds the cross-package tests of issue 12, which drive the real CLI,
// daemon, collectors and sandbox together: a full `provost demo` run whose every output
// (database bytes, reports, logs) is scanned for secret values, with the daemon's API answers
// and debug log scanned for the bearer token; the modes of every file the commands write, with
// the umask at 0; the API under concurrent load while a real audit runs, and while the daemon
// remediates (compared with the same runs unloaded); and connection resets between the
// collectors and the sandbox's fakes (testpeer.FaultProxy), transient and persistent. It has
// no non-test code; docs/reliability.md lists these tests with the rest of the suite.
package hardening
