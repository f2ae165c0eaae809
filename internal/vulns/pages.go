package vulns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// bj formats an instant in Beijing time for the page's language.
func (m *Module) bj(r *http.Request, t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return m.t(r, "vulns.beijing_time", t.In(calendar.Shanghai).Format("2006-01-02 15:04"))
}

// clockRow is a clock as a page shows it.
type clockRow struct {
	C      Clock
	Due    string
	DoneAt string
	Left   string // time left or past due, in words
}

// row is a vulnerability as a page shows it.
type row struct {
	V      Vuln
	Found  string
	FixDue string
	Clocks []clockRow
	Late   bool // some clock overdue
}

func (m *Module) row(r *http.Request, v Vuln) row {
	now := m.now()
	x := row{V: v, Found: m.bj(r, &v.DiscoveredAt), FixDue: m.bj(r, v.FixDue)}
	for _, c := range v.Clocks {
		cr := clockRow{C: c, Due: m.bj(r, &c.Due), DoneAt: m.bj(r, c.DoneAt)}
		if c.State == ClockRunning {
			cr.Left = m.t(r, "vulns.left", m.span(r, c.Due.Sub(now)))
		} else if c.State == ClockOverdue {
			cr.Left = m.t(r, "vulns.past", m.span(r, now.Sub(c.Due)))
			x.Late = true
		}
		x.Clocks = append(x.Clocks, cr)
	}
	return x
}

// span is a duration as days and hours, or hours and minutes under a day, in the page's
// language.
func (m *Module) span(r *http.Request, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	h := int(d.Hours())
	if h >= 24 {
		return m.t(r, "vulns.span_days", h/24, h%24)
	}
	return m.t(r, "vulns.span_hours", h, int(d.Minutes())%60)
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderList(w, r, nil)
}

// renderList shows the list, with fail's field reasons on the policy form when a policy
// change was refused.
func (m *Module) renderList(w http.ResponseWriter, r *http.Request, fail error) error {
	ctx := r.Context()
	vs, err := m.List(ctx)
	if err != nil {
		return err
	}
	p, err := m.Policy(ctx)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(vs))
	for _, v := range vs {
		rows = append(rows, m.row(r, v))
	}
	imports, err := m.Imports(ctx, 20)
	if err != nil {
		return err
	}
	prods, err := m.productList(ctx)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.vulns", "/vulns")
	if r.Method == http.MethodPost {
		v.Form = r.PostForm
	}
	if fail != nil {
		if err := web.FieldErrors(fail, v); err != nil {
			return err
		}
		foldProducts(v.Errors)
		v.Status = http.StatusBadRequest
	}
	received, err := m.Received(ctx)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Received": received, "Rows": rows, "Policy": p, "Imports": imports, "Columns": strings.Join(CSVColumns, ","), "Products": prods, "Severities": Severities}
	return m.pages.Render(w, r, "page_list.html", v)
}

// foldProducts puts a refusal of the products as a whole ("name at least one affected
// product") on the form's one product control, the register's select or the free-text name,
// whichever the page shows; the API keeps "products".
func foldProducts(errs map[string]string) {
	if e := errs["products"]; e != "" {
		for _, k := range []string{"products[0].product_id", "products[0].name"} {
			if errs[k] == "" {
				errs[k] = e
			}
		}
	}
}

func (m *Module) detailPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderDetail(w, r, nil, 0)
}

func (m *Module) renderDetail(w http.ResponseWriter, r *http.Request, fail error, status int) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "vulns.detail", "/vulns")
	v.TitleArgs = []any{x.Title}
	v.Status = status
	if fail != nil {
		if err := web.FieldErrors(fail, v); err != nil {
			return err
		}
		v.Form = r.PostForm // the refused form shows what was typed
		if v.Status == 0 {
			v.Status = http.StatusBadRequest
			if _, ok := problem.As[*problem.Conflict](fail); ok {
				v.Status = http.StatusConflict
			}
		}
	}
	sharing, err := m.sharing(r, id)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"R": m.row(r, x), "Gaps": ReportGaps(x), "Statuses": Statuses, "Sharing": sharing}
	return m.pages.Render(w, r, "page_vuln.html", v)
}

func (m *Module) statusPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SetStatus(r.Context(), id, r.PostFormValue("status"), r.PostFormValue("note")); err != nil {
		return m.renderDetail(w, r, err, 0)
	}
	return web.Redirect(w, r, "/vulns/"+idStr(id), m.t(r, "vulns.status_saved"))
}

func (m *Module) reportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if _, err := m.RecordReport(r.Context(), id, NewReport{Kind: f("kind"), ReportedAt: f("reported_at"), Reference: f("reference"), Authority: f("authority")}); err != nil {
		return m.renderDetail(w, r, err, 0)
	}
	return web.Redirect(w, r, "/vulns/"+idStr(id), m.t(r, "vulns.report_saved"))
}

// exportPage downloads the record as JSON, or shows the refusal with its citation.
func (m *Module) exportPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	x, err := m.Export(r.Context(), id, NewExport{Recipient: f("recipient"), RecipientCountry: f("recipient_country"), ToProvider: f("to_provider") != ""})
	if err != nil {
		return m.renderDetail(w, r, err, 0)
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="vulnerability-`+idStr(id)+`.json"`)
	_, err = w.Write(b)
	return err
}

func (m *Module) policyPage(w http.ResponseWriter, r *http.Request) error {
	n := func(k string) int { i, _ := strconv.Atoi(r.PostFormValue(k)); return i }
	if _, err := m.SetPolicy(r.Context(), Policy{CriticalDays: n("critical_days"), HighDays: n("high_days"), MediumDays: n("medium_days"), LowDays: n("low_days")}); err != nil {
		return m.renderList(w, r, err)
	}
	return web.Redirect(w, r, "/vulns", m.t(r, "vulns.policy_saved"))
}

// productList is the register's products for the form, by name.
func (m *Module) productList(ctx context.Context) ([]kernel.ProductRef, error) {
	if m.products == nil {
		return nil, nil
	}
	ps, err := m.products.Products(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the product register: %w", err)
	}
	return ps, nil
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := NewVuln{Title: f("title"), CVE: f("cve"), CNVD: f("cnvd"), CNNVD: f("cnnvd"), CVSSVector: f("cvss_vector"), Severity: f("severity"),
		DiscoveredAt: f("discovered_at"), NationalSecurity: f("national_security") != "", Disclosed: f("disclosed") != "", Provider: f("provider") != ""}
	in.Nature, in.Harm, in.Scope = f("nature"), f("harm"), f("scope")
	if id, err := strconv.ParseInt(f("product_id"), 10, 64); err == nil && id > 0 {
		in.Products = []ProductSpec{{ProductID: id}}
	} else if f("product_name") != "" {
		in.Products = []ProductSpec{{Name: f("product_name"), Model: f("product_model"), Version: f("product_version")}}
	}
	v, err := m.Create(r.Context(), in)
	if err != nil {
		return m.renderList(w, r, err)
	}
	return web.Redirect(w, r, "/vulns/"+idStr(v.ID), m.t(r, "vulns.created"))
}
