package suppliers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// recordForm runs one of the supplier page's record forms: it reads the supplier, saves the
// record, and on a refusal shows the page again with that form open and its errors.
func (m *Module) recordForm(w http.ResponseWriter, r *http.Request, form string, save func(x Supplier) error, fill func(d *supplierData)) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	if err := save(x); err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) {
			d.Open, d.NewP = form, ProductInput{Type: "critical_network_equipment"}
			fill(d)
		})
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d#%s", id, form), m.t(r, "suppliers.saved"))
}

func (m *Module) agreementPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := AgreementInput{Title: f("title"), SignedOn: f("signed_on"), ExpiresOn: f("expires_on"), Duties: r.PostForm["duties"], Evidence: f("evidence_sha256")}
	return m.recordForm(w, r, "agreements", func(x Supplier) error {
		_, err := m.AddAgreement(r.Context(), x.ID, in)
		return err
	}, func(d *supplierData) { d.AgreeIn = in })
}

func (m *Module) reviewPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := ReviewInput{ReviewedOn: f("reviewed_on"), Result: f("result"), Notes: f("notes"), Evidence: f("evidence_sha256")}
	return m.recordForm(w, r, "reviews", func(x Supplier) error {
		_, err := m.AddReview(r.Context(), x.ID, in)
		return err
	}, func(d *supplierData) { d.ReviewIn = in })
}

func (m *Module) maintenancePage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	sys, _ := strconv.ParseInt(strings.TrimSpace(f("system_id")), 10, 64) // not a number: no such system, refused below
	in := MaintenanceInput{SystemID: sys, FromCountry: f("from_country"), Description: f("description"), StartsOn: f("starts_on"), EndsOn: f("ends_on"), DataLinkInput: dataLinkForm(r)}
	return m.recordForm(w, r, "maintenance", func(x Supplier) error {
		_, err := m.AddMaintenance(r.Context(), x.ID, in)
		return err
	}, func(d *supplierData) { d.MaintIn = in })
}

func (m *Module) reportPage(w http.ResponseWriter, r *http.Request) error {
	mid, err := web.IDParam(r, "mid")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := ReportInput{ReportedOn: f("reported_on"), Evidence: f("evidence_sha256")}
	return m.recordForm(w, r, "maintenance", func(x Supplier) error {
		mt, err := m.GetMaintenance(r.Context(), mid)
		if err != nil {
			return err
		}
		if mt.SupplierID != x.ID {
			return errNotThisSupplier
		}
		_, err = m.ReportMaintenance(r.Context(), mid, in)
		return err
	}, func(d *supplierData) { d.ReportOf, d.ReportIn = mid, in })
}

func (m *Module) assessmentPage(w http.ResponseWriter, r *http.Request) error {
	x, p, err := m.supplierProduct(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := AssessmentInput{AssessedOn: f("assessed_on"), Result: f("result"), Findings: f("findings"), Evidence: f("evidence_sha256")}
	if raw := strings.TrimSpace(f("high_findings")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			n = -1 // not a number: refused as out of range
		}
		in.HighFindings = n
	}
	if _, err := m.AddAssessment(r.Context(), p.ID, in); err != nil {
		v := m.d.Web.NewView(r, "suppliers.product", "/suppliers")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.renderProduct(w, r, v, x, p, certInput(p), &in)
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/products/%d", x.ID, p.ID), m.t(r, "suppliers.saved"))
}

// platformOrgPage links the supplier record to a supplier organisation of the installation
// (org_id 0 removes the link).
func (m *Module) platformOrgPage(w http.ResponseWriter, r *http.Request) error {
	raw := strings.TrimSpace(r.PostFormValue("org_id"))
	org, perr := strconv.ParseInt(raw, 10, 64)
	return m.recordForm(w, r, "platform", func(x Supplier) error {
		if perr != nil && raw != "" {
			return problem.Field("org_id", "is not a supplier organisation of this installation")
		}
		_, err := m.LinkPlatformOrg(r.Context(), x.ID, org)
		return err
	}, func(*supplierData) {})
}

func (m *Module) subSupplierPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	pid, _ := strconv.ParseInt(strings.TrimSpace(f("product_id")), 10, 64) // not a number: 0, all it supplies
	in := SubSupplierInput{ProductID: pid, Name: f("name"), Country: f("country"), Supplies: f("supplies")}
	return m.recordForm(w, r, "subs", func(x Supplier) error {
		_, err := m.AddSubSupplier(r.Context(), x.ID, in)
		return err
	}, func(d *supplierData) { d.SubIn = in })
}
