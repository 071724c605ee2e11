// Package policy turns a snapshot into findings with OPA/Rego: it loads the bundled library
// (package rego) with the user's policy directories and OPA bundles, validates each check's
// METADATA and result shape, compiles everything once with hardened capabilities, and
// evaluates snapshots in parallel batches. It also owns waivers, the Rego test runner and the
// check catalogue.
//
// Use:
//
//	lib, err := policy.Load(ctx, policy.Options{Dirs: dirs, Bundles: bundles, Logger: logger})
//	// lib.Problems(): checks that failed to load; each also becomes an error finding.
//	ev, err := lib.NewEvaluator(cfg, policy.EvalOptions{Waivers: waivers})
//	res, err := ev.Evaluate(ctx, snapshot, policy.WithDrift(events)) // events: drift.Diff with the previous snapshot
//	history = finding.Merge(history, res.Findings, res.EvalTime, finding.CoverageScopes(snapshot.Coverage))
//
// `provost policy test` is Load + Library.RunTests, `provost policy eval --principal` is
// Evaluator.Explain, and `provost policy catalog` is WriteCatalog over Library.Checks.
//
// Evaluation. Principals are grouped by provider and kind; each group gets one prepared query
// over the checks whose resource_kinds cover it, and is evaluated in batches of about a hundred
// principals per Eval, one goroutine per CPU (errgroup.SetLimit), the prepared queries shared.
// The input is built by hand as OPA values, policy documents go into the data store once per
// snapshot, and data-only library rules (provost.lib.aws.admin_docs) are evaluated once per
// snapshot and served from data. time.now_ns() is the snapshot's collection time. A batch whose
// query fails is re-run check by check, and a failing check principal by principal, so that
// one broken check becomes one error finding and costs nobody else their findings.
//
// Drift. WithDrift hands the events between the previous snapshot and this one to the checks
// as input.drift per item (the principal's events, then its linked person's); this is why
// policy imports package drift, which imports only inventory. Without it input.drift is absent
// and the drift checks (PV-DRF-…) find nothing.
//
// Hardening: no network builtins (http.send, net.*), no opa.runtime, no randomness,
// StrictBuiltinErrors, print() to the logger at debug level.
//
// Caveats. Evaluation is CPU-bound in OPA's evaluator: about 90 µs of CPU per principal for
// the full bundled library on the synthetic estate (BenchmarkEvaluate; one evaluation per
// principal costs about 570), of which about 12 µs build the input and about 12 % of the CPU is
// GC. The checks' shape sets the floor: each rule body iterates the batch, and one body that
// fails on a field comparison costs about 0.35 µs per item, one that reads a library rule about
// 1 µs (so hot bodies read library rules once, before iterating); calling every check as a
// function of one item is several times slower, and OPA's partial evaluation of the class
// queries about 1.5 times slower (BenchmarkRuleShape, BenchmarkCheckCost). OPA's Wasm target
// is slower still: the class queries compiled to Wasm and run by OPA's wazero engine give the
// same findings but cost 6 to 9 times the CPU (BenchmarkWasmTarget: about 480 µs per principal
// against 60 to 80), about 100 µs of it only to get the batch into the module, which parses
// its input on every evaluation, and about half the rest in sprintf, a host call whose
// arguments go through text both ways; compiling the class queries takes about 3 s more per
// snapshot. Evaluate therefore uses topdown. Raising GOGC (e.g. 400) or setting GOMEMLIMIT
// with GOGC=off in the binary buys about 10 % when memory allows; Evaluate does
// not change process-wide GC settings itself. Deny statements and permission boundaries are
// not subtracted when judging AWS admin reach.
package policy
