// Package testpeer starts the real peers that integration tests run against.
//
// Moto is the AWS peer: Moto returns the endpoint of a moto server, started once per test
// binary on a free loopback port (or taken from $PROVOST_MOTO_URL), and resets its state
// before handing it out. Tests that share the server must not run in parallel with each other,
// since every call to Moto clears what the previous test seeded. A test binary that starts a
// peer should call StopAll from its TestMain.
//
// A peer that cannot be found or started fails the test: integration tests never skip.
package testpeer
