package oversight

import (
	"context"
	"slices"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Reports an operator filed outside ciiguard reach the department as signed report bundles
// it imports on the operator's registry entry (imports.go). They are reports received like
// the filings, so the inbox lists them beside the filings, with their state, and the
// dashboard counts them; the department answers them on their own page, and its answer
// reaches the operator's installation as a signed receipt (import_answers.go).

// InboxImport is an imported report as the inbox lists it: the import, the kind of filing
// it stands for, and the registry entry's operator and sector.
type InboxImport struct {
	Import
	// SubmissionKind is the filing the report stands for: annual_report or change_report.
	SubmissionKind string `json:"submission_kind"`
	OperatorID     int64  `json:"operator_id,omitempty"` // 0: not an organisation of this installation
	Sector         string `json:"sector"`                // the registry's sector, "" when not recorded
}

// submissionKindOf is the filing kind a report bundle's kind stands for ("" for none).
func submissionKindOf(reportKind string) string {
	switch reportKind {
	case reportKindAnnual:
		return kernel.SubmitAnnualReport
	case reportKindChange:
		return kernel.SubmitChangeReport
	}
	return ""
}

// reportKindChange is a change report's kind in a signed report bundle (the reports
// capability's KindChange).
const reportKindChange = "change"

// InboxImports lists the reports imported into the context regulator's registry, newest
// first, with their answers, narrowed by f as Inbox narrows the filings (f is validated by
// Inbox). A filter on an incident's grade leaves every import out: an import has none.
func (s *Service) InboxImports(ctx context.Context, f Filter) ([]InboxImport, error) {
	var list []*InboxImport
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if err := query(t, "imported reports", `SELECT `+prefixed("i.", importCols)+`, COALESCE(e.operator_id, 0), e.sector
FROM oversight_imports i JOIN oversight_registry e ON e.org_id = i.org_id AND e.id = i.entry_id
WHERE i.org_id = $1 ORDER BY i.imported_at DESC, i.id DESC`, func(sc func(...any) error) error {
			var im InboxImport
			var err error
			im.Import, err = scanImport(func(dst ...any) error { return sc(append(dst, &im.OperatorID, &im.Sector)...) })
			im.SubmissionKind = submissionKindOf(im.Kind)
			list = append(list, &im)
			return err
		}); err != nil {
			return err
		}
		ims := make([]*Import, len(list))
		for i, im := range list {
			ims[i] = &im.Import
		}
		return importAnswers(t, ims)
	})
	if err != nil {
		return nil, err
	}
	out := make([]InboxImport, 0, len(list))
	for _, im := range list {
		out = append(out, *im)
	}
	return f.imports(out), nil
}

// imports narrows a list of imports by the filter: by kind, state, operator, month of
// import and sector; a filter on an incident's grade leaves none.
func (f Filter) imports(list []InboxImport) []InboxImport {
	if f.Grade != "" {
		return []InboxImport{}
	}
	return slices.DeleteFunc(slices.Clone(list), func(im InboxImport) bool {
		return (f.Kind != "" && im.SubmissionKind != f.Kind) || (f.State != "" && im.State != f.State) || (f.Operator != 0 && im.OperatorID != f.Operator) ||
			(f.Month != "" && bjMonth(im.ImportedAt) != f.Month) || (f.Sector != "" && cmpOr(im.Sector, "none") != f.Sector)
	})
}

// prefixed qualifies each column of a comma-separated list with a table's alias p.
func prefixed(p, cols string) string {
	list := strings.Split(cols, ",")
	for i, c := range list {
		list[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(list, ", ")
}
