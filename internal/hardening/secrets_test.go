package hardening

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/cli"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/policy"
	"github.com/provost-dev/provost/sandbox"
	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/store"
)

// apiToken is the daemon's bearer token in these tests.
const apiToken = "hardening-api-token-6f1c2d9e8b7a"

// awsSecretShaped matches a 40-character base64 (standard or URL alphabet) token standing
// alone within 100 bytes after an AWS access key ID (AKIA… long-term, ASIA… session): the
// shape of a secret access key printed next to its key ID.
var awsSecretShaped = regexp.MustCompile(`(?s)(?:AKIA|ASIA)[A-Z0-9]{12,16}.{0,100}?(?:^|[^A-Za-z0-9/+=_-])([A-Za-z0-9/+_-]{40})(?:$|[^A-Za-z0-9/+=_-])`)

// secretHits returns a description of every secret pattern found in b: the sandbox's base
// secret access key, an AWS-secret-shaped token after a key ID (mixed case, so that hex
// hashes do not count), a PEM private key header, an AWS session token prefix and each of
// extra (bearer tokens and passwords the test used).
func secretHits(b []byte, extra ...string) []string {
	var hits []string
	lits := append([]string{awsfake.DefaultSecretAccessKey, "-----BEGIN", "IQoJb3JpZ2luX2Vj"}, extra...)
	for _, lit := range lits {
		if i := bytes.Index(b, []byte(lit)); i >= 0 {
			hits = append(hits, fmt.Sprintf("%q at byte %d", lit, i))
		}
	}
	for _, m := range awsSecretShaped.FindAllSubmatchIndex(b, -1) {
		tok := b[m[2]:m[3]]
		if bytes.ContainsAny(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && bytes.ContainsAny(tok, "abcdefghijklmnopqrstuvwxyz") {
			hits = append(hits, fmt.Sprintf("AWS-secret-shaped %q at byte %d", tok, m[2]))
		}
	}
	return hits
}

// TestSecretHits shows the scanner finds each pattern it claims to and passes look-alikes, so
// that the scans below can fail.
func TestSecretHits(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" // AWS's documented example, 40 chars
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"clean", `{"id":"AKIAIOSFODNN7EXAMPLE","status":"Active"}`, nil},
		{"sandbox base secret", "AWS_SECRET_ACCESS_KEY=sandbox-secret", []string{`"sandbox-secret" at byte 22`}},
		{"pem key", "key: -----BEGIN PRIVATE KEY-----", []string{`"-----BEGIN" at byte 5`}},
		{"session token", "token IQoJb3JpZ2luX2VjEabc", []string{`"IQoJb3JpZ2luX2Vj" at byte 6`}},
		{"bearer token", "Authorization: Bearer " + apiToken, []string{fmt.Sprintf("%q at byte 22", apiToken)}},
		{"secret after key id", "AKIAIOSFODNN7EXAMPLE," + secret, []string{fmt.Sprintf("AWS-secret-shaped %q at byte 21", secret)}},
		{"secret after session key id", `{"AccessKeyId":"ASIA1234567890120001","SecretAccessKey":"` + secret + `"}`,
			[]string{fmt.Sprintf("AWS-secret-shaped %q at byte 57", secret)}},
		{"sha1 hex after key id", "AKIAIOSFODNN7EXAMPLE 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", nil},
		{"41 chars after key id", "AKIAIOSFODNN7EXAMPLE " + secret + "Z", nil},
		{"secret without key id", secret, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, secretHits([]byte(tt.in), apiToken)); diff != "" {
				t.Errorf("secretHits(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestDemoWritesNoSecrets runs `provost demo` twice in-process (the second run has drift) at
// debug log level with the sandbox's base credentials in the environment, then scans every
// file it wrote (the bbolt database's bytes, the reports, the sandbox's HR files) and its
// stdout and stderr for secret values, and checks every file is 0600 and every directory 0700.
// It then serves the demo's database with the daemon and scans every API answer and the
// daemon's debug log for the bearer token and the same secrets.
func TestDemoWritesNoSecrets(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", awsfake.DefaultAccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsfake.DefaultSecretAccessKey)
	t.Setenv("PROVOST_API_TOKEN", apiToken)
	dir := t.TempDir()
	demoDir := filepath.Join(dir, "demo")
	var outputs bytes.Buffer
	for day := range 2 {
		var stdout, stderr bytes.Buffer
		code := cli.Main([]string{"demo", "--dir", demoDir, "--seed", "7", "--log-level", "debug", "-o", "json"},
			strings.NewReader(""), &stdout, &stderr)
		if code != cli.ExitOK {
			t.Fatalf("demo day %d: exit %d, stderr:\n%s", day, code, stderr.String())
		}
		if stdout.Len() == 0 {
			t.Fatalf("demo day %d wrote nothing on stdout", day)
		}
		outputs.Write(stdout.Bytes())
		outputs.Write(stderr.Bytes())
	}
	if hits := secretHits(outputs.Bytes(), apiToken); len(hits) > 0 {
		t.Errorf("demo stdout/stderr hold secrets: %v", hits)
	}

	var files []string
	err := filepath.WalkDir(demoDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want || !(fi.Mode().IsRegular() || fi.IsDir()) {
			t.Errorf("%s: mode %v, want %v (regular file or directory)", path, fi.Mode(), want)
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(demoDir, path)
		files = append(files, rel)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if hits := secretHits(b, apiToken); len(hits) > 0 {
			t.Errorf("%s holds secrets: %v", rel, hits)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The scan covered the database and every report: the list is what the demo writes.
	for _, want := range []string{"provost.db", "report.html", "report.json", "report.sarif", "report.csv", "report.md"} {
		if !strings.Contains("\n"+strings.Join(files, "\n")+"\n", "\n"+want+"\n") {
			t.Errorf("demo wrote %q, not %s: the scan missed an output", files, want)
		}
	}

	t.Logf("scanned %d bytes of stdout/stderr and files %q", outputs.Len(), files)
	scanDaemon(t, filepath.Join(demoDir, "provost.db"))
}

// scanDaemon serves db with the daemon on loopback and GETs every API route with the token,
// plus a real audit of the sandbox started over the API, and scans each answer and the daemon's debug log.
func scanDaemon(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	metas, err := db.Snapshots()
	if err != nil || len(metas) != 2 {
		t.Fatalf("demo database: %d snapshots, error %v; want 2", len(metas), err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env, err := sandbox.Start(ctx, sandbox.Advance(sandbox.Generate(sandbox.GenerateOptions{Seed: 7}), 2),
		sandbox.StartOptions{Dir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	lib, err := policy.Load(ctx, policy.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan daemon.Run, 1)
	base, stopDaemon := serveDaemon(ctx, t, daemon.Options{
		Config: daemon.DefaultConfig(), Store: db, Token: apiToken, Logger: logger,
		// A real audit of the sandbox organisation a day later, logged at debug level.
		Run: func(runCtx context.Context) (*audit.Result, error) {
			srcs, err := env.Sources(runCtx)
			if err != nil {
				return nil, err
			}
			return audit.Run(runCtx, audit.Options{Sources: srcs, Collect: env.RunOptions(), Store: db, Library: lib, Now: env.Now, Logger: logger})
		},
		OnRun: func(_ context.Context, r daemon.Run) { ran <- r },
	})
	defer stopDaemon()

	get := func(path string) (int, []byte) {
		t.Helper()
		code, header, body, err := apiCall(ctx, http.DefaultClient, http.MethodGet, base, path)
		if err != nil {
			t.Fatal(err)
		}
		var head bytes.Buffer
		_ = header.Write(&head)
		return code, append(head.Bytes(), body...)
	}
	startRun(ctx, t, http.DefaultClient, base)
	run := <-ran
	if run.Status != daemon.StatusSucceeded {
		t.Fatalf("the daemon's run against the sandbox: %+v, want it to succeed", run)
	}
	latest := metas[len(metas)-1].ID
	paths := []string{
		"/healthz", "/readyz", "/dashboard/", "/metrics",
		"/api/v1/snapshots", "/api/v1/snapshots/" + latest, "/api/v1/snapshots/" + metas[0].ID,
		"/api/v1/findings", "/api/v1/findings?status=all", "/api/v1/drift", "/api/v1/runs", "/api/v1/runs/" + run.ID,
		"/api/v1/trend", "/api/v1/remediation/plans", "/api/v1/nope",
	}
	// Every principal holding an access key: their detail answers carry the key IDs, the
	// context an AWS secret would sit in.
	var withKeys int
	err = db.EachPrincipal(latest, func(p *inventory.Principal) error {
		for _, c := range p.Credentials {
			if c.Kind == inventory.CredAccessKey {
				paths = append(paths, "/api/v1/principals/"+p.ID)
				withKeys++
				break
			}
		}
		return nil
	})
	if err != nil || withKeys == 0 {
		t.Fatalf("principals with access keys in %s: %d, error %v; want some", latest, withKeys, err)
	}
	for _, f := range []string{"html", "json", "sarif", "csv", "markdown", "junit", "ocsf"} {
		paths = append(paths, "/api/v1/reports/"+f)
	}
	for _, p := range paths {
		code, body := get(p)
		if code >= 500 || (strings.HasPrefix(p, "/api/v1/principals/") && code != http.StatusOK) {
			t.Errorf("GET %s: %d\n%s", p, code, body)
		}
		if hits := secretHits(body, apiToken); len(hits) > 0 {
			t.Errorf("GET %s answer holds secrets: %v", p, hits)
		}
	}
	t.Logf("scanned %d API answers and %d bytes of daemon log", len(paths)+1, logs.Len())
	if logs.Len() == 0 {
		t.Error("the daemon logged nothing at debug level: the log scan proves nothing")
	}
	if hits := secretHits(logs.Bytes(), apiToken); len(hits) > 0 {
		t.Errorf("daemon log holds secrets: %v", hits)
	}
}
