// Package testpeer starts the real peers that integration tests run against.
//
//   - Moto (AWS): the endpoint of a moto server, started once per test binary on a free loopback
//     port (or taken from $PROVOST_MOTO_URL), reset before it is handed out. Tests that share it
//     must not run in parallel, since every call to Moto clears what the previous test seeded.
//   - LDAP (OpenLDAP slapd with mdb, memberof and ppolicy; StartTLS and LDAPS with a generated
//     CA), Samba (an Active Directory domain controller, provisioned once per machine under
//     /var/tmp/provost-testpeer and held under a machine-wide lock, since it needs ports 389 and
//     636) and SCIM (the project's scimmy server in scripts/peers/scim-server): each test gets
//     its own OU or tenant.
//   - FaultProxy: not a peer but a loopback TCP proxy in front of one, which resets chosen
//     connections (when accepted or after some bytes of the answer), vanishes and comes back, for
//     tests of connections breaking under a collector.
//   - Chromium: Debian's browser for the report and dashboard browser tests, and ArtifactDir for
//     their screenshots ($PROVOST_ARTIFACTS).
//
// scripts/peers/*.sh install the Debian and npm packages; the test command runs them. A test
// binary that starts a peer should call StopAll from its TestMain. A peer that cannot be found
// or started fails the test: integration tests never skip.
package testpeer
