package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// FactSetName is the CEL variable of the reports' fact set.
const FactSetName = "reports"

// Facts are what the catalog's rules read of the organisation's reports: the annual duties
// (CIIR 2021 Art. 17; CSL 2016 Art. 38 / 2025 Art. 40) and the assessment after a major
// change (CIIR 2017 draft Art. 28) read them instead of a date typed on the profile.
type Facts struct {
	// LastAnnualSignedOff is when the latest annual report was signed off by the security
	// manager (zero: never): the year's test and risk assessment was done, by the operator
	// or by the service provider whose results the report carries.
	LastAnnualSignedOff time.Time `cel:"last_annual_signed_off" label:"最近一次年度检测评估报告签发日期|last annual assessment report signed off"`
	// LastAnnualSubmitted is when an annual report last went to the protection-work
	// department: a signed-off report submitted through ciiguard or exported as a signed
	// report bundle to be filed outside it, or a report made outside ciiguard filed by
	// hand on the filings page (zero: none). An export counts, so an operator whose
	// department is not on ciiguard has no false gap; a filing counts because the
	// department's own annual clock counts it as the report received.
	LastAnnualSubmitted time.Time `cel:"last_annual_submitted" label:"最近一次年度检测评估报告报送日期（本系统报送、报送页面报送或导出签名报告包）|last annual assessment report submitted (in ciiguard, on the filings page, or exported as a signed bundle)"`
	// LastSignedOff is when the latest report of either kind, annual or on new operation
	// or a major change, was signed off (zero: never).
	LastSignedOff time.Time `cel:"last_signed_off" label:"最近一次检测评估报告（年度或变化）签发日期|last assessment report (annual or change) signed off"`
	// Drafts counts reports not yet signed off.
	Drafts int64 `cel:"drafts" label:"未签发的报告数|reports not yet signed off"`
}

// Facts reads the fact set for the context's organisation.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	var f Facts
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		// ORDER BY … LIMIT 1 rather than MAX(): SQLite returns an aggregate of a timestamp
		// column as text.
		latest := func(what, q string) (time.Time, error) {
			var at time.Time
			err := t.QueryRow(q).Scan(&at)
			if errors.Is(err, store.ErrNotFound) {
				return time.Time{}, nil
			}
			if err != nil {
				return at, fmt.Errorf("latest %s report: %w", what, err)
			}
			return at.UTC(), nil
		}
		var err error
		if f.LastAnnualSignedOff, err = latest("signed-off", `SELECT signed_at FROM reports WHERE org_id = $1 AND kind = 'annual' AND signed_at IS NOT NULL ORDER BY signed_at DESC LIMIT 1`); err != nil {
			return err
		}
		if f.LastSignedOff, err = latest("signed-off", `SELECT signed_at FROM reports WHERE org_id = $1 AND signed_at IS NOT NULL ORDER BY signed_at DESC LIMIT 1`); err != nil {
			return err
		}
		submitted, err := latest("submitted", `SELECT s.submitted_at FROM report_submissions s JOIN reports r ON r.org_id = s.org_id AND r.id = s.report_id
WHERE s.org_id = $1 AND r.kind = 'annual' ORDER BY s.submitted_at DESC LIMIT 1`)
		if err != nil {
			return err
		}
		exported, err := latest("exported", `SELECT e.exported_at FROM report_exports e JOIN reports r ON r.org_id = e.org_id AND r.id = e.report_id
WHERE e.org_id = $1 AND r.kind = 'annual' ORDER BY e.exported_at DESC LIMIT 1`)
		if err != nil {
			return err
		}
		f.LastAnnualSubmitted = submitted
		if exported.After(submitted) {
			f.LastAnnualSubmitted = exported
		}
		return t.QueryRow(`SELECT COUNT(*) FROM reports WHERE org_id = $1 AND state = 'draft'`).Scan(&f.Drafts)
	})
	if err != nil {
		return f, err
	}
	filed, err := s.lastAnnualFiling(ctx)
	if filed.After(f.LastAnnualSubmitted) {
		f.LastAnnualSubmitted = filed
	}
	return f, err
}

// lastAnnualFiling is when the context operator last filed an annual report with its
// department (zero: never, or no regulator's workspace), by hand or from a report.
func (s *Service) lastAnnualFiling(ctx context.Context) (time.Time, error) {
	if s.filings == nil {
		return time.Time{}, nil
	}
	list, err := s.filings.SubmissionsFor(ctx, "")
	if err != nil {
		return time.Time{}, fmt.Errorf("read the annual reports filed: %w", err)
	}
	var last time.Time
	for _, sub := range list {
		if sub.Kind == kernel.SubmitAnnualReport && sub.SubmittedAt.After(last) {
			last = sub.SubmittedAt.UTC()
		}
	}
	return last, nil
}

// FactSet returns the reports' fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts(FactSetName, "assessment reports: the latest signed off, and the latest annual one reported to the department", s.Facts)
}
