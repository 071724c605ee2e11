package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child is a provost command run in a child process (this test binary, re-executed), so that
// the test can kill it with SIGKILL wherever it is.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

// startChild runs `provost args...` in a child process with env added to the test's
// environment: this test binary, which TestMain makes act as provost (asMainEnv).
func startChild(t *testing.T, env map[string]string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), done: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), asMainEnv+"=1")
	for k, v := range env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	return c
}

// killAfter kills the child with SIGKILL after d unless it has exited by then. It reports
// whether the kill ended it (false: it finished first, successfully).
func (c *child) killAfter(t *testing.T, d time.Duration) bool {
	t.Helper()
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("child %s exited before the kill: %v\nstderr: %s", strings.Join(c.cmd.Args, " "), err, c.stderr.String())
		}
		return false
	case <-time.After(d):
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-c.done
	if err == nil {
		return false // it finished as the signal was sent
	}
	if err.Error() != "signal: killed" {
		t.Fatalf("child exit = %v, want signal: killed\nstderr: %s", err, c.stderr.String())
	}
	return true
}

// wait waits for the child to finish and fails the test unless it succeeded.
func (c *child) wait(t *testing.T) {
	t.Helper()
	if err := <-c.done; err != nil {
		t.Fatalf("child %v: %v\nstdout: %s\nstderr: %s", c.cmd.Args, err, c.stdout.String(), c.stderr.String())
	}
}

func fmtDurations(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprint(d.Round(time.Millisecond)))
	}
	return strings.Join(parts, " ")
}
