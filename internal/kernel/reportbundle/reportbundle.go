// Package reportbundle is the signed report bundle, `ciiguard-report-bundle/1`: an
// assessment report exported by one installation for submission outside ciiguard (CIIR
// 2021 Art. 17 leaves the channel to the protection-work department) and imported and
// verified by another — federation without a network link. The reports capability writes
// it, the oversight capability imports it, `ciiguard bundle verify` checks it offline; the
// format lives in the kernel because no capability imports another.
//
// A bundle is one JSON object:
//
//	format           "ciiguard-report-bundle/1"
//	created          RFC 3339, when it was exported
//	content          base64 of the report's canonical JSON (the bytes whose SHA-256 its PDF prints)
//	content_sha256   hex SHA-256 of those bytes
//	pdf              base64 of the report's Chinese PDF
//	pdf_sha256       hex SHA-256 of the PDF
//	public_key       base64 Ed25519 public key of the exporting installation
//	key_fingerprint  hex SHA-256 of the public key (what the installation publishes)
//	signature        base64 Ed25519 signature over SignedText
//
// The signature binds both hashes, the key's fingerprint and the time, so that a changed
// byte of the report, of its PDF or of the manifest fails; a bundle signed with another key
// verifies only when no fingerprint is pinned, and says whose key it was.
package reportbundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"ciiguard/internal/problem"
)

// Format names the bundle's format and version.
const Format = "ciiguard-report-bundle/1"

// MaxSize is the largest bundle read: a report's JSON (at most 1 MiB as a submission's
// payload) and its PDF (the rows of every list are bounded), base64-encoded, with room.
const MaxSize = 48 << 20

// Bundle is the file as written.
type Bundle struct {
	Format         string    `json:"format"`
	Created        time.Time `json:"created"`
	Content        []byte    `json:"content"`
	ContentSHA256  string    `json:"content_sha256"`
	PDF            []byte    `json:"pdf"`
	PDFSHA256      string    `json:"pdf_sha256"`
	PublicKey      []byte    `json:"public_key"`
	KeyFingerprint string    `json:"key_fingerprint"`
	Signature      []byte    `json:"signature"`
}

// SignedText is what the signature covers: the format, the time, both hashes and the
// key's fingerprint, one a line.
func SignedText(b *Bundle) []byte {
	return fmt.Appendf(nil, "%s\ncreated %s\ncontent_sha256 %s\npdf_sha256 %s\nkey_fingerprint %s\n",
		Format, b.Created.UTC().Format(time.RFC3339Nano), b.ContentSHA256, b.PDFSHA256, b.KeyFingerprint)
}

