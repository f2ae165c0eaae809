package threat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// NewNotification is a notification as a regulator's analyst writes it.
type NewNotification struct {
	TitleZH  string   `json:"title_zh"`
	TitleEN  string   `json:"title_en"`
	Summary  string   `json:"summary"`
	Severity string   `json:"severity"`
	Sectors  []string `json:"sectors"`
	Actions  string   `json:"actions"`  // recommended actions
	Deadline string   `json:"deadline"` // the answer's deadline: China time "2026-12-10T18:00" or RFC 3339
	TLP      string   `json:"tlp"`
	// Recipients, when given, are the operator organisations the notification reaches,
	// instead of every operator of its sectors; TLP:RED needs them (TLP 2.0: for the
	// named recipients only).
	Recipients []int64 `json:"recipients"`
	// Format and Indicators are the indicators as a feed (list, csv or stix).
	Format     string `json:"format"`
	Indicators string `json:"indicators"`
}

// Limits of a notification's text.
const (
	maxTitle = 200
	maxText  = 20000
)

// parseDeadline reads a time typed in China time to the minute, or RFC 3339.
func parseDeadline(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Shanghai); err == nil {
			return t.UTC(), true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Truncate(time.Minute), true
	}
	return time.Time{}, false
}

// validateNotification checks n against the installation's operators ops and reads its
// indicators.
func validateNotification(n *NewNotification, ops []auth.Org, now time.Time) (*Parsed, time.Time, error) {
	v := &problem.Invalid{}
	n.TitleZH, n.TitleEN, n.Summary, n.Actions = strings.TrimSpace(n.TitleZH), strings.TrimSpace(n.TitleEN), strings.TrimSpace(n.Summary), strings.TrimSpace(n.Actions)
	v.Text("title_zh", n.TitleZH, true, maxTitle)
	v.Text("title_en", n.TitleEN, true, maxTitle)
	v.Text("summary", n.Summary, false, maxText)
	v.Text("actions", n.Actions, true, maxText)
	if !slices.Contains(Severities, n.Severity) {
		v.Add("severity", "must be one of low, medium, high, critical")
	}
	if n.TLP == "" {
		n.TLP = "amber"
	}
	if !slices.Contains(TLPs, n.TLP) {
		v.Add("tlp", "must be one of clear, green, amber, amber+strict, red")
	}
	if n.TLP == "red" && len(n.Recipients) == 0 {
		v.Add("recipients", "TLP:RED is for named recipients only: name the operators it is for")
	}
	for i, id := range n.Recipients {
		key := "recipients[" + strconv.Itoa(i) + "]"
		switch {
		case slices.Contains(n.Recipients[:i], id):
			v.Add(key, "names the same operator twice")
		case !slices.ContainsFunc(ops, func(o auth.Org) bool { return o.ID == id }):
			v.Add(key, "is not an operator organisation")
		}
	}
	if len(n.Sectors) == 0 {
		v.Add("sectors", "name at least one sector")
	}
	for i, code := range n.Sectors {
		if _, ok := SectorOf(code); !ok {
			v.Add("sectors["+strconv.Itoa(i)+"]", "is not a sector code")
		}
	}
	deadline, ok := parseDeadline(n.Deadline)
	switch {
	case strings.TrimSpace(n.Deadline) == "":
		v.Add("deadline", "is required (China time, e.g. 2026-12-10T18:00)")
	case !ok:
		v.Add("deadline", "is not a time: write it as 2026-12-10T18:00 (China time)")
	case !deadline.After(now):
		v.Add("deadline", "must be in the future")
	}
	var parsed *Parsed
	if n.Format == "" {
		n.Format = FormatList
	}
	if !slices.Contains(Formats, n.Format) {
		v.Add("format", "must be one of list, csv, stix")
	} else if len(n.Indicators) > MaxFeedBytes {
		v.Add("indicators", "must be at most %d bytes", MaxFeedBytes)
	} else {
		p, err := ParseFeed(n.Format, strings.NewReader(n.Indicators), now)
		switch {
		case err != nil:
			v.Add("indicators", "cannot be read: %v", err)
		case len(p.Problems) > 0:
			for _, pr := range p.Problems {
				v.Add("indicators.line["+strconv.Itoa(pr.Line)+"]", pr.Format, pr.Args...)
			}
		case len(p.Items) == 0:
			v.Add("indicators", "names no indicator")
		}
		parsed = p
	}
	return parsed, deadline, v.Err()
}

