package reportbundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"ciiguard/internal/problem"
)

// A receipt, `ciiguard-report-receipt/1`, is the department's answer to a report bundle it
// imported, carried back the way the bundle came: the department's installation signs it,
// the operator's installation imports it on the report and verifies it. Without it, an
// operator who files outside ciiguard never learns in ciiguard whether the report was
// accepted or what more the department asks for.
//
// The file is one JSON object:
//
//	format           "ciiguard-report-receipt/1"
//	receipt          base64 of the receipt's JSON (Receipt), the bytes signed
//	public_key       base64 Ed25519 public key of the department's installation
//	key_fingerprint  hex SHA-256 of the public key
//	signature        base64 Ed25519 signature over the receipt's bytes
//
// Signing the bytes themselves, not a re-encoding, means nothing in them can change
// unnoticed.

// ReceiptFormat names the receipt's format and version.
const ReceiptFormat = "ciiguard-report-receipt/1"

// MaxReceiptSize is the largest receipt read: a report's answers are a few notes.
const MaxReceiptSize = 1 << 20

// Receipt states: the department's latest answer, or received when it has not answered.
const (
	ReceiptReceived      = "submitted"
	ReceiptAcknowledged  = "acknowledged"
	ReceiptInfoRequested = "info_requested"
	ReceiptAccepted      = "accepted"
)

// ReceiptStates lists the states a receipt may carry.
var ReceiptStates = []string{ReceiptReceived, ReceiptAcknowledged, ReceiptInfoRequested, ReceiptAccepted}

// Receipt is what the department signs: which report it answers (the bundle's content
// SHA-256 and the operator's key that signed it), who answers, and its answers so far.
type Receipt struct {
	Format               string          `json:"format"`
	Issued               time.Time       `json:"issued"`
	ContentSHA256        string          `json:"content_sha256"`
	ReportKeyFingerprint string          `json:"report_key_fingerprint"`
	USCC                 string          `json:"uscc"`
	Kind                 string          `json:"kind"`
	Year                 int             `json:"year"`
	Version              int             `json:"version"`
	DepartmentZH         string          `json:"department_zh"`
	DepartmentEN         string          `json:"department_en"`
	State                string          `json:"state"`
	Answers              []ReceiptAnswer `json:"answers"`
}

// ReceiptAnswer is one answer of the department, as its inbox records it.
type ReceiptAnswer struct {
	Action string    `json:"action"`
	Note   string    `json:"note"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// receiptFile is the file as written.
type receiptFile struct {
	Format         string `json:"format"`
	Receipt        []byte `json:"receipt"`
	PublicKey      []byte `json:"public_key"`
	KeyFingerprint string `json:"key_fingerprint"`
	Signature      []byte `json:"signature"`
}

// WriteReceipt returns the receipt file of r, signed by sign with pub.
func WriteReceipt(r Receipt, pub ed25519.PublicKey, sign func([]byte) ([]byte, error)) ([]byte, error) {
	r.Format = ReceiptFormat
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode the receipt: %w", err)
	}
	sig, err := sign(body)
	if err != nil {
		return nil, fmt.Errorf("sign the receipt: %w", err)
	}
	out, err := json.MarshalIndent(receiptFile{Format: ReceiptFormat, Receipt: body, PublicKey: pub, KeyFingerprint: hexSHA(pub), Signature: sig}, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode the receipt file: %w", err)
	}
	return append(out, '\n'), nil
}

// VerifiedReceipt is a receipt that verified, with the key that signed it.
type VerifiedReceipt struct {
	Receipt
	KeyFingerprint string
	// Raw is the receipt file as read, kept by the importer as its record.
	Raw []byte
}

// VerifyReceipt reads a receipt file and checks it: the format, the key against its
// fingerprint (and against want, the department's published fingerprint, when not empty),
// the signature over the receipt's bytes, and the receipt's own fields. A refusal is a
// *problem.Invalid on `receipt` (on `key` for another key than want); any other error is
// reading the file.
func VerifyReceipt(r io.Reader, want string) (*VerifiedReceipt, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxReceiptSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the receipt: %w", err)
	}
	if len(raw) > MaxReceiptSize {
		return nil, problem.Field("receipt", "is larger than %d bytes", MaxReceiptSize)
	}
	var f receiptFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, problem.Field("receipt", "is not a report receipt: %v", err)
	}
	if dec.More() {
		return nil, problem.Field("receipt", "holds data after the receipt's object")
	}
	switch {
	case f.Format != ReceiptFormat:
		return nil, problem.Field("receipt", "has the format %q, not %s", f.Format, ReceiptFormat)
	case len(f.PublicKey) != ed25519.PublicKeySize:
		return nil, problem.Field("receipt", "holds no Ed25519 public key")
	case hexSHA(f.PublicKey) != f.KeyFingerprint:
		return nil, problem.Field("receipt", "names a key fingerprint that is not the SHA-256 of its public key")
	case want != "" && want != f.KeyFingerprint:
		return nil, problem.Field("key", "the receipt is signed with key %s, not with %s", f.KeyFingerprint, want)
	case !ed25519.Verify(f.PublicKey, f.Receipt, f.Signature):
		return nil, problem.Field("receipt", "has a signature that does not verify with its key: the receipt was changed after it was signed")
	}
	var rc Receipt
	inner := json.NewDecoder(bytes.NewReader(f.Receipt))
	inner.DisallowUnknownFields()
	if err := inner.Decode(&rc); err != nil {
		return nil, problem.Field("receipt", "holds a signed text that is not a receipt: %v", err)
	}
	switch {
	case rc.Format != ReceiptFormat:
		return nil, problem.Field("receipt", "signs the format %q, not %s", rc.Format, ReceiptFormat)
	case len(rc.ContentSHA256) != 64 || rc.USCC == "" || rc.Kind == "" || rc.Year == 0 || rc.Version == 0:
		return nil, problem.Field("receipt", "names no report (its content SHA-256, organisation, kind, year and version)")
	case rc.DepartmentZH == "":
		return nil, problem.Field("receipt", "names no department")
	case !slices.Contains(ReceiptStates, rc.State):
		return nil, problem.Field("receipt", "has the state %q, not one of %v", rc.State, ReceiptStates)
	}
	return &VerifiedReceipt{Receipt: rc, KeyFingerprint: f.KeyFingerprint, Raw: raw}, nil
}

// IsReceipt reports whether head (the first bytes of a file) looks like a report receipt,
// so that `ciiguard bundle verify` picks the verifier.
func IsReceipt(head []byte) bool {
	return bytes.Contains(head, []byte(`"format": "`+ReceiptFormat+`"`)) || bytes.Contains(head, []byte(`"format":"`+ReceiptFormat+`"`))
}
