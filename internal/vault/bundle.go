package vault

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// BundleFormat identifies version 2 of the export bundle, whose end record
// is signed. Version 1 bundles (unsigned end record) are refused: a line
// could be dropped from one and its count lowered unnoticed.
const BundleFormat = "ciiguard-vault-bundle/2"

// maxBundleEvents caps one export; narrow the query for more.
const maxBundleEvents = 1_000_000

type bundleHeader struct {
	Type        string    `json:"type"`
	Format      string    `json:"format"`
	Origin      string    `json:"origin"`
	OrgID       int64     `json:"org_id"`
	Query       string    `json:"query"`
	From        time.Time `json:"from,omitzero"`
	To          time.Time `json:"to,omitzero"`
	Created     time.Time `json:"created"`
	VerifierKey string    `json:"verifier_key"`
	Checkpoint  string    `json:"checkpoint"`
}

type bundleEvent struct {
	Type  string   `json:"type"`
	Index uint64   `json:"index"`
	Event Event    `json:"event"`
	Leaf  string   `json:"leaf"`
	Proof []string `json:"proof"`
}

// ExportBundle writes the events matching q (newest first), each with its
// inclusion proof against a checkpoint signed for this export, as one
// NDJSON bundle (see the package doc). At most 1,000,000 events.
func (v *Vault) ExportBundle(ctx context.Context, orgID int64, q Query, w io.Writer) error {
	signed, err := v.Checkpoint(ctx, orgID)
	if err != nil {
		return err
	}
	size, root, err := v.openCheckpoint(signed, orgID)
	if err != nil {
		return fmt.Errorf("vault: export: own checkpoint: %w", err)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	hdr := bundleHeader{Type: "header", Format: BundleFormat, Origin: Origin(orgID), OrgID: orgID, Query: q.Expr,
		From: q.From, To: q.To, Created: v.now().UTC(), VerifierKey: v.vkey, Checkpoint: string(signed)}
	headerLine, err := jsonLine(hdr)
	if err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	if _, err := bw.Write(append(headerLine, '\n')); err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	dig := newEventDigest()
	q.Limit, q.Cursor = 10000, ""
	if size > 0 {
		q.Cursor = fmt.Sprint(size) // only events covered by the checkpoint
	}
	l, err := v.log(orgID, false)
	if err != nil {
		return err
	}
	// Neighbouring events share most of their proof's nodes; remembering the nodes of
	// this export (fixed tree size, so they cannot change) turns a per-event rehash of
	// the unsealed tail into one pass. Low levels are cheap to redo and left out to keep
	// the memory small.
	memo := map[nodeKey][32]byte{}
	node := func(level uint, idx uint64) ([32]byte, error) {
		k := nodeKey{level, idx}
		if h, ok := memo[k]; ok {
			return h, nil
		}
		h, err := l.node(level, idx)
		if err == nil && level >= 4 {
			memo[k] = h
		}
		return h, err
	}
	var n uint64
	for size > 0 && l != nil {
		page, err := v.Search(ctx, orgID, q)
		if err != nil {
			return fmt.Errorf("vault: export: %w", err)
		}
		for i := range page.Events {
			ev := &page.Events[i]
			l.mu.RLock()
			p, err := inclusionProof(node, ev.Seq, size)
			l.mu.RUnlock()
			if err != nil {
				return fmt.Errorf("vault: export: event %d: %w", ev.Seq, err)
			}
			leaf := LeafData(ev)
			dig.add(ev.Seq, LeafHash(leaf))
			be := bundleEvent{Type: "event", Index: ev.Seq, Event: *ev, Leaf: base64.StdEncoding.EncodeToString(leaf)}
			for _, h := range p {
				be.Proof = append(be.Proof, base64.StdEncoding.EncodeToString(h))
			}
			if err := enc.Encode(be); err != nil {
				return fmt.Errorf("vault: export: %w", err)
			}
			if n++; n > maxBundleEvents {
				return fmt.Errorf("vault: export: more than %d events match; narrow the query", maxBundleEvents)
			}
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	end, err := v.signEnd(orgID, size, root, headerLine, dig)
	if err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	if err := enc.Encode(end); err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("vault: export: %w", err)
	}
	return nil
}

// BundleReport describes a bundle that verified.
type BundleReport struct {
	Origin   string
	OrgID    int64
	TreeSize uint64
	Root     [32]byte
	Events   uint64
	Query    string
	Created  time.Time
}

// VerifyBundle checks an export bundle offline with only the vault's note
// verifier key: the checkpoint signature, that each event is exactly its
// leaf, and each inclusion proof (RFC 9162, checked with
// github.com/transparency-dev/merkle). The first failure is returned with
// its line number.
func VerifyBundle(r io.Reader, verifierKey string) (BundleReport, error) {
	var rep BundleReport
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	next := func() ([]byte, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return nil, fmt.Errorf("bundle line %d: %w", line+1, err)
			}
			return nil, fmt.Errorf("bundle ends after line %d without its end record: it was truncated", line)
		}
		line++
		return sc.Bytes(), nil
	}
	b, err := next()
	if err != nil {
		return rep, err
	}
	var hdr bundleHeader
	if err := strictJSON(b, &hdr); err != nil || hdr.Type != "header" {
		return rep, fmt.Errorf("bundle line 1: not a bundle header: %v", err)
	}
	if hdr.Format == "ciiguard-vault-bundle/1" {
		return rep, errors.New("bundle line 1: format ciiguard-vault-bundle/1 has no signed end record, so a dropped event line would go unnoticed; export the bundle again")
	}
	if hdr.Format != BundleFormat {
		return rep, fmt.Errorf("bundle line 1: format %q, want %q", hdr.Format, BundleFormat)
	}
	headerLine := append([]byte(nil), b...)
	if hdr.Origin != Origin(hdr.OrgID) {
		return rep, fmt.Errorf("bundle line 1: origin %q does not belong to org %d", hdr.Origin, hdr.OrgID)
	}
	size, root, err := OpenCheckpoint([]byte(hdr.Checkpoint), verifierKey, hdr.Origin)
	if err != nil {
		return rep, fmt.Errorf("bundle line 1: %w", err)
	}
	rep = BundleReport{Origin: hdr.Origin, OrgID: hdr.OrgID, TreeSize: size, Root: root, Query: hdr.Query, Created: hdr.Created}
	h := rfc6962.DefaultHasher
	dig := newEventDigest()
	ver, err := note.NewVerifier(verifierKey)
	if err != nil {
		return rep, fmt.Errorf("verifier key: %w", err)
	}
	for {
		b, err := next()
		if err != nil {
			return rep, err
		}
		var kind struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &kind); err != nil {
			return rep, fmt.Errorf("bundle line %d: %w", line, err)
		}
		if kind.Type == "end" {
			var end bundleEnd
			if err := strictJSON(b, &end); err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			if end.Events != rep.Events {
				return rep, fmt.Errorf("bundle line %d: end record counts %d events, bundle has %d", line, end.Events, rep.Events)
			}
			n, err := note.Open([]byte(end.Signed), note.VerifierList(ver))
			if err != nil {
				return rep, fmt.Errorf("bundle line %d: end record signature: %w", line, err)
			}
			want := dig.end(size, headerLine)
			if wantText := endText(hdr.Origin, size, root, want); n.Text != wantText {
				return rep, fmt.Errorf("bundle line %d: the signed end record does not match this bundle (lines dropped, reordered, duplicated or a header edited): it signs %q, the bundle holds %q", line, n.Text, wantText)
			}
			if sc.Scan() {
				return rep, fmt.Errorf("bundle line %d: data after the end record", line+1)
			}
			return rep, nil
		}
		if kind.Type != "event" {
			return rep, fmt.Errorf("bundle line %d: record type %q unknown", line, kind.Type)
		}
		var be bundleEvent
		if err := strictJSON(b, &be); err != nil {
			return rep, fmt.Errorf("bundle line %d: %w", line, err)
		}
		leaf, err := base64.StdEncoding.DecodeString(be.Leaf)
		if err != nil {
			return rep, fmt.Errorf("bundle line %d: leaf: %w", line, err)
		}
		ev := be.Event
		if ev.Seq != be.Index || ev.OrgID != hdr.OrgID {
			return rep, fmt.Errorf("bundle line %d: event seq/org (%d/%d) differ from index/org (%d/%d)", line, ev.Seq, ev.OrgID, be.Index, hdr.OrgID)
		}
		if !bytes.Equal(LeafData(&ev), leaf) {
			return rep, fmt.Errorf("bundle line %d: event %d does not match its leaf data", line, be.Index)
		}
		if dig.n > 0 && be.Index >= dig.oldest {
			return rep, fmt.Errorf("bundle line %d: event %d follows event %d: events are newest first, each once (a line was moved or repeated)", line, be.Index, dig.oldest)
		}
		dig.add(be.Index, LeafHash(leaf))
		var pr [][]byte
		for i, s := range be.Proof {
			p, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(p) != 32 {
				return rep, fmt.Errorf("bundle line %d: proof hash %d is not 32 base64 bytes", line, i)
			}
			pr = append(pr, p)
		}
		if err := proof.VerifyInclusion(h, be.Index, size, h.HashLeaf(leaf), pr, root[:]); err != nil {
			return rep, fmt.Errorf("bundle line %d: event %d: inclusion proof: %w", line, be.Index, err)
		}
		rep.Events++
	}
}

func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}
