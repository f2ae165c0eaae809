package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"

	"golang.org/x/mod/sumdb/note"
)

// bundleEnd is the last record of a bundle. Everything in it is repeated in
// Signed, a note signed with the vault's key whose text is endText: so a
// bundle whose event lines were dropped, reordered or duplicated, or whose
// header was edited, fails even if the plain fields were changed to match.
type bundleEnd struct {
	Type     string  `json:"type"`
	Events   uint64  `json:"events"`
	Newest   *uint64 `json:"newest,omitempty"` // first event line's index (none in an empty bundle)
	Oldest   *uint64 `json:"oldest,omitempty"` // last event line's index
	TreeSize uint64  `json:"tree_size"`
	Header   string  `json:"header_sha256"` // hex SHA-256 of the header line's bytes
	Digest   string  `json:"events_sha256"` // hex SHA-256 over every event line's u64 BE index ‖ leaf hash, in order
	Signed   string  `json:"signed"`        // signed note of endText
}

// endFormat is the first line of a signed end record's text.
const endFormat = "ciiguard-vault-bundle-end/2"

// endText is the text the end record signs:
//
//	ciiguard-vault-bundle-end/2
//	ORIGIN
//	tree SIZE BASE64ROOT
//	header HEX
//	events N
//	range NEWEST OLDEST        ("range none" when N is 0)
//	digest HEX
func endText(origin string, size uint64, root [32]byte, e *bundleEnd) string {
	rng := "none"
	if e.Newest != nil && e.Oldest != nil {
		rng = fmt.Sprintf("%d %d", *e.Newest, *e.Oldest)
	}
	return fmt.Sprintf("%s\n%s\ntree %d %s\nheader %s\nevents %d\nrange %s\ndigest %s\n",
		endFormat, origin, size, base64.StdEncoding.EncodeToString(root[:]), e.Header, e.Events, rng, e.Digest)
}

// eventDigest accumulates the event lines of a bundle in order.
type eventDigest struct {
	h              hash.Hash
	n              uint64
	newest, oldest uint64
}

func newEventDigest() *eventDigest { return &eventDigest{h: sha256.New()} }

func (d *eventDigest) add(index uint64, leafHash [32]byte) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], index)
	d.h.Write(b[:])
	d.h.Write(leafHash[:])
	if d.n == 0 {
		d.newest = index
	}
	d.oldest = index
	d.n++
}

// end fills the record's counted fields (not the signature).
func (d *eventDigest) end(size uint64, headerLine []byte) *bundleEnd {
	hs := sha256.Sum256(headerLine)
	e := &bundleEnd{Type: "end", Events: d.n, TreeSize: size, Header: hex.EncodeToString(hs[:]), Digest: hex.EncodeToString(d.h.Sum(nil))}
	if d.n > 0 {
		nw, ol := d.newest, d.oldest
		e.Newest, e.Oldest = &nw, &ol
	}
	return e
}

// signEnd makes the signed end record of a bundle.
func (v *Vault) signEnd(org int64, size uint64, root [32]byte, headerLine []byte, dig *eventDigest) (*bundleEnd, error) {
	end := dig.end(size, headerLine)
	signed, err := note.Sign(&note.Note{Text: endText(Origin(org), size, root, end)}, v.signer)
	if err != nil {
		return nil, fmt.Errorf("sign end record: %w", err)
	}
	end.Signed = string(signed)
	return end, nil
}

// jsonLine encodes v as one JSON line without its newline, HTML left unescaped.
func jsonLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
