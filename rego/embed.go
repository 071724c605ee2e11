package rego

import (
	"embed"
	"io/fs"
)

//go:embed checks lib
var files embed.FS

// FS returns the bundled library: checks/**.rego and lib/**.rego, with their _test.rego files.
// Paths are slash-separated and relative to this directory (e.g. "checks/aws/root_mfa.rego").
func FS() fs.FS { return files }
