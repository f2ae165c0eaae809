package data

import (
	"html/template"
	"net/http"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/web"
)

// Sections adds the data held, worked out from the assets, to the scope capability's
// profile page: the profile still shows its typed-in numbers, and this says whether they
// are superseded (assets recorded) or still in force (none yet).
func (m *Module) Sections() []kernel.Section {
	return []kernel.Section{{Page: kernel.PageProfile, Order: 10, Render: m.profileSection}}
}

// profileSection renders the held values, or the note that the typed-in ones still count.
func (m *Module) profileSection(r *http.Request, _ string) (template.HTML, error) {
	if !web.Can(r, Read) {
		return "", nil
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return "", err
	}
	h := HeldFrom(rs.Assets)
	lang := web.RequestLang(r)
	t := func(k string, args ...any) string {
		return template.HTMLEscapeString(m.d.Web.Messages.T(lang, k, args...))
	}
	var b strings.Builder
	b.WriteString(`<section class="card" id="data-held"><h2><a href="/data">` + t("data.held.title") + `</a></h2>`)
	if !h.Derived() {
		b.WriteString(`<p class="status-gap">` + t("data.held.fallback") + `</p></section>`)
		return template.HTML(b.String()), nil
	}
	yes := func(v bool) string {
		if v {
			return t("data.held.yes")
		}
		return t("data.held.no")
	}
	b.WriteString(`<p>` + t("data.held.superseded", h.Assets) + `</p><table>`)
	for _, row := range [][2]string{
		{t("data.held.pi_subjects"), web.FormatNum(lang, h.PISubjects)},
		{t("data.held.sensitive_pi_subjects"), web.FormatNum(lang, h.SensitivePISubjects)},
		{t("data.held.important"), yes(h.ImportantData)},
		{t("data.held.core"), yes(h.CoreData)},
	} {
		b.WriteString(`<tr><th>` + row[0] + `</th><td>` + template.HTMLEscapeString(row[1]) + `</td></tr>`)
	}
	b.WriteString(`</table></section>`)
	return template.HTML(b.String()), nil
}
