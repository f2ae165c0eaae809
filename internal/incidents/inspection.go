package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the organisation's incidents.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "incidents", "网络安全事件", "Cybersecurity incidents"
}

// InspectionRecords implements kernel.Inspectable: org's incidents detected in the period
// under inspection, newest first, each as GET /api/v1/incidents/{id} gives it (the
// incident with its clocks, its reports, timeline and linked tasks). The evidence files
// attached to it and the receipts of its reports are cited, so a reproduction carries their bytes.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	ctx = store.WithOrg(ctx, org)
	var list []Incident
	err := m.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+incidentCols+` FROM incidents WHERE org_id = $1 AND detected_at >= $2 AND detected_at < $3
ORDER BY detected_at DESC, id DESC LIMIT $4`, sc.From.UTC(), sc.To.UTC(), limit)
		if err != nil {
			return fmt.Errorf("list incidents for an inspection: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			in, err := scanIncident(rows)
			if err != nil {
				return err
			}
			list = append(list, in)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]kernel.InspectionRecord, 0, len(list))
	for _, in := range list {
		d, err := m.detail(ctx, in)
		if err != nil {
			return nil, err
		}
		rec, err := inspectionRecord(d)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// statusNames are the handling states as the incident pages name them (incidents.status.*).
var statusNames = map[string][2]string{StatusOpen: {"处置中", "Being handled"}, StatusClosed: {"处置结束", "Handling ended"}}

// inspectionRecord is an incident as an inspector reads it: the fields a department looks
// at first (grade, detection, handling, reports sent and their timeliness).
func inspectionRecord(d incidentDetail) (kernel.InspectionRecord, error) {
	in := d.Incident.Incident
	data, err := json.Marshal(d)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode incident %d: %w", in.ID, err)
	}
	var systems []string
	for _, s := range in.Systems {
		systems = append(systems, s.Name)
	}
	sent, late := 0, 0
	for _, c := range d.Incident.Clocks {
		if c.SentAt != nil {
			sent++
		}
		if c.Overdue || (c.SentAt != nil && !c.OnTime) {
			late++
		}
	}
	var evidence []string
	cite := func(h string) {
		if h != "" && !slices.Contains(evidence, h) {
			evidence = append(evidence, h)
		}
	}
	for _, e := range d.Timeline {
		if e.Event == EventEvidence {
			cite(e.Detail.SHA256)
		}
	}
	for _, r := range d.Reports {
		cite(r.Receipt)
	}
	f := func(zh, en, v string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
	}
	g := in.Grade()
	return kernel.InspectionRecord{
		Area: "incidents", ID: strconv.FormatInt(in.ID, 10), TitleZH: in.Title, TitleEN: in.Title, At: in.DetectedAt.UTC(),
		Fields: []kernel.InspectionField{
			{LabelZH: "事件级别", LabelEN: "Grade", Value: g.Zh(), ValueEN: g.En()},
			f("发现时间", "Detected at", in.DetectedAt.In(calendar.Shanghai).Format("2006-01-02 15:04")),
			{LabelZH: "处置状态", LabelEN: "Handling", Value: statusNames[in.Status][0], ValueEN: statusNames[in.Status][1]},
			f("影响的系统", "Systems affected", strings.Join(systems, "、")),
			f("已报送的报告", "Reports sent", strconv.Itoa(sent)),
			f("逾期的报告", "Reports late or overdue", strconv.Itoa(late)),
		},
		Data: data, Evidence: evidence,
	}, nil
}
