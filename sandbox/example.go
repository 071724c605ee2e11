package sandbox

import _ "embed"

//go:embed example-org.json
var exampleOrg []byte

// ExampleOrg returns the embedded example organisation, "Acme Health", as a snapshot-shaped JSON
// document that collector/static reads.
func ExampleOrg() []byte { return exampleOrg }
