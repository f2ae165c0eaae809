package obligations

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestEvaluatorCoalescesAndReports drives the queue with an evaluation that blocks until the
// test releases it: changes that arrive while one runs are taken together by one more run,
// the state says running and pending meanwhile, and wait returns once everything is in.
func TestEvaluatorCoalescesAndReports(t *testing.T) {
	release := make(chan struct{})
	started := make(chan bool, 10)
	var mu sync.Mutex
	var runs []bool // force flag of each run
	ev := newEvaluator(func(ctx context.Context, org int64, j job) (Stats, error) {
		force := j.force
		started <- force
		<-release
		mu.Lock()
		runs = append(runs, force)
		mu.Unlock()
		return Stats{}, nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer ev.close()

	if st := ev.state(7, time.Time{}); st.State != "idle" || st.Pending || st.EvaluatedAt != nil {
		t.Fatalf("before any change: %+v", st)
	}
	ev.enqueue(7, 11, false)
	<-started // the first run has begun
	for _, sys := range []int64{12, 13, 12, 0, 14} {
		ev.enqueue(7, sys, false)
	}
	st := ev.state(7, time.Time{})
	if st.State != "running" || !st.Pending || st.Systems != 3 {
		t.Fatalf("while running with changes queued: %+v, want running, pending, 3 systems", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if err := ev.wait(ctx, 7); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait while running: %v, want the deadline", err)
	}
	cancel()
	release <- struct{}{} // finish the first run; the queued changes start one more
	<-started
	release <- struct{}{}
	if err := ev.wait(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(runs) != 2 {
		t.Fatalf("%d runs for 6 changes, want 2 (the first, then the rest together)", len(runs))
	}
	mu.Unlock()
	st = ev.state(7, time.Time{})
	if st.State != "idle" || st.Pending || st.EvaluatedAt == nil {
		t.Fatalf("after the runs: %+v", st)
	}
	// Another organisation is independent.
	if st := ev.state(8, time.Time{}); st.State != "idle" || st.EvaluatedAt != nil {
		t.Fatalf("another organisation: %+v", st)
	}
}

// TestEvaluatorFailureForcesFull: after a failed run the state says failed, and the next
// change is evaluated in full, since the failed run's changes are not in the findings.
func TestEvaluatorFailureForcesFull(t *testing.T) {
	var mu sync.Mutex
	var forces []bool
	fail := true
	ev := newEvaluator(func(ctx context.Context, org int64, j job) (Stats, error) {
		force := j.force
		mu.Lock()
		defer mu.Unlock()
		forces = append(forces, force)
		if fail {
			fail = false
			return Stats{}, errors.New("store is down")
		}
		return Stats{}, nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer ev.close()
	ev.enqueue(3, 1, false)
	if err := ev.wait(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	if st := ev.state(3, time.Time{}); st.State != "failed" || st.Error == "" {
		t.Fatalf("after a failure: %+v", st)
	}
	ev.enqueue(3, 2, false)
	if err := ev.wait(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(forces) != 2 || forces[0] || !forces[1] {
		t.Fatalf("force flags %v, want [false true]", forces)
	}
	if st := ev.state(3, time.Time{}); st.State != "idle" {
		t.Fatalf("after the retry: %+v", st)
	}
}

func TestParseWait(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"", 0, true}, {"5s", 5 * time.Second, true}, {"250ms", 250 * time.Millisecond, true}, {"60s", time.Minute, true},
		{"61s", 0, false}, {"-1s", 0, false}, {"5", 0, false}, {"soon", 0, false}} {
		got, err := parseWait(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseWait(%q) = %v, %v", c.in, got, err)
		}
	}
}

// TestEvaluatorNamesChangedSystems: the worker is told which systems changed when every
// change named one (so it reads only those), and nil once any change was of the whole
// organisation or a full evaluation was asked for.
func TestEvaluatorNamesChangedSystems(t *testing.T) {
	release := make(chan struct{})
	jobs := make(chan job, 10)
	ev := newEvaluator(func(ctx context.Context, org int64, j job) (Stats, error) {
		jobs <- j
		<-release
		return Stats{}, nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer ev.close()
	sorted := func(j job) []int64 {
		ids := append([]int64(nil), j.systems...)
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		return ids
	}
	ev.enqueue(5, 11, false)
	if j := <-jobs; j.force || !reflect.DeepEqual(sorted(j), []int64{11}) {
		t.Fatalf("first job %+v, want system 11", j)
	}
	ev.enqueue(5, 13, false)
	ev.enqueue(5, 12, false)
	ev.enqueue(5, 13, false)
	release <- struct{}{}
	if j := <-jobs; j.force || !reflect.DeepEqual(sorted(j), []int64{12, 13}) {
		t.Fatalf("second job %+v, want systems 12 and 13", j)
	}
	ev.enqueue(5, 14, false)
	ev.enqueue(5, 0, false)
	release <- struct{}{}
	if j := <-jobs; j.force || j.systems != nil {
		t.Fatalf("third job %+v, want the whole organisation (a change named none)", j)
	}
	ev.enqueue(5, 15, true)
	release <- struct{}{}
	if j := <-jobs; !j.force || j.systems != nil {
		t.Fatalf("fourth job %+v, want a full evaluation", j)
	}
	release <- struct{}{}
	if err := ev.wait(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
}
