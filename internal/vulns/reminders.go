package vulns

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// KindClock is the notice kind of a vulnerability clock nearing or passing its end (users
// choose per kind whether they receive it).
const KindClock = "vulns.clock"

// Reminder points of a clock: half of its time gone, nine tenths gone, and past the due
// time. Only the furthest point reached is sent, so a clock first seen late (a record
// entered a day after discovery) sends one reminder, not three at once.
const (
	Point50      = "50"
	Point90      = "90"
	PointOverdue = "overdue"
)

// ClockTick is how often the running clocks are checked for their reminder points: the
// shortest clock is 24 hours, so a minute is well inside its 90% point (2.4 hours before).
const ClockTick = time.Minute

// reminders remembers, for this process, the reminders already handed to the notifier
// (whose ledger keeps them across restarts) and the clocks already seen overdue, so that a
// tick neither claims a reminder again nor tells the change bus twice.
type reminders struct {
	mu      sync.Mutex
	sent    map[string]bool
	overdue map[string]bool
}

// first reports whether key is new to set, and adds it.
func (r *reminders) first(set *map[string]bool, key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if (*set)[key] {
		return false
	}
	if *set == nil {
		*set = map[string]bool{}
	}
	(*set)[key] = true
	return true
}

// forget drops key from set: a notice that could not be queued is tried again next tick.
func (r *reminders) forget(set *map[string]bool, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(*set, key)
}

// pointAt is the furthest reminder point clock c has reached at now, "" before half its
// time; start is when the clock started (the discovery).
func pointAt(c Clock, start, now time.Time) string {
	total := c.Due.Sub(start)
	switch {
	case now.After(c.Due):
		return PointOverdue
	case total <= 0:
		return ""
	case now.Sub(start)*10 >= total*9:
		return Point90
	case now.Sub(start)*2 >= total:
		return Point50
	}
	return ""
}

// clockRoles are who is reminded of a clock: those who answer for reports (the
// administrator and the cybersecurity manager), for the fix also the system owners who
// apply it; in a supplier organisation its users, who are all it has.
func clockRoles(kind string) []auth.Role {
	if kind == ClockFix {
		return []auth.Role{auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.SupplierUser}
	}
	return []auth.Role{auth.Admin, auth.SecurityManager, auth.SupplierUser}
}

// clockNames are the clocks as notices name them.
var clockNames = map[string]rules.Text{
	ClockMIIT:      {Zh: "向工业和信息化部网络安全威胁和漏洞信息共享平台报送（2日）", En: "report to MIIT's vulnerability sharing platform (2 days)"},
	ClockAuthority: {Zh: "向有关主管部门报告（24小时）", En: "report to the competent authority (24 hours)"},
	ClockFix:       {Zh: "修复（本单位时限策略）", En: "fix (the organisation's deadline policy)"},
}

// clockNotice is the reminder of clock c of v at point.
func clockNotice(v Vuln, c Clock, point string) kernel.Notice {
	name := clockNames[c.Kind]
	due := c.Due.In(calendar.Shanghai).Format("2006-01-02 15:04")
	var title rules.Text
	switch point {
	case PointOverdue:
		title = rules.Text{Zh: fmt.Sprintf("漏洞%s已超期：%s", name.Zh, v.Title), En: fmt.Sprintf("Vulnerability overdue, %s: %s", name.En, v.Title)}
	default:
		title = rules.Text{Zh: fmt.Sprintf("漏洞%s时限已过%s%%：%s", name.Zh, point, v.Title), En: fmt.Sprintf("Vulnerability %s: %s%% of the time gone: %s", name.En, point, v.Title)}
	}
	return kernel.Notice{
		Kind: KindClock, Subject: "vuln:" + strconv.FormatInt(v.ID, 10), Point: c.Kind + "-" + point, Title: title,
		Body:  rules.Text{Zh: fmt.Sprintf("时限为 %s（北京时间）。依据：%s。", due, c.BasisZH), En: fmt.Sprintf("Due %s (China time). Basis: %s.", due, c.BasisEN)},
		Roles: clockRoles(c.Kind), Due: c.Due, Link: "/vulns/" + strconv.FormatInt(v.ID, 10),
	}
}

