package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
)

// ErrBusy means a password check was not started because as many as the server runs at
// once are running and the queue behind them is full; the caller should try again in a
// moment (503 with Retry-After).
var ErrBusy = errors.New("the server is busy checking other sign-ins; try again in a moment")

// hashQueuePerSlot is how many password checks may wait for each running one. A waiting
// check costs a goroutine, not the hash's 64 MiB; each slot clears a few checks a second.
const hashQueuePerSlot = 8

// hashGate bounds the argon2id hashes running at once (each holds 64 MiB) to the cores the
// process may use, so that a burst of sign-ins costs time, not memory.
type hashGate struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
}

func newHashGate(slots, queue int) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), queue: int64(queue)}
}

// maxHashSlots caps the slots on large machines: four checks at once clear some 30
// sign-ins a second, and peak memory grows with every slot (Go's collector lets the heap
// reach about twice the 64 MiB per running check).
const maxHashSlots = 4

// hashSlots is one slot per core the process may use, at most maxHashSlots.
var hashSlots = min(runtime.GOMAXPROCS(0), maxHashSlots)

// passwordHashes is the process's gate; every argon2id computation passes through it.
var passwordHashes = newHashGate(hashSlots, hashQueuePerSlot*hashSlots)

// acquire takes a slot, waiting behind at most the queue's length of others; with shed
// false it waits however long the queue is (an administrator setting a password).
func (g *hashGate) acquire(ctx context.Context, shed bool) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	if n := g.waiting.Add(1); shed && n > g.queue {
		g.waiting.Add(-1)
		return nil, ErrBusy
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to check password: %w", ctx.Err())
	}
}

func (g *hashGate) release() { <-g.slots }