// recipient is an operator a notification reaches, with the first of its sectors named.
type recipient struct {
	org    auth.Org
	sector string
}

// recipients finds the operators of ops a notification reaches: the named ones when it
// names any (each with the first of sectors its profile names, or the first of sectors:
// the regulator chose it), else every one whose profile names one of sectors.
func (s *Service) recipients(ctx context.Context, ops []auth.Org, sectors []string, named []int64) ([]recipient, error) {
	var out []recipient
	for _, o := range ops {
		if len(named) > 0 && !slices.Contains(named, o.ID) {
			continue
		}
		org, _, err := s.inv.Facts(store.WithOrg(ctx, o.ID))
		if err != nil {
			return nil, fmt.Errorf("sectors of operator %d: %w", o.ID, err)
		}
		i := slices.IndexFunc(sectors, func(sec string) bool { return slices.Contains(org.Sectors, sec) })
		switch {
		case i >= 0:
			out = append(out, recipient{org: o, sector: sectors[i]})
		case len(named) > 0:
			out = append(out, recipient{org: o, sector: sectors[0]})
		}
	}
	return out, nil
}

// bundleOf writes the notification as STIX 2.1: the regulator's identity, a report, its
// indicators, all marked with the notification's TLP.
func bundleOf(reg auth.Org, n NewNotification, items []Item, now time.Time) (reportID string, bundle []byte, err error) {
	ts := stix.At(now)
	id := &stix.Identity{Common: stix.NewCommon("identity", "", ts), Name: reg.NameZH, IdentityClass: "organization"}
	level, _ := stix.ParseTLP(n.TLP)
	objs := []stix.Object{id, stix.TLPMarking(level)}
	var refs []string
	for _, it := range items {
		_, body, _, err := stixOf(it, n.TLP, now)
		if err != nil {
			return "", nil, err
		}
		o, err := stix.Decode([]byte(body))
		if err != nil {
			return "", nil, fmt.Errorf("indicator of line %d: %w", it.Line, err)
		}
		if ind, ok := o.(*stix.Indicator); ok && ind.CreatedByRef == "" && it.STIX == "" {
			ind.CreatedByRef = id.ID
		}
		objs = append(objs, o)
		refs = append(refs, o.ObjectID())
	}
	rep := &stix.Report{Common: stix.NewCommon("report", id.ID, ts), Name: n.TitleZH + " / " + n.TitleEN, Description: n.Summary,
		ReportTypes: []string{"threat-report"}, Published: ts, ObjectRefs: refs}
	rep.ObjectMarkingRefs = []string{level.MarkingID()}
	objs = append(objs, rep)
	b, err := json.Marshal(stix.NewBundle(objs...))
	return rep.ID, b, err
}

// Publish validates n and sends it to every operator of its sectors: the regulator's
// record, each recipient's inbox copy and indicators, and a retro-hunt queued for each, in
// one transaction audited on both sides. An invalid notification is a problem.Invalid naming
// the field (each bad indicator line as "indicators.line[N]").
func (s *Service) Publish(ctx context.Context, n NewNotification) (Notification, error) {
	return s.publish(ctx, n, true)
}

