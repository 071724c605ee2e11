// Package collector gathers identities from every configured source into one
// inventory.Snapshot.
//
// A Source (source.go) collects one system. Run collects all of them in parallel, each under its
// own timeout, so that one failing, slow or panicking source never costs the others; a source's
// failure becomes a failed Coverage entry, which is data that policies and the remediator read.
// Run then merges the results deterministically and links principals to people (link.go).
//
// Sources live in sub-packages (collector/awsiam, collector/gcpiam, collector/static, ...); this
// package imports only the inventory.
package collector
