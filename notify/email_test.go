package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// smtpServer is a small SMTP server for tests: EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT. It records the session.
type smtpServer struct {
	ln       net.Listener
	cert     tls.Certificate
	starttls bool
	wg       sync.WaitGroup

	mu       sync.Mutex
	log      []string // commands, with "(tls)" once upgraded
	auth     string   // decoded AUTH PLAIN
	data     string
	authInTL bool
}

func newSMTPServer(t *testing.T, starttls bool) (*smtpServer, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, starttls: starttls}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.session(c) })
		}
	})
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s, pool
}

func (s *smtpServer) record(line string, tlsOn bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tlsOn {
		line += " (tls)"
	}
	s.log = append(s.log, line)
}

func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	tlsOn := false
	_ = tp.PrintfLine("220 127.0.0.1 ESMTP test")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		if verb == "AUTH" {
			s.record("AUTH", tlsOn)
		} else {
			s.record(line, tlsOn)
		}
		switch verb {
		case "EHLO":
			ext := []string{"250-127.0.0.1"}
			if s.starttls && !tlsOn {
				ext = append(ext, "250-STARTTLS")
			}
			if tlsOn {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext = append(ext, "250 8BITMIME")
			_ = tp.PrintfLine("%s", strings.Join(ext, "\r\n"))
		case "STARTTLS":
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{s.cert}})
			if tc.Handshake() != nil {
				return
			}
			c, tlsOn = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			f := strings.Fields(line)
			raw, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
			s.mu.Lock()
			s.auth, s.authInTL = string(raw), tlsOn
			s.mu.Unlock()
			_ = tp.PrintfLine("235 ok")
		case "MAIL", "RCPT":
			if strings.Contains(line, "blocked@") {
				_ = tp.PrintfLine("550 no such user")
				continue
			}
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.data = string(b)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 unknown")
		}
	}
}

func TestEmail(t *testing.T) {
	srv, pool := newSMTPServer(t, true)
	e := &Email{
		Addr: srv.ln.Addr().String(), From: "provost@example.com", To: []string{"sec@example.com", "oncall@example.com"},
		Username: "provost", Password: "pa55",
		TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
		Now: func() time.Time { return at },
	}
	n := &Notifier{Senders: []Sender{e}}
	if err := n.Notify(context.Background(), testDigest()); err != nil {
		t.Fatal(err)
	}
	srv.ln.Close()
	srv.wg.Wait()
	wantLog := []string{
		"EHLO provost",
		"STARTTLS",
		"EHLO provost (tls)",
		"AUTH (tls)",
		"MAIL FROM:<provost@example.com> BODY=8BITMIME (tls)",
		"RCPT TO:<sec@example.com> (tls)",
		"RCPT TO:<oncall@example.com> (tls)",
		"DATA (tls)",
		"QUIT (tls)",
	}
	if diff := cmp.Diff(wantLog, srv.log); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	if srv.auth != "\x00provost\x00pa55" || !srv.authInTL {
		t.Errorf("auth %q (in TLS: %v)", srv.auth, srv.authInTL)
	}
	want := "From: provost@example.com\nTo: sec@example.com, oncall@example.com\nSubject: Provost: 3 new finding(s), 3 drift event(s)\n" +
		"Date: Thu, 19 Mar 2026 09:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + Text(testDigest())
	if diff := cmp.Diff(want, srv.data); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

func TestEmailRefusals(t *testing.T) {
	plain, _ := newSMTPServer(t, false)
	tlsSrv, pool := newSMTPServer(t, true)
	tests := []struct {
		name string
		e    *Email
		want string
	}{
		{name: "no STARTTLS", e: &Email{Addr: plain.ln.Addr().String(), From: "p@example.com", To: []string{"s@example.com"}, Password: "pa55"},
			want: "does not offer STARTTLS: refusing to send in clear: permanent"},
		{name: "untrusted certificate", e: &Email{Addr: tlsSrv.ln.Addr().String(), From: "p@example.com", To: []string{"s@example.com"}},
			want: "starttls: tls: failed to verify certificate"},
		{name: "refused recipient", e: &Email{Addr: tlsSrv.ln.Addr().String(), From: "p@example.com", To: []string{"blocked@example.com"}, TLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}},
			want: `recipient blocked@example.com: 550 "no such user": permanent`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Send(context.Background(), testDigest())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(tt.want, "permanent") != errors.Is(err, ErrPermanent) {
				t.Errorf("errors.Is(ErrPermanent) = %v", errors.Is(err, ErrPermanent))
			}
		})
	}
	_ = plain.ln.Close()
	plain.wg.Wait()
	for _, line := range plain.log {
		if strings.HasPrefix(line, "AUTH") || strings.HasPrefix(line, "MAIL") {
			t.Errorf("sent %q to a server without STARTTLS", line)
		}
	}
}
