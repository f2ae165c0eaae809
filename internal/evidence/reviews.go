package evidence

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Review permissions: deciding on others' attestations, and whether the organisation
// requires that review.
const (
	Review         auth.Permission = "evidence.review"
	ReviewSettings auth.Permission = "evidence.review.settings"
)

func init() {
	auth.Grant(Review, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(ReviewSettings, auth.Admin)
}

// Review statuses.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// AttestationReview is the review of one attestation: what the author stated, with which
// evidence, and what the reviewer decided.
type AttestationReview struct {
	AttestationID int64      `json:"attestation_id"`
	ObligationID  string     `json:"obligation_id"`
	SubjectKind   string     `json:"subject_kind"`
	SubjectID     string     `json:"subject_id"`
	Statement     string     `json:"statement"`
	Evidence      []string   `json:"evidence"`
	Author        string     `json:"author"`
	AuthorID      int64      `json:"-"`
	Status        string     `json:"status"`
	Reviewer      string     `json:"reviewer,omitempty"`
	ReviewerID    int64      `json:"-"`
	Note          string     `json:"note,omitempty"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// The evidence capability reviews attestations for the obligations capability.
var _ kernel.AttestationReviews = (*Module)(nil)

// fourEyesIn reads whether the organisation requires review; it does unless it said not.
func fourEyesIn(t *store.Tenant) (bool, error) {
	var on bool
	err := t.QueryRow(`SELECT four_eyes FROM review_settings WHERE org_id = $1`).Scan(&on)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	return on, err
}

// Submitted implements kernel.AttestationReviews: where the organisation requires review,
// the attestation waits for one; otherwise nothing is recorded and it counts at once.
func (m *Module) Submitted(t *store.Tenant, a kernel.AttestationRef) error {
	on, err := fourEyesIn(t)
	if err != nil || !on {
		return err
	}
	if _, err := t.Exec(`INSERT INTO attestation_reviews (org_id, attestation_id, obligation_id, subject_kind, subject_id, statement, evidence, author_id, author, status, reviewer_id, reviewer, note, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, '', '', $10)`,
		a.ID, a.ObligationID, a.SubjectKind, a.SubjectID, a.Statement, strings.Join(a.Evidence, ","), a.AuthorID, a.Author, time.Now().UTC().Truncate(time.Microsecond)); err != nil {
		return fmt.Errorf("hold attestation %d for review: %w", a.ID, err)
	}
	return nil
}

// Counting implements kernel.AttestationReviews: an attestation counts when it was never
// held for review or a reviewer approved it.
func (m *Module) Counting(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	err := m.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT attestation_id FROM attestation_reviews WHERE org_id = $1 AND status <> 'approved'`)
		if err != nil {
			return fmt.Errorf("read reviews: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			delete(out, id)
		}
		return rows.Err()
	})
	return out, err
}

const reviewColumns = `attestation_id, obligation_id, subject_kind, subject_id, statement, evidence, author_id, author, status, reviewer_id, reviewer, note, submitted_at, decided_at`

func scanReview(scan func(...any) error) (AttestationReview, error) {
	var r AttestationReview
	var ev string
	err := scan(&r.AttestationID, &r.ObligationID, &r.SubjectKind, &r.SubjectID, &r.Statement, &ev, &r.AuthorID, &r.Author, &r.Status, &r.ReviewerID, &r.Reviewer, &r.Note, &r.SubmittedAt, &r.DecidedAt)
	if ev != "" {
		r.Evidence = strings.Split(ev, ",")
	}
	return r, err
}

