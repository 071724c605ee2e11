package testpeer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment variables that point tests at an already running SCIM server instead of starting
// one: its base URL (".../scim/v2"), a valid bearer token and, optionally, a token it rejects as
// expired.
const (
	SCIMURLEnv          = "PROVOST_SCIM_URL"
	SCIMTokenEnv        = "PROVOST_SCIM_TOKEN"
	SCIMExpiredTokenEnv = "PROVOST_SCIM_EXPIRED_TOKEN"
	// SCIMServerDirEnv overrides where the server script (scripts/peers/scim-server) is.
	SCIMServerDirEnv = "PROVOST_SCIM_SERVER_DIR"
)

// scimStartTimeout bounds how long node may take to print its listening line.
const scimStartTimeout = 30 * time.Second

// SCIMServer is a running SCIM 2.0 server (scimmy behind express, scripts/peers/scim-server)
// with in-memory Users and Groups.
type SCIMServer struct {
	// URL is the base of the SCIM endpoints, e.g. "http://127.0.0.1:41234/scim/v2".
	URL string
	// Token is a bearer token the server accepts.
	Token string
	// ExpiredToken is a bearer token the server rejects with 401 "The bearer token has expired".
	ExpiredToken string
}

var (
	scimOnce sync.Once
	scimSrv  SCIMServer
	scimErr  error
)

// SCIM returns a SCIM server with no users or groups; tests seed it with SCIM POSTs.
//
// It uses $PROVOST_SCIM_URL and $PROVOST_SCIM_TOKEN when set; otherwise it starts one server per
// test binary with node on a free loopback port. Every call empties the server, so tests that
// use it must not run in parallel. If node or the server's npm packages are missing (install
// them with scripts/peers/install.sh), the test fails.
func SCIM(t testing.TB) SCIMServer {
	t.Helper()
	srv := SCIMServer{URL: os.Getenv(SCIMURLEnv), Token: os.Getenv(SCIMTokenEnv), ExpiredToken: os.Getenv(SCIMExpiredTokenEnv)}
	if srv.URL == "" {
		scimOnce.Do(func() { scimSrv, scimErr = startSCIM() })
		if scimErr != nil {
			t.Fatalf("testpeer: the SCIM server is required for this test and could not be started: %v "+
				"(run scripts/peers/install.sh, or set %s and %s)", scimErr, SCIMURLEnv, SCIMTokenEnv)
		}
		srv = scimSrv
	}
	srv.URL = strings.TrimRight(srv.URL, "/")
	if err := ResetSCIM(context.Background(), srv); err != nil {
		t.Fatalf("testpeer: reset the SCIM server at %s: %v", srv.URL, err)
	}
	return srv
}

// ResetSCIM empties the server's users and groups.
func ResetSCIM(ctx context.Context, srv SCIMServer) error {
	root := strings.TrimSuffix(strings.TrimRight(srv.URL, "/"), "/scim/v2")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, root+"/_test/reset", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// scimServerDir finds scripts/peers/scim-server: from $PROVOST_SCIM_SERVER_DIR, else relative to
// this source file in the checkout, else (under -trimpath) above the working directory, which is
// the test's package directory.
func scimServerDir() (string, error) {
	if dir := os.Getenv(SCIMServerDirEnv); dir != "" {
		return dir, nil
	}
	rel := filepath.Join("scripts", "peers", "scim-server")
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", "..", rel), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, rel, "server.js")); err == nil {
			return filepath.Join(dir, rel), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find %s above the working directory; set %s", rel, SCIMServerDirEnv)
		}
		dir = parent
	}
}

func startSCIM() (SCIMServer, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return SCIMServer{}, fmt.Errorf("find node on PATH: %w", err)
	}
	dir, err := scimServerDir()
	if err != nil {
		return SCIMServer{}, err
	}
	for _, need := range []string{"server.js", "node_modules/scimmy/package.json", "node_modules/scimmy-routers/package.json", "node_modules/express/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			return SCIMServer{}, fmt.Errorf("%s is missing (npm ci has not run in %s)", need, dir)
		}
	}
	srv := SCIMServer{Token: randomToken(), ExpiredToken: randomToken()}
	cmd := exec.Command(node, "server.js", "--port", "0", "--token", srv.Token, "--expired-token", srv.ExpiredToken)
	cmd.Dir = dir
	out := &lockedBuffer{}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return SCIMServer{}, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return SCIMServer{}, fmt.Errorf("start node server.js: %w", err)
	}
	p := &peerProc{cmd: cmd, done: make(chan struct{}), out: out}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "listening "); ok {
				select {
				case urls <- u:
				default:
				}
			}
			_, _ = out.Write([]byte(line + "\n"))
		}
	}()
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()

	select {
	case srv.URL = <-urls:
		return srv, nil
	case <-p.done:
		return SCIMServer{}, fmt.Errorf("the SCIM server exited before listening: %s", out.tail())
	case <-time.After(scimStartTimeout):
		p.stop()
		return SCIMServer{}, fmt.Errorf("the SCIM server did not listen within %s: %s", scimStartTimeout, out.tail())
	}
}

// Create POSTs a resource to the server ("Users" or "Groups") and returns what the server
// answered (with its "id" and "meta"); any other answer than 201 fails the test.
func (s SCIMServer) Create(t testing.TB, resourceType string, resource any) map[string]any {
	t.Helper()
	body, err := json.Marshal(resource)
	if err != nil {
		t.Fatalf("testpeer: encode %s: %v", resourceType, err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/"+resourceType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testpeer: POST %s: %v", resourceType, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("testpeer: POST %s = %d %v (decode error %v)", resourceType, resp.StatusCode, out, err)
	}
	return out
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
