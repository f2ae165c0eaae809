package reports

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Signer is the installation's Ed25519 key: it signs the JSON of every report submitted
// or exported, and its fingerprint is printed on the PDF.
type Signer struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

// keyFile is the private key's file in the capability's data directory (PKCS #8, PEM).
const keyFile = "ed25519.key"

// LoadOrCreateKey reads the key in dir, or creates one (mode 0600) on first use.
func LoadOrCreateKey(dir string) (*Signer, error) {
	path := filepath.Join(dir, keyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read report signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("report signing key %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("report signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("report signing key %s: not an Ed25519 key", path)
	}
	return &Signer{priv: priv, pub: priv.Public().(ed25519.PublicKey)}, nil
}

func createKey(dir, path string) (*Signer, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate report signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode report signing key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("report key directory: %w", err)
	}
	// O_EXCL: two processes starting at once keep one key, the loser reads it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("create report signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write report signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write report signing key: %w", err)
	}
	return &Signer{priv: priv, pub: pub}, nil
}

// NewSigner wraps a private key (tests, tools).
func NewSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{priv: priv, pub: priv.Public().(ed25519.PublicKey)}
}

// PublicKey is the key a regulator verifies with.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// Fingerprint is the lower-case hex SHA-256 of the public key.
func (s *Signer) Fingerprint() string { return Fingerprint(s.pub) }

// Fingerprint is the lower-case hex SHA-256 of pub.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

// Sign signs msg (a report's canonical JSON).
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }
