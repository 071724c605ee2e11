package cli

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

func serveConfig(t *testing.T, dir string) (cfgPath, dbPath string) {
	t.Helper()
	org := writeFile(t, filepath.Join(dir, "org.json"), string(sandbox.ExampleOrg()))
	dbPath = filepath.Join(dir, "provost.db")
	cfgPath = writeFile(t, filepath.Join(dir, "provost.toml"), "[store]\npath = \""+dbPath+"\"\nlock_timeout = \"100ms\"\n\n[[sources.static]]\nname = \"acme\"\npath = \""+org+"\"\n")
	return cfgPath, dbPath
}

func TestServeBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg, db := serveConfig(t, dir)
	holder, err := store.Open(filepath.Join(dir, "held.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tests := []struct {
		name  string
		token string
		args  []string
		code  int
		want  string
	}{
		{name: "no token", args: []string{"serve", "-c", cfg}, code: ExitUsage,
			want: "provost: the API token is missing: set the environment variable PROVOST_API_TOKEN (daemon.token_env) to a long random secret\n"},
		{name: "bad schedule", token: "t0ken", args: []string{"serve", "-c", cfg, "--schedule", "@daily", "--schedule", "0 25 * * *"}, code: ExitUsage,
			want: `provost: daemon.schedules[1] "0 25 * * *": end of range (25) above maximum (23): 25 (want e.g. "0 2 * * *", "0 0 2 * * *" or "@daily")` + "\n"},
		{name: "bad listen", token: "t0ken", args: []string{"serve", "-c", cfg, "--listen", "8080"}, code: ExitUsage,
			want: `provost: daemon.listen "8080": want host:port, e.g. 127.0.0.1:8080` + "\n"},
		{name: "empty slack env", token: "t0ken", args: []string{"serve", "-c", cfg, "--slack-webhook-env", "PROVOST_TEST_UNSET_SLACK"}, code: ExitUsage,
			want: "provost: --slack-webhook-env: the environment variable PROVOST_TEST_UNSET_SLACK is empty\n"},
		{name: "smtp without recipients", token: "t0ken", args: []string{"serve", "-c", cfg, "--smtp-addr", "mail:587", "--smtp-from", "p@example.com"}, code: ExitUsage,
			want: "provost: --smtp-addr needs --smtp-from and at least one --smtp-to\n"},
		{name: "bad notify severity", token: "t0ken", args: []string{"serve", "-c", cfg, "--notify-min-severity", "urgent"}, code: ExitUsage,
			want: "provost: invalid --notify-min-severity: invalid severity \"urgent\": want one of info, low, medium, high, critical\n"},
		{name: "second daemon on the same database", token: "t0ken", args: []string{"serve", "-c", cfg, "--db", holder.Path()}, code: ExitFailure,
			want: "provost: cannot serve: database " + holder.Path() + " is in use by another process (locked); another provost (serve or scan) is using this database — stop it, or give this daemon its own file with --db\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PROVOST_API_TOKEN", tt.token)
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code || errOut != tt.want || out != "" {
				t.Errorf("code %d, stdout %q, stderr:\n%s\nwant code %d, stderr:\n%s", code, out, errOut, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("refused serves created %s: %v", db, err)
	}
}

// TestServeSIGTERM runs `provost serve` in-process, lets its start-up scan finish, sends the
// process SIGTERM, and checks it stops cleanly with the snapshot stored; a restart scans again
// on the same database.
func TestServeSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cfg, dbPath := serveConfig(t, dir)
	t.Setenv("PROVOST_API_TOKEN", "t0ken")
	for round := 1; round <= 2; round++ {
		pr, pw := io.Pipe()
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		codec := make(chan int, 1)
		go func() {
			codec <- Main([]string{"serve", "-c", cfg, "--listen", "127.0.0.1:0", "--run-at-startup", "--log-level", "info"}, strings.NewReader(""), io.Discard, pw)
			pw.Close()
		}()
		var log []string
		timeout := time.After(60 * time.Second)
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: serve exited early:\n%s", round, strings.Join(log, "\n"))
				}
				log = append(log, l)
				if strings.Contains(l, `msg="run finished"`) {
					if !strings.Contains(l, "status=succeeded") {
						t.Fatalf("round %d: %s", round, l)
					}
					break wait
				}
			case <-timeout:
				t.Fatalf("round %d: no finished run within 60s:\n%s", round, strings.Join(log, "\n"))
			}
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-codec:
			if code != ExitOK {
				t.Fatalf("round %d: exit %d", round, code)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: serve did not stop within 30s of SIGTERM", round)
		}
		for range lines {
		}
		db, err := store.Open(dbPath, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: the stopped daemon left the store unopenable: %v", round, err)
		}
		ms, err := db.Snapshots()
		if err == nil && len(ms) == round {
			_, err = db.Findings(ms[round-1].ID)
		}
		_ = db.Close()
		if err != nil || len(ms) != round {
			t.Fatalf("round %d: %d snapshots (%v), want %d each with its findings", round, len(ms), err, round)
		}
	}
}