// publish is Publish; kick false leaves the queued retro-hunts to the caller (the demo runs
// them itself).
func (s *Service) publish(ctx context.Context, n NewNotification, kick bool) (Notification, error) {
	regID, err := orgOf(ctx)
	if err != nil {
		return Notification{}, err
	}
	now := s.now()
	ops, err := s.auth.ListOrgs(ctx, auth.Operator)
	if err != nil {
		return Notification{}, fmt.Errorf("list operators: %w", err)
	}
	parsed, deadline, err := validateNotification(&n, ops, now)
	if err != nil {
		return Notification{}, err
	}
	reg, err := s.auth.GetOrg(ctx, regID)
	if err != nil {
		return Notification{}, fmt.Errorf("the regulator: %w", err)
	}
	recips, err := s.recipients(ctx, ops, n.Sectors, n.Recipients)
	if err != nil {
		return Notification{}, err
	}
	reportID, bundle, err := bundleOf(reg, n, parsed.Items, now)
	if err != nil {
		return Notification{}, err
	}
	sectorsJSON, _ := json.Marshal(n.Sectors)
	out := Notification{STIXID: reportID, TitleZH: n.TitleZH, TitleEN: n.TitleEN, Summary: n.Summary, Severity: n.Severity, Sectors: n.Sectors,
		Actions: n.Actions, Deadline: deadline, TLP: n.TLP, Named: len(n.Recipients) > 0, Indicators: len(parsed.Items), Recipients: len(recips),
		PublishedBy: audit.ActorFrom(ctx).Label, PublishedAt: now}
	queued := false
	inbox := map[int64]int64{} // recipient organisation → its inbox copy
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO threat_notifications (org_id, stix_id, title_zh, title_en, summary, severity, sectors, actions, deadline, tlp, named, bundle, indicators, recipients, published_by, published_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			out.STIXID, out.TitleZH, out.TitleEN, out.Summary, out.Severity, string(sectorsJSON), out.Actions, out.Deadline, out.TLP, out.Named, string(bundle),
			out.Indicators, out.Recipients, out.PublishedBy, out.PublishedAt).Scan(&out.ID); err != nil {
			return fmt.Errorf("record the notification: %w", err)
		}
		tx := t.Tx()
		for _, rc := range recips {
			if _, err := t.Exec(`INSERT INTO threat_recipients (org_id, notification_id, operator_id, operator_zh, operator_en) VALUES ($1, $2, $3, $4, $5)`,
				out.ID, rc.org.ID, rc.org.NameZH, rc.org.NameEN); err != nil {
				return fmt.Errorf("record recipient %d: %w", rc.org.ID, err)
			}
			// The recipient's copy is its own record; its organisation comes from the
			// installation's operators, never from input.
			var inboxID int64
			if err := tx.QueryRow(`INSERT INTO threat_inbox (org_id, regulator_id, regulator_zh, regulator_en, notification_id, stix_id, title_zh, title_en, summary, severity, sectors, actions, deadline, tlp, named, published_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
				rc.org.ID, reg.ID, reg.NameZH, reg.NameEN, out.ID, out.STIXID, out.TitleZH, out.TitleEN, out.Summary, out.Severity, string(sectorsJSON),
				out.Actions, out.Deadline, out.TLP, out.Named, out.PublishedAt).Scan(&inboxID); err != nil {
				return fmt.Errorf("deliver to operator %d: %w", rc.org.ID, err)
			}
			inbox[rc.org.ID] = inboxID
			source := "inbox:" + strconv.FormatInt(inboxID, 10)
			ids, err := insertIndicators(tx, rc.org.ID, "regulator:"+rc.sector, parsed.Items, out.TLP, source, &inboxID, now)
			if err != nil {
				return err
			}
			if len(ids) > 0 {
				if err := queueHunt(tx, rc.org.ID, source, ids, now); err != nil {
					return err
				}
				queued = true
			}
			if err := audit.Record(tx, rc.org.ID, "threat_notification", strconv.FormatInt(inboxID, 10), "receive", nil, out,
				fmt.Sprintf("%q from %s, %d indicators", out.TitleEN, reg.NameEN, out.Indicators)); err != nil {
				return err
			}
			if s.changes != nil {
				s.changes.Changed(tx, rc.org.ID, 0)
			}
		}
		return audit.InTenant(t, "threat_notification", strconv.FormatInt(out.ID, 10), "issue", nil, out,
			fmt.Sprintf("%q to %d operators, %d indicators", out.TitleEN, out.Recipients, out.Indicators))
	})
	if err != nil {
		return Notification{}, err
	}
	if queued && kick {
		s.hunter.kick()
	}
	s.alertRecipients(ctx, out, reg, inbox)
	return out, nil
}

// responders are who a notification is for in the receiving organisation: those who hold
// threat.respond.
var responders = []auth.Role{auth.Admin, auth.SecurityManager, auth.Analyst}

// alertRecipients tells each recipient's responders of a new notification through the
// installation's notifier, after it is stored: a failed alert is logged and does not undo
// the notification, which every recipient has in its inbox.
func (s *Service) alertRecipients(ctx context.Context, n Notification, reg auth.Org, inbox map[int64]int64) {
	if s.notifier == nil {
		return
	}
	for org, id := range inbox {
		it := InboxItem{ID: id, RegulatorZH: reg.NameZH, RegulatorEN: reg.NameEN, TitleZH: n.TitleZH, TitleEN: n.TitleEN,
			Summary: n.Summary, Severity: n.Severity, Deadline: n.Deadline}
		if _, err := s.notifier.Notify(ctx, org, inboxNotice(it, "received")); err != nil && s.log != nil {
			s.log.Warn("threat: alert of a new notification not queued", "org", org, "inbox", id, "err", err)
		}
	}
}

// Deadlines lists the context organisation's notifications not yet answered, for the
// notification reminders before and after their answer deadline (the notify capability's
// DeadlineSource).
func (s *Service) Deadlines(ctx context.Context) ([]kernel.Notice, error) {
	items, err := s.Inbox(ctx)
	if err != nil {
		return nil, fmt.Errorf("threat deadlines: %w", err)
	}
	var out []kernel.Notice
	for _, it := range items {
		if it.AnsweredAt == nil {
			out = append(out, inboxNotice(it, ""))
		}
	}
	return out, nil
}

// severityText is a severity in Chinese, or as given when it has no Chinese name.
func severityText(sev string) string {
	if z, ok := severityZh[sev]; ok {
		return z
	}
	return sev
}

// inboxNotice is the notice of an inbox copy at a point of its life ("received"; the
// reminder scheduler sets its own), to the organisation's responders.
func inboxNotice(it InboxItem, point string) kernel.Notice {
	id := strconv.FormatInt(it.ID, 10)
	due := it.Deadline.In(calendar.Shanghai).Format("2006-01-02 15:04")
	return kernel.Notice{Kind: "threat.notification", Subject: "threat-inbox:" + id, Point: point,
		Title: rules.Text{Zh: "威胁预警通报：" + it.TitleZH, En: "Threat notification: " + it.TitleEN},
		Body: rules.Text{
			Zh: fmt.Sprintf("%s发布预警通报（%s），请确认并于 %s（北京时间）前反馈处置情况。%s", it.RegulatorZH, severityText(it.Severity), due, it.Summary),
			En: fmt.Sprintf("%s published a threat notification (%s): acknowledge it and answer with the actions taken by %s (China time). %s", it.RegulatorEN, it.Severity, due, it.Summary),
		},
		Roles: responders, Due: it.Deadline, Link: "/threat/inbox/" + id}
}

const notificationCols = `id, stix_id, title_zh, title_en, summary, severity, sectors, actions, deadline, tlp, named, indicators, recipients, published_by, published_at`

func scanNotification(sc interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var sectors string
	if err := sc.Scan(&n.ID, &n.STIXID, &n.TitleZH, &n.TitleEN, &n.Summary, &n.Severity, &sectors, &n.Actions, &n.Deadline, &n.TLP, &n.Named,
		&n.Indicators, &n.Recipients, &n.PublishedBy, &n.PublishedAt); err != nil {
		return n, err
	}
	n.Deadline, n.PublishedAt = n.Deadline.UTC(), n.PublishedAt.UTC()
	return n, json.Unmarshal([]byte(sectors), &n.Sectors)
}

// Notifications lists what the context's regulator published, newest first.
func (s *Service) Notifications(ctx context.Context) ([]Notification, error) {
	out := []Notification{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + notificationCols + ` FROM threat_notifications WHERE org_id = $1 ORDER BY id DESC LIMIT 500`)
		if err != nil {
			return fmt.Errorf("list notifications: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

// NotificationOf is one of the context regulator's notifications with every recipient's
// response and the bundle; another organisation's is store.ErrNotFound.
func (s *Service) NotificationOf(ctx context.Context, id int64) (Notification, error) {
	var n Notification
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		var bundle string
		row := t.QueryRow(`SELECT `+notificationCols+`, bundle FROM threat_notifications WHERE org_id = $1 AND id = $2`, id)
		var sectors string
		if err = row.Scan(&n.ID, &n.STIXID, &n.TitleZH, &n.TitleEN, &n.Summary, &n.Severity, &sectors, &n.Actions, &n.Deadline, &n.TLP, &n.Named,
			&n.Indicators, &n.Recipients, &n.PublishedBy, &n.PublishedAt, &bundle); err != nil {
			return err
		}
		n.Deadline, n.PublishedAt, n.Bundle = n.Deadline.UTC(), n.PublishedAt.UTC(), json.RawMessage(bundle)
		if err := json.Unmarshal([]byte(sectors), &n.Sectors); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT operator_id, operator_zh, operator_en, acknowledged_at, answered_at, answer FROM threat_recipients
WHERE org_id = $1 AND notification_id = $2 ORDER BY operator_zh`, id)
		if err != nil {
			return fmt.Errorf("list recipients: %w", err)
		}
		defer rows.Close()
		n.Responses = []Response{}
		for rows.Next() {
			var r Response
			var ack, ans sql.NullTime
			if err := rows.Scan(&r.OperatorID, &r.OperatorZH, &r.OperatorEN, &ack, &ans, &r.Answer); err != nil {
				return err
			}
			r.AcknowledgedAt, r.AnsweredAt = nullTime(ack), nullTime(ans)
			r.State = stateOf(r.AcknowledgedAt, r.AnsweredAt, n.Deadline, now)
			n.Responses = append(n.Responses, r)
		}
		return rows.Err()
	})
	return n, err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

