package testpeer

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of Debian's chromium for browser tests ($PROVOST_CHROMIUM
// overrides). A missing browser fails the test, never skips it: scripts/peers/chromium.sh
// installs it.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PROVOST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: the browser tests need Debian's chromium package (run scripts/peers/chromium.sh, or set PROVOST_CHROMIUM)")
	return ""
}

// ArtifactDir is where a test writes artifacts such as screenshots: $PROVOST_ARTIFACTS, or the
// test's temporary directory.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PROVOST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}
