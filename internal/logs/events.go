package logs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// The vault as other capabilities' sweeps read it (kernel.VaultEvents): the threat
// capability's retro-hunt pages through six months of events and proves the ones it hits.

var _ kernel.VaultEvents = (*Module)(nil)

// ScanEvents implements kernel.VaultEvents: vault.Search for the context's organisation,
// bounded by the caller's context instead of the interactive search timeout.
func (m *Module) ScanEvents(ctx context.Context, q vault.Query) (vault.Page, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return vault.Page{}, err
	}
	page, err := m.v.Search(ctx, org, q)
	if err != nil {
		return page, fmt.Errorf("scan logs: %w", err)
	}
	return page, nil
}

// SweepEvents implements kernel.VaultEvents: vault.Scan for the context's organisation.
func (m *Module) SweepEvents(ctx context.Context, q vault.Query, fn func(evs []vault.Event, covered uint64) error) error {
	org, err := orgOf(ctx)
	if err != nil {
		return err
	}
	if err := m.v.Scan(ctx, org, q, fn); err != nil {
		return fmt.Errorf("sweep logs: %w", err)
	}
	return nil
}

// CountEvents implements kernel.VaultEvents with the histogram, one bar a day.
func (m *Module) CountEvents(ctx context.Context, from, to time.Time) (uint64, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return 0, err
	}
	if !to.After(from) {
		return 0, nil
	}
	bs, err := m.v.Histogram(ctx, org, vault.Query{From: from, To: to}, 24*time.Hour)
	if err != nil {
		return 0, fmt.Errorf("count logs: %w", err)
	}
	var n uint64
	for _, b := range bs {
		n += b.Count
	}
	return n, nil
}

// ProveEvent implements kernel.VaultEvents: the event, and its inclusion proof against the
// checkpoint signed for the log's current size.
func (m *Module) ProveEvent(ctx context.Context, seq uint64) (kernel.EventProof, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return kernel.EventProof{}, err
	}
	note, err := m.v.Checkpoint(ctx, org)
	if err != nil {
		return kernel.EventProof{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	size, root, err := vault.OpenCheckpoint(note, m.v.PublicKey(), vault.Origin(org))
	if err != nil {
		return kernel.EventProof{}, fmt.Errorf("read own checkpoint: %w", err)
	}
	if seq >= size {
		return kernel.EventProof{}, store.ErrNotFound
	}
	ev, err := m.v.Get(ctx, org, seq)
	if errors.Is(err, vault.ErrPurged) {
		return kernel.EventProof{}, store.ErrNotFound
	}
	if err != nil {
		return kernel.EventProof{}, fmt.Errorf("read event %d: %w", seq, err)
	}
	hashes, err := m.v.InclusionProof(ctx, org, seq, size)
	if errors.Is(err, vault.ErrPurged) {
		return kernel.EventProof{}, store.ErrNotFound
	}
	if err != nil {
		return kernel.EventProof{}, fmt.Errorf("inclusion proof of %d in %d: %w", seq, size, err)
	}
	return kernel.EventProof{Event: ev, Leaf: vault.LeafData(&ev), TreeSize: size, Root: root[:], Hashes: hashes,
		Checkpoint: string(note), VerifierKey: m.v.PublicKey(), Origin: vault.Origin(org)}, nil
}
