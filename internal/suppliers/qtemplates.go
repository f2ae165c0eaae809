package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// An operator's own questionnaire templates, beside ciiguard's default one. A template is
// kept as imported and never changed: importing a file under a title the organisation
// already used keeps the new file as that title's next version, and the earlier versions
// stay as they were. A questionnaire copies the questions when it is sent (questionnaires.go),
// so what a supplier was asked, and how its answers were scored, never moves either way.

// OrgTemplate is one version of an operator's own questionnaire template.
type OrgTemplate struct {
	ID        int64      `json:"id"`
	TitleZh   string     `json:"title_zh"`
	TitleEn   string     `json:"title_en"`
	Version   int        `json:"version"`
	Questions []Question `json:"questions"`
	Format    string     `json:"format"` // csv or xlsx, as imported
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	// RetiredAt, RetiredBy and RetiredReason say who took the template out of use, when
	// and why (qtemplateretire.go); RetiredAt is null while it is in use.
	RetiredAt     *time.Time `json:"retired_at"`
	RetiredBy     string     `json:"retired_by,omitempty"`
	RetiredReason string     `json:"retired_reason,omitempty"`
}

// TemplateID is the name the questionnaires keep of the template they were sent with.
func (t OrgTemplate) TemplateID() string { return "org-" + strconv.FormatInt(t.ID, 10) }

// Importer is who imported the template as the pages show a person: the address, without
// the role the audit label adds (a role's code is not a word of the Chinese pages).
func (t OrgTemplate) Importer() string {
	s, _, _ := strings.Cut(t.CreatedBy, " (")
	return s
}

// TemplateInput names a template being imported: its title in Chinese, English or both.
type TemplateInput struct {
	TitleZh string `json:"title_zh"`
	TitleEn string `json:"title_en"`
}

const tplCols = `id, title_zh, title_en, version, questions, format, created_by, created_at, retired_at, retired_by, retired_reason`

func scanTemplate(sc interface{ Scan(...any) error }) (OrgTemplate, error) {
	var (
		x       OrgTemplate
		qs      string
		retired sql.NullTime
	)
	if err := sc.Scan(&x.ID, &x.TitleZh, &x.TitleEn, &x.Version, &qs, &x.Format, &x.CreatedBy, &x.CreatedAt, &retired, &x.RetiredBy, &x.RetiredReason); err != nil {
		return x, err
	}
	x.CreatedAt, x.RetiredAt = x.CreatedAt.UTC(), utcPtr(retired)
	if err := json.Unmarshal([]byte(qs), &x.Questions); err != nil {
		return x, fmt.Errorf("template %d questions: %w", x.ID, err)
	}
	return x, nil
}

// ImportTemplate judges a template file (CSV or XLSX, parseTemplate) and the title, and
// keeps them as a template of the context's organisation, or keeps nothing: every problem
// of the file is a field error on rows[LINE].COLUMN.
func (s *Service) ImportTemplate(ctx context.Context, in TemplateInput, file io.Reader) (OrgTemplate, error) {
	x := OrgTemplate{TitleZh: strings.TrimSpace(in.TitleZh), TitleEn: strings.TrimSpace(in.TitleEn)}
	v := &problem.Invalid{}
	if x.TitleZh == "" && x.TitleEn == "" {
		v.Add("title_zh", "is required: give the title in Chinese, in English or both")
	}
	v.Text("title_zh", x.TitleZh, false, maxName)
	v.Text("title_en", x.TitleEn, false, maxName)
	if file == nil {
		v.Add("file", "is required: choose a CSV or XLSX file")
	} else {
		br := &sniffReader{r: file}
		x.Questions = parseTemplate(br, v)
		x.Format = "csv"
		if br.zip {
			x.Format = "xlsx"
		}
	}
	if err := v.Err(); err != nil {
		return OrgTemplate{}, err
	}
	if x.TitleZh == "" {
		x.TitleZh = x.TitleEn
	}
	if x.TitleEn == "" {
		x.TitleEn = x.TitleZh
	}
	qs, err := json.Marshal(x.Questions)
	if err != nil {
		return OrgTemplate{}, fmt.Errorf("questions: %w", err)
	}
	x.CreatedBy, x.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`SELECT COALESCE(MAX(version), 0) + 1 FROM supplier_q_templates WHERE org_id = $1 AND title_zh = $2 AND title_en = $3`,
			x.TitleZh, x.TitleEn).Scan(&x.Version); err != nil {
			return fmt.Errorf("number the template's version: %w", err)
		}
		if err := t.QueryRow(`INSERT INTO supplier_q_templates (org_id, title_zh, title_en, version, questions, format, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, x.TitleZh, x.TitleEn, x.Version, string(qs), x.Format, x.CreatedBy, x.CreatedAt).Scan(&x.ID); err != nil {
			return fmt.Errorf("keep the template: %w", err)
		}
		return audit.InTenant(t, "questionnaire_template", strconv.FormatInt(x.ID, 10), audit.Create, nil,
			map[string]any{"title_zh": x.TitleZh, "title_en": x.TitleEn, "version": x.Version, "questions": len(x.Questions), "format": x.Format}, x.TitleZh)
	})
	if err != nil {
		return OrgTemplate{}, err
	}
	return x, nil
}

// sniffReader notes whether the file starts as a zip (an XLSX) while it is read.
type sniffReader struct {
	r    io.Reader
	n    int
	head [4]byte
	zip  bool
}

func (b *sniffReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	for i := 0; i < n && b.n < len(b.head); i++ {
		b.head[b.n] = p[i]
		b.n++
	}
	b.zip = b.n == len(b.head) && string(b.head[:]) == string(xlsxMagic)
	return n, err
}

// Templates lists the context organisation's own templates, newest first.
func (s *Service) Templates(ctx context.Context) ([]OrgTemplate, error) {
	var out []OrgTemplate
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = templatesOf(t)
		return err
	})
	return out, err
}

func templatesOf(t *store.Tenant) ([]OrgTemplate, error) {
	rows, err := t.Query(`SELECT ` + tplCols + ` FROM supplier_q_templates WHERE org_id = $1 ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("read the templates: %w", err)
	}
	defer rows.Close()
	out := []OrgTemplate{}
	for rows.Next() {
		x, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("read a template: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Template returns one of the context organisation's templates; another's is
// store.ErrNotFound.
func (s *Service) Template(ctx context.Context, id int64) (OrgTemplate, error) {
	var x OrgTemplate
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		x, err = templateOf(t, id)
		return err
	})
	return x, err
}

func templateOf(t *store.Tenant, id int64) (OrgTemplate, error) {
	return scanTemplate(t.QueryRow(`SELECT `+tplCols+` FROM supplier_q_templates WHERE org_id = $1 AND id = $2`, id))
}
