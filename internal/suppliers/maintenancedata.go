package suppliers

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Remote access from abroad to personal information or important data is a provision of that
// data abroad (PIPL 2021 Arts. 38–40; DSL 2021 Art. 31; CSL 2016 Art. 37 / 2025 Art. 39; the
// 2024 Provisions on Promoting and Regulating Cross-border Data Flows): an arrangement says
// which such data its access reaches and links to the data capability's transfer that
// carries it, whose export rules (in force, unlike the draft's maintenance duty) then apply.

// DataLinkInput is what an arrangement's remote access reaches and the transfer abroad that
// carries it.
type DataLinkInput struct {
	DataAccess []string `json:"data_access"`
	TransferID int64    `json:"transfer_id"`
}

// Link states of an arrangement's access to data.
const (
	LinkNone       = ""              // the access reaches no personal information or important data
	LinkMissing    = "no_transfer"   // it does, and no transfer abroad carries it
	LinkIncomplete = "incomplete"    // the linked transfer's export route is not complete today
	LinkUncovered  = "uncovered"     // the linked transfer does not carry every category reached
	LinkPeriod     = "out_of_period" // the linked transfer's period does not cover the arrangement's (maintenancedataperiod.go)
	LinkComplete   = "complete"      // the linked transfer carries it on a complete route
)

// covers says which categories of a transfer carry access to one category: personal
// information is carried by a transfer of it or of sensitive personal information, important
// data by one of important or core data; sensitive and core data only by their own.
var covers = map[string][]string{"pi": {"pi", "sensitive_pi"}, "sensitive_pi": {"sensitive_pi"}, "important": {"important", "core"}, "core": {"core"}}

// LinkState says where an arrangement's access to data stands against the organisation's
// transfers abroad (as kernel.DataTransfers gives them).
func LinkState(m Maintenance, routes []kernel.TransferRoute) string {
	if len(m.DataAccess) == 0 {
		return LinkNone
	}
	var x *kernel.TransferRoute
	for i := range routes {
		if routes[i].ID == m.TransferID {
			x = &routes[i]
		}
	}
	if m.TransferID == 0 || x == nil {
		return LinkMissing
	}
	for _, c := range m.DataAccess {
		if !carries(x.Categories, c) {
			return LinkUncovered
		}
	}
	if PeriodGap(m, *x) != "" {
		return LinkPeriod
	}
	if !x.Complete {
		return LinkIncomplete
	}
	return LinkComplete
}

func carries(categories []string, c string) bool {
	for _, want := range covers[c] {
		for _, have := range categories {
			if have == want {
				return true
			}
		}
	}
	return false
}

// checkDataLink validates an arrangement's access to data and its transfer into v, and
// returns them as stored: the categories in the data capability's order, each once.
func (s *Service) checkDataLink(ctx context.Context, v *problem.Invalid, in DataLinkInput) ([]string, int64, error) {
	access := []string{}
	if len(in.DataAccess) == 0 && in.TransferID == 0 {
		return access, 0, nil
	}
	if s.transfers == nil {
		v.Add("data_access", "cannot be recorded: the data capability, which keeps the transfers abroad, is not installed")
		return access, 0, nil
	}
	cats := s.transfers.ExportCategories()
	known, named := map[string]bool{}, map[string]bool{}
	list := make([]string, len(cats))
	for i, c := range cats {
		known[c.Code], list[i] = true, c.Code
	}
	for i, c := range in.DataAccess {
		c = strings.TrimSpace(c)
		switch {
		case !known[c]:
			v.Add("data_access["+strconv.Itoa(i)+"]", "is not a category of personal information or important data (%s)", strings.Join(list, ", "))
		case named[c]:
			v.Add("data_access["+strconv.Itoa(i)+"]", "is named twice")
		default:
			named[c] = true
		}
	}
	for _, c := range list {
		if named[c] {
			access = append(access, c)
		}
	}
	if in.TransferID == 0 {
		return access, 0, nil
	}
	if len(in.DataAccess) == 0 {
		v.Add("transfer_id", "links a transfer abroad to access that reaches personal information or important data: name that data in data_access")
	}
	routes, err := s.transfers.TransferRoutes(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("read the transfers abroad: %w", err)
	}
	found := false
	for _, x := range routes {
		found = found || x.ID == in.TransferID
	}
	if !found {
		v.Add("transfer_id", "is not a transfer abroad of your organisation")
	}
	return access, in.TransferID, nil
}

// LinkMaintenanceData records what an arrangement's remote access reaches and the transfer
// abroad that carries it (an empty input says it reaches neither personal information nor
// important data).
func (s *Service) LinkMaintenanceData(ctx context.Context, id int64, in DataLinkInput) (Maintenance, error) {
	if _, err := s.GetMaintenance(ctx, id); err != nil {
		return Maintenance{}, err // another organisation's arrangement: 404 before its input is judged
	}
	v := &problem.Invalid{}
	access, transfer, err := s.checkDataLink(ctx, v, in)
	if err != nil {
		return Maintenance{}, err
	}
	if err := v.Err(); err != nil {
		return Maintenance{}, err
	}
	var after Maintenance
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getMaintenance(t, id)
		if err != nil {
			return err
		}
		after = before
		after.DataAccess, after.TransferID = access, transfer
		if _, err := t.Exec(`UPDATE supplier_maintenance SET data_access = $2, transfer_id = $3 WHERE org_id = $1 AND id = $4`, mustJSON(access), transfer, id); err != nil {
			return fmt.Errorf("record the access to data: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_maintenance", strconv.FormatInt(id, 10), audit.Update, before, after, "data access")
	})
	return after, err
}

// routes reads the organisation's transfers abroad with their routes today: none without the
// data capability.
func (s *Service) routes(ctx context.Context) ([]kernel.TransferRoute, error) {
	if s.transfers == nil {
		return nil, nil
	}
	rs, err := s.transfers.TransferRoutes(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the transfers abroad: %w", err)
	}
	return rs, nil
}

var _ kernel.TransferMaintenance = (*Service)(nil) // the compiler checks the contract

// MaintenanceOfTransfer implements kernel.TransferMaintenance: the context organisation's
// arrangements linked to the transfer, newest start first.
func (s *Service) MaintenanceOfTransfer(ctx context.Context, transferID int64) ([]kernel.MaintenanceLink, error) {
	out := []kernel.MaintenanceLink{}
	routes, err := s.routes(ctx)
	if err != nil {
		return nil, err
	}
	var route *kernel.TransferRoute
	for i := range routes {
		if routes[i].ID == transferID {
			route = &routes[i]
		}
	}
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		ms, err := maintenanceOf(t, 0)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, m := range ms {
			if m.TransferID != transferID || transferID == 0 {
				continue
			}
			if _, ok := names[m.SupplierID]; !ok {
				x, err := getSupplier(t, m.SupplierID)
				if err != nil {
					return err
				}
				names[m.SupplierID] = x.Name
			}
			out = append(out, kernel.MaintenanceLink{ID: m.ID, SupplierID: m.SupplierID, SupplierName: names[m.SupplierID], SystemID: m.SystemID,
				FromCountry: m.FromCountry, CountryZh: countryName("zh-CN", m.FromCountry), CountryEn: countryName("en", m.FromCountry), StartsOn: m.StartsOn, EndsOn: m.EndsOn, DataAccess: append([]string{}, m.DataAccess...)})
			if route != nil {
				out[len(out)-1].Period = PeriodGap(m, *route)
			}
		}
		return nil
	})
	return out, err
}
