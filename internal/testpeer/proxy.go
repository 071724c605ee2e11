package testpeer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Reset is a rule of a FaultProxy: which connections it breaks and when.
type Reset struct {
	// From and To are the connections the rule applies to, numbered from 1 in the order the
	// proxy accepted them; To 0 means every connection from From on.
	From, To int
	// AfterBytes is how many bytes of the server's answer reach the client before the proxy
	// resets the connection: 0 resets it as soon as it is accepted, before any byte.
	AfterBytes int64
}

func (r Reset) matches(n int) bool { return n >= r.From && (r.To == 0 || n <= r.To) }

// FaultProxy is a TCP proxy on a loopback port in front of one address that breaks connections
// the way a failing network or a crashing server does: it resets them (RST, through
// SetLinger(0) and Close) when accepted or after a number of bytes of the server's answer, for
// the connections its rules name. Stop makes the address vanish (the listener closed and every
// open connection reset); Restart serves the same address again. It is safe for concurrent use.
type FaultProxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	rules  []Reset
	open   map[net.Conn]net.Conn // client side → server side (nil until dialled)
	served sync.WaitGroup

	conns    atomic.Int64
	resets   atomic.Int64
	answered atomic.Int64
}

// NewFaultProxy listens on a free loopback port and forwards every connection to target
// ("host:port"); it stops when the test ends. With no rules it forwards faithfully.
func NewFaultProxy(t testing.TB, target string) *FaultProxy {
	t.Helper()
	p := &FaultProxy{target: target, open: map[net.Conn]net.Conn{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testpeer: fault proxy for %s: %v", target, err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Stop)
	return p
}

// Addr is the proxy's "127.0.0.1:port", the same across Stop and Restart.
func (p *FaultProxy) Addr() string { return p.addr }

// SetResets replaces the rules; the first rule matching a connection decides its fate. The
// numbering of connections is not reset.
func (p *FaultProxy) SetResets(rules ...Reset) {
	p.mu.Lock()
	p.rules = rules
	p.mu.Unlock()
}

// Conns is how many connections the proxy has accepted.
func (p *FaultProxy) Conns() int { return int(p.conns.Load()) }

// Resets is how many connections the proxy has reset (by a rule or by Stop).
func (p *FaultProxy) Resets() int { return int(p.resets.Load()) }

// Answered is how many bytes of the server's answers the proxy has forwarded to clients, in
// all connections: everything a client has received is counted.
func (p *FaultProxy) Answered() int64 { return p.answered.Load() }

// Stop closes the listener and resets every open connection: the server is gone. Connections
// to the address are refused until Restart. Stop waits for the proxy's goroutines.
func (p *FaultProxy) Stop() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c, up := range p.open {
		p.reset(c)
		if up != nil {
			_ = up.Close()
		}
	}
	p.mu.Unlock()
	p.served.Wait()
}

// Restart listens on the proxy's address again after Stop.
func (p *FaultProxy) Restart() error {
	p.mu.Lock()
	running := p.ln != nil
	p.mu.Unlock()
	if running {
		return errors.New("fault proxy: restart while running")
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("fault proxy: listen again on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

func (p *FaultProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.served.Add(1)
	go func() {
		defer p.served.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := int(p.conns.Add(1))
			p.mu.Lock()
			rule, found := Reset{}, false
			for _, r := range p.rules {
				if r.matches(n) {
					rule, found = r, true
					break
				}
			}
			stopped := p.ln != ln
			if !stopped {
				p.open[c] = nil
			}
			p.mu.Unlock()
			if stopped || (found && rule.AfterBytes == 0) {
				p.reset(c)
				p.forget(c)
				continue
			}
			limit := int64(-1)
			if found {
				limit = rule.AfterBytes
			}
			p.served.Add(1)
			go func() {
				defer p.served.Done()
				p.pipe(c, limit)
			}()
		}
	}()
}

// pipe forwards c to the target in both directions; with limit ≥ 0 it resets c once limit
// bytes of the answer have been forwarded.
func (p *FaultProxy) pipe(c net.Conn, limit int64) {
	defer p.forget(c)
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.reset(c)
		return
	}
	defer up.Close()
	p.mu.Lock()
	_, open := p.open[c]
	if open {
		p.open[c] = up
	}
	p.mu.Unlock()
	if !open { // stopped while dialling
		return
	}
	p.served.Add(1)
	go func() {
		defer p.served.Done()
		_, _ = io.Copy(up, c)
		if tc, ok := up.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	buf := make([]byte, 32<<10)
	for sent := int64(0); limit < 0 || sent < limit; {
		b := buf
		if limit >= 0 {
			b = buf[:min(int64(len(buf)), limit-sent)]
		}
		n, err := up.Read(b)
		if n > 0 {
			p.answered.Add(int64(n))
			if _, werr := c.Write(b[:n]); werr != nil {
				_ = c.Close()
				return
			}
			sent += int64(n)
		}
		if err != nil { // the server ended first
			_ = c.Close()
			return
		}
	}
	p.reset(c)
}

// reset aborts c with a TCP RST instead of an orderly close.
func (p *FaultProxy) reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	if c.Close() == nil {
		p.resets.Add(1)
	}
}

func (p *FaultProxy) forget(c net.Conn) {
	p.mu.Lock()
	delete(p.open, c)
	p.mu.Unlock()
}
