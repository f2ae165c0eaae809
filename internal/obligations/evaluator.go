package obligations

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"ciiguard/internal/store"
)

// evaluator runs evaluations outside the requests that cause them. A change enqueues its
// organisation (and the changed system); one worker per organisation takes every change
// that arrived meanwhile at once, evaluates what they can affect and writes the difference.
// Requests therefore return as soon as their own transaction commits; the evaluation state
// (State, Wait) tells pages and API clients whether findings are current.
type evaluator struct {
	run  func(ctx context.Context, orgID int64, j job) (Stats, error) // evaluates one organisation
	log  *slog.Logger
	base context.Context // cancelled by close: workers stop
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu   sync.Mutex
	orgs map[int64]*orgQueue
}

// orgQueue is one organisation's evaluation state.
type orgQueue struct {
	pending  bool           // a change arrived that no finished evaluation has covered
	force    bool           // evaluate everything, not only what changed
	systems  map[int64]bool // systems named by the pending changes
	orgWide  bool           // a pending change was not of one system (the profile, a fact set, attestations)
	running  bool           // a worker is evaluating
	at       time.Time      // when the last evaluation finished
	err      error          // the last evaluation's failure, nil when it succeeded
	idle     chan struct{}  // closed when the queue next becomes idle
	finished uint64         // evaluations finished so far
	last     Stats          // what the last successful evaluation did
}

// Stats says what one evaluation did and where its time went.
type Stats struct {
	Full      bool    `json:"full"`      // every obligation and subject was evaluated
	Evaluated int     `json:"evaluated"` // findings computed
	Written   int     `json:"written"`   // findings stored because they differ
	Removed   int     `json:"removed"`   // systems or findings removed
	LoadMS    float64 `json:"load_ms"`   // reading the facts and the catalog
	EvalMS    float64 `json:"eval_ms"`   // the rules engine
	StoredMS  float64 `json:"stored_ms"` // reading the stored findings' fingerprints (a process's first evaluation)
	DiffMS    float64 `json:"diff_ms"`   // comparing with the last findings, summarising
	WriteMS   float64 `json:"write_ms"`  // the transactions that store the difference
	TotalMS   float64 `json:"total_ms"`  // all of it
	// SystemsRead is how many systems' facts were read from the records: the whole
	// inventory, or only the systems the changes named.
	SystemsRead int `json:"systems_read"`
	// Transactions is how many transactions stored the difference (batches of txRows).
	Transactions int `json:"transactions"`
	// Bulk says the findings were appended by COPY (PostgreSQL, an organisation with no
	// stored finding) rather than written by INSERT … ON CONFLICT.
	Bulk bool `json:"bulk"`
}

// job is what one evaluation is asked to cover.
type job struct {
	force bool // evaluate everything
	// systems are the systems the changes named when every change named one (a system's
	// edit, addition or removal): only their facts can differ. nil when any change may
	// have touched more (the profile, a fact set, attestations, an import).
	systems []int64
}

func newEvaluator(run func(ctx context.Context, orgID int64, j job) (Stats, error), log *slog.Logger) *evaluator {
	ctx, cancel := context.WithCancel(context.Background())
	return &evaluator{run: run, log: log, base: ctx, stop: cancel, orgs: map[int64]*orgQueue{}}
}

func (e *evaluator) queue(orgID int64) *orgQueue {
	q := e.orgs[orgID]
	if q == nil {
		q = &orgQueue{systems: map[int64]bool{}, idle: make(chan struct{})}
		e.orgs[orgID] = q
	}
	return q
}

// enqueue records a change of the organisation (systemID > 0: that system) and makes sure a
// worker will evaluate it. force asks for a full evaluation. It never blocks on the
// evaluation. It returns the channel closed when the organisation is next idle.
func (e *evaluator) enqueue(orgID, systemID int64, force bool) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queue(orgID)
	q.pending = true
	q.force = q.force || force
	if systemID > 0 {
		q.systems[systemID] = true
	} else {
		q.orgWide = true
	}
	if !q.running && e.base.Err() == nil {
		q.running = true
		e.wg.Add(1)
		go e.work(orgID, q)
	}
	return q.idle
}

// work evaluates the organisation until no change is pending.
func (e *evaluator) work(orgID int64, q *orgQueue) {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		if !q.pending || e.base.Err() != nil {
			q.running = false
			close(q.idle)
			q.idle = make(chan struct{})
			e.mu.Unlock()
			return
		}
		j := job{force: q.force}
		if !q.orgWide && !q.force {
			for id := range q.systems {
				j.systems = append(j.systems, id)
			}
		}
		q.pending, q.force, q.orgWide, q.systems = false, false, false, map[int64]bool{}
		e.mu.Unlock()

		stats, err := e.run(store.WithOrg(e.base, orgID), orgID, j)
		if err != nil && !errors.Is(err, context.Canceled) {
			e.log.Error("evaluate obligations", "org", orgID, "err", err)
		}
		e.mu.Lock()
		q.err, q.at = err, time.Now().UTC()
		q.finished++
		if err == nil {
			q.last = stats
		}
		if err != nil && e.base.Err() == nil {
			// The changes it covered are not in the findings: evaluate everything next time.
			q.force = true
		}
		e.mu.Unlock()
	}
}

// State is what a client needs to know about the findings of its organisation: whether a
// re-evaluation is pending or running, and when the findings were last evaluated.
type State struct {
	State       string     `json:"state"`                  // idle, pending, running or failed
	Pending     bool       `json:"pending"`                // a change is not in the findings yet
	EvaluatedAt *time.Time `json:"evaluated_at,omitempty"` // the last finished evaluation
	Systems     int        `json:"pending_systems"`        // systems changed since, as far as known
	Error       string     `json:"error,omitempty"`        // why the last evaluation failed
	Last        *Stats     `json:"last,omitempty"`         // the last evaluation in this process
}

// state reports the organisation's evaluation state; at is the last evaluation known from
// the records when none has run in this process.
func (e *evaluator) state(orgID int64, at time.Time) State {
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.orgs[orgID]
	s := State{State: "idle"}
	if q == nil {
		if !at.IsZero() {
			s.EvaluatedAt = &at
		}
		return s
	}
	if !q.at.IsZero() {
		t := q.at
		s.EvaluatedAt = &t
	} else if !at.IsZero() {
		s.EvaluatedAt = &at
	}
	s.Pending = q.pending || q.running
	if q.finished > 0 {
		l := q.last
		s.Last = &l
	}
	s.Systems = len(q.systems)
	switch {
	case q.running:
		s.State = "running"
	case q.pending:
		s.State = "pending"
	case q.err != nil:
		s.State = "failed"
		s.Error = "the last evaluation failed; it is retried with the next change"
	}
	return s
}

// wait blocks until the organisation has no pending or running evaluation, or ctx ends.
func (e *evaluator) wait(ctx context.Context, orgID int64) error {
	for {
		e.mu.Lock()
		q := e.orgs[orgID]
		if q == nil || (!q.pending && !q.running) {
			e.mu.Unlock()
			return nil
		}
		idle := q.idle
		e.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// lastError is the last evaluation's error for the organisation.
func (e *evaluator) lastError(orgID int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if q := e.orgs[orgID]; q != nil {
		return q.err
	}
	return nil
}

// close stops the workers after their current evaluation step and waits for them.
func (e *evaluator) close() {
	e.stop()
	e.wg.Wait()
}
