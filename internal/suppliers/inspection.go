package suppliers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Inspectable = (*Module)(nil)

// InspectionArea implements kernel.Inspectable: the organisation's suppliers.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "suppliers", "供应商与供应链", "Suppliers and supply chain"
}

// InspectionRecords implements kernel.Inspectable: org's register of suppliers as it
// stands (a register, not dated records: the period does not narrow it), by name, each as
// GET /api/v1/suppliers/{id} gives it — products, agreements, performance reviews,
// maintenance from abroad and the tier. The evidence files those records cite are cited,
// so a reproduction carries their bytes.
func (m *Module) InspectionRecords(ctx context.Context, org int64, _ kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	ctx = store.WithOrg(ctx, org)
	sups, err := m.Suppliers(ctx)
	if err != nil {
		return nil, err
	}
	if len(sups) > limit {
		sups = sups[:limit]
	}
	ps, err := m.ListProducts(ctx, 0)
	if err != nil {
		return nil, err
	}
	tiers, err := m.Tiers(ctx, ps)
	if err != nil {
		return nil, err
	}
	out := make([]kernel.InspectionRecord, 0, len(sups))
	for _, x := range sups {
		var own []Product
		for _, p := range ps {
			if p.SupplierID == x.ID {
				own = append(own, p)
			}
		}
		d, err := m.detail(ctx, x, own, tiers[x.ID])
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

// inspectionRecord is a supplier as an inspector reads it: where it is registered, its
// tier, and how many agreements, reviews and arrangements from abroad the operator holds.
func inspectionRecord(d supplierDetail) (kernel.InspectionRecord, error) {
	x := d.Supplier
	data, err := json.Marshal(d)
	if err != nil {
		return kernel.InspectionRecord{}, fmt.Errorf("encode supplier %d: %w", x.ID, err)
	}
	var evidence []string
	cite := func(h string) {
		if h != "" && !slices.Contains(evidence, h) {
			evidence = append(evidence, h)
		}
	}
	for _, a := range d.Agreements {
		cite(a.Evidence)
	}
	for _, r := range d.Reviews {
		cite(r.Evidence)
	}
	for _, mt := range d.Maintenance {
		cite(mt.Evidence)
	}
	f := func(zh, en, v string) kernel.InspectionField {
		return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
	}
	return kernel.InspectionRecord{
		Area: "suppliers", ID: strconv.FormatInt(x.ID, 10), TitleZH: x.Name, TitleEN: x.Name, At: x.CreatedAt.UTC(),
		Fields: []kernel.InspectionField{
			f("统一社会信用代码或境外登记号", "Credit code or foreign registration", x.USCC+x.ForeignReg),
			{LabelZH: "登记国家或地区", LabelEN: "Country of registration", Value: countryName("zh-CN", x.Country), ValueEN: countryName("en", x.Country)},
			{LabelZH: "供应商分级", LabelEN: "Tier", Value: d.Tier.Tier.Zh, ValueEN: d.Tier.Tier.En},
			f("产品和服务", "Products and services", strconv.Itoa(len(d.Products))),
			f("安全保密协议", "Security agreements", strconv.Itoa(len(d.Agreements))),
			f("履约检查", "Performance reviews", strconv.Itoa(len(d.Reviews))),
			f("境外维护", "Maintenance from abroad", strconv.Itoa(len(d.Maintenance))),
		},
		Data: data, Evidence: evidence,
	}, nil
}
