package threat

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the indicator hits in the organisation's logs.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "threat", "威胁情报命中", "Threat indicator hits"
}

// InspectionRecords implements kernel.Inspectable: org's hits of threat indicators in its
// logs whose matching events fall in the period under inspection (first seen before its end,
// last seen on or after its start), newest first, each as GET /api/v1/threat/hits/{id} gives
// it: the indicator, the event with its inclusion proof, the triage and the incident opened.
// A hit of a TLP:RED indicator is left out: RED information is for its named recipients
// only, and the department asks the operator for it outside the inspection's reads.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	hs, err := m.queryHits(store.WithOrg(ctx, org), `WHERE h.org_id = $1 AND i.tlp <> 'red' AND h.first_seen < $2 AND h.last_seen >= $3
ORDER BY h.id DESC LIMIT $4`, sc.To.UTC(), sc.From.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("list indicator hits for an inspection: %w", err)
	}
	out := make([]kernel.InspectionRecord, 0, len(hs))
	for _, h := range hs {
		rec, err := inspectionRecord(h)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// triageNames are the triage states as the hit pages name them.
var triageNames = map[string][2]string{"": {"待研判", "Not triaged"}, "confirmed": {"确认威胁", "Confirmed threat"}, "false_positive": {"误报", "False positive"}}

// inspectionRecord is a hit as an inspector reads it: what matched, when, how often, the
// triage and the incident it opened.
func inspectionRecord(h Hit) (kernel.InspectionRecord, error) {
	data, err := json.Marshal(h)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode hit %d: %w", h.ID, err)
	}
	at := func(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }
	incident := "—"
	if h.IncidentID != nil {
		incident = strconv.FormatInt(*h.IncidentID, 10)
	}
	f := func(zh, en, v string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
	}
	tr := triageNames[h.Triage]
	title := h.Indicator.Kind + " " + h.Indicator.Value
	return kernel.InspectionRecord{
		Area: "threat", ID: strconv.FormatInt(h.ID, 10), TitleZH: title, TitleEN: title, At: h.LastSeen.UTC(),
		Fields: []kernel.InspectionField{
			f("首次发现", "First seen", at(h.FirstSeen)),
			f("最近发现", "Last seen", at(h.LastSeen)),
			f("命中次数", "Events matched", strconv.Itoa(h.Count)),
			f("情报来源", "Indicator source", h.Indicator.Source),
			{LabelZH: "研判", LabelEN: "Triage", Value: tr[0], ValueEN: tr[1]},
			f("关联事件", "Incident", incident),
		},
		Data: data,
	}, nil
}
