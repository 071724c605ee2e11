package daemon

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provost-dev/provost/audit"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key (PEM, 0600) and returns
// their paths and a pool trusting it.
func writeCert(t *testing.T) (certPath, keyPath string, pool *x509.CertPool) {
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
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	return certPath, keyPath, pool
}

func TestTLS(t *testing.T) {
	certPath, keyPath, pool := writeCert(t)
	noRun := func(context.Context) (*audit.Result, error) { return nil, errors.New("no runs here") }
	l := startLive(t, configWith(func(c *Config) { c.TLSCert, c.TLSKey = certPath, keyPath }), noRun)
	addr := strings.TrimPrefix(l.base, "http://")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	tests := []struct {
		path, token string
		status      int
	}{
		{"/healthz", "", 200},
		{"/api/v1/runs", "", 401},
		{"/api/v1/runs", testToken, 200},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", "https://"+addr+tt.path, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET https %s: %v", tt.path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.TLS == nil {
			t.Errorf("GET https %s: %d (TLS %v), want %d over TLS", tt.path, resp.StatusCode, resp.TLS != nil, tt.status)
		}
	}
	// Plain HTTP to the TLS port gets no API answer.
	resp, err := http.Get("http://" + addr + "/healthz")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP to the TLS listener answered 200: %s", b)
		}
	}
}

func TestTLSBadKeyPair(t *testing.T) {
	certPath, _, _ := writeCert(t)
	_, otherKey, _ := writeCert(t)
	d := newTestDaemon(t, Options{Config: configWith(func(c *Config) { c.TLSCert, c.TLSKey = certPath, otherKey }),
		Run: func(context.Context) (*audit.Result, error) { return nil, nil }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = d.Serve(context.Background(), ln)
	if err == nil || !strings.HasPrefix(err.Error(), "load daemon.tls_cert/daemon.tls_key: tls: private key does not match public key") {
		t.Errorf("Serve with a mismatched key pair: %v", err)
	}
}
