package appstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/calendar"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// ComplaintDaysFor is the response clock of a kind in working days: a personal-information
// request at most 15 working days (the platform may promise fewer), every other kind the
// platform's promise.
func (p Platform) ComplaintDaysFor(kind string) int {
	if kind == KindPI {
		return min(p.PIComplaintDays, PIComplaintMaxDays)
	}
	return p.ComplaintDays
}

// SubmitComplaint records a complaint from the public form for the context's organisation,
// due at 24:00 Beijing of the last working day of its kind's clock.
func (s *Service) SubmitComplaint(ctx context.Context, in ComplaintInput) (Complaint, error) {
	c := Complaint{Kind: in.Kind, Subject: strings.TrimSpace(in.Subject), Body: strings.TrimSpace(in.Body), Contact: strings.TrimSpace(in.Contact), State: ComplaintOpen}
	v := &problem.Invalid{}
	if !slices.Contains(ComplaintKinds, c.Kind) {
		v.Add("kind", "must be malicious, personal_information, fraud or content")
	}
	v.Text("subject", c.Subject, true, maxName)
	v.Text("body", c.Body, true, MaxComplaintBody)
	v.Text("contact", c.Contact, false, maxShort)
	appText, devText := strings.TrimSpace(in.App), strings.TrimSpace(in.Developer)
	v.Text("app", appText, false, maxName)
	v.Text("developer", devText, false, maxName)
	if err := v.Err(); err != nil {
		return Complaint{}, err
	}
	c.ReceivedAt = s.now()
	receipt, err := newReceipt(c.ReceivedAt)
	if err != nil {
		return Complaint{}, err
	}
	c.Receipt = receipt
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		p, err := requirePlatform(t)
		if err != nil {
			return err
		}
		var app any
		if in.AppID != 0 {
			if _, err := appIn(t, in.AppID); err != nil {
				return problem.Field("app_id", "names no app of this store")
			}
			id := in.AppID
			c.AppID, app = &id, id
		} else if appText != "" {
			// Only an app on sale is matched: the answer is the same either way, so the
			// public form cannot probe for drafts or removed apps.
			var id int64
			err := t.QueryRow(`SELECT id FROM appstore_apps WHERE org_id = $1 AND state = 'published' AND (package = $2 OR name = $2) ORDER BY id LIMIT 1`, appText).Scan(&id)
			switch {
			case err == nil:
				c.AppID, app = &id, id
			case errors.Is(err, store.ErrNotFound):
				c.Body = "应用 / App: " + appText + "\n\n" + c.Body
			default:
				return fmt.Errorf("look up the app: %w", err)
			}
		}
		if err := linkDeveloper(t, &c, devText); err != nil {
			return err
		}
		if c.DueAt, err = s.dueAfter(c.ReceivedAt, p.ComplaintDaysFor(c.Kind)); err != nil {
			return err
		}
		var dev int64
		if c.DeveloperID != nil {
			dev = *c.DeveloperID
		}
		if err := t.QueryRow(`INSERT INTO appstore_complaints (org_id, kind, app_id, developer_id, subject, body, contact, received_at, due_at, state, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			c.Kind, app, dev, c.Subject, c.Body, c.Contact, c.ReceivedAt, c.DueAt, c.State, c.Receipt).Scan(&c.ID); err != nil {
			return fmt.Errorf("record the complaint: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_complaint", fmt.Sprint(c.ID), "create", nil, &c, "")
	})
	return c, err
}

// linkDeveloper links c to the developer it names (name, as the store shows it) when they
// have an app on sale — the answer is the same either way, so the public form cannot probe
// for developers still pending — and otherwise keeps the name in the text; without a name,
// a complaint about an app is linked to the app's developer.
func linkDeveloper(t *store.Tenant, c *Complaint, name string) error {
	var id int64
	var err error
	switch {
	case name != "":
		err = t.QueryRow(`SELECT d.id FROM appstore_developers d WHERE d.org_id = $1 AND d.name = $2
AND EXISTS (SELECT 1 FROM appstore_apps a WHERE a.org_id = d.org_id AND a.developer_id = d.id AND a.state = 'published') ORDER BY d.id LIMIT 1`, name).Scan(&id)
	case c.AppID != nil:
		err = t.QueryRow(`SELECT developer_id FROM appstore_apps WHERE org_id = $1 AND id = $2`, *c.AppID).Scan(&id)
	default:
		return nil
	}
	switch {
	case err == nil:
		c.DeveloperID = &id
	case errors.Is(err, store.ErrNotFound) && name != "":
		c.Body = "开发者 / Developer: " + name + "\n\n" + c.Body
	case errors.Is(err, store.ErrNotFound):
		// The complaint's app was read in this transaction: it cannot have gone.
	default:
		return fmt.Errorf("look up the developer: %w", err)
	}
	return nil
}

const complaintCols = `id, receipt, kind, app_id, developer_id, subject, body, contact, received_at, due_at, assignee, state, reply, replied_by, replied_at, closed_at`

func scanComplaint(sc interface{ Scan(...any) error }) (Complaint, error) {
	var c Complaint
	var app sql.NullInt64
	var dev int64
	var rep, cl sql.NullTime
	err := sc.Scan(&c.ID, &c.Receipt, &c.Kind, &app, &dev, &c.Subject, &c.Body, &c.Contact, &c.ReceivedAt, &c.DueAt, &c.Assignee, &c.State, &c.Reply, &c.RepliedBy, &rep, &cl)
	if app.Valid {
		c.AppID = &app.Int64
	}
	if dev != 0 {
		c.DeveloperID = &dev
	}
	c.RepliedAt, c.ClosedAt = nullTime(rep), nullTime(cl)
	return c, err
}

func complaintIn(t *store.Tenant, id int64) (Complaint, error) {
	c, err := scanComplaint(t.QueryRow(`SELECT `+complaintCols+` FROM appstore_complaints WHERE org_id = $1 AND id = $2`, id))
	if err != nil {
		return c, fmt.Errorf("complaint %d: %w", id, err)
	}
	return c, nil
}

// receiptAlphabet leaves out letters and digits read as each other (0/O, 1/I/L).
const receiptAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newReceipt is a complaint's receipt number: the Beijing date and eight random
// characters (about 40 bits), so that it can be quoted on the phone and says nothing of
// how many complaints came before.
func newReceipt(now time.Time) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("receipt number: %w", err)
	}
	for i := range b {
		b[i] = receiptAlphabet[int(b[i])%len(receiptAlphabet)]
	}
	return "TS" + now.In(calendar.Shanghai).Format("20060102") + "-" + string(b), nil
}

// Complaint returns one complaint.
func (s *Service) Complaint(ctx context.Context, id int64) (Complaint, error) {
	var c Complaint
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		c, err = complaintIn(t, id)
		return err
	})
	return c, err
}

// Complaints lists the organisation's complaints, newest first.
func (s *Service) Complaints(ctx context.Context) ([]Complaint, error) {
	var out []Complaint
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + complaintCols + ` FROM appstore_complaints WHERE org_id = $1 ORDER BY id DESC`)
		if err != nil {
			return fmt.Errorf("list complaints: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				return fmt.Errorf("read a complaint: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// HandleComplaint assigns, answers or closes a complaint: assignee sets who handles it,
// a reply answers it (the first answer stops its clock), close ends it (only once
// answered).
func (s *Service) HandleComplaint(ctx context.Context, id int64, assignee, reply string, close bool) (Complaint, error) {
	assignee, reply = strings.TrimSpace(assignee), strings.TrimSpace(reply)
	v := &problem.Invalid{}
	v.Text("assignee", assignee, false, maxShort)
	v.Text("reply", reply, false, maxText)
	if err := v.Err(); err != nil {
		return Complaint{}, err
	}
	var c Complaint
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := complaintIn(t, id)
		if err != nil {
			return err
		}
		if before.State == ComplaintClosed {
			return problem.Conflictf("complaint", "is closed")
		}
		c = before
		now := s.now()
		if assignee != "" {
			c.Assignee = assignee
		}
		if reply != "" {
			c.Reply, c.RepliedBy, c.State = reply, audit.ActorFrom(ctx).Label, ComplaintAnswered
			if c.RepliedAt == nil {
				c.RepliedAt = &now
			}
		}
		if close {
			if c.Reply == "" {
				return problem.Field("reply", "is required before closing: answer the complaint first")
			}
			c.State, c.ClosedAt = ComplaintClosed, &now
		}
		if _, err := t.Exec(`UPDATE appstore_complaints SET assignee = $3, reply = $4, replied_by = $5, replied_at = $6, state = $7, closed_at = $8 WHERE org_id = $1 AND id = $2`,
			id, c.Assignee, c.Reply, c.RepliedBy, c.RepliedAt, c.State, c.ClosedAt); err != nil {
			return fmt.Errorf("handle complaint %d: %w", id, err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_complaint", fmt.Sprint(id), "handle", &before, &c, c.State)
	})
	return c, err
}
