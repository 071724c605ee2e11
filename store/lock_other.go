//go:build !unix

package store

import (
	"os"
	"time"
)

// lockFile does nothing where flock does not exist: bbolt's own lock still guards the file,
// and the header check may then race with a writer in another process.
func lockFile(*os.File, bool, time.Duration) error { return nil }
