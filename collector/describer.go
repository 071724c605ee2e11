package collector

import "github.com/provost-dev/provost/inventory"

// Describer is an optional capability of a Source: what its coverage is about, known before
// Collect runs. The runner labels the one failed Coverage entry it records for a source that
// returned an error, timed out or panicked with it, so that a source of truth that failed
// outright is still a source of truth (Rosters reports its roster as unknown instead of leaving
// it out). A Source without it gets a failed entry with an empty provider and method.
type Describer interface {
	// Provider is the provider of every Coverage entry the source reports.
	Provider() inventory.Provider
	// Method is the collection method its coverage records, "" when only Collect can tell
	// (e.g. a fallback chosen while collecting).
	Method() string
}
