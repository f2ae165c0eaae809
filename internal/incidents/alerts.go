package incidents

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Notice kinds of the incidents capability (users choose per kind whether they receive it).
const (
	// KindReportable: an incident became reportable (较大 or above).
	KindReportable = "incidents.reportable"
	// KindClock: a reporting clock reached 50% or 90% of its time.
	KindClock = "incidents.clock"
)

// Responders are the roles an incident alert goes to: the security manager, who answers for
// the report, and the analysts, who handle the incident.
var Responders = []auth.Role{auth.SecurityManager, auth.Analyst}

// ClockPoints are the shares of a clock's time at which its recipients are alerted.
var ClockPoints = []struct {
	Share float64
	Name  string
}{{0.5, "50"}, {0.9, "90"}}

// notices turns incident events into notices for kernel.Notifier (nil: the installation has
// no notifier, nothing is sent). sent remembers the (subject, point) pairs this process has
// already handed over, so that a tick does not claim them again; the notifier's ledger keeps
// them across restarts.
type notices struct {
	to   kernel.Notifier
	mu   sync.Mutex
	sent map[string]bool
}

// newReportable builds the notice of an incident that became reportable.
func newReportable(in Incident) kernel.Notice {
	r := RouteByCode(in.Route)
	due := FirstReportDue(in.DetectedAt, r)
	return kernel.Notice{
		Kind: KindReportable, Subject: "incident:" + strconv.FormatInt(in.ID, 10), Point: "reportable",
		Title: rules.Text{Zh: fmt.Sprintf("须报告的网络安全事件（%s）：%s", in.Grade().Zh(), in.Title),
			En: fmt.Sprintf("Reportable incident (%s): %s", in.Grade().En(), in.Title)},
		Body: rules.Text{Zh: fmt.Sprintf("发现于 %s（北京时间），首报须于 %s 前报送%s。", cst(in.DetectedAt), cst(due), authoritiesZh(in.Recipients())),
			En: fmt.Sprintf("Detected %s (China time); the first report is due by %s to the %s.", cst(in.DetectedAt), cst(due), authoritiesEn(in.Recipients()))},
		Roles: Responders, Due: due, Link: "/incidents/" + strconv.FormatInt(in.ID, 10),
	}
}

// clockNotice builds the notice of clock c at point (50 or 90 percent).
func clockNotice(in Incident, c Clock, point string) kernel.Notice {
	return kernel.Notice{
		Kind: KindClock, Subject: "incident:" + strconv.FormatInt(in.ID, 10), Point: c.Kind + "-" + point,
		Title: rules.Text{Zh: fmt.Sprintf("%s时限已过%s%%：%s", KindZh(c.Kind), point, in.Title),
			En: fmt.Sprintf("%s: %s%% of the time gone: %s", KindEn(c.Kind), point, in.Title)},
		Body: rules.Text{Zh: fmt.Sprintf("%s须于 %s（北京时间）前报送%s。", KindZh(c.Kind), cst(c.Due), authoritiesZh(c.To)),
			En: fmt.Sprintf("The %s is due by %s (China time) to the %s.", KindEn(c.Kind), cst(c.Due), authoritiesEn(c.To))},
		Roles: Responders, Due: c.Due, Link: "/incidents/" + strconv.FormatInt(in.ID, 10),
	}
}

func authoritiesZh(as []Authority) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += "、"
		}
		s += a.Zh()
	}
	return s
}

func authoritiesEn(as []Authority) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += " and "
		}
		s += a.En()
	}
	return s
}

// send hands n to the notifier once per process.
func (n *notices) send(ctx context.Context, org int64, nt kernel.Notice) error {
	if n == nil || n.to == nil {
		return nil
	}
	key := fmt.Sprintf("%d|%s|%s", org, nt.Subject, nt.Point)
	n.mu.Lock()
	done := n.sent[key]
	n.mu.Unlock()
	if done {
		return nil
	}
	if _, err := n.to.Notify(ctx, org, nt); err != nil {
		return fmt.Errorf("notify %s %s: %w", nt.Subject, nt.Point, err)
	}
	n.mu.Lock()
	n.sent[key] = true
	n.mu.Unlock()
	return nil
}

// CheckClocks alerts the responders of every running clock of the organisation in ctx that
// has passed 50% or 90% of its time at now, and tells the change bus once when a running
// clock passes its due minute: nothing is written then, but the facts that count overdue
// reports change, and without it the findings would say "met" until the next change or the
// next day's evaluation.
func (s *Service) CheckClocks(ctx context.Context, now time.Time) error {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return nil
	}
	incs, reports, err := s.records(ctx)
	if err != nil {
		return err
	}
	ranOut := false
	for _, in := range incs {
		for _, c := range Clocks(&in, reports[in.ID], now) {
			if !c.Running() {
				continue
			}
			if c.Overdue && s.firstOverdue(in.ID, c.Kind) {
				ranOut = true
			}
			if s.notices == nil || s.notices.to == nil {
				continue
			}
			f := c.Fraction(now)
			for _, p := range ClockPoints {
				if f >= p.Share {
					if err := s.notices.send(ctx, org, clockNotice(in, c, p.Name)); err != nil {
						return err
					}
				}
			}
		}
	}
	if ranOut && s.ranOut != nil {
		s.ranOut(ctx, org)
	}
	return nil
}

// firstOverdue says whether the clock of incident id and kind is seen overdue for the
// first time in this process. After a restart each overdue clock counts once more, which
// costs one evaluation of its organisation.
func (s *Service) firstOverdue(id int64, kind string) bool {
	key := fmt.Sprintf("%d/%s", id, kind)
	s.overdueMu.Lock()
	defer s.overdueMu.Unlock()
	if s.overdueSeen[key] {
		return false
	}
	if s.overdueSeen == nil {
		s.overdueSeen = map[string]bool{}
	}
	s.overdueSeen[key] = true
	return true
}

// ClockTick is how often the running clocks are checked for their alert points.
const ClockTick = 30 * time.Second

// Start implements kernel.Starter: every ClockTick, each operator organisation's running
// clocks are checked for their 50% and 90% alerts.
func (m *Module) Start(ctx context.Context) error {
	if m.d.Auth == nil {
		return nil
	}
	go func() {
		t := time.NewTicker(ClockTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// Once per ClockTick across the installation's nodes.
				period := m.Now().UTC().Truncate(ClockTick).Format(time.RFC3339)
				if _, err := kernel.RunOnce(ctx, m.d.Jobs, "incidents.clocks", period, func(ctx context.Context) error {
					m.tick(ctx)
					return nil
				}); err != nil && ctx.Err() == nil {
					m.d.Log.Error("incident clocks", "err", err)
				}
			}
		}
	}()
	return nil
}

// tick checks every operator organisation once; a failure is logged and retried next tick.
func (m *Module) tick(ctx context.Context) {
	orgs, err := m.d.Auth.ListOrgs(ctx, auth.Operator)
	if err != nil {
		m.d.Log.Error("incident clocks: list organisations", "err", err)
		return
	}
	now := m.Now()
	for _, o := range orgs {
		if err := m.CheckClocks(store.WithOrg(ctx, o.ID), now); err != nil {
			m.d.Log.Error("incident clocks", "org", o.ID, "err", err)
		}
	}
}