// Reviews lists the context's organisation's reviews: those pending first, then the
// latest decisions, at most limit.
func (s *Service) Reviews(ctx context.Context, limit int) ([]AttestationReview, error) {
	var out []AttestationReview
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+reviewColumns+` FROM attestation_reviews WHERE org_id = $1
ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, submitted_at DESC, attestation_id DESC LIMIT $2`, limit)
		if err != nil {
			return fmt.Errorf("list reviews: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReview(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// GetReview returns the review of one attestation; another organisation's is
// store.ErrNotFound.
func (s *Service) GetReview(ctx context.Context, attestationID int64) (AttestationReview, error) {
	var r AttestationReview
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) (err error) {
		r, err = scanReview(t.QueryRow(`SELECT `+reviewColumns+` FROM attestation_reviews WHERE org_id = $1 AND attestation_id = $2`, attestationID).Scan)
		return err
	})
	return r, err
}

// Decide approves or rejects an attestation as the context's actor. The author can never
// decide on their own attestation, whatever their role; a decision is final. The
// obligations capability re-evaluates once the decision is committed.
func (m *Module) Decide(ctx context.Context, attestationID int64, decision, note string) (AttestationReview, error) {
	v := &problem.Invalid{}
	if decision != ReviewApproved && decision != ReviewRejected {
		v.Add("decision", "must be approved or rejected")
	}
	note = strings.TrimSpace(note)
	v.Text("note", note, decision == ReviewRejected, 2000)
	if err := v.Err(); err != nil {
		return AttestationReview{}, err
	}
	actor := audit.ActorFrom(ctx)
	reviewer := actor.Label
	if u, err := m.d.Auth.GetUser(ctx, actor.UserID); err == nil && u.Name != "" {
		reviewer = u.Name // a name, not "email (role)": the review page is read in Chinese
	}
	var r AttestationReview
	err := m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if r, err = scanReview(t.QueryRow(`SELECT `+reviewColumns+` FROM attestation_reviews WHERE org_id = $1 AND attestation_id = $2`, attestationID).Scan); err != nil {
			return err
		}
		before := r
		switch {
		case r.Status != ReviewPending:
			return problem.Conflictf("decision", "this attestation was already %s", r.Status)
		case actor.UserID == 0 || actor.UserID == r.AuthorID:
			return &problem.Forbidden{Reason: "the author of an attestation cannot review it; another person must"}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		r.Status, r.ReviewerID, r.Reviewer, r.Note, r.DecidedAt = decision, actor.UserID, reviewer, note, &now
		if _, err := t.Exec(`UPDATE attestation_reviews SET status = $2, reviewer_id = $3, reviewer = $4, note = $5, decided_at = $6 WHERE org_id = $1 AND attestation_id = $7 AND status = 'pending'`,
			r.Status, r.ReviewerID, r.Reviewer, r.Note, now, attestationID); err != nil {
			return fmt.Errorf("record review: %w", err)
		}
		if err := audit.InTenant(t, "attestation_review", strconv.FormatInt(attestationID, 10), audit.Update, before, r, decision); err != nil {
			return err
		}
		m.d.Changes.Changed(t.Tx(), t.OrgID(), 0)
		return nil
	})
	return r, err
}

// FourEyes reports whether the context's organisation requires review of attestations.
func (s *Service) FourEyes(ctx context.Context) (bool, error) {
	var on bool
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) (err error) {
		on, err = fourEyesIn(t)
		return err
	})
	return on, err
}

// SetFourEyes sets whether the organisation requires review. Attestations already held
// stay held: turning review off does not approve what nobody reviewed.
func (m *Module) SetFourEyes(ctx context.Context, on bool) error {
	return m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := fourEyesIn(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO review_settings (org_id, four_eyes, updated_by, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id) DO UPDATE SET four_eyes = excluded.four_eyes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			on, audit.ActorFrom(ctx).Label, time.Now().UTC().Truncate(time.Microsecond)); err != nil {
			return fmt.Errorf("save review setting: %w", err)
		}
		return audit.InTenant(t, "review_settings", strconv.FormatInt(t.OrgID(), 10), audit.Update,
			map[string]bool{"four_eyes": before}, map[string]bool{"four_eyes": on}, "")
	})
}
