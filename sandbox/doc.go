// Package sandbox is Provost's pilot environment: an example organisation for the demo and, in its
// subpackages, wire-compatible fake AWS (awsfake) and Google Cloud (gcpfake) endpoints that the
// real SDK clients talk to over loopback in tests, the demo and benchmarks.
//
// Generate builds a synthetic organisation and Advance moves it on by days; Org.Planted (and,
// for a scan compared with the previous day's, Org.Drift) is exactly what a scan must find.
// Start serves an Org in this process (Env; Env.Advance moves the served organisation and its
// clock on). Serve does the same for another process: it answers line commands on a reader and
// writer (`provost bench sandbox` runs it on its stdin and stdout) and describes what it serves
// as Endpoints, from which the scanning process builds its sources — so that a benchmark's audit
// process holds none of the fakes' memory.
package sandbox
