package oversight

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
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

// Import is a signed report bundle (internal/kernel/reportbundle) an operator exported from
// its own installation and filed outside ciiguard, imported into the department's registry
// entry for it once verified: the department's record, in its tenant, never edited.
type Import struct {
	ID             int64     `json:"id"`
	EntryID        int64     `json:"entry_id"`
	Kind           string    `json:"kind"`
	Year           int       `json:"year"`
	Version        int       `json:"version"`
	USCC           string    `json:"uscc"`
	NameZH         string    `json:"name_zh"`
	NameEN         string    `json:"name_en"`
	SignedOffBy    string    `json:"signed_off_by"`
	ContentSHA256  string    `json:"content_sha256"`
	PDFSHA256      string    `json:"pdf_sha256"`
	KeyFingerprint string    `json:"key_fingerprint"`
	BundleCreated  time.Time `json:"bundle_created"`
	ImportedBy     string    `json:"imported_by"`
	ImportedAt     time.Time `json:"imported_at"`
	// State is the department's latest answer (submitted: none yet); Answers are its
	// answers, oldest first (import_answers.go).
	State   string                    `json:"state"`
	Answers []kernel.SubmissionAnswer `json:"answers"`
}

// ImportReport verifies a report bundle and records it on registry entry entryID: the
// bundle's signature, key and files (reportbundle.Verify; with key, the fingerprint the
// operator published is pinned), then that the report is of the entry's operator (its
// unified social credit code). Another department's entry is a 404 before the bundle is
// read; a bundle that does not verify is a 400 on `bundle` (or `key`) saying why; the same
// report twice is a 409. Audited in the department's trail.
func (s *Service) ImportReport(ctx context.Context, entryID int64, bundle io.Reader, key string) (*Import, error) {
	e, err := s.Entry(ctx, entryID)
	if err != nil {
		return nil, err
	}
	key = strings.ToLower(strings.TrimSpace(key))
	if key != "" && (len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "") {
		return nil, problem.Field("key", "must be a key fingerprint: 64 hexadecimal characters (the SHA-256 of the public key)")
	}
	rep, err := reportbundle.Verify(bundle, key)
	if err != nil {
		return nil, err
	}
	if e.USCC == "" || rep.USCC != e.USCC {
		return nil, problem.Field("bundle", "the report is of the organisation with code %s, not of this entry (%s)", rep.USCC, cmpOr(e.USCC, "no code recorded"))
	}
	im := &Import{EntryID: e.ID, Kind: rep.Kind, Year: rep.Year, Version: rep.Version, USCC: rep.USCC, NameZH: rep.NameZH, NameEN: rep.NameEN,
		SignedOffBy: rep.SignedOffBy, ContentSHA256: rep.ContentSHA256, PDFSHA256: rep.PDFSHA256, KeyFingerprint: rep.KeyFingerprint,
		BundleCreated: rep.Created.UTC(), ImportedBy: audit.ActorFrom(ctx).Label, ImportedAt: s.now(), State: StateSubmitted, Answers: []kernel.SubmissionAnswer{}}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM oversight_imports WHERE org_id = $1 AND entry_id = $2 AND content_sha256 = $3`, e.ID, im.ContentSHA256).Scan(&n); err != nil {
			return fmt.Errorf("read the imports of entry %d: %w", e.ID, err)
		}
		if n > 0 {
			return problem.Conflictf("bundle", "this report (content SHA-256 %s) is imported already", im.ContentSHA256)
		}
		if err := t.QueryRow(`INSERT INTO oversight_imports (org_id, entry_id, kind, year, version, uscc, name_zh, name_en, signed_off_by, content, content_sha256,
pdf, pdf_sha256, public_key, key_fingerprint, bundle_created, imported_by, imported_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			im.EntryID, im.Kind, im.Year, im.Version, im.USCC, im.NameZH, im.NameEN, im.SignedOffBy, string(rep.Content), im.ContentSHA256,
			rep.PDF, im.PDFSHA256, base64.StdEncoding.EncodeToString(rep.PublicKey), im.KeyFingerprint, im.BundleCreated, im.ImportedBy, im.ImportedAt).Scan(&im.ID); err != nil {
			return fmt.Errorf("record the imported report: %w", err)
		}
		return audit.InTenant(t, "oversight_import", idStr(im.ID), "import", nil, im,
			fmt.Sprintf("%s %d v%d of %s (%s), key %s, content SHA-256 %s", im.Kind, im.Year, im.Version, im.NameZH, im.USCC, im.KeyFingerprint, im.ContentSHA256))
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

const importCols = `id, entry_id, kind, year, version, uscc, name_zh, name_en, signed_off_by, content_sha256, pdf_sha256, key_fingerprint, bundle_created, imported_by, imported_at`

func scanImport(sc func(...any) error) (Import, error) {
	var im Import
	err := sc(&im.ID, &im.EntryID, &im.Kind, &im.Year, &im.Version, &im.USCC, &im.NameZH, &im.NameEN, &im.SignedOffBy, &im.ContentSHA256, &im.PDFSHA256,
		&im.KeyFingerprint, &im.BundleCreated, &im.ImportedBy, &im.ImportedAt)
	im.BundleCreated, im.ImportedAt = im.BundleCreated.UTC(), im.ImportedAt.UTC()
	return im, err
}

// Imports lists the reports imported on registry entry entryID, newest first; another
// department's entry is a 404.
func (s *Service) Imports(ctx context.Context, entryID int64) ([]Import, error) {
	if _, err := s.Entry(ctx, entryID); err != nil {
		return nil, err
	}
	var list []*Import
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if err := query(t, "imports", `SELECT `+importCols+` FROM oversight_imports WHERE org_id = $1 AND entry_id = $2 ORDER BY id DESC`, func(sc func(...any) error) error {
			im, err := scanImport(sc)
			list = append(list, &im)
			return err
		}, entryID); err != nil {
			return err
		}
		return importAnswers(t, list)
	})
	out := make([]Import, 0, len(list))
	for _, im := range list {
		out = append(out, *im)
	}
	return out, err
}

