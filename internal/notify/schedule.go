package notify

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// DeadlineSource is implemented by capabilities whose records have deadlines people must
// be reminded of (remediation tasks, say). Each notice names its recipients, Subject and
// Due; the scheduler sets Kind and Point. It uses kernel types only, so the capability
// does not import this package.
type DeadlineSource interface {
	Deadlines(ctx context.Context) ([]kernel.Notice, error)
}

// systemFacts is the inventory's systems (the scope capability), for their names.
type systemFacts interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// DigestHour is the Beijing hour from which the day's digest is sent.
const DigestHour = 8

// pointFor is the reminder point a deadline has reached with days left: the latest of 30,
// 7 and 1 days before that has come, or overdue once the date has passed (a deadline ends
// at 24:00 Beijing time, so on the due date itself it is 1d, not overdue). A deadline
// first seen 5 days ahead gets its 7-day reminder at once rather than none.
func pointFor(days int) string {
	switch {
	case days < 0:
		return PointOverdue
	case days <= 1:
		return Point1d
	case days <= 7:
		return Point7d
	case days <= 30:
		return Point30d
	}
	return ""
}

// Schedule claims, for every organisation, the reminders its deadlines have reached and,
// from DigestHour Beijing time, each user's digest of the day; it returns how many
// deliveries it claimed. Run it as often as you like: the sent-ledger keeps every
// (recipient, subject, point) to one delivery.
func (s *Service) Schedule(ctx context.Context) (int, error) {
	orgs, err := s.auth.ListOrgs(ctx, "")
	if err != nil {
		return 0, err
	}
	total := 0
	for _, o := range orgs {
		n, err := s.scheduleOrg(store.WithOrg(ctx, o.ID))
		if err != nil {
			return total, fmt.Errorf("notify: organisation %d: %w", o.ID, err)
		}
		total += n
	}
	return total, nil
}

