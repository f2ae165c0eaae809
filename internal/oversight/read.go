package oversight

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// readAnswers fills the answers of items (one regulator's), oldest first.
func readAnswers(t *store.Tenant, items []*Item) error {
	if len(items) == 0 {
		return nil
	}
	byID := make(map[int64]*Item, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		byID[it.ID] = it
		ids = append(ids, idStr(it.ID))
	}
	// The ids are the store's own integers, formatted here: no input reaches the text.
	q := `SELECT submission_id, action, note, by_label, at FROM oversight_answers WHERE org_id = $1 AND submission_id IN (` + strings.Join(ids, ",") + `) ORDER BY id`
	return query(t, "answers", q, func(sc func(...any) error) error {
		var sid int64
		var a kernel.SubmissionAnswer
		if err := sc(&sid, &a.Action, &a.Note, &a.By, &a.At); err != nil {
			return err
		}
		a.At = a.At.UTC()
		if it := byID[sid]; it != nil {
			it.answer(a)
		}
		return nil
	})
}

// operatorItems reads the context operator's submissions filed with regulatorID, those
// with ids when ids is non-empty. It reads in the regulator's tenant, always filtered by
// the operator's own organisation from the context.
func (s *Service) operatorItems(ctx context.Context, regulatorID int64, ids []int64) ([]*Item, error) {
	operatorID, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Item
	err = s.db.ReadTenant(store.WithOrg(ctx, regulatorID), func(t *store.Tenant) error {
		q := `SELECT ` + itemCols + ` FROM oversight_submissions WHERE org_id = $1 AND operator_id = $2`
		if len(ids) > 0 {
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = idStr(id)
			}
			q += ` AND id IN (` + strings.Join(parts, ",") + `)`
		}
		if err := query(t, "submissions", q+` ORDER BY id DESC`, func(sc func(...any) error) error {
			it, err := scanItem(sc)
			out = append(out, &it)
			return err
		}, operatorID); err != nil {
			return err
		}
		return readAnswers(t, out)
	})
	return out, err
}

// receipts lists the context operator's receipts: submission ids by regulator.
func (s *Service) receipts(ctx context.Context, ref string, id int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		q := `SELECT regulator_id, submission_id FROM oversight_receipts WHERE org_id = $1 AND ($2 = '' OR ref = $2) AND ($3 = 0 OR submission_id = $3)`
		return query(t, "receipts", q, func(sc func(...any) error) error {
			var reg, sid int64
			if err := sc(&reg, &sid); err != nil {
				return err
			}
			out[reg] = append(out[reg], sid)
			return nil
		}, ref, id)
	})
	return out, err
}

// filed reads the context operator's submissions through its receipts, newest first.
func (s *Service) filed(ctx context.Context, ref string, id int64) ([]*Item, error) {
	recs, err := s.receipts(ctx, ref, id)
	if err != nil {
		return nil, err
	}
	var out []*Item
	for reg, ids := range recs {
		items, err := s.operatorItems(ctx, reg, ids)
		if err != nil {
			return nil, err
		}
		ref, err := s.regulatorRef(ctx, reg)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			it.RegulatorZH, it.RegulatorEN = ref.NameZH, ref.NameEN
		}
		out = append(out, items...)
	}
	sortNewest(out)
	return out, nil
}

// Submission implements kernel.Submissions.
func (s *Service) Submission(ctx context.Context, id int64) (kernel.Submission, error) {
	items, err := s.filed(ctx, "", id)
	if err != nil {
		return kernel.Submission{}, err
	}
	if len(items) != 1 || id <= 0 {
		return kernel.Submission{}, fmt.Errorf("submission %d: %w", id, store.ErrNotFound)
	}
	return items[0].Submission, nil
}

// SubmissionsFor implements kernel.Submissions.
func (s *Service) SubmissionsFor(ctx context.Context, ref string) ([]kernel.Submission, error) {
	items, err := s.filed(ctx, ref, 0)
	if err != nil {
		return nil, err
	}
	out := make([]kernel.Submission, 0, len(items))
	for _, it := range items {
		out = append(out, it.Submission)
	}
	return out, nil
}

// Filed lists the context operator's submissions with what the regulator holds of them
// (the operator filed all of it), newest first.
func (s *Service) Filed(ctx context.Context) ([]*Item, error) { return s.filed(ctx, "", 0) }

func sortNewest(items []*Item) {
	slices.SortFunc(items, func(a, b *Item) int {
		if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}
