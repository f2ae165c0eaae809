package vulns

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the organisation's vulnerabilities.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "vulns", "安全漏洞", "Vulnerabilities"
}

// InspectionRecords implements kernel.Inspectable: org's vulnerabilities that were open at
// some time in the period under inspection (discovered before its end and not fixed or
// otherwise closed before its start), latest discovered first, each as GET
// /api/v1/vulns/{id} gives it: a department inspecting remediation asks for the ones found
// in the period and for the ones still open from before it.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	vs, err := m.List(store.WithOrg(ctx, org))
	if err != nil {
		return nil, fmt.Errorf("list vulnerabilities for an inspection: %w", err)
	}
	out := []kernel.InspectionRecord{}
	for _, v := range vs {
		if len(out) == limit {
			break
		}
		if !openDuring(v, sc.From, sc.To) {
			continue
		}
		rec, err := m.inspectionRecord(v)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// openDuring reports whether v was open at some time in [from, to): discovered before to,
// and not closed before from. A record closed without a fix time (not affected, risk
// accepted) counts as closed when it was last changed.
func openDuring(v Vuln, from, to time.Time) bool {
	if !v.DiscoveredAt.Before(to) {
		return false
	}
	if !closedStatus(v.Status) {
		return true
	}
	closed := v.UpdatedAt
	if v.FixedAt != nil {
		closed = *v.FixedAt
	}
	return !closed.Before(from)
}

// inspectionRecord is a vulnerability as an inspector reads it: its identifiers, severity,
// state against the fix deadline, the systems it touches and the reports made.
func (m *Module) inspectionRecord(v Vuln) (kernel.InspectionRecord, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode vulnerability %d: %w", v.ID, err)
	}
	msg := func(lang, key string) string { return m.d.Web.Messages.T(lang, key) }
	day := func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
	}
	var ids, systems []string
	for _, id := range []string{v.CVE, v.CNVD, v.CNNVD} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	for _, s := range v.Systems {
		systems = append(systems, s.Name)
	}
	f := func(zh, en, val string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: val}
	}
	return kernel.InspectionRecord{
		Area: "vulns", ID: strconv.FormatInt(v.ID, 10), TitleZH: v.Title, TitleEN: v.Title, At: v.UpdatedAt.UTC(),
		Fields: []kernel.InspectionField{
			f("漏洞编号", "Identifiers", strings.Join(ids, "、")),
			{LabelZH: "严重程度", LabelEN: "Severity", Value: msg(web.LangZH, "vulns.sev."+v.Severity), ValueEN: msg(web.LangEN, "vulns.sev."+v.Severity)},
			{LabelZH: "处置状态", LabelEN: "Status", Value: msg(web.LangZH, "vulns.st."+v.Status), ValueEN: msg(web.LangEN, "vulns.st."+v.Status)},
			f("发现时间", "Discovered at", day(&v.DiscoveredAt)),
			f("修复期限", "Fix due", day(v.FixDue)),
			f("修复时间", "Fixed at", day(v.FixedAt)),
			f("涉及的系统", "Systems affected", strings.Join(systems, "、")),
			f("向工业和信息化部报送", "Reported to MIIT", day(v.ReportedMIITAt)),
			f("向主管部门报告", "Reported to the authority", day(v.ReportedAuthorityAt)),
		},
		Data: data,
	}, nil
}
