package evidence

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// MaxFileSize is the largest evidence file accepted.
const MaxFileSize = 50 << 20

// Permissions of the evidence capability.
const (
	Read  auth.Permission = "evidence.read"
	Write auth.Permission = "evidence.write"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst)
}

// File is an organisation's record of an evidence file.
type File struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Module is the evidence capability; its Service is used by other capabilities.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
	obl   kernel.Obligations // the duties' titles on the review page
}

// Service stores files and the organisation's records of them.
type Service struct {
	db    *store.DB
	blobs *Blobs
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "evidence" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "evidence")
}

// Provision implements kernel.Module: it opens the blob store in <DataDir>/evidence.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	blobs, err := NewBlobs(filepath.Join(d.DataDir, "evidence"))
	if err != nil {
		return err
	}
	m.Service.db, m.Service.blobs = d.DB, blobs
	m.obl, err = kernel.Need[kernel.Obligations](d.Registry, m.Name())
	return err
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /evidence", Read, m.listPage)
	s.PageWithLimit("POST /evidence", Write, MaxFileSize+1<<20, m.uploadPage)
	s.Page("GET /evidence/{sha}", Read, m.download)
	s.API("GET /api/v1/evidence", Read, m.apiList)
	s.APIWithLimit("POST /api/v1/evidence", Write, MaxFileSize+1<<20, m.apiUpload)
	s.API("GET /api/v1/evidence/{sha}", Read, m.download)
	m.registerReviews(s)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.evidence", Path: "/evidence", Perm: Read, Order: 800},
		{Key: "nav.reviews", Path: "/evidence/reviews", Perm: Review, Order: 810}}
}

// The evidence capability is the installation's kernel.Evidence.
var _ kernel.Evidence = (*Module)(nil)

// Upload implements kernel.Evidence: it stores the file of the form field and returns
// its SHA-256.
func (m *Module) Upload(r *http.Request, field string) (string, error) {
	f, err := m.FromForm(r, field)
	return f.SHA256, err
}

// Cite implements kernel.Evidence.
func (m *Module) Cite(ctx context.Context, sha256 string) error {
	_, err := m.Get(ctx, sha256)
	return err
}

// UploadLimit implements kernel.Evidence.
func (m *Module) UploadLimit() int64 { return MaxFileSize }

// Store implements kernel.Evidence.
func (m *Module) Store(ctx context.Context, name string, r io.Reader) (string, error) {
	f, err := m.Put(ctx, name, "", r)
	return f.SHA256, err
}

// File implements kernel.Evidence.
func (m *Module) File(ctx context.Context, sha256 string) (kernel.EvidenceFile, error) {
	f, err := m.Get(ctx, sha256)
	return f.kernel(), err
}

// Files implements kernel.Evidence.
func (m *Module) Files(ctx context.Context, limit int) ([]kernel.EvidenceFile, error) {
	fs, _, err := m.List(ctx, store.Page{Limit: limit})
	out := make([]kernel.EvidenceFile, len(fs))
	for i, f := range fs {
		out[i] = f.kernel()
	}
	return out, err
}

func (f File) kernel() kernel.EvidenceFile {
	return kernel.EvidenceFile{SHA256: f.SHA256, Name: f.Name, Size: f.Size, UploadedBy: f.UploadedBy, UploadedAt: f.UploadedAt}
}

// MaxNameLen is the longest file name kept, in characters.
const MaxNameLen = 200

// Put stores a file for the context's organisation and records it (idempotent per hash).
// The name and content type are checked before any byte is written, so a refused upload
// leaves no file behind.
func (s *Service) Put(ctx context.Context, name, contentType string, r io.Reader) (File, error) {
	return s.put(ctx, "name", name, contentType, r)
}

