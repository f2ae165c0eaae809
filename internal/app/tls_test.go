package app_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// writeTestCert writes a self-signed RSA certificate for 127.0.0.1 and its key as PEM files
// and returns their paths.
func writeTestCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ciiguard test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestHTTPSServer runs the real server with --tls-cert/--tls-key on loopback and connects
// with clients that each offer one protocol version and cipher suite: TLS 1.2 is accepted
// only with ECDHE key exchange and an AEAD cipher, TLS 1.3 works, TLS 1.1 does not, and
// every answer over TLS carries HSTS.
func TestHTTPSServer(t *testing.T) {
	t.Parallel()
	certFile, keyFile := writeTestCert(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(context.Background(), app.Config{Data: t.TempDir(), DB: storetest.DSN(t, store.SQLite), Addr: "127.0.0.1:0", TLSCert: certFile, TLSKey: keyFile}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	bound := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { bound <- addr }) }()
	defer func() {
		cancel()
		<-done
	}()
	var addr string
	select {
	case addr = <-bound:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	cases := []struct {
		name     string
		version  uint16
		suite    uint16 // 0: the client's defaults for that version
		accepted bool
	}{
		{"TLS 1.2 ECDHE-RSA AES-128-GCM", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, true},
		{"TLS 1.2 ECDHE-RSA AES-256-GCM", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, true},
		{"TLS 1.2 ECDHE-RSA ChaCha20-Poly1305", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, true},
		{"TLS 1.2 ECDHE-RSA AES-128-CBC-SHA (not AEAD)", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, false},
		{"TLS 1.2 ECDHE-RSA AES-256-CBC-SHA (not AEAD)", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, false},
		{"TLS 1.2 ECDHE-RSA AES-128-CBC-SHA256 (not AEAD)", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, false},
		{"TLS 1.2 RSA AES-128-GCM (no ECDHE)", tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, false},
		{"TLS 1.2 RSA AES-128-CBC-SHA (neither)", tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_CBC_SHA, false},
		{"TLS 1.3", tls.VersionTLS13, 0, true},
		{"TLS 1.1", tls.VersionTLS11, 0, false},
	}
	for _, c := range cases {
		cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: c.version, MaxVersion: c.version}
		if c.suite != 0 {
			cfg.CipherSuites = []uint16{c.suite}
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
		res, err := client.Get("https://" + addr + "/healthz")
		if !c.accepted {
			if err == nil {
				res.Body.Close()
				t.Errorf("%s: the server accepted a client offering only it (negotiated %s)", c.name, tls.CipherSuiteName(res.TLS.CipherSuite))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		res.Body.Close()
		hsts := res.Header.Get("Strict-Transport-Security")
		age, _ := strconv.Atoi(strings.TrimPrefix(hsts, "max-age="))
		if !strings.HasPrefix(hsts, "max-age=") || age < 180*24*3600 {
			t.Errorf("%s: Strict-Transport-Security %q, want max-age of at least 180 days", c.name, hsts)
		}
	}
}
