package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// Receipt is the department's signed answer to a version of a report that was exported
// as a signed bundle and filed outside ciiguard (`ciiguard-report-receipt/1`, issued by the
// department's installation), as imported on the report: the operator learns here whether
// its report was accepted, or what more the department asks for.
type Receipt struct {
	ID             int64                        `json:"id"`
	Version        int                          `json:"version"`
	DepartmentZH   string                       `json:"department_zh"`
	DepartmentEN   string                       `json:"department_en"`
	State          string                       `json:"state"`
	Answers        []reportbundle.ReceiptAnswer `json:"answers"`
	Issued         time.Time                    `json:"issued"`
	KeyFingerprint string                       `json:"key_fingerprint"`
	ImportedBy     string                       `json:"imported_by"`
	ImportedAt     time.Time                    `json:"imported_at"`
}

// ImportReceipt verifies a receipt (pinned to the department's published key fingerprint
// when key is not empty) and records it on report id: the receipt must answer one of the
// report's signed-off versions (by its content SHA-256). Another organisation's report is
// a 404 before the receipt is read; a receipt that does not verify or answers another
// report is a 400 on `receipt` (or `key`) saying why; the same receipt twice is a 409.
func (s *Service) ImportReceipt(ctx context.Context, id int64, r io.Reader, key string) (*Receipt, error) {
	vers, err := s.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	key = strings.ToLower(strings.TrimSpace(key))
	if key != "" && (len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "") {
		return nil, problem.Field("key", "must be a key fingerprint: 64 hexadecimal characters (the SHA-256 of the public key)")
	}
	rc, err := reportbundle.VerifyReceipt(r, key)
	if err != nil {
		return nil, err
	}
	out := &Receipt{DepartmentZH: rc.DepartmentZH, DepartmentEN: rc.DepartmentEN, State: rc.State, Answers: rc.Answers,
		Issued: rc.Issued.UTC(), KeyFingerprint: rc.KeyFingerprint, ImportedBy: audit.ActorFrom(ctx).Label, ImportedAt: s.Now().UTC().Truncate(time.Microsecond)}
	for _, v := range vers {
		if v.Frozen && v.SHA256 == rc.ContentSHA256 {
			out.Version = v.Version
		}
	}
	if out.Version == 0 {
		return nil, problem.Field("receipt", "answers the report whose JSON has the SHA-256 %s, which is no signed-off version of this report", rc.ContentSHA256)
	}
	if out.Answers == nil {
		out.Answers = []reportbundle.ReceiptAnswer{}
	}
	answers, err := json.Marshal(out.Answers)
	if err != nil {
		return nil, fmt.Errorf("encode the receipt's answers: %w", err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM report_receipts WHERE org_id = $1 AND report_id = $2 AND key_fingerprint = $3 AND issued_at = $4`,
			id, out.KeyFingerprint, out.Issued).Scan(&n); err != nil {
			return fmt.Errorf("read the receipts of report %d: %w", id, err)
		}
		if n > 0 {
			return problem.Conflictf("receipt", "this receipt (issued %s) is imported already", out.Issued.Format(time.RFC3339))
		}
		if err := t.QueryRow(`INSERT INTO report_receipts (org_id, report_id, version, department_zh, department_en, state, answers, issued_at, key_fingerprint, receipt, imported_by, imported_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, id, out.Version, out.DepartmentZH, out.DepartmentEN, out.State, string(answers),
			out.Issued, out.KeyFingerprint, string(rc.Raw), out.ImportedBy, out.ImportedAt).Scan(&out.ID); err != nil {
			return fmt.Errorf("record the receipt: %w", err)
		}
		return audit.InTenant(t, "report", strconv.FormatInt(id, 10), "import_receipt", nil, out,
			fmt.Sprintf("version %d: %s by %s, key %s", out.Version, out.State, out.DepartmentZH, out.KeyFingerprint))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Receipts lists the receipts imported on report id, the latest issued first; another
// organisation's report is a 404.
func (s *Service) Receipts(ctx context.Context, id int64) ([]Receipt, error) {
	out := []Receipt{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := getReport(t, id); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT id, version, department_zh, department_en, state, answers, issued_at, key_fingerprint, imported_by, imported_at
FROM report_receipts WHERE org_id = $1 AND report_id = $2 ORDER BY issued_at DESC, id DESC`, id)
		if err != nil {
			return fmt.Errorf("list the receipts of report %d: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var rc Receipt
			var answers string
			if err := rows.Scan(&rc.ID, &rc.Version, &rc.DepartmentZH, &rc.DepartmentEN, &rc.State, &answers, &rc.Issued, &rc.KeyFingerprint, &rc.ImportedBy, &rc.ImportedAt); err != nil {
				return fmt.Errorf("read a receipt of report %d: %w", id, err)
			}
			if err := json.Unmarshal([]byte(answers), &rc.Answers); err != nil {
				return fmt.Errorf("decode receipt %d's answers: %w", rc.ID, err)
			}
			rc.Issued, rc.ImportedAt = rc.Issued.UTC(), rc.ImportedAt.UTC()
			out = append(out, rc)
		}
		return rows.Err()
	})
	return out, err
}

func (m *Module) apiImportReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Get(r.Context(), id); err != nil {
		return err // another organisation's report: 404 before the receipt is read
	}
	body, key, err := web.SignedUpload(r, "receipt", problem.Field("receipt", "choose the receipt file"))
	if err != nil {
		return err
	}
	rc, err := m.ImportReceipt(r.Context(), id, body, key)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, rc)
}

func (m *Module) apiReceipts(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	list, err := m.Receipts(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"receipts": list})
}

func (m *Module) receiptPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	body, key, err := web.SignedUpload(r, "receipt", problem.Field("receipt", "choose the receipt file"))
	if err == nil {
		_, err = m.ImportReceipt(r.Context(), id, body, key)
	}
	if err != nil {
		if r.MultipartForm != nil {
			r.PostForm = r.MultipartForm.Value
		}
		return m.renderReport(w, r, id, 0, nil, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d#receipts", id), m.d.Web.Messages.T(web.RequestLang(r), "reports.receipt_done"))
}
