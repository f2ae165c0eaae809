package vault_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

// TestScanStops: a sweep that gives up (its callback fails, or its context ends) stops the
// scan at once with that error, and the decoding goroutines end with it.
func TestScanStops(t *testing.T) {
	v := openTemp(t, vault.Options{BlockBits: 10})
	ctx := context.Background()
	g := loggen.New(7, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 20)
	evs := make([]vault.Event, 20000)
	for i := range evs {
		line, ts := g.Next()
		evs[i] = ingest.Parse(line, ts)
	}
	if _, err := v.Append(ctx, 1, evs); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	errStop := errors.New("enough")
	calls := 0
	err := v.Scan(ctx, 1, vault.Query{}, func([]vault.Event, uint64) error {
		calls++
		if calls == 2 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || calls != 2 {
		t.Errorf("callback failing at its second call: Scan returned %v after %d calls", err, calls)
	}
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = v.Scan(cctx, 1, vault.Query{}, func([]vault.Event, uint64) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("context ended in the first call: Scan returned %v after %d calls", err, calls)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the scans stopped, %d before", n, before)
	}
}
