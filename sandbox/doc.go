// Package sandbox is Provost's pilot environment: an example organisation for the demo and, in its
// subpackages, wire-compatible fake AWS (awsfake) and Google Cloud (gcpfake) endpoints that the
// real SDK clients talk to over loopback in tests, the demo and benchmarks.
package sandbox
