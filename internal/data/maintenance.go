package data

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
)

// Remote access from abroad to personal information or important data, by a supplier that
// maintains a system, is a provision of that data abroad: the supply-chain register links
// such an arrangement to the transfer here that carries it, and counts it while the transfer
// is missing or its route incomplete. This file is the data side of that link
// (kernel.DataTransfers and the transfer page's list of the arrangements).

var _ kernel.DataTransfers = (*Service)(nil) // the compiler checks the contract

// ExportCategories implements kernel.DataTransfers: the categories the export rules apply
// to, all of Categories but general data.
func (s *Service) ExportCategories() []kernel.DataCategory {
	out := []kernel.DataCategory{}
	for _, c := range Categories {
		if c.Code != "general" {
			out = append(out, kernel.DataCategory{Code: c.Code, Zh: c.Zh, En: c.En})
		}
	}
	return out
}

// TransferRoutes implements kernel.DataTransfers: the context organisation's transfers
// with their start day (a transfer has no end recorded here) and their route today, complete when its mechanism covers it, its impact assessment
// predates its start and separate consent is recorded where relied on — what the data
// page and the data facts count as in place.
func (s *Service) TransferRoutes(ctx context.Context) ([]kernel.TransferRoute, error) {
	rs, st, err := s.State(ctx)
	if err != nil {
		return nil, fmt.Errorf("work out the transfers' routes: %w", err)
	}
	assets := map[int64]*Asset{}
	for i := range rs.Assets {
		assets[rs.Assets[i].ID] = &rs.Assets[i]
	}
	out := make([]kernel.TransferRoute, 0, len(st.Transfers))
	for _, ts := range st.Transfers {
		x := ts.Transfer
		has := map[string]bool{}
		for _, id := range x.Assets {
			if a := assets[id]; a != nil {
				for _, c := range a.Categories {
					has[c] = true
				}
			}
		}
		cats := []string{}
		for _, c := range s.ExportCategories() {
			if has[c.Code] {
				cats = append(cats, c.Code)
			}
		}
		start, err := time.ParseInLocation(time.DateOnly, x.StartOn, calendar.Shanghai)
		if err != nil {
			return nil, fmt.Errorf("transfer %d's start %q: %w", x.ID, x.StartOn, err)
		}
		out = append(out, kernel.TransferRoute{ID: x.ID, Recipient: x.Recipient, RecipientCountry: x.RecipientCountry, Categories: cats,
			Route: ts.Decision.Route, Complete: ts.Covered && ts.PIPIAOK && ts.ConsentOK, StartsOn: start})
	}
	return out, nil
}

// maintenanceOf lists the arrangements from abroad linked to transfer id: none without the
// suppliers capability.
func (s *Service) maintenanceOf(ctx context.Context, id int64) ([]kernel.MaintenanceLink, error) {
	if s.maintenance == nil {
		return []kernel.MaintenanceLink{}, nil
	}
	ms, err := s.maintenance.MaintenanceOfTransfer(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read the maintenance from abroad of transfer %d: %w", id, err)
	}
	return ms, nil
}
