//go:build !linux

package cli

import "os/exec"

// dieWithParent does nothing here: only Linux can tie a child's life to its parent's. The
// sandbox still stops when its stdin closes; an audit process finishes its run.
func dieWithParent(*exec.Cmd) {}
