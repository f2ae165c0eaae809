package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/kernel/reportbundle"
)

// TestReportBundleVerify: `ciiguard bundle verify` recognises a signed report bundle by its
// format and checks it: a bundle of a hand-written signed-off report verifies, with and
// without the key's fingerprint, and says what it holds; it is refused under another
// fingerprint, with a byte of the report changed (the JSON's "2025" made "2024"), and for
// a report that is not signed off.
func TestReportBundleVerify(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(pub)
	sign := func(b []byte) ([]byte, error) { return ed25519.Sign(priv, b), nil }
	const content = `{"kind":"annual","year":2025,"version":1,"organisation":{"name_zh":"示例电网有限公司","uscc":"91110000MA00000017"},"sign_off":{"by":"security@grid.demo"}}`
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	b, err := reportbundle.Write([]byte(content), pdf, pub, sign, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	for _, args := range [][]string{nil, {"--key", hex.EncodeToString(fp[:])}} {
		out, err := verifyFile(t, b, args...)
		if err != nil {
			t.Fatalf("verify %v: %v", args, err)
		}
		for _, want := range []string{"report bundle verified: annual report 2025, version 1, of 示例电网有限公司 (91110000MA00000017), signed off by security@grid.demo",
			"report JSON SHA-256 " + hex.EncodeToString(sum[:]), "signed by installation key " + hex.EncodeToString(fp[:])} {
			if !strings.Contains(out, want) {
				t.Errorf("verify %v says %q; want %q", args, out, want)
			}
		}
	}
	other := sha256.Sum256([]byte("another key"))
	if _, err := verifyFile(t, b, "--key", hex.EncodeToString(other[:])); err == nil || !strings.Contains(err.Error(), "does NOT verify") {
		t.Errorf("under another fingerprint: %v", err)
	}
	changed, err := reportbundle.Write([]byte(strings.Replace(content, "2025", "2024", 1)), pdf, pub, sign, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// The changed report's bytes with the original's hashes and signature.
	orig, changedContent := string(b), string(changed)
	i, j := strings.Index(orig, `"content": "`), strings.Index(changedContent, `"content": "`)
	e1, e2 := strings.Index(orig[i:], `",`), strings.Index(changedContent[j:], `",`)
	tampered := orig[:i] + changedContent[j:j+e2] + orig[i+e1:]
	if _, err := verifyFile(t, []byte(tampered)); err == nil || !strings.Contains(err.Error(), "the report was changed") {
		t.Errorf("a byte of the report changed: %v", err)
	}
	unsigned, err := reportbundle.Write([]byte(strings.Replace(content, `,"sign_off":{"by":"security@grid.demo"}`, "", 1)), pdf, pub, sign, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyFile(t, unsigned); err == nil || !strings.Contains(err.Error(), "not signed off") {
		t.Errorf("a report not signed off: %v", err)
	}
}

// TestReceiptVerify: `ciiguard bundle verify` recognises the department's signed receipt
// by its format: a receipt of a hand-written answer verifies and says whose report it
// answers and the department's last answer with its note; with its state changed after
// signing it does not.
func TestReceiptVerify(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(pub)
	rc := reportbundle.Receipt{Issued: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC), ContentSHA256: strings.Repeat("ab", 32), ReportKeyFingerprint: strings.Repeat("cd", 32),
		USCC: "91110000MA00000017", Kind: "annual", Year: 2025, Version: 1, DepartmentZH: "示例能源行业主管部门", State: "accepted",
		Answers: []reportbundle.ReceiptAnswer{{Action: "accepted", Note: "材料齐全，予以受理。", By: "analyst", At: time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)}}}
	b, err := reportbundle.WriteReceipt(rc, pub, func(m []byte) ([]byte, error) { return ed25519.Sign(priv, m), nil })
	if err != nil {
		t.Fatal(err)
	}
	out, err := verifyFile(t, b, "--key", hex.EncodeToString(fp[:]))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"report receipt verified: 示例能源行业主管部门 answers annual report 2025, version 1, of 91110000MA00000017 (report JSON SHA-256 " + strings.Repeat("ab", 32) + ")",
		"state accepted\nanswer accepted 2026-12-03T01:00:00Z by analyst: 材料齐全，予以受理。\n", "signed by installation key " + hex.EncodeToString(fp[:])} {
		if !strings.Contains(out, want) {
			t.Errorf("verify says %q; want %q", out, want)
		}
	}
	rc.State = "info_requested"
	forged, err := reportbundle.WriteReceipt(rc, pub, func(m []byte) ([]byte, error) { return make([]byte, ed25519.SignatureSize), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyFile(t, forged); err == nil || !strings.Contains(err.Error(), "does NOT verify") {
		t.Errorf("a receipt with a bad signature: %v", err)
	}
}
