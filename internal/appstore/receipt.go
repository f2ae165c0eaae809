package appstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// A complainant holds only the receipt number the form gave them; with it they can ask
// how their complaint stands, without signing in. The answer is a ReceiptStatus and
// nothing more: the complaint's own text, the contact given, who handles it and the reply
// stay with the platform (the reply goes to the contact the complainant gave), since
// whoever overhears a receipt number learns only whether it was answered in time.

// lookupsPerIPPerHour bounds the receipt look-ups from one remote address: ample for a
// person checking on a few complaints, hopeless for guessing 31^8 receipt numbers.
const lookupsPerIPPerHour = 20

// receiptMaxBody bounds the look-up's request: one short field and the form's token.
const receiptMaxBody = 4 << 10

// receiptRE is the form newReceipt issues.
var receiptRE = regexp.MustCompile(`^TS[0-9]{8}-[` + receiptAlphabet + `]{8}$`)

// ReceiptStatus is what the public learns of a complaint from its receipt: its kind, when
// it was received and is due, its state and when it was answered and closed.
type ReceiptStatus struct {
	Receipt    string     `json:"receipt"`
	Kind       string     `json:"kind"`
	ReceivedAt time.Time  `json:"received_at"`
	DueAt      time.Time  `json:"due_at"`
	State      string     `json:"state"`
	RepliedAt  *time.Time `json:"replied_at,omitempty"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	Overdue    bool       `json:"overdue"`
}

// normalReceipt reads a receipt number as a person types it: spaces around it ignored,
// letters in either case.
func normalReceipt(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// ComplaintByReceipt returns the status of the context's organisation's complaint with
// receipt: a malformed number is a problem naming `receipt`, a number no complaint of this
// organisation carries is store.ErrNotFound whether or not another organisation's does.
func (s *Service) ComplaintByReceipt(ctx context.Context, receipt string) (ReceiptStatus, error) {
	receipt = normalReceipt(receipt)
	if !receiptRE.MatchString(receipt) {
		return ReceiptStatus{}, problem.Field("receipt", "is not a receipt number: TS, the date and eight letters or digits, as in TS20260212-7KQ4M2XP")
	}
	var st ReceiptStatus
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		c, err := scanComplaint(t.QueryRow(`SELECT `+complaintCols+` FROM appstore_complaints WHERE org_id = $1 AND receipt = $2`, receipt))
		if err != nil {
			return err
		}
		st = ReceiptStatus{Receipt: c.Receipt, Kind: c.Kind, ReceivedAt: c.ReceivedAt, DueAt: c.DueAt, State: c.State,
			RepliedAt: c.RepliedAt, ClosedAt: c.ClosedAt, Overdue: c.Overdue(s.now())}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return ReceiptStatus{}, store.ErrNotFound
	}
	if err != nil {
		return ReceiptStatus{}, fmt.Errorf("look up a receipt: %w", err)
	}
	return st, nil
}

// allowLookup counts a receipt look-up from ip and refuses the one past the hour's limit
// (problem.TooMany, 429 with Retry-After). It is taken under the address's row lock, as
// the form's submissions are, so concurrent look-ups are counted one after the other.
func (g *publicGuard) allowLookup(ctx context.Context, ip string) error {
	now := g.now().UTC().Truncate(time.Microsecond)
	return g.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`DELETE FROM appstore_public_lookups WHERE at <= $1`, now.Add(-time.Hour)); err != nil {
			return fmt.Errorf("forget old look-ups: %w", err)
		}
		if err := sweepGates(tx, now.Add(-time.Hour)); err != nil {
			return err
		}
		if err := holdCount(tx, "lookup:"+ip, now); err != nil {
			return err
		}
		times, err := recentHits(tx, "appstore_public_lookups", "ip", ip, lookupsPerIPPerHour)
		if err != nil {
			return err
		}
		if len(times) >= lookupsPerIPPerHour {
			return &problem.TooMany{Reason: "too many receipt look-ups from this address: try again in an hour", RetryAfter: retryAfter(times, now)}
		}
		if _, err := tx.Exec(`INSERT INTO appstore_public_lookups (ip, at) VALUES ($1, $2)`, ip, now); err != nil {
			return fmt.Errorf("count the look-up: %w", err)
		}
		return nil
	})
}

// receiptPage is the public receipt look-up: the form, and after a look-up the status or
// that no complaint of this platform has that number.
type receiptPage struct {
	Org      int64
	Platform string
	Receipt  string
	Status   *ReceiptStatus
	NotFound bool
}

// Beijing is beijingDeadline for the receipt page.
func (receiptPage) Beijing(t time.Time) string { return beijingDeadline(t) }

func (m *Module) receiptFormPage(w http.ResponseWriter, r *http.Request) error {
	_, org, p, err := m.publicOrg(r)
	if err != nil {
		return err
	}
	return m.renderReceipt(w, r, &receiptPage{Org: org, Platform: p.Name}, nil)
}

func (m *Module) receiptLookupPage(w http.ResponseWriter, r *http.Request) error {
	ctx, org, p, err := m.publicOrg(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("form", "cannot be read as a form")
	}
	d := &receiptPage{Org: org, Platform: p.Name, Receipt: normalReceipt(r.PostFormValue("receipt"))}
	if !receiptRE.MatchString(d.Receipt) {
		_, err := m.ComplaintByReceipt(ctx, d.Receipt)
		return m.renderReceipt(w, r, d, err)
	}
	if err := m.public.allowLookup(ctx, remoteAddr(r)); err != nil {
		return err
	}
	st, err := m.ComplaintByReceipt(ctx, d.Receipt)
	switch {
	case errors.Is(err, store.ErrNotFound):
		d.NotFound = true
	case err != nil:
		return err
	default:
		d.Status = &st
	}
	return m.renderReceipt(w, r, d, nil)
}

func (m *Module) renderReceipt(w http.ResponseWriter, r *http.Request, d *receiptPage, refused error) error {
	v := m.d.Web.NewView(r, "appstore.receipt.title", "")
	if refused != nil {
		v.Form = r.PostForm
		if err := web.FieldErrors(refused, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
	}
	if d.NotFound {
		v.Status = http.StatusNotFound
	}
	v.Data = d
	return m.pages.Render(w, r, "page_receipt.html", v)
}
