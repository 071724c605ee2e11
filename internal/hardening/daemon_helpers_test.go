package hardening

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/provost-dev/provost/daemon"
)

// serveDaemon builds a daemon from opts and serves it on a loopback port. It returns the
// daemon's base URL and a stop function, to be deferred after the daemon's store and sandbox
// are set to close (so that they close after it): stop ends the daemon and fails the test if
// serving returned an error.
func serveDaemon(ctx context.Context, t *testing.T, opts daemon.Options) (base string, stop func()) {
	t.Helper()
	d, err := daemon.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.Serve(sctx, ln) }()
	return "http://" + ln.Addr().String(), func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

// apiCall sends method path to the daemon at base with the API token and reads the whole
// answer: its status code, header and body.
func apiCall(ctx context.Context, client *http.Client, method, base, path string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+apiToken)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, resp.Header, b, nil
}

// apiGet GETs path from the daemon at base with the API token, reads the whole answer and
// returns its status code.
func apiGet(ctx context.Context, client *http.Client, base, path string) (int, error) {
	code, _, _, err := apiCall(ctx, client, http.MethodGet, base, path)
	return code, err
}

// startRun asks the daemon at base to start a run and fails the test unless it answers 202.
func startRun(ctx context.Context, t *testing.T, client *http.Client, base string) {
	t.Helper()
	code, _, _, err := apiCall(ctx, client, http.MethodPost, base, "/api/v1/runs")
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/runs: %d, want 202", code)
	}
}

// loadClients are API clients, each GETting paths in turn (client c starting at paths[c])
// until stopped.
type loadClients struct {
	stopped  chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	counts   []int // 200 answers per client

	mu       sync.Mutex
	failures []string
}

// startLoad starts n clients cycling through paths on the daemon at base. An answer is a
// failure unless it is 200 with a complete body, or has one of the tolerated codes (which
// is not counted as an answer).
func startLoad(ctx context.Context, client *http.Client, base string, n int, paths []string, tolerated ...int) *loadClients {
	l := &loadClients{stopped: make(chan struct{}), counts: make([]int, n)}
	for c := range n {
		l.wg.Go(func() {
			for i := c; ; i++ {
				select {
				case <-l.stopped:
					return
				default:
				}
				p := paths[i%len(paths)]
				code, err := apiGet(ctx, client, base, p)
				if err != nil || (code != http.StatusOK && !slices.Contains(tolerated, code)) {
					l.mu.Lock()
					l.failures = append(l.failures, fmt.Sprintf("GET %s: %d %v", p, code, err))
					l.mu.Unlock()
					continue
				}
				if code == http.StatusOK {
					l.counts[c]++
				}
			}
		})
	}
	return l
}

// stop stops the clients, waits for them and returns each client's count of 200 answers and
// every failure. It may be called again (deferred, for a test that ends early).
func (l *loadClients) stop() (counts []int, failures []string) {
	l.stopOnce.Do(func() { close(l.stopped) })
	l.wg.Wait()
	return l.counts, l.failures
}

// checkLoad fails the test for any failed request and any client without a 200 answer
// during what during names ("the run"), and returns the total of 200 answers.
func checkLoad(t *testing.T, counts []int, failures []string, during string) int {
	t.Helper()
	if len(failures) > 0 {
		t.Errorf("%d failed requests during %s, first: %q", len(failures), during, failures[:min(5, len(failures))])
	}
	total := 0
	for c, n := range counts {
		if n == 0 {
			t.Errorf("client %d got no answer during %s", c, during)
		}
		total += n
	}
	return total
}