// Write returns the bundle of content (the report's canonical JSON) and pdf, signed by
// sign with pub.
func Write(content, pdf []byte, pub ed25519.PublicKey, sign func([]byte) ([]byte, error), now time.Time) ([]byte, error) {
	b := &Bundle{Format: Format, Created: now.UTC().Truncate(time.Second), Content: content, ContentSHA256: hexSHA(content),
		PDF: pdf, PDFSHA256: hexSHA(pdf), PublicKey: pub, KeyFingerprint: hexSHA(pub)}
	sig, err := sign(SignedText(b))
	if err != nil {
		return nil, fmt.Errorf("sign the report bundle: %w", err)
	}
	b.Signature = sig
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode the report bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// Report is what a verified bundle holds, with what the report says about itself.
type Report struct {
	Created        time.Time
	Content        []byte
	ContentSHA256  string
	PDF            []byte
	PDFSHA256      string
	PublicKey      ed25519.PublicKey
	KeyFingerprint string
	// From the content: the reporting organisation, the kind, year and version, and who
	// signed it off (a bundle of a version not signed off is refused).
	USCC, NameZH, NameEN string
	Kind                 string
	Year, Version        int
	SignedOffBy          string
}

// Verify reads a bundle and checks it: the format, the key against its fingerprint (and
// against want, when not empty), the signature over SignedText, each file against its
// hash, the PDF's first bytes, and the content as a signed-off report naming its
// organisation. A refusal is a *problem.Invalid on the field `bundle` (on `key` for a
// bundle signed with another key than want), so that an importer answers it as bad input
// and the reason is translated; any other error is reading the file.
func Verify(r io.Reader, want string) (*Report, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the report bundle: %w", err)
	}
	if len(raw) > MaxSize {
		return nil, problem.Field("bundle", "is larger than %d bytes", MaxSize)
	}
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, problem.Field("bundle", "is not a report bundle: %v", err)
	}
	if dec.More() {
		return nil, problem.Field("bundle", "holds data after the bundle's object")
	}
	switch {
	case b.Format != Format:
		return nil, problem.Field("bundle", "has the format %q, not %s", b.Format, Format)
	case len(b.PublicKey) != ed25519.PublicKeySize:
		return nil, problem.Field("bundle", "holds no Ed25519 public key")
	case hexSHA(b.PublicKey) != b.KeyFingerprint:
		return nil, problem.Field("bundle", "names a key fingerprint that is not the SHA-256 of its public key")
	case want != "" && want != b.KeyFingerprint:
		return nil, problem.Field("key", "the bundle is signed with key %s, not with %s", b.KeyFingerprint, want)
	case !ed25519.Verify(b.PublicKey, SignedText(&b), b.Signature):
		return nil, problem.Field("bundle", "has a signature that does not verify with its key: the bundle was changed after it was signed")
	case hexSHA(b.Content) != b.ContentSHA256:
		return nil, problem.Field("bundle", "holds a report whose SHA-256 is not the signed one: the report was changed")
	case hexSHA(b.PDF) != b.PDFSHA256:
		return nil, problem.Field("bundle", "holds a PDF whose SHA-256 is not the signed one: the PDF was changed")
	case !bytes.HasPrefix(b.PDF, []byte("%PDF-")):
		return nil, problem.Field("bundle", "holds a PDF file that is not a PDF")
	}
	var c struct {
		Kind         string `json:"kind"`
		Year         int    `json:"year"`
		Version      int    `json:"version"`
		Organisation struct {
			NameZh string `json:"name_zh"`
			NameEn string `json:"name_en"`
			USCC   string `json:"uscc"`
		} `json:"organisation"`
		SignOff *struct {
			By string `json:"by"`
		} `json:"sign_off"`
	}
	if err := json.Unmarshal(b.Content, &c); err != nil {
		return nil, problem.Field("bundle", "holds a report that is not JSON: %v", err)
	}
	switch {
	case c.Kind == "" || c.Year == 0 || c.Version == 0:
		return nil, problem.Field("bundle", "holds a report without its kind, year or version")
	case c.Organisation.USCC == "" || c.Organisation.NameZh == "":
		return nil, problem.Field("bundle", "holds a report that names no organisation (its unified social credit code and name)")
	case c.SignOff == nil || c.SignOff.By == "":
		return nil, problem.Field("bundle", "holds a report version that is not signed off")
	}
	return &Report{Created: b.Created, Content: b.Content, ContentSHA256: b.ContentSHA256, PDF: b.PDF, PDFSHA256: b.PDFSHA256,
		PublicKey: b.PublicKey, KeyFingerprint: b.KeyFingerprint, USCC: c.Organisation.USCC, NameZH: c.Organisation.NameZh,
		NameEN: c.Organisation.NameEn, Kind: c.Kind, Year: c.Year, Version: c.Version, SignedOffBy: c.SignOff.By}, nil
}

// IsBundle reports whether head (the first bytes of a file) looks like a report bundle,
// so that `ciiguard bundle verify` picks the verifier.
func IsBundle(head []byte) bool {
	return bytes.Contains(head, []byte(`"format": "`+Format+`"`)) || bytes.Contains(head, []byte(`"format":"`+Format+`"`))
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
