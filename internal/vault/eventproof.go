package vault

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"time"
)

// ExportEvent writes a bundle (the format of ExportBundle) holding the one event seq with
// its inclusion proof against a checkpoint signed for it: the proof of one event that a
// person can download and anyone can check offline with VerifyBundle (`ciiguard vault
// verify-bundle`). The caller checks that seq is below the log's size.
func (v *Vault) ExportEvent(ctx context.Context, orgID int64, seq uint64, w io.Writer) error {
	signed, err := v.Checkpoint(ctx, orgID)
	if err != nil {
		return err
	}
	size, root, err := v.openCheckpoint(signed, orgID)
	if err != nil {
		return fmt.Errorf("vault: event proof: own checkpoint: %w", err)
	}
	if seq >= size {
		return fmt.Errorf("vault: event proof: event %d is not below the checkpoint's size %d", seq, size)
	}
	ev, err := v.Get(ctx, orgID, seq)
	if err != nil {
		return err
	}
	p, err := v.InclusionProof(ctx, orgID, seq, size)
	if err != nil {
		return err
	}
	hdr := bundleHeader{Type: "header", Format: BundleFormat, Origin: Origin(orgID), OrgID: orgID, Query: fmt.Sprintf("seq:%d", seq),
		Created: v.now().UTC(), VerifierKey: v.vkey, Checkpoint: string(signed)}
	leaf := LeafData(&ev)
	be := bundleEvent{Type: "event", Index: seq, Event: ev, Leaf: base64.StdEncoding.EncodeToString(leaf)}
	for _, h := range p {
		be.Proof = append(be.Proof, base64.StdEncoding.EncodeToString(h))
	}
	hl, err := jsonLine(hdr)
	if err != nil {
		return fmt.Errorf("vault: event proof: %w", err)
	}
	el, err := jsonLine(be)
	if err != nil {
		return fmt.Errorf("vault: event proof: %w", err)
	}
	dig := newEventDigest()
	dig.add(seq, LeafHash(leaf))
	end, err := v.signEnd(orgID, size, root, hl, dig)
	if err != nil {
		return fmt.Errorf("vault: event proof: %w", err)
	}
	ndl, err := jsonLine(end)
	if err != nil {
		return fmt.Errorf("vault: event proof: %w", err)
	}
	for _, l := range [][]byte{hl, el, ndl} {
		if _, err := w.Write(append(l, '\n')); err != nil {
			return fmt.Errorf("vault: event proof: %w", err)
		}
	}
	return nil
}

// SignedCheckpoint is a stored checkpoint with when it was signed.
type SignedCheckpoint struct {
	Note []byte
	// SignedAt is when the checkpoint was signed (for one stored before the process
	// started, its file's modification time; the signed note itself carries no time).
	SignedAt time.Time
}

// CheckpointHistory returns the organisation's newest stored checkpoints, at most n,
// newest first, with their signing times.
func (v *Vault) CheckpointHistory(orgID int64, n int) ([]SignedCheckpoint, error) {
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []SignedCheckpoint
	for i := len(l.cps) - 1; i >= 0 && len(out) < n; i-- {
		c := l.cps[i]
		out = append(out, SignedCheckpoint{Note: c.note, SignedAt: c.signed.UTC()})
	}
	return out, nil
}
