package testpeer

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopAll()
	os.Exit(code)
}

func TestMotoAnswersAndResets(t *testing.T) {
	url := Moto(t)
	if !strings.HasPrefix(url, "http://") {
		t.Fatalf("Moto() = %q, want an http URL", url)
	}
	// A second call reuses the same server (one per test binary) and resets it again.
	if again := Moto(t); again != url {
		t.Fatalf("second Moto() = %q, want the same server %q", again, url)
	}
	resp, err := http.Get(url + "/moto-api/")
	if err != nil {
		t.Fatalf("GET moto dashboard: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET moto dashboard: status %d, want 200", resp.StatusCode)
	}
}

func TestResetMotoReportsUnreachableServer(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on a port that was just free, so the reset must fail, not hang.
	if err := ResetMoto(t.Context(), "http://127.0.0.1:"+strconv.Itoa(port)); err == nil {
		t.Fatal("ResetMoto on a closed port: got nil error, want a connection error")
	}
}
