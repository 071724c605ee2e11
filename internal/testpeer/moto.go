package testpeer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MotoURLEnv names the environment variable that points tests at an already running moto
// server instead of starting one.
const MotoURLEnv = "PROVOST_MOTO_URL"

// motoStartTimeout bounds how long a fresh moto server may take to answer. Loading the AWS
// managed policies makes the first start take a second or two on this machine.
const motoStartTimeout = 60 * time.Second

var (
	motoOnce sync.Once
	motoURL  string
	motoErr  error

	procsMu sync.Mutex
	procs   []*peerProc
)

// peerProc is one peer process this package started.
type peerProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	out  *lockedBuffer
}

// Moto returns the base URL of a moto server with empty state (e.g. "http://127.0.0.1:41234").
//
// It uses $PROVOST_MOTO_URL when set; otherwise it starts one moto_server per test binary on a
// free loopback port, with MOTO_IAM_LOAD_MANAGED_POLICIES=true so that AWS managed policies
// exist. Every call resets the server, so tests that use it must not run in parallel. If moto
// cannot be found, started or reset, the test fails.
func Moto(t testing.TB) string {
	t.Helper()
	url := os.Getenv(MotoURLEnv)
	if url == "" {
		motoOnce.Do(func() { motoURL, motoErr = startMoto() })
		if motoErr != nil {
			t.Fatalf("testpeer: moto is required for this test and could not be started: %v "+
				"(install it with `pip install 'moto[server]==5.2.1'` or set %s)", motoErr, MotoURLEnv)
		}
		url = motoURL
	}
	url = strings.TrimRight(url, "/")
	if err := ResetMoto(context.Background(), url); err != nil {
		t.Fatalf("testpeer: reset moto at %s: %v", url, err)
	}
	return url
}

// ResetMoto clears all state of the moto server at url.
func ResetMoto(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset: status %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	return nil
}

// StopAll stops every peer this package started. Call it from TestMain after m.Run.
func StopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for _, p := range procs {
		p.stop()
	}
	procs = nil
}

func startMoto() (string, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return "", fmt.Errorf("find moto_server on PATH: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	out := &lockedBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	// Own process group so that stop kills the server and any helper it forks; Pdeathsig so
	// that a test binary killed before StopAll does not leave moto running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	p := &peerProc{cmd: cmd, done: make(chan struct{}), out: out}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(url, p); err != nil {
		p.stop()
		return "", err
	}
	return url, nil
}

// waitReady polls the server until it answers a reset or the start timeout passes.
func waitReady(url string, p *peerProc) error {
	deadline := time.Now().Add(motoStartTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("moto_server exited before answering: %s", p.out.tail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		last = ResetMoto(ctx, url)
		cancel()
		if last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server at %s did not answer within %s: %w; output: %s", url, motoStartTimeout, last, p.out.tail())
}

func (p *peerProc) stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: listener has no TCP address")
	}
	return addr.Port, nil
}

// lockedBuffer collects a peer's output for error messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		b.buf.Reset() // keep memory bounded; only the tail matters
	}
	return b.buf.Write(p)
}

// tail returns the last couple of kilobytes of output.
func (b *lockedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > 2048 {
		s = s[len(s)-2048:]
	}
	return strings.TrimSpace(s)
}
