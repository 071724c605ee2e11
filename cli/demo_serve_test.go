package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoServe: `demo --serve` keeps the sandbox up behind the daemon: the dashboard API
// answers with the printed token (and refuses without it) and serves the demo's snapshot, a
// manual run audits the sandbox again, and cancelling stops both cleanly.
func TestDemoServe(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr syncBuffer
	a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	root := a.newRootCommand()
	root.SetArgs([]string{"demo", "--serve", "--listen", "127.0.0.1:0", "--seed", "3"})
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	re := regexp.MustCompile(`Dashboard: http://(127\.0\.0\.1:\d+)/  \(token ([0-9a-f]{32});`)
	var addr, token string
	deadline := time.Now().Add(60 * time.Second)
	for addr == "" {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			addr, token = m[1], m[2]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("demo --serve ended early: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dashboard line after 60s:\n%s", stdout.String())
		}
	}
	if !strings.Contains(stdout.String(), "Acme Health, day 0 (seed 3") {
		t.Errorf("the demo summary was not printed before serving:\n%s", stdout.String())
	}

	get := func(path, tok string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := get("/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	if code, _ := get("/api/v1/snapshots", ""); code != http.StatusUnauthorized {
		t.Errorf("/api/v1/snapshots without the token = %d, want 401", code)
	}
	if code, _ := get("/api/v1/snapshots", "wrong"+token[5:]); code != http.StatusUnauthorized {
		t.Errorf("/api/v1/snapshots with a wrong token = %d, want 401", code)
	}
	code, body := get("/api/v1/snapshots", token)
	if code != http.StatusOK || !bytes.Contains(body, []byte(`"principals"`)) {
		t.Fatalf("/api/v1/snapshots = %d %s", code, body)
	}

	// "Run now" audits the still-running sandbox: a second snapshot appears.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/runs", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/v1/runs = %d, want 202", resp.StatusCode)
	}
	for n := 0; ; n++ {
		_, body := get("/api/v1/snapshots", token)
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("snapshots: %v: %s", err, body)
		}
		if bytes.Count(body, []byte(`"started_at"`)) >= 2 {
			break
		}
		if n > 600 {
			t.Fatalf("no second snapshot after the manual run: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo --serve after cancel: %v", err)
	}
	done <- nil // for the deferred receive
}
