package data

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// assetPage is one asset's page: its record, the day its retention ends and, for personal
// information, its deletions and the form to record one.
type assetPage struct {
	A         Asset
	R         *RetentionState // nil for an asset without personal information
	Systems   []rules.System
	Methods   []Option
	Evidence  map[string]string // hash → the evidence store's page, when the store holds it
	CanUpload bool
	Today     string
	Open      string // the form refused: deletion, retention, leak
	DelIn     DeletionInput
	// Leaks are the asset's leaks with their incidents; HasIncidents says leaks open one.
	Leaks        []LeakView
	HasIncidents bool
	LeakIn       LeakInput
}

// BJ shows an instant (a time.Time or *time.Time) in Beijing time, to the minute.
func (*assetPage) BJ(t any) string {
	switch v := t.(type) {
	case time.Time:
		return v.In(calendar.Shanghai).Format("2006-01-02 15:04")
	case *time.Time:
		if v != nil {
			return v.In(calendar.Shanghai).Format("2006-01-02 15:04")
		}
	}
	return ""
}

// Opt is the package's Opt, for the asset template.
func (*assetPage) Opt(list, code string) Option { return Opt(list, code) }

func (m *Module) assetPageGet(w http.ResponseWriter, r *http.Request) error {
	return m.renderAsset(w, r, nil)
}

func (m *Module) renderAsset(w http.ResponseWriter, r *http.Request, refused func(v *web.View, p *assetPage) error) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	rs, st, err := m.State(ctx)
	if err != nil {
		return err
	}
	p := &assetPage{Methods: DeletionMethods, Evidence: map[string]string{}, CanUpload: m.ev != nil, Today: st.Day.Format("2006-01-02")}
	found := false
	for _, a := range rs.Assets {
		if a.ID == id {
			p.A, found = a, true
		}
	}
	if !found {
		return storeNotFound()
	}
	for i := range st.Retention {
		if st.Retention[i].Asset.ID == id {
			p.R = &st.Retention[i]
			for _, d := range p.R.Deletions {
				if l := evidenceLink(ctx, m.ev, d.EvidenceSHA256); l != "" {
					p.Evidence[d.EvidenceSHA256] = l
				}
			}
		}
	}
	_, systems, err := m.inv.Facts(ctx)
	if err != nil {
		return fmt.Errorf("read the inventory: %w", err)
	}
	for _, x := range systems {
		if HasID(p.A.Systems, x.ID) {
			p.Systems = append(p.Systems, x)
		}
	}
	p.DelIn.DeletedOn = p.Today
	p.HasIncidents = m.incidents != nil
	p.LeakIn.DetectedAt = m.Now().In(calendar.Shanghai).Format("2006-01-02T15:04")
	var mine []Leak
	for _, l := range rs.Leaks {
		if l.AssetID == id {
			mine = append(mine, l)
		}
	}
	if p.Leaks, err = m.leakViews(ctx, mine); err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "data.asset", "/data")
	v.TitleArgs = []any{p.A.Name}
	if refused != nil {
		if err := refused(v, p); err != nil {
			return err
		}
	}
	v.Data = p
	return m.pages.Render(w, r, "page_asset.html", v)
}

// deletionPage records a deletion from the asset page: the proof is the file uploaded with
// the form (stored in the evidence store, hashed with SHA-256) or, without a file, the hash
// typed in. The other fields are checked before the file is stored, so a refused form
// leaves no file behind.
func (m *Module) deletionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.GetAsset(r.Context(), id); err != nil {
		return err // another organisation's asset: nothing is uploaded for it
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("evidence_file", "the upload could not be read")
	}
	f := r.FormValue
	in := DeletionInput{DeletedOn: f("deleted_on"), What: f("what"), DeletedBy: f("deleted_by"), Method: f("method"), EvidenceSHA256: f("evidence_sha256")}
	refused := func(err error) error {
		return m.renderAsset(w, r, func(v *web.View, p *assetPage) error {
			v.Form = r.Form
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			p.Open, p.DelIn, v.Status = "deletion", in, http.StatusBadRequest
			return nil
		})
	}
	if m.ev != nil && r.MultipartForm != nil && len(r.MultipartForm.File["evidence_file"]) > 0 {
		if strings.TrimSpace(in.EvidenceSHA256) != "" {
			return refused(problem.Field("evidence_sha256", "give either a file or its SHA-256, not both"))
		}
		probe := in
		probe.EvidenceSHA256 = strings.Repeat("0", 64)
		if _, v := m.checkDeletion(probe); v.Err() != nil {
			return refused(v.Err())
		}
		sum, err := m.ev.Upload(r, "evidence_file")
		if err != nil {
			return refused(err)
		}
		in.EvidenceSHA256, in.uploaded = sum, true
	}
	if _, err := m.AddDeletion(r.Context(), id, in); err != nil {
		return refused(err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/assets/%d", id), m.t(r, "data.deletion_recorded"))
}

func (m *Module) retentionPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SetRetentionEnd(r.Context(), id, RetentionInput{RetentionEndsOn: r.PostFormValue("retention_ends_on")}); err != nil {
		return m.renderAsset(w, r, func(v *web.View, p *assetPage) error {
			v.Form = r.PostForm
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			p.Open, v.Status = "retention", http.StatusBadRequest
			return nil
		})
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/assets/%d", id), m.t(r, "data.retention_saved"))
}

// retentionJSON is a personal-information asset's deletion state in the API.
type retentionJSON struct {
	AssetID         int64      `json:"asset_id"`
	Asset           string     `json:"asset"`
	Retention       string     `json:"retention"`
	RetentionEndsOn string     `json:"retention_ends_on"`
	Status          string     `json:"status"`
	Deletions       []Deletion `json:"deletions"`
}

func (m *Module) apiDeletions(w http.ResponseWriter, r *http.Request) error {
	_, st, err := m.State(r.Context())
	if err != nil {
		return err
	}
	out := make([]retentionJSON, 0, len(st.Retention))
	for _, x := range st.Retention {
		ds := x.Deletions
		if ds == nil {
			ds = []Deletion{}
		}
		out = append(out, retentionJSON{AssetID: x.Asset.ID, Asset: x.Asset.Name, Retention: x.Asset.Retention, RetentionEndsOn: x.Asset.RetentionEndsOn,
			Status: x.Status, Deletions: ds})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"day": st.Day.Format("2006-01-02"), "assets": out})
}

func (m *Module) apiDeletion(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in DeletionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.AddDeletion(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

func (m *Module) apiRetention(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in RetentionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.SetRetentionEnd(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}
