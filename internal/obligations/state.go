package obligations

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// MaxWait bounds how long GET /api/v1/evaluation?wait= holds a request open.
const MaxWait = 60 * time.Second

// EvaluationState tells whether the context's organisation's findings reflect every change
// made so far, and when they were last evaluated.
func (s *Service) EvaluationState(ctx context.Context) (State, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return State{}, err
	}
	var at time.Time
	if s.memoOf(org) == nil {
		// Nothing evaluated in this process yet: the last run on record says when.
		last, ok, err := s.lastRun(ctx)
		if err != nil {
			return State{}, fmt.Errorf("last evaluation: %w", err)
		}
		if ok {
			at = last.UTC()
		}
	}
	return s.ev.state(org, at), nil
}

// WaitEvaluated waits until the context's organisation has no evaluation pending or running,
// or ctx ends (then it returns ctx's error).
func (s *Service) WaitEvaluated(ctx context.Context) error {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return err
	}
	return s.ev.wait(ctx, org)
}

// Summary is the summary of the organisation's findings from its last evaluation in this
// process, computed in memory; ok is false before the first one.
func (s *Service) Summary(ctx context.Context) (r Run, ok bool) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return Run{}, false
	}
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	if m := s.memos[org]; m != nil {
		return m.run, true
	}
	return Run{}, false
}

// parseWait reads the wait parameter: a Go duration ("5s", "500ms") from 0 to MaxWait.
func parseWait(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > MaxWait {
		return 0, problem.Field("wait", "must be a duration such as 5s, at most %s", MaxWait)
	}
	return d, nil
}

// apiEvaluation answers the evaluation state; with ?wait=5s it first waits up to that long
// for pending evaluations to finish, so that a script can make a change and then read
// current findings without sleeping and guessing. It answers 200 either way: the state
// says whether the wait ended with the findings current.
func (m *Module) apiEvaluation(w http.ResponseWriter, r *http.Request) error {
	d, err := parseWait(r.URL.Query().Get("wait"))
	if err != nil {
		return err
	}
	if d > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		err := m.WaitEvaluated(ctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	st, err := m.EvaluationState(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, st)
}

// dashboardFindings returns the organisation's findings as the last evaluation in this
// process left them (without reasons, which the dashboard does not show) and their summary,
// from memory; ok is false before the first evaluation.
func (s *Service) dashboardFindings(ctx context.Context) (fs []Finding, r Run, ok bool) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return nil, Run{}, false
	}
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	m := s.memos[org]
	if m == nil {
		return nil, Run{}, false
	}
	return m.findings(strconv.FormatInt(org, 10)), m.run, true
}

// evalLine is the "last evaluated / re-evaluation pending" line of the findings page and
// the dashboard, in China Standard Time.
type evalLine struct {
	At      string // "" when never evaluated
	Pending bool
	Failed  bool
}

func (s *Service) evalLine(ctx context.Context) evalLine {
	st, err := s.EvaluationState(ctx)
	if err != nil {
		return evalLine{}
	}
	l := evalLine{Pending: st.Pending, Failed: st.State == "failed"}
	if st.EvaluatedAt != nil {
		l.At = st.EvaluatedAt.In(calendar.Shanghai).Format("2006-01-02 15:04:05")
	}
	return l
}