const inboxCols = `id, regulator_id, regulator_zh, regulator_en, notification_id, stix_id, title_zh, title_en, summary, severity, sectors, actions, deadline, tlp, named, published_at,
acknowledged_at, acknowledged_by, answered_at, answered_by, answer`

func scanInbox(sc interface{ Scan(...any) error }, now time.Time) (InboxItem, error) {
	var it InboxItem
	var sectors string
	var ack, ans sql.NullTime
	if err := sc.Scan(&it.ID, &it.RegulatorID, &it.RegulatorZH, &it.RegulatorEN, &it.NotificationID, &it.STIXID, &it.TitleZH, &it.TitleEN, &it.Summary,
		&it.Severity, &sectors, &it.Actions, &it.Deadline, &it.TLP, &it.Named, &it.PublishedAt, &ack, &it.AcknowledgedBy, &ans, &it.AnsweredBy, &it.Answer); err != nil {
		return it, err
	}
	it.Deadline, it.PublishedAt = it.Deadline.UTC(), it.PublishedAt.UTC()
	it.AcknowledgedAt, it.AnsweredAt = nullTime(ack), nullTime(ans)
	it.State = stateOf(it.AcknowledgedAt, it.AnsweredAt, it.Deadline, now)
	return it, json.Unmarshal([]byte(sectors), &it.Sectors)
}

