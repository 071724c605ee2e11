// Package finding holds what policy evaluation produces: the Finding, its Severity and Status,
// the stable finding ID, and the lifecycle that merges one run's findings into the history so
// that a report can say "open for 37 days".
//
// A Finding's ID depends only on the check ID, the principal ID and the qualifier (an access
// key slot, a binding), never on the message or the evidence, so the same problem keeps its ID
// from run to run. Merge is a pure function: it never reads a clock or a store.
//
// Caveat: a finding that stops being produced is marked resolved only when the principal's
// scope was seen completely and the check neither errored nor reported "cannot evaluate" for
// that principal; a partial collection never closes a finding.
package finding
