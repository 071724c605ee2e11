package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/store"
)

// run executes the CLI in-process and returns its stdout, stderr and exit code.
func run(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVersion(t *testing.T) {
	out, errOut, code := run(t, "", "version", "-o", "json")
	if code != ExitOK || errOut != "" {
		t.Fatalf("version: code %d, stderr %q", code, errOut)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("version -o json is not JSON: %v\n%s", err, out)
	}
	if v["version"] != "dev" || !strings.HasPrefix(v["go"], "go1.") {
		t.Errorf("version = %v", v)
	}
}

// TestBadInput checks that every kind of bad input ends in one clear line on stderr, naming the
// place, with exit code 2 for usage and configuration errors — never a panic or a stack trace.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	corrupt := writeFile(t, filepath.Join(dir, "corrupt.db"), strings.Repeat("not a database ", 1000))
	locked := filepath.Join(dir, "locked.db")
	holder, err := store.Open(locked, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })

	cfg := func(name, body string) string { return writeFile(t, filepath.Join(dir, name), body) }
	malformed := cfg("malformed.toml", "[log]\nlevel = \"info\"\nformat\n")
	unknown := cfg("unknown.toml", "[store]\npath = \"x.db\"\n\n[[sources.aws]]\nname = \"prod\"\nrol_name = \"x\"\n")
	invalid := cfg("invalid.toml", "[collect]\nparallelism = 0\n")
	missingEnv := cfg("env.toml", "[[sources.aws]]\nname = \"prod\"\nexternal_id = \"${PROVOST_TEST_UNSET_VAR}\"\n")
	lockCfg := cfg("lock.toml", "[store]\npath = \""+locked+"\"\nlock_timeout = \"100ms\"\n")

	tests := []struct {
		name string
		args []string
		code int
		want string // the whole of stderr
	}{
		{"malformed TOML", []string{"config", "validate", "-c", malformed}, ExitUsage,
			"provost: " + malformed + ":3:7: expected '=' after key\n"},
		{"unknown key", []string{"scan", "-c", unknown}, ExitUsage,
			"provost: " + unknown + ":6: unknown key \"sources.aws.rol_name\" (did you mean \"role_name\"?)\n"},
		{"invalid value", []string{"config", "validate", "-c", invalid}, ExitUsage,
			"provost: " + invalid + ":2: collect.parallelism: 0 is not valid; want 1 or more\n"},
		{"missing env var", []string{"config", "validate", "-c", missingEnv}, ExitUsage,
			"provost: " + missingEnv + ":3: sources.aws[0].external_id: environment variable PROVOST_TEST_UNSET_VAR is not set\n"},
		{"missing config file", []string{"scan", "-c", filepath.Join(dir, "nope.toml")}, ExitUsage,
			"provost: invalid configuration: open " + filepath.Join(dir, "nope.toml") + ": no such file or directory\n"},
		{"bad output flag", []string{"version", "-o", "yaml"}, ExitUsage,
			"provost: invalid --output \"yaml\": want table or json\n"},
		{"unknown flag", []string{"scan", "--nope"}, ExitUsage,
			"provost: unknown flag: --nope\n"},
		{"extra argument", []string{"snapshots", "delete"}, ExitUsage,
			"provost: provost snapshots delete takes 1 argument(s), got 0\n"},
		{"no sources", []string{"scan", "--db", filepath.Join(dir, "empty.db")}, ExitUsage,
			"provost: no sources configured: add a [[sources.static]], [[sources.aws]] or [[sources.gcp]] table to the config (see config.example.toml), or run `provost demo`\n"},
		{"corrupt database", []string{"snapshots", "list", "--db", corrupt}, ExitFailure,
			"provost: open " + corrupt + ": corrupt or not a provost database: not a bbolt file (bad magic)\n"},
		{"locked database", []string{"snapshots", "list", "-c", lockCfg}, ExitFailure,
			"provost: database " + locked + " is in use by another process (locked)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, dir, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if diff := cmp.Diff(tt.want, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestScanAndSnapshots(t *testing.T) {
	dir := t.TempDir()
	org := writeFile(t, filepath.Join(dir, "org.json"), string(sandbox.ExampleOrg()))
	db := filepath.Join(dir, "p.db")
	cfg := writeFile(t, filepath.Join(dir, "provost.toml"),
		"[store]\npath = \""+db+"\"\n\n[[sources.static]]\nname = \"acme\"\npath = \""+org+"\"\n")

	var ids []string
	for range 3 {
		out, errOut, code := run(t, dir, "scan", "-c", cfg, "-o", "json")
		if code != ExitOK {
			t.Fatalf("scan: exit %d: %s", code, errOut)
		}
		var sum scanSummary
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("scan -o json: %v\n%s", err, out)
		}
		want := map[string]int{"accounts": 4, "principals": 16, "people": 8, "policy_docs": 12}
		if diff := cmp.Diff(want, sum.Counts); diff != "" {
			t.Errorf("scan counts (-want +got):\n%s", diff)
		}
		if sum.Incomplete != 1 {
			t.Errorf("incomplete scopes = %d, want 1 (the example's Cloud Identity scope is denied)", sum.Incomplete)
		}
		ids = append(ids, sum.Snapshot)
		time.Sleep(1100 * time.Millisecond) // snapshot IDs have one-second resolution
	}

	// provost.toml in the working directory is found without --config.
	out, errOut, code := run(t, dir, "snapshots", "list", "-o", "json")
	if code != ExitOK {
		t.Fatalf("snapshots list: exit %d: %s", code, errOut)
	}
	var metas []store.SnapshotMeta
	if err := json.Unmarshal([]byte(out), &metas); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range metas {
		got = append(got, m.ID)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("snapshot IDs (-want +got):\n%s", diff)
	}

	out, _, code = run(t, dir, "snapshots", "show", "previous", "-o", "json")
	var prev store.SnapshotMeta
	if code != ExitOK || json.Unmarshal([]byte(out), &prev) != nil || prev.ID != ids[1] {
		t.Errorf("snapshots show previous = %q (exit %d), want %s", out, code, ids[1])
	}

	out, _, code = run(t, dir, "snapshots", "prune", "--keep-last", "1", "--keep-days", "0", "--dry-run")
	if want := "Would delete 2 snapshot(s), freeing 0 record(s)\n  " + ids[0] + "\n  " + ids[1] + "\n"; code != ExitOK || out != want {
		t.Errorf("prune --dry-run = %q (exit %d), want %q", out, code, want)
	}
	out, _, code = run(t, dir, "snapshots", "delete", ids[0])
	if want := "Deleted snapshot " + ids[0] + "\n"; code != ExitOK || out != want {
		t.Errorf("delete = %q (exit %d), want %q", out, code, want)
	}
	_, errOut, code = run(t, dir, "snapshots", "delete", ids[0])
	if want := "provost: no snapshot \"" + ids[0] + "\" in " + db + " (see `provost snapshots list`)\n"; code != ExitFailure || errOut != want {
		t.Errorf("second delete: stderr %q (exit %d), want %q", errOut, code, want)
	}
	out, _, code = run(t, dir, "snapshots", "prune", "--keep-last", "1", "--keep-days", "0", "-o", "json")
	var pr struct {
		Deleted []string `json:"deleted"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &pr) != nil || !cmp.Equal(pr.Deleted, []string{ids[1]}) {
		t.Errorf("prune = %q (exit %d), want %s deleted", out, code, ids[1])
	}
}
