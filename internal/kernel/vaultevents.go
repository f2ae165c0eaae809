package kernel

import (
	"context"
	"time"

	"ciiguard/internal/vault"
)

// EventProof is one event of an organisation's log with an RFC 9162 inclusion proof against
// a checkpoint the vault signed: what a reader needs to check, with only the vault's public
// key, that the log held the event (the threat capability attaches it to a sighting).
type EventProof struct {
	Event vault.Event `json:"event"`
	// Leaf is the event's leaf data (vault.LeafData); its RFC 6962 leaf hash is what the
	// proof starts from.
	Leaf []byte `json:"leaf"`
	// TreeSize and Root are the size and Merkle root the checkpoint signs.
	TreeSize uint64 `json:"tree_size"`
	Root     []byte `json:"root"`
	// Hashes is the inclusion path, in RFC 9162 order.
	Hashes [][]byte `json:"hashes"`
	// Checkpoint is the whole signed note (body and signature lines); VerifierKey verifies
	// it, Origin is its first line.
	Checkpoint  string `json:"checkpoint"`
	VerifierKey string `json:"verifier_key"`
	Origin      string `json:"origin"`
}

// VaultEvents reads the organisation's log vault for another capability's sweeps (the
// threat capability's retro-hunt): pages of events, how many fall in a time range, and one
// event's proof. The logs capability implements it; every method acts for the context's
// organisation.
type VaultEvents interface {
	// ScanEvents returns a page of events as vault.Search does (newest first, q.Cursor
	// continues), without the interactive search's time limit: the caller bounds its own
	// work with ctx and q.Limit.
	ScanEvents(ctx context.Context, q vault.Query) (vault.Page, error)
	// SweepEvents calls fn with every event q matches as vault.Scan does: a part at a time
	// in no particular order, evs valid only until fn returns, covered the events passed or
	// ruled out by q.Hints so far; like ScanEvents, bounded by ctx only.
	SweepEvents(ctx context.Context, q vault.Query, fn func(evs []vault.Event, covered uint64) error) error
	// CountEvents counts the events with from <= time < to.
	CountEvents(ctx context.Context, from, to time.Time) (uint64, error)
	// ProveEvent signs (or reuses) a checkpoint of the log and proves event seq included
	// in it. An event retention removed is store.ErrNotFound.
	ProveEvent(ctx context.Context, seq uint64) (EventProof, error)
}
