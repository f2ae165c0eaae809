package obligations

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// apiObligation is an obligation as the API shows it.
type apiObligation struct {
	ID          string               `json:"id"`
	Instrument  string               `json:"instrument"`
	Version     string               `json:"version"`
	Article     string               `json:"article"`
	Equivalents []catalog.Citation   `json:"equivalents,omitempty"`
	Title       catalog.Text         `json:"title"`
	Summary     catalog.Text         `json:"summary"`
	Binds       []string             `json:"binds"`
	Capability  string               `json:"capability"`
	Subject     string               `json:"subject"`
	Applies     string               `json:"applies,omitempty"`
	Check       string               `json:"check,omitempty"`
	Evidence    *catalog.Text        `json:"attestation_evidence,omitempty"`
	Cadence     string               `json:"cadence"`
	Due         string               `json:"due,omitempty"`
	Deadline    *catalog.Text        `json:"deadline,omitempty"`
	Penalty     *catalog.Penalty     `json:"penalty,omitempty"`
	Status      rules.Status         `json:"status,omitempty"` // the most urgent status over the subjects
	Counts      map[rules.Status]int `json:"counts,omitempty"`
}

func toAPI(v obligationView) apiObligation {
	a := apiObligation{ID: v.ID, Instrument: v.Obligation.Instrument, Version: v.Version, Article: v.Article, Equivalents: v.Equivalents, Title: v.Title, Summary: v.Summary,
		Binds: v.Binds, Capability: v.Capability, Subject: v.Subject, Applies: v.Applies, Check: v.Check, Cadence: v.Cadence, Due: v.Obligation.Due,
		Deadline: v.Deadline, Penalty: v.Penalty, Status: v.Worst}
	if len(v.Counts) > 0 {
		a.Counts = v.Counts
	}
	if v.Attestation != nil {
		a.Evidence = &v.Attestation.Evidence
	}
	return a
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	items, _, _, err := m.filtered(r)
	if err != nil {
		return err
	}
	out := make([]apiObligation, len(items))
	for i, v := range items {
		out[i] = toAPI(v)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"obligations": out})
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	c, err := m.catalogFor(r)
	if err != nil {
		return err
	}
	o, ok := c.Obligation(r.PathValue("id"))
	if !ok {
		return store.ErrNotFound
	}
	var fs []Finding
	if canSeeFindings(r) {
		if fs, err = m.Findings(r.Context(), Filter{Obligation: o.ID}); err != nil {
			return err
		}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"obligation": toAPI(m.view(c, o, fs)), "findings": fs})
}

// apiFindings answers the findings list's filters (status, area, instrument, system, due,
// q, sort) as the page does, except that without a status it lists every finding, as it
// always has. With limit or cursor it answers one page and the cursor of the next.
func (m *Module) apiFindings(w http.ResponseWriter, r *http.Request) error {
	c, err := m.Catalog(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := parseListFilter(q, c)
	if err != nil {
		return err
	}
	if f.Status == "" {
		f.Status = filterAll
	}
	paged := q.Has("limit") || q.Has("cursor")
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	f.Page, f.PerPage = 1, MaxPerPage
	l, err := m.List(r.Context(), f, c, time.Now())
	if err != nil {
		return err
	}
	rows := l.All
	out := map[string]any{"total": l.Total}
	if paged {
		from := 0
		if pg.Cursor > 0 {
			from = int(pg.Cursor) - 1
		}
		if from > len(rows) {
			from = len(rows)
		}
		to := min(from+pg.Limit, len(rows))
		if to < len(rows) {
			out["next"] = strconv.Itoa(to + 1)
		}
		rows = rows[from:to]
	}
	fs := make([]Finding, len(l.All))
	for i, row := range l.All {
		fs[i] = row.Finding
	}
	if rows == nil {
		rows = []Row{}
	}
	out["findings"], out["summary"], out["exposure"] = rows, summarise(m.Base(), fs), computeExposure(m.Base(), fs, evaluatedAt(fs))
	return web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiEvaluate(w http.ResponseWriter, r *http.Request) error {
	run, err := m.Evaluate(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, run)
}

func (m *Module) apiHistory(w http.ResponseWriter, r *http.Request) error {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if n <= 0 || n > 1000 {
		n = 90
	}
	h, err := m.History(r.Context(), n)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"runs": h})
}

func (m *Module) apiAttestations(w http.ResponseWriter, r *http.Request) error {
	as, err := m.Attestations(r.Context(), r.URL.Query().Get("obligation"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"attestations": as})
}

func (m *Module) apiAttest(w http.ResponseWriter, r *http.Request) error {
	var in NewAttestation
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.Attest(r.Context(), in, m.hasEvidence)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiPolicies(w http.ResponseWriter, r *http.Request) error {
	ps, err := m.Policies(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"policies": ps})
}

func (m *Module) apiPolicyUpload(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	p, err := m.AddPolicy(r.Context(), r.URL.Query().Get("name"), b)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

func (m *Module) apiPolicyDelete(w http.ResponseWriter, r *http.Request) error {
	if err := m.deletePolicyAt(r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deletePolicyAt removes the policy named by the path's id; a malformed id is not found.
func (m *Module) deletePolicyAt(r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	return m.DeletePolicy(r.Context(), id)
}

func writeOSCAL(w http.ResponseWriter, name string, b []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err := w.Write(b)
	return err
}

func (m *Module) apiOSCALCatalog(w http.ResponseWriter, r *http.Request) error {
	b, err := m.Base().ExportOSCAL(catalog.ExportOptions{Title: "ciiguard obligations catalog"})
	if err != nil {
		return err
	}
	return writeOSCAL(w, "ciiguard-catalog.json", b)
}

func (m *Module) rulesFindings(r *http.Request) ([]rules.Finding, error) {
	fs, err := m.Findings(r.Context(), Filter{})
	out := make([]rules.Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Finding
	}
	return out, err
}

func (m *Module) apiOSCALProfile(w http.ResponseWriter, r *http.Request) error {
	fs, err := m.rulesFindings(r)
	if err != nil {
		return err
	}
	c, err := m.Catalog(r.Context())
	if err != nil {
		return err
	}
	org := strconv.FormatInt(web.PrincipalFrom(r.Context()).Org.ID, 10)
	b, err := c.ExportProfile(catalog.Applicable(fs), catalog.ProfileOptions{OrgID: org, ExportOptions: catalog.ExportOptions{Title: web.PrincipalFrom(r.Context()).Org.NameEN + " applicable obligations"}})
	if err != nil {
		return err
	}
	return writeOSCAL(w, "ciiguard-profile.json", b)
}

func (m *Module) apiOSCALResults(w http.ResponseWriter, r *http.Request) error {
	fs, err := m.rulesFindings(r)
	if err != nil {
		return err
	}
	c, err := m.Catalog(r.Context())
	if err != nil {
		return err
	}
	p := web.PrincipalFrom(r.Context())
	b, err := c.ExportResults(fs, catalog.ResultsOptions{OrgID: strconv.FormatInt(p.Org.ID, 10), ExportOptions: catalog.ExportOptions{Title: p.Org.NameEN + " assessment results", Now: time.Now()}})
	if err != nil {
		return err
	}
	return writeOSCAL(w, "ciiguard-assessment-results.json", b)
}