// ImportFile is an imported report's Chinese PDF or its JSON, as the bundle carried it.
func (s *Service) ImportFile(ctx context.Context, id int64, pdf bool) (*Import, []byte, error) {
	var (
		im   Import
		data []byte
	)
	col := "content"
	if pdf {
		col = "pdf"
	}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		row := t.QueryRow(`SELECT `+importCols+`, `+col+` FROM oversight_imports WHERE org_id = $1 AND id = $2`, id)
		var err error
		im, err = scanImport(func(dst ...any) error { return row.Scan(append(dst, &data)...) })
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &im, data, nil
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Entry(r.Context(), id); err != nil {
		return err // another department's entry: 404 before the bundle is read
	}
	body, key, err := web.SignedUpload(r, "bundle", problem.Field("bundle", "choose the bundle file"))
	if err != nil {
		return err
	}
	im, err := m.ImportReport(r.Context(), id, body, key)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, im)
}

func (m *Module) apiImports(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	list, err := m.Imports(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"imports": list})
}

func (m *Module) importPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Entry(r.Context(), id); err != nil {
		return err
	}
	body, key, err := web.SignedUpload(r, "bundle", problem.Field("bundle", "choose the bundle file"))
	if err == nil {
		_, err = m.ImportReport(r.Context(), id, body, key)
	}
	if err != nil {
		return m.renderEntry(w, r, id, err) // a bad bundle: the entry's page naming the field
	}
	return web.Redirect(w, r, fmt.Sprintf("/oversight/registry/%d#imports", id), m.d.Web.Messages.T(web.RequestLang(r), "oversight.import.done"))
}

// importFile answers an imported report's PDF (report.pdf) or JSON (report.json).
func (m *Module) importFile(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	pdf := strings.HasSuffix(r.URL.Path, ".pdf")
	im, data, err := m.ImportFile(r.Context(), id, pdf)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("imported-%s-%d-%d-v%d.json", im.USCC, im.Year, im.ID, im.Version)
	w.Header().Set("Content-Type", "application/json")
	if pdf {
		name = strings.TrimSuffix(name, ".json") + "-zh-CN.pdf"
		w.Header().Set("Content-Type", "application/pdf")
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}
