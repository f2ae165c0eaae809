package oversight

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// A report imported from a signed bundle is a report received like a filing, and the
// department answers it the same way: acknowledged, more information requested, accepted
// (escalation is for incident reports, which are never bundled). The operator is on
// another installation, so the answer travels back as the bundle came: a receipt
// (`ciiguard-report-receipt/1`) signed with this installation's key, which the operator
// imports on its report.

// ImportActions are the answers an imported report takes, in the form's order.
var ImportActions = []string{StateAcknowledged, StateInfoRequested, StateAccepted}

// importAnswers reads the answers of the imports in list, oldest first, and sets their
// states.
func importAnswers(t *store.Tenant, list []*Import) error {
	byID := map[int64]*Import{}
	for _, im := range list {
		im.State, im.Answers = StateSubmitted, []kernel.SubmissionAnswer{}
		byID[im.ID] = im
	}
	if len(list) == 0 {
		return nil
	}
	return query(t, "answers to imported reports", `SELECT import_id, action, note, by_label, at FROM oversight_import_answers WHERE org_id = $1 ORDER BY id`,
		func(sc func(...any) error) error {
			var id int64
			var a kernel.SubmissionAnswer
			if err := sc(&id, &a.Action, &a.Note, &a.By, &a.At); err != nil {
				return err
			}
			if im := byID[id]; im != nil {
				a.At = a.At.UTC()
				im.Answers = append(im.Answers, a)
				im.State = a.Action
			}
			return nil
		})
}

// GetImport is one of the reports imported into the context department's registry, with
// its answers; another department's is store.ErrNotFound.
func (s *Service) GetImport(ctx context.Context, id int64) (*Import, error) {
	var im Import
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if im, err = scanImport(t.QueryRow(`SELECT `+importCols+` FROM oversight_imports WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return fmt.Errorf("imported report %d: %w", id, err)
		}
		return importAnswers(t, []*Import{&im})
	})
	if err != nil {
		return nil, err
	}
	return &im, nil
}

// AnswerImport records the context department's answer to an imported report, audited in
// its trail. As with a filing: an accepted report takes no further answer, and asking for
// more information or accepting needs a note.
func (s *Service) AnswerImport(ctx context.Context, id int64, action, note string) (*Import, error) {
	note, err := checkAnswer(ImportActions, action, note)
	if err != nil {
		return nil, err
	}
	im, err := s.GetImport(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := audit.ActorFrom(ctx)
	a := kernel.SubmissionAnswer{Action: action, Note: note, By: actor.Label, At: s.now()}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		// The state is read again in the writing transaction (and the engine refuses a
		// second acceptance), so two answers racing cannot both accept.
		var last string
		err := t.QueryRow(`SELECT action FROM oversight_import_answers WHERE org_id = $1 AND import_id = $2 ORDER BY id DESC LIMIT 1`, id).Scan(&last)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("read the answers of imported report %d: %w", id, err)
		}
		if last == StateAccepted {
			return problem.Conflictf("action", "the report is already accepted")
		}
		if _, err := t.Exec(`INSERT INTO oversight_import_answers (org_id, import_id, action, note, by_user, by_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, a.Action, a.Note, actor.UserID, a.By, a.At); err != nil {
			if strings.Contains(err.Error(), "oversight_import_answers_accepted") || strings.Contains(err.Error(), "UNIQUE constraint failed: oversight_import_answers") {
				return problem.Conflictf("action", "the report is already accepted")
			}
			return fmt.Errorf("answer imported report %d: %w", id, err)
		}
		return audit.InTenant(t, "oversight_import", idStr(id), action, nil, a, fmt.Sprintf("%s: %s", action, note))
	})
	if err != nil {
		return nil, err
	}
	im.Answers = append(im.Answers, a)
	im.State = action
	return im, nil
}

// ImportReceipt is the signed receipt of an imported report as it stands: its answers so
// far (none: received), signed with the installation's key, for the operator to import on
// its report. Audited, since it is a statement of the department's.
func (s *Service) ImportReceipt(ctx context.Context, id int64) ([]byte, *Import, error) {
	if s.key == nil {
		return nil, nil, problem.Field("receipt", "cannot be signed: the installation has no signing key")
	}
	im, err := s.GetImport(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	org, err := orgOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	dept, err := s.auth.GetOrg(ctx, org)
	if err != nil {
		return nil, nil, fmt.Errorf("the department: %w", err)
	}
	pub, err := s.key.PublicKey()
	if err != nil {
		return nil, nil, fmt.Errorf("the installation key: %w", err)
	}
	rc := reportbundle.Receipt{Issued: s.now().Truncate(time.Second), ContentSHA256: im.ContentSHA256, ReportKeyFingerprint: im.KeyFingerprint,
		USCC: im.USCC, Kind: im.Kind, Year: im.Year, Version: im.Version, DepartmentZH: dept.NameZH, DepartmentEN: dept.NameEN,
		State: im.State, Answers: []reportbundle.ReceiptAnswer{}}
	for _, a := range im.Answers {
		rc.Answers = append(rc.Answers, reportbundle.ReceiptAnswer{Action: a.Action, Note: a.Note, By: a.By, At: a.At})
	}
	out, err := reportbundle.WriteReceipt(rc, pub, s.key.Sign)
	if err != nil {
		return nil, nil, err
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return audit.InTenant(t, "oversight_import", idStr(id), "receipt", nil, nil, fmt.Sprintf("receipt in state %s, %d answers", rc.State, len(rc.Answers)))
	})
	return out, im, err
}

func (m *Module) apiAnswerImport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in answerInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	im, err := m.AnswerImport(r.Context(), id, in.Action, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, im)
}

func (m *Module) apiImportOne(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.GetImport(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, im)
}

// receipt serves the signed receipt as a download (page and API alike): a POST, because
// signing it is audited.
func (m *Module) receipt(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	out, im, err := m.ImportReceipt(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	name := fmt.Sprintf("ciiguard-receipt-%s-%d-v%d.json", im.Kind, im.Year, im.Version)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, err = w.Write(out)
	return err
}

// importPageData is the imported report's page.
type importPageData struct {
	*Import
	Actions []string
}

func (m *Module) importOnePage(w http.ResponseWriter, r *http.Request) error {
	return m.renderImport(w, r, nil)
}

// renderImport shows an imported report's page, with the refusal of an answer when err
// is one.
func (m *Module) renderImport(w http.ResponseWriter, r *http.Request, err error) error {
	id, ierr := web.IDParam(r, "id")
	if ierr != nil {
		return ierr
	}
	v := m.d.Web.NewView(r, "oversight.import.page", "/oversight")
	if err != nil {
		if err := web.FieldErrorsIn("", err, v, r.PostForm); err != nil {
			return err
		}
	}
	im, ierr := m.GetImport(r.Context(), id)
	if ierr != nil {
		return ierr
	}
	v.Data = importPageData{Import: im, Actions: ImportActions}
	return m.pages.Render(w, r, "page_import.html", v)
}

func (m *Module) answerImportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "cannot be read as a form: %v", err)
	}
	if _, err := m.AnswerImport(r.Context(), id, r.PostFormValue("action"), r.PostFormValue("note")); err != nil {
		return m.renderImport(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/imports/%d", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.answered"))
}
