package reportbundle_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/problem"
)

// receiptSeed is a receipt of a hand-written answer, signed with a fixed department key.
func receiptSeed(t testing.TB) ([]byte, string) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	r := reportbundle.Receipt{Issued: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC), ContentSHA256: strings.Repeat("ab", 32),
		ReportKeyFingerprint: strings.Repeat("cd", 32), USCC: "91110000MA00000017", Kind: "annual", Year: 2025, Version: 2,
		DepartmentZH: "示例能源行业主管部门", DepartmentEN: "Example energy authority", State: "accepted",
		Answers: []reportbundle.ReceiptAnswer{{Action: "acknowledged", By: "analyst", At: time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)},
			{Action: "accepted", Note: "材料齐全，予以受理。", By: "analyst", At: time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)}}}
	out, err := reportbundle.WriteReceipt(r, pub, func(m []byte) ([]byte, error) { return ed25519.Sign(priv, m), nil })
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(pub)
	return out, hex.EncodeToString(fp[:])
}

// TestReceipt: the seed verifies and reads back as written; each change below is refused
// on the field named, with the reason written here.
func TestReceipt(t *testing.T) {
	good, fp := receiptSeed(t)
	rc, err := reportbundle.VerifyReceipt(bytes.NewReader(good), fp)
	if err != nil {
		t.Fatal(err)
	}
	if rc.State != "accepted" || len(rc.Answers) != 2 || rc.Answers[1].Note != "材料齐全，予以受理。" || rc.Year != 2025 || rc.KeyFingerprint != fp {
		t.Fatalf("read %+v", rc)
	}
	// edit decodes the file, lets change alter the signed receipt's JSON (or the file),
	// and encodes it again with the old signature.
	edit := func(change func(file map[string]any, inner map[string]any)) []byte {
		var file map[string]any
		if err := json.Unmarshal(good, &file); err != nil {
			t.Fatal(err)
		}
		body, _ := base64.StdEncoding.DecodeString(file["receipt"].(string))
		var inner map[string]any
		if err := json.Unmarshal(body, &inner); err != nil {
			t.Fatal(err)
		}
		change(file, inner)
		body, _ = json.Marshal(inner)
		file["receipt"] = base64.StdEncoding.EncodeToString(body)
		out, _ := json.Marshal(file)
		return out
	}
	for _, tc := range []struct {
		name, field, reason string
		in                  []byte
		key                 string
	}{
		{"state changed", "receipt", "does not verify", edit(func(_, in map[string]any) { in["state"] = "info_requested" }), fp},
		{"a note changed", "receipt", "does not verify", edit(func(_, in map[string]any) { in["answers"].([]any)[1].(map[string]any)["note"] = "不予受理" }), fp},
		{"another key pinned", "key", "not with", good, strings.Repeat("0", 64)},
		{"fingerprint not of the key", "receipt", "not the SHA-256", edit(func(f, _ map[string]any) { f["key_fingerprint"] = strings.Repeat("0", 64) }), ""},
		{"another format", "receipt", "format", edit(func(f, _ map[string]any) { f["format"] = "ciiguard-report-bundle/1" }), ""},
		{"not JSON", "receipt", "not a report receipt", []byte("回执"), ""},
		{"too large", "receipt", "larger than", bytes.Repeat([]byte(" "), reportbundle.MaxReceiptSize+1), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reportbundle.VerifyReceipt(bytes.NewReader(tc.in), tc.key)
			inv, ok := problem.As[*problem.Invalid](err)
			if !ok {
				t.Fatalf("err %v, want a refusal on %s", err, tc.field)
			}
			if len(inv.Fields) != 1 || inv.Fields[0].Field != tc.field || !strings.Contains(inv.Fields[0].Reason, tc.reason) {
				t.Fatalf("refusal %v, want on %s saying %q", inv, tc.field, tc.reason)
			}
		})
	}
}

// FuzzVerifyReceipt: whatever the bytes, VerifyReceipt does not panic, refuses with a
// field problem, and what it accepts under the seed's key says what the seed says.
func FuzzVerifyReceipt(f *testing.F) {
	good, fp := receiptSeed(f)
	f.Add(good)
	f.Add([]byte(`{"format":"ciiguard-report-receipt/1"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		rc, err := reportbundle.VerifyReceipt(bytes.NewReader(in), fp)
		if err != nil {
			if _, ok := problem.As[*problem.Invalid](err); !ok {
				t.Fatalf("refused without a field problem: %v", err)
			}
			return
		}
		if rc.State != "accepted" || rc.ContentSHA256 != strings.Repeat("ab", 32) {
			t.Fatalf("accepted another receipt under the seed's key: %+v", rc.Receipt)
		}
	})
}