// Inbox lists the notifications the context's operator received, newest first.
func (s *Service) Inbox(ctx context.Context) ([]InboxItem, error) {
	out := []InboxItem{}
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + inboxCols + ` FROM threat_inbox WHERE org_id = $1 ORDER BY id DESC LIMIT 500`)
		if err != nil {
			return fmt.Errorf("list inbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanInbox(rows, now)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

// InboxItemOf is one notification of the context's operator with its indicators;
// another organisation's is store.ErrNotFound.
func (s *Service) InboxItemOf(ctx context.Context, id int64) (InboxItem, error) {
	var it InboxItem
	now := s.now()
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if it, err = scanInbox(t.QueryRow(`SELECT `+inboxCols+` FROM threat_inbox WHERE org_id = $1 AND id = $2`, id), now); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return it, err
	}
	it.Indicators, err = s.Indicators(ctx, "inbox:"+strconv.FormatInt(id, 10), 1000)
	return it, err
}

// Acknowledge records that the context's operator received notification id; the
// regulator's recipient row follows in the same transaction. A second acknowledgement is a
// conflict.
func (s *Service) Acknowledge(ctx context.Context, id int64) (InboxItem, error) {
	return s.respond(ctx, id, "")
}

// Answer records the actions the context's operator took on notification id (acknowledging
// it too when it was not yet). A second answer is a conflict; a late one is kept and shown
// late.
func (s *Service) Answer(ctx context.Context, id int64, answer string) (InboxItem, error) {
	answer = strings.TrimSpace(answer)
	v := &problem.Invalid{}
	v.Text("answer", answer, true, maxText)
	if err := v.Err(); err != nil {
		return InboxItem{}, err
	}
	return s.respond(ctx, id, answer)
}

func (s *Service) respond(ctx context.Context, id int64, answer string) (InboxItem, error) {
	now := s.now()
	by := audit.ActorFrom(ctx).Label
	var after InboxItem
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := scanInbox(t.QueryRow(`SELECT `+inboxCols+` FROM threat_inbox WHERE org_id = $1 AND id = $2`, id), now)
		if err != nil {
			return err
		}
		after = before
		action := "acknowledge"
		switch {
		case answer == "" && before.AcknowledgedAt != nil:
			return problem.Conflictf("id", "is already acknowledged")
		case answer != "" && before.AnsweredAt != nil:
			return problem.Conflictf("id", "is already answered")
		}
		if before.AcknowledgedAt == nil {
			after.AcknowledgedAt, after.AcknowledgedBy = &now, by
		}
		if answer != "" {
			action = "answer"
			after.AnsweredAt, after.AnsweredBy, after.Answer = &now, by, answer
		}
		after.State = stateOf(after.AcknowledgedAt, after.AnsweredAt, after.Deadline, now)
		if _, err := t.Exec(`UPDATE threat_inbox SET acknowledged_at = $2, acknowledged_by = $3, answered_at = $4, answered_by = $5, answer = $6 WHERE org_id = $1 AND id = $7`,
			after.AcknowledgedAt, after.AcknowledgedBy, after.AnsweredAt, after.AnsweredBy, after.Answer, id); err != nil {
			return fmt.Errorf("record the response: %w", err)
		}
		// The regulator's row: its organisation is the one this inbox row came from.
		if _, err := t.Tx().Exec(`UPDATE threat_recipients SET acknowledged_at = $3, answered_at = $4, answer = $5 WHERE org_id = $1 AND notification_id = $2 AND operator_id = $6`,
			after.RegulatorID, after.NotificationID, after.AcknowledgedAt, after.AnsweredAt, after.Answer, t.OrgID()); err != nil {
			return fmt.Errorf("tell the regulator: %w", err)
		}
		s.announce(t)
		if err := audit.Record(t.Tx(), after.RegulatorID, "threat_notification", strconv.FormatInt(after.NotificationID, 10), action, nil, nil,
			fmt.Sprintf("operator %d: %s", t.OrgID(), after.State)); err != nil {
			return err
		}
		return audit.InTenant(t, "threat_notification", strconv.FormatInt(id, 10), action, before, after, after.State)
	})
	if errors.Is(err, store.ErrNotFound) {
		return InboxItem{}, store.ErrNotFound
	}
	return after, err
}