// pending reads the organisation's vulnerabilities that may have a clock without an end:
// open ones (the fix), and unreported ones that start a report clock. Products are not read:
// the clocks do not need them.
func pending(t *store.Tenant) ([]Vuln, Policy, error) {
	rows, err := t.Query(`SELECT ` + vulnCols + ` FROM vulns WHERE org_id = $1 AND (status NOT IN ('fixed', 'not_affected', 'accepted')
		OR (provider AND reported_miit_at IS NULL) OR (national_security AND reported_authority_at IS NULL)) ORDER BY id`)
	if err != nil {
		return nil, Policy{}, fmt.Errorf("read vulnerabilities with clocks: %w", err)
	}
	var out []Vuln
	for rows.Next() {
		v, err := scanVuln(rows)
		if err != nil {
			rows.Close()
			return nil, Policy{}, fmt.Errorf("read a vulnerability: %w", err)
		}
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, Policy{}, fmt.Errorf("read vulnerabilities with clocks: %w", err)
	}
	p, err := policyOf(t)
	return out, p, err
}

// CheckClocks reminds the organisation in ctx of every clock without an end at now that
// has passed half or nine tenths of its time or its due time (once each, through the
// notifier), and tells the change bus once when a clock passes its due time: nothing is
// written then, but the facts that count overdue reports and fixes change, and without it
// the findings would say "met" until the next change or the next day's evaluation.
func (s *Service) CheckClocks(ctx context.Context, now time.Time) error {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return nil
	}
	var vs []Vuln
	var p Policy
	if err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		vs, p, err = pending(t)
		return err
	}); err != nil {
		return err
	}
	ranOut := false
	for i := range vs {
		v := &vs[i]
		v.FixDue = FixDue(p, v.Severity, v.DiscoveredAt)
		for _, c := range clocks(v, now) {
			if c.DoneAt != nil {
				continue
			}
			clock := fmt.Sprintf("%d|%d|%s", org, v.ID, c.Kind)
			if c.State == ClockOverdue && s.reminded.first(&s.reminded.overdue, clock) {
				ranOut = true
			}
			point := pointAt(c, v.DiscoveredAt, now)
			if point == "" || s.notifier == nil {
				continue
			}
			key := clock + "|" + point
			if !s.reminded.first(&s.reminded.sent, key) {
				continue
			}
			if _, err := s.notifier.Notify(ctx, org, clockNotice(*v, c, point)); err != nil {
				s.reminded.forget(&s.reminded.sent, key)
				return fmt.Errorf("remind of vulnerability %d's %s clock: %w", v.ID, c.Kind, err)
			}
		}
	}
	if ranOut && s.ranOut != nil {
		s.ranOut(ctx, org)
	}
	return nil
}

// Start implements kernel.Starter: every ClockTick, once across the installation's nodes,
// the clocks of every operator and supplier organisation are checked and each operator is
// told of shared advisories that came to reach its systems.
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
				period := m.Now().UTC().Truncate(ClockTick).Format(time.RFC3339)
				if _, err := kernel.RunOnce(ctx, m.d.Jobs, "vulns.clocks", period, func(ctx context.Context) error {
					m.tick(ctx)
					return nil
				}); err != nil && ctx.Err() == nil {
					m.d.Log.Error("vulnerability clocks", "err", err)
				}
			}
		}
	}()
	return nil
}

// tick checks every operator and supplier organisation's clocks once, and tells each
// operator of shared advisories that came to reach its systems; a failure is logged and
// tried again next tick.
func (m *Module) tick(ctx context.Context) {
	now := m.Now()
	for _, kind := range []auth.OrgKind{auth.Operator, auth.Supplier} {
		orgs, err := m.d.Auth.ListOrgs(ctx, kind)
		if err != nil {
			m.d.Log.Error("vulnerability clocks: list organisations", "kind", kind, "err", err)
			continue
		}
		for _, o := range orgs {
			octx := store.WithOrg(ctx, o.ID)
			if err := m.CheckClocks(octx, now); err != nil {
				m.d.Log.Error("vulnerability clocks", "org", o.ID, "err", err)
			}
			if kind != auth.Operator {
				continue
			}
			if err := m.TellAffected(octx); err != nil {
				m.d.Log.Error("shared advisories", "org", o.ID, "err", err)
			}
		}
	}
}
