package vault

import "context"

// FrameStore keeps organisations' write-ahead frames outside the node, where
// the next writer of a log finds them when this one dies (issue 18: several
// nodes, one writer per organisation chosen by a lease). A frame is the
// WAL's own version-2 encoding, checksums included, so the store needs no
// knowledge of events. With a FrameStore the vault must also have an
// ObjectStore: frames are dropped only once a segment holding their events
// is in object storage, and a new writer rebuilds the log from both.
//
// Every write is fenced: it fails once this node is no longer the
// organisation's writer (the implementation's lease ran out or was taken
// over), with an error whose text starts "lease lost".
type FrameStore interface {
	// Acquire makes this node the writer of org's log, keeping the right
	// renewed until Release; it fails when another node holds it.
	Acquire(ctx context.Context, org int64) error
	// Append stores frames holding count events from first, durably and
	// only while this node is still org's writer.
	Append(ctx context.Context, org int64, first, count uint64, frames []byte) error
	// Frames returns, oldest first, what Append stored for org that holds
	// any event at or after from.
	Frames(ctx context.Context, org int64, from uint64) ([][]byte, error)
	// Drop forgets org's frames whose events all come before seq, and
	// stores keys in their place (a keys frame, nil for none) in the same
	// transaction: the batch keys they held outlive them. Frames keeps
	// returning the last keys stored this way, whatever its from, until
	// the next Drop replaces them.
	Drop(ctx context.Context, org int64, before uint64, keys []byte) error
	// Release gives up the writer's right to org's log.
	Release(ctx context.Context, org int64) error
}
