package data

import (
	"net/http"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// transferJSON is a transfer in the API with where it stands today.
type transferJSON struct {
	Transfer
	Route        Decision        `json:"route"`
	RouteAtStart Decision        `json:"route_at_start"`
	Current      bool            `json:"current"`
	Covered      bool            `json:"covered"`
	PIPIAOK      bool            `json:"impact_assessment_before_start"`
	ConsentOK    bool            `json:"separate_consent_ok"`
	Mechanisms   []mechanismJSON `json:"mechanisms"`
	PIPIAs       []PIPIA         `json:"impact_assessments"`
	// Maintenance are the arrangements to maintain a system from abroad whose remote
	// access to data this transfer carries (the supply-chain register's); absent from lists.
	Maintenance []kernel.MaintenanceLink `json:"maintenance_abroad,omitempty"`
}

// mechanismJSON is a mechanism with its clock.
type mechanismJSON struct {
	Mechanism
	Status       string `json:"status"`
	Due          string `json:"due,omitempty"`
	WindowOpens  string `json:"extension_window_opens,omitempty"`
	ValidThrough string `json:"valid_through,omitempty"`
	Provisional  bool   `json:"provisional"`
	Covers       bool   `json:"covers"`
}

func toJSON(ts TransferState) transferJSON {
	out := transferJSON{Transfer: ts.Transfer, Route: ts.Decision, RouteAtStart: ts.AtStart, Current: ts.Current, Covered: ts.Covered,
		PIPIAOK: ts.PIPIAOK, ConsentOK: ts.ConsentOK, Mechanisms: []mechanismJSON{}, PIPIAs: []PIPIA{}}
	for _, m := range ts.Mechs {
		out.Mechanisms = append(out.Mechanisms, mechanismJSON(m))
	}
	out.PIPIAs = append(out.PIPIAs, ts.PIPIAs...)
	return out
}

func (m *Module) apiSummary(w http.ResponseWriter, r *http.Request) error {
	rs, st, err := m.State(r.Context())
	if err != nil {
		return err
	}
	crossings := append([]Crossing{}, st.Crossings...)
	return web.JSON(w, http.StatusOK, map[string]any{
		"day": st.Day.Format("2006-01-02"), "rules_version": st.Version.ID, "counted_from": st.Version.WindowStart(st.Day).Format("2006-01-02"),
		"cii_operator": st.CII, "count": st.Count, "crossings": crossings, "facts": ComputeFacts(rs, st), "declaration": rs.Declaration,
	})
}

func (m *Module) apiRules(w http.ResponseWriter, r *http.Request) error {
	return web.JSON(w, http.StatusOK, map[string]any{"versions": m.Rules.Versions})
}

func (m *Module) apiAssets(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Assets(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []Asset{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"assets": list})
}

func (m *Module) apiCreateAsset(w http.ResponseWriter, r *http.Request) error {
	var in AssetInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.CreateAsset(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiAsset(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	a, err := m.GetAsset(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	_, st, err := m.State(r.Context())
	if err != nil {
		return err
	}
	out := make([]transferJSON, 0, len(st.Transfers))
	for _, ts := range st.Transfers {
		out = append(out, toJSON(ts))
	}
	return web.JSON(w, http.StatusOK, map[string]any{"transfers": out})
}

// transferState finds one transfer's state; another organisation's is store.ErrNotFound.
func (m *Module) transferState(r *http.Request) (*State, TransferState, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return nil, TransferState{}, err
	}
	_, st, err := m.State(r.Context())
	if err != nil {
		return nil, TransferState{}, err
	}
	for _, ts := range st.Transfers {
		if ts.Transfer.ID == id {
			return st, ts, nil
		}
	}
	return nil, TransferState{}, store.ErrNotFound
}

func (m *Module) apiTransfer(w http.ResponseWriter, r *http.Request) error {
	_, ts, err := m.transferState(r)
	if err != nil {
		return err
	}
	out := toJSON(ts)
	if out.Maintenance, err = m.maintenanceOf(r.Context(), ts.Transfer.ID); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiCreateTransfer(w http.ResponseWriter, r *http.Request) error {
	var in TransferInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.CreateTransfer(r.Context(), in)
	if err != nil {
		return err
	}
	r.SetPathValue("id", itoa(x.ID))
	_, ts, err := m.transferState(r)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, toJSON(ts))
}

func (m *Module) apiBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in BatchInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := m.AddBatch(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, b)
}

func (m *Module) apiMechanism(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in MechanismInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.AddMechanism(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

func (m *Module) apiFiling(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in FilingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.FileContract(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiResult(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in ResultInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.RecordResult(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiPIPIA(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in PIPIAInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.AddPIPIA(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, p)
}

func (m *Module) apiDeletePIPIA(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := m.DeletePIPIA(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) apiRetire(w http.ResponseWriter, r *http.Request) error {
	if err := m.RetireDeclaration(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
