package reportbundle_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/problem"
)

// seed is a bundle of a hand-written signed-off report, signed with a fixed key.
func seed(t testing.TB) ([]byte, string, []byte) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	content := []byte(`{"kind":"annual","year":2025,"version":2,"organisation":{"name_zh":"示例电网有限公司","name_en":"Example Grid","uscc":"91110000MA00000017"},"sign_off":{"by":"sm"}}`)
	b, err := reportbundle.Write(content, []byte("%PDF-1.7\n"), pub, func(m []byte) ([]byte, error) { return ed25519.Sign(priv, m), nil },
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(pub)
	return b, hex.EncodeToString(fp[:]), content
}

// TestVerifySeed: the seed verifies, and what Verify reads of it is the hand-written
// report's (kind, year, version, code, signer, hash).
func TestVerifySeed(t *testing.T) {
	b, fp, content := seed(t)
	rep, err := reportbundle.Verify(bytes.NewReader(b), fp)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if rep.Kind != "annual" || rep.Year != 2025 || rep.Version != 2 || rep.USCC != "91110000MA00000017" || rep.SignedOffBy != "sm" ||
		rep.ContentSHA256 != hex.EncodeToString(sum[:]) || !bytes.Equal(rep.Content, content) {
		t.Fatalf("read %+v", rep)
	}
}

// FuzzVerify: whatever the bytes, Verify does not panic, refuses with a field problem, and
// what it accepts under the seed's key is the seed's report and PDF.
func FuzzVerify(f *testing.F) {
	b, fp, content := seed(f)
	f.Add(b)
	f.Add([]byte(`{"format":"ciiguard-report-bundle/1"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep, err := reportbundle.Verify(bytes.NewReader(in), fp)
		if err != nil {
			if _, ok := problem.As[*problem.Invalid](err); !ok {
				t.Fatalf("refused without a field problem: %v", err)
			}
			return
		}
		if !bytes.Equal(rep.Content, content) || !bytes.Equal(rep.PDF, []byte("%PDF-1.7\n")) {
			t.Fatalf("accepted another report under the seed's key: %q", rep.Content)
		}
	})
}
