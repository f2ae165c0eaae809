package people

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the security organisation and the staff
// in key posts.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "people", "安全管理机构与关键岗位人员", "Security organisation and key-post staff"
}

// vettingNames are the vetting states as the people pages name them (people.vetting.*).
var vettingNames = map[VettingState][2]string{
	VettingNone: {"未审查", "Never checked"}, VettingPassed: {"已通过", "Passed"},
	VettingFailed: {"未通过", "Failed"}, VettingOverdue: {"已到期未复查", "Overdue"},
}

// InspectionRecords implements kernel.Inspectable: org's security management unit (id
// "unit"), its key posts ("post-N") and the persons who hold one ("person-N", as GET
// /api/v1/people/persons/{id} gives them, with every background check and certificate)
// — CIIR 2021 Arts 14–15 are what an inspection checks of staff. Staff in no key post are
// not read: their personal information is not what the duty concerns. The records are a
// register as it stands: the period does not narrow them.
func (m *Module) InspectionRecords(ctx context.Context, org int64, _ kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	rs, err := m.Records(store.WithOrg(ctx, org))
	if err != nil {
		return nil, err
	}
	out := []kernel.InspectionRecord{}
	add := func(id, zh, en string, v any, fields ...kernel.InspectionField) error {
		if len(out) >= limit {
			return nil
		}
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", id, err)
		}
		out = append(out, kernel.InspectionRecord{Area: "people", ID: id, TitleZH: zh, TitleEN: en, Fields: fields, Data: data})
		return nil
	}
	names := map[int64]string{}
	for _, p := range rs.Persons {
		names[p.ID] = p.Name
	}
	if u := rs.Unit; u != nil {
		if err := add("unit", u.Name, u.Name, u, field("成立日期", "Established on", u.EstablishedOn),
			field("负责人", "Head", names[u.HeadID]), field("安全管理负责人", "Security manager", names[u.ManagerID])); err != nil {
			return nil, err
		}
		out[len(out)-1].At = u.UpdatedAt.UTC()
	}
	held := map[int64]bool{}
	for _, post := range rs.Posts {
		var who []string
		for _, h := range post.Holders {
			held[h.PersonID] = true
			who = append(who, names[h.PersonID])
		}
		if err := add("post-"+strconv.FormatInt(post.ID, 10), post.Name, post.Name, post, field("岗位职责", "Duties", post.Duties),
			field("在岗人员", "Holders", strings.Join(who, "、"))); err != nil {
			return nil, err
		}
	}
	now := m.Now()
	day, y := today(now), yearOf(now)
	this, last := rs.TrainingHours(y), rs.TrainingHours(y-1)
	for _, p := range rs.Persons {
		if !held[p.ID] {
			continue
		}
		pj := m.personView(rs, p, day, this, last, true)
		vs := vettingNames[pj.Vetting]
		if err := add("person-"+strconv.FormatInt(p.ID, 10), p.Name, p.Name, pj,
			field("所在部门", "Department", p.Department),
			field("关键岗位", "Key posts", strings.Join(pj.KeyPosts, "、")),
			kernel.InspectionField{LabelZH: "安全背景审查", LabelEN: "Background check", Value: vs[0], ValueEN: vs[1]},
			field("本年度培训学时", "Training hours this year", pj.HoursThisYear.String()),
		); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func field(zh, en, v string) kernel.InspectionField {
	return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
}
