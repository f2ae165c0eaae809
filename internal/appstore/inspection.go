package appstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: an app store's own records.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "appstore", "应用商店", "App store"
}

// InspectionRecords implements kernel.Inspectable: what the app store did in the period
// under inspection — the reviews of app versions it decided, the take-downs it made and the
// complaints it received — newest first, each as the app store's API gives it (a version
// and a take-down as in GET /api/v1/appstore/apps/{id}, a complaint as in its list). Those
// are the records of an app store's duties a department asks for: review before listing,
// take-down of what breaks the law, and complaints handled.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	var out []kernel.InspectionRecord
	err := m.db.ReadTenant(store.WithOrg(ctx, org), func(t *store.Tenant) error {
		apps, err := appsIn(t)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, a := range apps {
			names[a.ID] = a.Name
		}
		if err := m.inspectedReviews(t, sc, limit, names, &out); err != nil {
			return err
		}
		if err := m.inspectedTakedowns(t, sc, limit, names, &out); err != nil {
			return err
		}
		return m.inspectedComplaints(t, sc, limit, names, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("read the app store's records for an inspection: %w", err)
	}
	slices.SortStableFunc(out, func(a, b kernel.InspectionRecord) int { return b.At.Compare(a.At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// inspectedReviews adds the versions whose review was decided in the period.
func (m *Module) inspectedReviews(t *store.Tenant, sc kernel.InspectionScope, limit int, names map[int64]string, out *[]kernel.InspectionRecord) error {
	rows, err := t.Query(`SELECT `+versionCols+` FROM appstore_versions WHERE org_id = $1 AND decided_at >= $2 AND decided_at < $3 ORDER BY decided_at DESC LIMIT $4`,
		sc.From.UTC(), sc.To.UTC(), limit)
	if err != nil {
		return fmt.Errorf("list the reviews decided: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return fmt.Errorf("read a review: %w", err)
		}
		title := names[v.AppID] + " " + v.VersionName
		rec, err := m.record("review", v.ID, title, *v.DecidedAt, v, []kernel.InspectionField{
			m.field("应用与版本", "App and version", title, ""),
			m.field("自动检测结果", "Automated check", m.msg(web.LangZH, "appstore.auto."+v.AutoResult), m.msg(web.LangEN, "appstore.auto."+v.AutoResult)),
			m.field("审核结论", "Decision", m.msg(web.LangZH, "appstore.decision."+v.Decision), m.msg(web.LangEN, "appstore.decision."+v.Decision)),
			m.field("审核意见", "Note", v.DecisionNote, ""),
			m.field("审核人与时间", "Decided by, at", v.DecidedBy+" "+bjTime(*v.DecidedAt), ""),
		})
		if err != nil {
			return err
		}
		*out = append(*out, rec)
	}
	return rows.Err()
}

// inspectedTakedowns adds the take-downs made in the period.
func (m *Module) inspectedTakedowns(t *store.Tenant, sc kernel.InspectionScope, limit int, names map[int64]string, out *[]kernel.InspectionRecord) error {
	rows, err := t.Query(`SELECT `+takedownCols+` FROM appstore_takedowns WHERE org_id = $1 AND taken_at >= $2 AND taken_at < $3 ORDER BY taken_at DESC LIMIT $4`,
		sc.From.UTC(), sc.To.UTC(), limit)
	if err != nil {
		return fmt.Errorf("list the take-downs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		k, err := scanTakedown(rows)
		if err != nil {
			return fmt.Errorf("read a take-down: %w", err)
		}
		title := names[k.AppID]
		if k.VersionName != "" {
			title += " " + k.VersionName
		}
		reinstated := "—"
		if k.ReinstatedAt != nil {
			reinstated = bjTime(*k.ReinstatedAt) + " " + k.ReinstateReason
		}
		rec, err := m.record("takedown", k.ID, title, k.TakenAt, k, []kernel.InspectionField{
			m.field("下架的应用", "App taken down", title, ""),
			m.field("下架原因", "Reason", k.Reason, ""),
			m.field("法律依据", "Legal basis", k.LegalBasis, ""),
			m.field("下架人与时间", "Taken down by, at", k.TakenBy+" "+bjTime(k.TakenAt), ""),
			m.field("恢复上架", "Reinstated", reinstated, ""),
		})
		if err != nil {
			return err
		}
		*out = append(*out, rec)
	}
	return rows.Err()
}

// inspectedComplaints adds the complaints received in the period.
func (m *Module) inspectedComplaints(t *store.Tenant, sc kernel.InspectionScope, limit int, names map[int64]string, out *[]kernel.InspectionRecord) error {
	rows, err := t.Query(`SELECT `+complaintCols+` FROM appstore_complaints WHERE org_id = $1 AND received_at >= $2 AND received_at < $3 ORDER BY received_at DESC LIMIT $4`,
		sc.From.UTC(), sc.To.UTC(), limit)
	if err != nil {
		return fmt.Errorf("list the complaints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return fmt.Errorf("read a complaint: %w", err)
		}
		replied := "—"
		if c.RepliedAt != nil {
			replied = bjTime(*c.RepliedAt)
		}
		rec, err := m.record("complaint", c.ID, c.Subject, c.ReceivedAt, complaintJSON{c, c.Overdue(m.Now())}, []kernel.InspectionField{
			m.field("回执编号", "Receipt", c.Receipt, ""),
			m.field("类别", "Kind", m.msg(web.LangZH, "appstore.ckind."+c.Kind), m.msg(web.LangEN, "appstore.ckind."+c.Kind)),
			m.field("收到时间", "Received", bjTime(c.ReceivedAt), ""),
			m.field("答复期限", "Due", bjTime(c.DueAt), ""),
			m.field("答复时间", "Answered", replied, ""),
			m.field("状态", "State", m.msg(web.LangZH, "appstore.cstate."+c.State), m.msg(web.LangEN, "appstore.cstate."+c.State)),
		})
		if err != nil {
			return err
		}
		*out = append(*out, rec)
	}
	return rows.Err()
}

// record is one inspected record of kind (review, takedown, complaint) with id.
func (m *Module) record(kind string, id int64, title string, at time.Time, data any, fields []kernel.InspectionField) (kernel.InspectionRecord, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode %s %d: %w", kind, id, err)
	}
	return kernel.InspectionRecord{Area: "appstore", ID: kind + "-" + strconv.FormatInt(id, 10), TitleZH: title, TitleEN: title,
		At: at.UTC(), Fields: fields, Data: raw}, nil
}

// field is a labelled value; en is the value in English when it is a word of ours.
func (m *Module) field(zh, en, value, valueEN string) kernel.InspectionField {
	return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: value, ValueEN: valueEN}
}

func (m *Module) msg(lang, key string) string { return m.d.Web.Messages.T(lang, key) }

// bjTime is t in China time, to the minute.
func bjTime(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }
