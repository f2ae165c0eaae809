package logs

import (
	"context"
	"net/http"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// verifyWait is how long "verify now" waits for the check before showing its progress
// instead: the demo's logs verify well within it, years of logs do not.
const verifyWait = 3 * time.Second

// verifyJob is one run of vault.Verify for an organisation, started from the integrity
// page; the page shows its progress while it runs and its report after.
type verifyJob struct {
	Started  time.Time
	Finished time.Time // zero while running
	By       string
	Progress vault.Progress
	Report   *vault.VerifyReport
	Err      string // an error that stopped the check (not a difference found)
	done     chan struct{}
}

// Running reports whether the check is still going.
func (j *verifyJob) Running() bool { return j.Finished.IsZero() }

// Percent is how far the check got, in whole percent of the blocks.
func (j *verifyJob) Percent() uint64 {
	if j.Progress.Total == 0 {
		return 0
	}
	return j.Progress.Block * 100 / j.Progress.Total
}

// verifyJobOf returns a copy of the organisation's last verification, or nil.
func (m *Module) verifyJobOf(org int64) *verifyJob {
	m.verifyMu.Lock()
	defer m.verifyMu.Unlock()
	j := m.verifies[org]
	if j == nil {
		return nil
	}
	c := *j
	return &c
}

// verifyStart re-reads the organisation's log files and recomputes its Merkle tree with
// the check of `ciiguard vault verify`, in the background: it waits a little for the
// result, then shows the integrity page, which follows the progress of a long check.
// A check already running is not started twice.
func (m *Module) verifyStart(w http.ResponseWriter, r *http.Request) error {
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	who := ""
	if p := web.PrincipalFrom(r.Context()); p != nil {
		who = p.User.Name
	}
	m.verifyMu.Lock()
	if m.verifies == nil {
		m.verifies = map[int64]*verifyJob{}
	}
	j := m.verifies[org]
	if j == nil || !j.Running() {
		j = &verifyJob{Started: m.now().UTC(), By: who, done: make(chan struct{})}
		m.verifies[org] = j
		m.wg.Add(1)
		go m.runVerify(org, j)
	}
	done := j.done
	m.verifyMu.Unlock()
	select {
	case <-done:
	case <-time.After(verifyWait):
	case <-r.Context().Done():
	}
	http.Redirect(w, r, "/vault/integrity#verify", http.StatusSeeOther)
	return nil
}

func (m *Module) runVerify(org int64, j *verifyJob) {
	defer m.wg.Done()
	defer close(j.done)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	rep, err := m.v.Verify(ctx, org, func(p vault.Progress) {
		m.verifyMu.Lock()
		j.Progress = p
		m.verifyMu.Unlock()
	})
	m.verifyMu.Lock()
	defer m.verifyMu.Unlock()
	j.Finished = m.now().UTC()
	j.Report = rep
	if err != nil {
		m.d.Log.Error("verify vault", "org", org, "err", err)
		j.Err = err.Error()
	}
}
