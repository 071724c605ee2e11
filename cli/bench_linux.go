package cli

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd's process when this one dies, so that a killed
// bench leaves no audit process running (the sandbox also stops when its stdin closes).
// Strictly, the signal follows the thread that started the child; Go's runtime does not end
// its threads while the process runs, except those of goroutines that locked one.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
