package testpeer

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answer connects through the proxy, sends a line and reads until the connection ends: the
// bytes read and how it ended ("eof", "reset", "refused" or another error).
func answer(t *testing.T, addr string) (string, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "", "refused"
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("hello\n"))
	b, err := io.ReadAll(c)
	switch {
	case err == nil:
		return string(b), "eof"
	case errors.Is(err, syscall.ECONNRESET):
		return string(b), "reset"
	}
	return string(b), err.Error()
}

func TestFaultProxy(t *testing.T) {
	const reply = "0123456789abcdefghijklmnopqrstuvwxyz"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 6)
				if _, err := io.ReadFull(c, buf); err == nil {
					_, _ = c.Write([]byte(reply))
				}
			}()
		}
	}()
	p := NewFaultProxy(t, ln.Addr().String())
	p.SetResets(Reset{From: 2, To: 3}, Reset{From: 4, To: 4, AfterBytes: 10}, Reset{From: 6, AfterBytes: 100})

	type result struct{ Got, End string }
	var got []result
	for range 6 {
		b, end := answer(t, p.Addr())
		got = append(got, result{b, end})
	}
	want := []result{
		{reply, "eof"},        // 1: no rule
		{"", "reset"},         // 2, 3: reset when accepted
		{"", "reset"},         //
		{reply[:10], "reset"}, // 4: reset after 10 bytes
		{reply, "eof"},        // 5: no rule
		{reply, "eof"},        // 6: the server ends before 100 bytes
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers through the proxy (-want +got):\n%s", diff)
	}
	if p.Conns() != 6 || p.Resets() != 3 || p.Answered() != int64(3*len(reply)+10) {
		t.Errorf("conns %d, resets %d, answered %d bytes; want 6, 3 and %d", p.Conns(), p.Resets(), p.Answered(), 3*len(reply)+10)
	}

	// An open connection is reset by Stop, new ones are refused until Restart.
	held, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	p.SetResets()
	p.Stop()
	if _, err := io.ReadAll(held); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("held connection after Stop: %v, want a reset", err)
	}
	if _, end := answer(t, p.Addr()); end != "refused" {
		t.Errorf("after Stop: %s, want refused", end)
	}
	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	if b, end := answer(t, p.Addr()); b != reply || end != "eof" {
		t.Errorf("after Restart: %q, %s; want the reply", b, end)
	}
	if err := p.Restart(); err == nil || !strings.Contains(err.Error(), "restart while running") {
		t.Errorf("Restart while running = %v", err)
	}
}
