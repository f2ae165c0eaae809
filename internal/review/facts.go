package review

import (
	"context"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// Facts is the review fact set, the CEL variable `review` of the catalog's rules: the
// organisation's purchases and reviews, counted from its records at evaluation time.
type Facts struct {
	AwaitingReview      int64 `cel:"awaiting_review" label:"待审查通过的关基采购数|CII purchases awaiting their review"`
	ApprovedUnreviewed  int64 `cel:"approved_unreviewed" label:"审查未有结果即已批准的关基采购数|CII purchases approved before their review reached an outcome"`
	InUseFailed         int64 `cel:"in_use_failed" label:"审查未通过或通过已撤销仍在使用的采购数|purchases in use whose review failed or whose clearance was revoked"`
	SubmittedIncomplete int64 `cel:"submitted_incomplete" label:"申报材料不全即已申报的审查数|reviews submitted without the full Art. 8 materials"`
	ListingFiled        bool  `cel:"listing_filed" label:"已申报国外上市网络安全审查|the review of the listing abroad was applied for"`
	ListingBlocked      bool  `cel:"listing_blocked" label:"国外上市审查未通过|the review of the listing abroad did not clear it"`
	ClocksRunning       int64 `cel:"clocks_running" label:"运行中的审查时限数|review clocks running"`
	ClocksOverdue       int64 `cel:"clocks_overdue" label:"已超期的审查时限数|review clocks past their last day"`
}

// ComputeFacts counts the fact set from an organisation's procurements and cases on today.
func ComputeFacts(cal *calendar.Calendar, ps []Procurement, cs []Case, today time.Time) (Facts, error) {
	var f Facts
	byID := map[int64]Case{}
	for _, c := range cs {
		byID[c.ID] = c
		switch {
		case c.Kind == KindListing && c.State != Preparing:
			f.ListingFiled = true
			f.ListingBlocked = f.ListingBlocked || c.State == NotCleared
		}
		if c.State != Preparing && len(c.Materials.Missing(c.Kind)) > 0 {
			f.SubmittedIncomplete++
		}
		clk, ok, err := ClockOf(cal, c, today)
		if err != nil {
			return Facts{}, err
		}
		if ok {
			f.ClocksRunning++
			if clk.Overdue {
				f.ClocksOverdue++
			}
		}
	}
	for _, p := range ps {
		if !p.Required {
			continue
		}
		st := byID[p.CaseID].State
		switch {
		case p.Status == StatusPending && !st.Passes():
			f.AwaitingReview++
		case p.Status == StatusApproved && (st == NotCleared || st == Revoked):
			f.InUseFailed++
		case p.Status == StatusApproved && !st.Outcome():
			f.ApprovedUnreviewed++
		}
	}
	return f, nil
}

// Facts reads the context's organisation's review facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	var (
		ps  []Procurement
		cs  []Case
		err error
	)
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if ps, err = allProcurements(t); err != nil {
			return err
		}
		cs, err = allCases(t)
		return err
	})
	if err != nil {
		return Facts{}, err
	}
	return ComputeFacts(s.Cal, ps, cs, s.Now())
}