// put is Put with the request field that carried the name, to name it in an error.
func (s *Service) put(ctx context.Context, nameField, name, contentType string, r io.Reader) (File, error) {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		return File{}, problem.Field(nameField, "needs a file name")
	}
	v := &problem.Invalid{}
	if !v.Text(nameField, name, true, MaxNameLen) {
		return File{}, v
	}
	contentType = cleanContentType(contentType)
	if contentType == "" {
		contentType = mime.TypeByExtension(filepath.Ext(name))
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	sum, size, err := s.blobs.Put(r, MaxFileSize)
	if errors.Is(err, ErrTooLarge) {
		return File{}, problem.Field("file", "is larger than %d MiB", MaxFileSize>>20)
	}
	if err != nil {
		return File{}, err
	}
	f := File{SHA256: sum, Name: name, ContentType: contentType, Size: size, UploadedBy: audit.ActorFrom(ctx).Label, UploadedAt: time.Now().UTC().Truncate(time.Microsecond)}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		var err error
		f.OrgID = t.OrgID()
		err = t.QueryRow(`SELECT id, name, uploaded_by, uploaded_at FROM evidence_files WHERE org_id = $1 AND sha256 = $2`, sum).Scan(&f.ID, &f.Name, &f.UploadedBy, &f.UploadedAt)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := t.QueryRow(`INSERT INTO evidence_files (org_id, sha256, name, content_type, size, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			f.SHA256, f.Name, f.ContentType, f.Size, f.UploadedBy, f.UploadedAt).Scan(&f.ID); err != nil {
			return fmt.Errorf("record evidence: %w", err)
		}
		return audit.Record(tx, f.OrgID, "evidence", f.SHA256, audit.Create, nil, f, f.Name)
	})
	return f, err
}

// cleanContentType returns a client's declared media type in canonical form, or "" when
// it does not parse or is not short clean text (it is stored and sent back as a header).
func cleanContentType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	ct = mime.FormatMediaType(mt, params)
	if !problem.TextOK(ct, true, 200) {
		return ""
	}
	return ct
}

// Get returns the context's organisation's record of a file; a hash it has not uploaded
// is store.ErrNotFound even when another organisation holds the same bytes.
func (s *Service) Get(ctx context.Context, sum string) (File, error) {
	var f File
	if !ValidSHA256(sum) {
		return f, store.ErrNotFound
	}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT id, org_id, sha256, name, content_type, size, uploaded_by, uploaded_at FROM evidence_files WHERE org_id = $1 AND sha256 = $2`, sum).
			Scan(&f.ID, &f.OrgID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.UploadedBy, &f.UploadedAt)
	})
	return f, err
}

// List returns one page of the context's organisation's files, newest first, and the
// cursor of the next page ("" on the last).
func (s *Service) List(ctx context.Context, p store.Page) ([]File, string, error) {
	if p.Limit <= 0 {
		p.Limit = store.DefaultPageLimit
	}
	var out []File
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, org_id, sha256, name, content_type, size, uploaded_by, uploaded_at FROM evidence_files WHERE org_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list evidence: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f File
			if err := rows.Scan(&f.ID, &f.OrgID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.UploadedBy, &f.UploadedAt); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(f File) int64 { return f.ID })
	return out, next, nil
}

// FromForm stores the file uploaded in form field name of a multipart request.
func (s *Service) FromForm(r *http.Request, field string) (File, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return File{}, err
		}
		return File{}, problem.Field(field, "the upload could not be read: %v", err)
	}
	fh, hdr, err := r.FormFile(field)
	if err != nil {
		return File{}, problem.Field(field, "choose a file to upload")
	}
	defer fh.Close()
	return s.put(r.Context(), field, hdr.Filename, hdr.Header.Get("Content-Type"), fh)
}

// listView is what the evidence page shows: one page of files and the next page's cursor.
type listView struct {
	Files []File
	Next  string
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	list, next, err := m.List(r.Context(), pg)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.evidence", "/evidence")
	v.Data = listView{Files: list, Next: next}
	return m.pages.Render(w, r, "evidence.html", v)
}

func (m *Module) uploadPage(w http.ResponseWriter, r *http.Request) error {
	f, err := m.FromForm(r, "file")
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/evidence", m.d.Web.Messages.T(web.RequestLang(r), "evidence.stored", f.Name, f.SHA256[:12]))
}

func (m *Module) download(w http.ResponseWriter, r *http.Request) error {
	f, err := m.Get(r.Context(), r.PathValue("sha"))
	if err != nil {
		return err
	}
	fh, err := m.blobs.Open(f.SHA256)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("evidence %s recorded but its file is missing from the store", f.SHA256)
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-Content-SHA256", f.SHA256)
	http.ServeContent(w, r, "", f.UploadedAt, fh)
	return nil
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	list, next, err := m.List(r.Context(), pg)
	if err != nil {
		return err
	}
	if list == nil {
		list = []File{}
	}
	out := map[string]any{"files": list}
	if next != "" {
		out["next"] = next
	}
	return web.JSON(w, http.StatusOK, out)
}

// apiUpload takes the file as the raw request body, named by ?name=, so scripts can
// upload with one curl --data-binary.
func (m *Module) apiUpload(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, err := m.FromForm(r, "file")
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusCreated, f)
	}
	f, err := m.Put(r.Context(), r.URL.Query().Get("name"), r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return problem.Field("file", "is larger than %d MiB", MaxFileSize>>20)
		}
		return err
	}
	return web.JSON(w, http.StatusCreated, f)
}
