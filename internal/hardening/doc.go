// Package hardening holds the cross-package security tests of issue 12: a full `provost demo`
// run whose every output (database bytes, reports, logs) is scanned for secret values and
// checked for 0600/0700 modes, and the daemon's API answers scanned for the bearer token. It
// has no non-test code; docs/reliability.md lists these tests with the rest of the suite.
package hardening
