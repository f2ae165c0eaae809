package review

import (
	"net/http"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/web"
)

// clockJSON is a clock in the API, with its legal basis in both languages.
type clockJSON struct {
	Clock
	Due     string `json:"due"` // China date, "" while paused
	Start   string `json:"start"`
	Left    int    `json:"left"`
	BasisZh string `json:"basis_zh"`
	BasisEn string `json:"basis_en"`
}

// caseJSON is a review case in the API.
type caseJSON struct {
	Case
	Since   string     `json:"since"` // China date
	StateZh string     `json:"state_zh"`
	StateEn string     `json:"state_en"`
	Missing []string   `json:"missing_materials"`
	Next    []State    `json:"next"`
	Clock   *clockJSON `json:"clock,omitempty"`
}

// procurementJSON is a procurement in the API, with the gate's answer.
type procurementJSON struct {
	Procurement
	CaseState   State `json:"case_state,omitempty"`
	Approvable  bool  `json:"approvable"`
	ExposureMin int64 `json:"exposure_min_rmb"`
	ExposureMax int64 `json:"exposure_max_rmb"`
	// CertBlocks says the product's missing certificate refuses the approval (policy block),
	// CertWarns that it is only warned about (policy warn).
	CertBlocks bool `json:"certificate_blocks"`
	CertWarns  bool `json:"certificate_warns"`
}

func (s *Service) caseJSON(c Case) (caseJSON, error) {
	out := caseJSON{Case: c, Since: c.Since.Format(time.DateOnly), StateZh: c.State.Zh(), StateEn: c.State.En(), Missing: c.Materials.Missing(c.Kind), Next: c.State.Next()}
	if out.Missing == nil {
		out.Missing = []string{}
	}
	if out.Next == nil {
		out.Next = []State{}
	}
	if out.Pauses == nil {
		out.Pauses = []Pause{}
	}
	clk, ok, err := ClockOf(s.Cal, c, s.Now())
	if err != nil {
		return out, err
	}
	if ok {
		cj := &clockJSON{Clock: clk, Start: clk.Start.Format(time.DateOnly), Left: clk.Left(), BasisZh: clk.Basis.Zh, BasisEn: clk.Basis.En}
		if !clk.Due.IsZero() {
			cj.Due = clk.Due.Format(time.DateOnly)
		}
		out.Clock = cj
	}
	return out, nil
}

func (s *Service) procurementJSON(r *http.Request, p Procurement) (procurementJSON, error) {
	g, state, err := s.decide(r.Context(), p)
	if err != nil {
		return procurementJSON{}, err
	}
	return procurementJSON{Procurement: p, CaseState: state, Approvable: g.Allowed && p.Status == StatusPending, ExposureMin: g.ExposureMin, ExposureMax: g.ExposureMax,
		CertBlocks: g.CertBlocks, CertWarns: g.CertWarns}, nil
}

func (m *Module) apiProcurements(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	list, next, err := m.Procurements(r.Context(), pg)
	if err != nil {
		return err
	}
	out := make([]procurementJSON, 0, len(list))
	for _, p := range list {
		pj, err := m.procurementJSON(r, p)
		if err != nil {
			return err
		}
		out = append(out, pj)
	}
	body := map[string]any{"procurements": out}
	if next != "" {
		body["next"] = next
	}
	return web.JSON(w, http.StatusOK, body)
}

func (m *Module) apiCreateProcurement(w http.ResponseWriter, r *http.Request) error {
	var in ProcurementInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.CreateProcurement(r.Context(), in)
	if err != nil {
		return err
	}
	pj, err := m.procurementJSON(r, p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, pj)
}

func (m *Module) apiProcurement(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	p, err := m.Procurement(r.Context(), id)
	if err != nil {
		return err
	}
	pj, err := m.procurementJSON(r, p)
	if err != nil {
		return err
	}
	cert, err := m.certDuty(r.Context(), p)
	if err != nil {
		return err
	}
	shared, err := m.SharedReviewsOf(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, struct {
		procurementJSON
		Certification CertDuty `json:"certification"`
		// SharedReviews are the review outcomes suppliers shared for the product: information,
		// never the purchase's clearance (sharedreviews.go).
		SharedReviews []kernel.SharedReview `json:"shared_reviews"`
	}{pj, cert, shared})
}

func (m *Module) apiApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	p, err := m.Approve(r.Context(), id)
	if err != nil {
		return err
	}
	pj, err := m.procurementJSON(r, p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pj)
}

func (m *Module) apiCases(w http.ResponseWriter, r *http.Request) error {
	cases, err := m.Cases(r.Context())
	if err != nil {
		return err
	}
	out := make([]caseJSON, 0, len(cases))
	for _, c := range cases {
		cj, err := m.caseJSON(c)
		if err != nil {
			return err
		}
		out = append(out, cj)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"cases": out})
}

func (m *Module) apiOpenListing(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title string `json:"title"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.OpenListingCase(r.Context(), in.Title)
	if err != nil {
		return err
	}
	cj, err := m.caseJSON(c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, cj)
}

func (m *Module) apiCase(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	c, err := m.Case(r.Context(), id)
	if err != nil {
		return err
	}
	events, err := m.Events(r.Context(), id)
	if err != nil {
		return err
	}
	if events == nil {
		events = []Event{}
	}
	cj, err := m.caseJSON(c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"case": cj, "events": events})
}

// caseChange decodes a case route's body into in, applies fn and answers the changed case.
func caseChange[T any](m *Module, w http.ResponseWriter, r *http.Request, fn func(id int64, in T) (Case, error)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's case is 404 whatever the body says.
	if _, err := m.Case(r.Context(), id); err != nil {
		return err
	}
	var in T
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := fn(id, in)
	if err != nil {
		return err
	}
	cj, err := m.caseJSON(c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, cj)
}

func (m *Module) apiMaterials(w http.ResponseWriter, r *http.Request) error {
	return caseChange(m, w, r, func(id int64, in Materials) (Case, error) { return m.SetMaterials(r.Context(), id, in) })
}

func (m *Module) apiMove(w http.ResponseWriter, r *http.Request) error {
	return caseChange(m, w, r, func(id int64, in Move) (Case, error) { return m.MoveCase(r.Context(), id, in) })
}

func (m *Module) apiPause(w http.ResponseWriter, r *http.Request) error {
	return caseChange(m, w, r, func(id int64, in PauseInput) (Case, error) { return m.PauseCase(r.Context(), id, in) })
}

func (m *Module) apiResume(w http.ResponseWriter, r *http.Request) error {
	return caseChange(m, w, r, func(id int64, in PauseInput) (Case, error) { return m.ResumeCase(r.Context(), id, in) })
}

func (m *Module) apiExtend(w http.ResponseWriter, r *http.Request) error {
	return caseChange(m, w, r, func(id int64, in ExtendInput) (Case, error) { return m.ExtendCase(r.Context(), id, in) })
}