func (s *Service) scheduleOrg(ctx context.Context) (int, error) {
	now := s.now()
	items, err := s.deadlines(ctx)
	if err != nil {
		return 0, err
	}
	users, err := s.users(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, it := range items {
		n := it
		n.Kind, n.Point = KindReminder, pointFor(daysLeft(now, n.Due))
		if n.Point == "" {
			continue
		}
		n.Title = reminderTitle(it.Title, n.Point, daysLeft(now, n.Due))
		k, err := s.claim(ctx, n, addressed(users, n), true)
		if err != nil {
			return total, err
		}
		total += k
	}
	if now.In(calendar.Shanghai).Hour() < DigestHour {
		return total, nil
	}
	day := now.In(calendar.Shanghai).Format(time.DateOnly)
	var open []kernel.Notice
	for _, it := range items {
		if daysLeft(now, it.Due) <= 30 {
			open = append(open, it)
		}
	}
	for _, u := range users {
		var mine []kernel.Notice
		for _, it := range open {
			if len(addressed([]auth.User{u}, it)) == 1 {
				mine = append(mine, it)
			}
		}
		if len(mine) == 0 || u.Disabled {
			continue
		}
		k, err := s.claim(ctx, digest(mine, now, day), []auth.User{u}, false)
		if err != nil {
			return total, err
		}
		total += k
	}
	if len(open) > 0 {
		// The organisation's webhooks get one digest of everything, addressed to no user.
		k, err := s.claim(ctx, digest(open, now, day), nil, true)
		if err != nil {
			return total, err
		}
		total += k
	}
	return total, nil
}

// addressed are the active users among users a notice is for.
func addressed(users []auth.User, n kernel.Notice) []auth.User {
	var out []auth.User
	for _, u := range users {
		if u.Disabled {
			continue
		}
		hit := false
		for _, id := range n.Users {
			hit = hit || id == u.ID
		}
		for _, r := range n.Roles {
			hit = hit || r == u.Role
		}
		if hit {
			out = append(out, u)
		}
	}
	return out
}

// deadlines are the context's organisation's open deadlines: the findings with a due date
// that are not met, and every DeadlineSource's.
func (s *Service) deadlines(ctx context.Context) ([]kernel.Notice, error) {
	out, err := s.findingDeadlines(ctx)
	if err != nil {
		return nil, err
	}
	for _, src := range s.sources {
		more, err := src.Deadlines(ctx)
		if err != nil {
			return nil, err
		}
		for _, n := range more {
			if !n.Due.IsZero() && n.Subject != "" {
				out = append(out, n)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, nil
}

// findingDeadlines turns open findings with a due date into reminders for the
// organisation's administrators and cybersecurity managers.
func (s *Service) findingDeadlines(ctx context.Context) ([]kernel.Notice, error) {
	fs, err := s.obl.CurrentFindings(ctx)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	cat, err := s.obl.Catalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	_, systems, err := s.systems.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read systems: %w", err)
	}
	names := make(map[string]string, len(systems))
	for _, sy := range systems {
		names[strconv.FormatInt(sy.ID, 10)] = sy.Name
	}
	var out []kernel.Notice
	for _, f := range fs {
		if f.Due == nil || f.Status == rules.StatusMet || f.Status == rules.StatusNotApplicable {
			continue
		}
		title := rules.Text{Zh: f.ObligationID, En: f.ObligationID}
		if o, ok := cat.Obligation(f.ObligationID); ok {
			title = o.Title
		}
		link := "/obligations/" + f.ObligationID
		if f.SubjectKind == rules.SubjectSystem {
			link = "/scope/systems/" + f.SubjectID
			// The same duty of two systems must read as two things: name the system.
			if n := names[f.SubjectID]; n != "" {
				title = rules.Text{Zh: title.Zh + "（" + n + "）", En: title.En + " (" + n + ")"}
			}
		}
		out = append(out, kernel.Notice{
			Subject: "finding:" + f.ObligationID + ":" + string(f.SubjectKind) + ":" + f.SubjectID,
			Title:   title, Body: f.Reason, Due: *f.Due, Link: link,
			Roles: []auth.Role{auth.Admin, auth.SecurityManager},
		})
	}
	return out, nil
}

// reminderTitle puts the reminder point before a deadline's title.
func reminderTitle(t rules.Text, point string, days int) rules.Text {
	switch point {
	case PointOverdue:
		return rules.Text{Zh: "【已逾期】" + t.Zh, En: "[Overdue] " + t.En}
	case Point1d:
		if days == 0 {
			return rules.Text{Zh: "【今日截止】" + t.Zh, En: "[Due today] " + t.En}
		}
	}
	return rules.Text{Zh: fmt.Sprintf("【%d 天后截止】%s", days, t.Zh), En: fmt.Sprintf("[Due in %d days] %s", days, t.En)}
}

// digest is the day's digest of items: overdue first, then by due date, one line each.
func digest(items []kernel.Notice, now time.Time, day string) kernel.Notice {
	var zh, en strings.Builder
	overdue := 0
	for _, it := range items {
		d := daysLeft(now, it.Due)
		if d < 0 {
			overdue++
			fmt.Fprintf(&zh, "· 已逾期 %d 天（截止 %s）：%s\n", -d, dueDate(it.Due), it.Title.Zh)
			fmt.Fprintf(&en, "· %d days overdue (due %s): %s\n", -d, dueDate(it.Due), it.Title.En)
		} else {
			fmt.Fprintf(&zh, "· %d 天后截止（%s）：%s\n", d, dueDate(it.Due), it.Title.Zh)
			fmt.Fprintf(&en, "· due in %d days (%s): %s\n", d, dueDate(it.Due), it.Title.En)
		}
	}
	return kernel.Notice{
		Kind: KindDigest, Subject: "digest", Point: day,
		Title: rules.Text{Zh: fmt.Sprintf("合规每日摘要 %s：%d 项逾期，%d 项 30 天内到期", day, overdue, len(items)-overdue),
			En: fmt.Sprintf("Compliance digest %s: %d overdue, %d due within 30 days", day, overdue, len(items)-overdue)},
		Body: rules.Text{Zh: strings.TrimRight(zh.String(), "\n"), En: strings.TrimRight(en.String(), "\n")},
		Link: "/findings",
	}
}
