package suppliers

import (
	"net/http"

	"ciiguard/internal/web"
)

// apiRecord decodes a record's body into in and adds it to the record {id} names, answering
// 201 with what add returns. An unknown parent is a 404 before the body is judged.
func apiRecord[I any, R any](w http.ResponseWriter, r *http.Request, exists func(*http.Request, int64) error, add func(*http.Request, int64, I) (R, error)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in I
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := exists(r, id); err != nil {
		return err
	}
	out, err := add(r, id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, out)
}

func (m *Module) supplierExists(r *http.Request, id int64) error {
	_, err := m.Supplier(r.Context(), id)
	return err
}

func (m *Module) productExists(r *http.Request, id int64) error {
	_, err := m.GetProduct(r.Context(), id)
	return err
}

func (m *Module) maintenanceExists(r *http.Request, id int64) error {
	_, err := m.GetMaintenance(r.Context(), id)
	return err
}

func (m *Module) apiAgreement(w http.ResponseWriter, r *http.Request) error {
	return apiRecord(w, r, m.supplierExists, func(r *http.Request, id int64, in AgreementInput) (Agreement, error) {
		return m.AddAgreement(r.Context(), id, in)
	})
}

func (m *Module) apiReview(w http.ResponseWriter, r *http.Request) error {
	return apiRecord(w, r, m.supplierExists, func(r *http.Request, id int64, in ReviewInput) (PerformanceReview, error) {
		return m.AddReview(r.Context(), id, in)
	})
}

func (m *Module) apiMaintenance(w http.ResponseWriter, r *http.Request) error {
	return apiRecord(w, r, m.supplierExists, func(r *http.Request, id int64, in MaintenanceInput) (Maintenance, error) {
		return m.AddMaintenance(r.Context(), id, in)
	})
}

func (m *Module) apiAssessment(w http.ResponseWriter, r *http.Request) error {
	return apiRecord(w, r, m.productExists, func(r *http.Request, id int64, in AssessmentInput) (Assessment, error) {
		return m.AddAssessment(r.Context(), id, in)
	})
}

func (m *Module) apiReport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in ReportInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.maintenanceExists(r, id); err != nil {
		return err
	}
	out, err := m.ReportMaintenance(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

// supplierRecords are a supplier's agreements, reviews and arrangements in the API.
type supplierRecords struct {
	Agreements  []Agreement         `json:"agreements"`
	Reviews     []PerformanceReview `json:"performance_reviews"`
	Maintenance []Maintenance       `json:"maintenance_abroad"`
	Subs        []SubSupplier       `json:"sub_suppliers"`
}

func (m *Module) apiSubSupplier(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's supplier is 404 before the body is judged.
	if _, err := m.Supplier(r.Context(), id); err != nil {
		return err
	}
	var in SubSupplierInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.AddSubSupplier(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}
