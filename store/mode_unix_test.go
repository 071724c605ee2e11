//go:build unix

package store

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestOpenTightensMode: Open clears the permission bits beyond 0600 of an existing database
// file, read-write or read-only, says so with a warning and TightenedMode, and leaves a private
// file (and a new one) alone — all under umask 0, so that nothing but Open sets the modes seen.
func TestOpenTightensMode(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })

	type outcome struct {
		Mode     fs.FileMode // after Open
		Old, Now fs.FileMode // TightenedMode
		OK       bool
		Log      string // the warning, without its time
	}
	warning := func(from, to fs.FileMode) string {
		return "level=WARN msg=\"database file was accessible to others than its owner: mode tightened\" component=store path=PATH old_mode=" +
			from.String() + " mode=" + to.String()
	}
	tests := []struct {
		mode     fs.FileMode
		readOnly bool
		want     outcome
	}{
		{0o644, false, outcome{0o600, 0o644, 0o600, true, warning(0o644, 0o600)}},
		{0o666, false, outcome{0o600, 0o666, 0o600, true, warning(0o666, 0o600)}},
		{0o604, false, outcome{0o600, 0o604, 0o600, true, warning(0o604, 0o600)}},
		{0o640, false, outcome{0o600, 0o640, 0o600, true, warning(0o640, 0o600)}},
		{0o700, false, outcome{0o600, 0o700, 0o600, true, warning(0o700, 0o600)}},
		{0o777, false, outcome{0o600, 0o777, 0o600, true, warning(0o777, 0o600)}},
		{0o644, true, outcome{0o600, 0o644, 0o600, true, warning(0o644, 0o600)}},
		{0o444, true, outcome{0o400, 0o444, 0o400, true, warning(0o444, 0o400)}}, // never adds a bit
		{0o600, false, outcome{Mode: 0o600}},
		{0o400, true, outcome{Mode: 0o400}},
	}
	for _, tc := range tests {
		name := tc.mode.String()
		if tc.readOnly {
			name += " read-only"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "provost.db")
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			}))
			db, err = Open(path, Options{ReadOnly: tc.readOnly, Timeout: time.Second, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var got outcome
			got.Mode = fileMode(t, path)
			got.Old, got.Now, got.OK = db.TightenedMode()
			got.Log = strings.TrimSpace(strings.ReplaceAll(logs.String(), path, "PATH"))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Open of a %v file (-want +got):\n%s", tc.mode, diff)
			}
		})
	}

	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "new.db")
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got := outcome{Mode: fileMode(t, path)}
		got.Old, got.Now, got.OK = db.TightenedMode()
		if diff := cmp.Diff(outcome{Mode: 0o600}, got); diff != "" {
			t.Errorf("new file under umask 0 (-want +got):\n%s", diff)
		}
	})
}

func fileMode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}
