package data

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the organisation's data assets and
// transfers abroad.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "data", "数据资产与数据出境", "Data assets and transfers abroad"
}

// InspectionRecords implements kernel.Inspectable: org's data assets (a register: the
// period does not narrow it), each as GET /api/v1/data/assets/{id} gives it, then its
// transfers abroad with where each stands today, as GET /api/v1/data/transfers gives
// them. Record ids are "asset-N" and "transfer-N".
func (m *Module) InspectionRecords(ctx context.Context, org int64, _ kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	rs, st, err := m.State(store.WithOrg(ctx, org))
	if err != nil {
		return nil, err
	}
	out := []kernel.InspectionRecord{}
	for _, a := range rs.Assets {
		if len(out) >= limit {
			return out, nil
		}
		rec, err := assetRecord(a)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	for _, ts := range st.Transfers {
		if len(out) >= limit {
			break
		}
		rec, err := transferRecord(toJSON(ts))
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// regionName names an ISO 3166-1 code in lang as CLDR does; an unknown code stays as it is.
func regionName(lang language.Tag, code string) string {
	if r, err := language.ParseRegion(code); err == nil {
		if n := display.Regions(lang).Name(r); n != "" {
			return n
		}
	}
	return code
}

func field(zh, en, v string) kernel.InspectionField {
	return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
}

// names are the options' names of codes in both languages, joined.
func names(opts []Option, cs []string) (zh, en string) {
	var z, e []string
	for _, c := range cs {
		o, ok := optionOf(opts, c)
		if !ok {
			o = Option{Code: c, Zh: c, En: c}
		}
		z, e = append(z, o.Zh), append(e, o.En)
	}
	return strings.Join(z, "、"), strings.Join(e, ", ")
}

func assetRecord(a Asset) (kernel.InspectionRecord, error) {
	data, err := json.Marshal(a)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode data asset %d: %w", a.ID, err)
	}
	catZH, catEN := names(Categories, a.Categories)
	lvZH, lvEN := names(Levels, []string{a.Level})
	abroad := [2]string{"否", "no"}
	if a.Abroad() {
		abroad = [2]string{"是", "yes"}
	}
	return kernel.InspectionRecord{
		Area: "data", ID: "asset-" + strconv.FormatInt(a.ID, 10), TitleZH: a.Name, TitleEN: a.Name, At: a.CreatedAt.UTC(),
		Fields: []kernel.InspectionField{
			field("责任部门", "Department", a.Department),
			{LabelZH: "数据类别", LabelEN: "Categories", Value: catZH, ValueEN: catEN},
			{LabelZH: "数据级别", LabelEN: "Level", Value: lvZH, ValueEN: lvEN},
			field("涉及人数", "People", strconv.FormatInt(a.People, 10)),
			{LabelZH: "境外存储", LabelEN: "Stored abroad", Value: abroad[0], ValueEN: abroad[1]},
			field("保存期限", "Retention", a.Retention),
		},
		Data: data,
	}, nil
}

func transferRecord(t transferJSON) (kernel.InspectionRecord, error) {
	data, err := json.Marshal(t)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode transfer %d: %w", t.ID, err)
	}
	covered := [2]string{"否", "no"}
	if t.Covered {
		covered = [2]string{"是", "yes"}
	}
	return kernel.InspectionRecord{
		Area: "data", ID: "transfer-" + strconv.FormatInt(t.ID, 10), TitleZH: "数据出境：" + t.Recipient, TitleEN: "Transfer abroad: " + t.Recipient,
		At: t.CreatedAt.UTC(),
		Fields: []kernel.InspectionField{
			{LabelZH: "境外接收方所在国家或地区", LabelEN: "Recipient's country", Value: regionName(language.SimplifiedChinese, t.RecipientCountry), ValueEN: regionName(language.English, t.RecipientCountry)},
			field("开始日期", "Started on", t.StartOn),
			{LabelZH: "出境路径", LabelEN: "Route", Value: t.Route.Reason.Zh, ValueEN: t.Route.Reason.En},
			{LabelZH: "已有合规路径覆盖", LabelEN: "Covered by a mechanism", Value: covered[0], ValueEN: covered[1]},
		},
		Data: data,
	}, nil
}
