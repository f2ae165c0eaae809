package kernel

import (
	"context"
	"time"
)

// Remote access from abroad to personal information or important data is a provision of that
// data abroad (PIPL 2021 Arts. 38–40; DSL 2021 Art. 31; CSL 2016 Art. 37 / 2025 Art. 39; the
// 2024 Provisions on Promoting and Regulating Cross-border Data Flows), so an arrangement to
// maintain a system from abroad that reaches such data needs a transfer abroad whose export
// route is complete. The suppliers capability keeps the arrangements, the data capability
// the transfers and their routes; these two contracts let each read the other's side
// without importing it.

// DataTransfers is the data capability's word on the organisation's transfers abroad. The
// data capability implements it; the suppliers capability validates an arrangement's link
// and counts its facts through it.
type DataTransfers interface {
	// TransferRoutes lists the context organisation's transfers abroad with where their
	// export route stands today (China time), the newest start first.
	TransferRoutes(ctx context.Context) ([]TransferRoute, error)
	// ExportCategories are the categories of data the export rules apply to (personal
	// information, sensitive personal information, important and core data), as the data
	// capability names them.
	ExportCategories() []DataCategory
}

// DataCategory is a category of data with its names in both languages.
type DataCategory struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// TransferRoute is what another capability sees of one transfer abroad.
type TransferRoute struct {
	ID               int64  `json:"id"`
	Recipient        string `json:"recipient"`
	RecipientCountry string `json:"recipient_country"`
	// Categories are the export categories of the transfer's data assets (codes of
	// ExportCategories).
	Categories []string `json:"categories"`
	// Route is the export route the data capability decides today: assessment, contract,
	// exempt or none.
	Route string `json:"route"`
	// Complete says the route is in place by the data capability's own rules: its
	// mechanism covers the transfer (or none is needed), the impact assessment predates the
	// start where personal information goes, and separate consent is recorded where relied
	// on.
	Complete bool `json:"complete"`
	// StartsOn is the China-time day the transfer starts; EndsOn the day it ends or was
	// stopped, nil while it goes on (the data capability records no end today). Access from
	// abroad outside that period is not carried by the transfer.
	StartsOn time.Time  `json:"starts_on"`
	EndsOn   *time.Time `json:"ends_on,omitempty"`
}

// TransferMaintenance is the supply-chain register's word on the arrangements to maintain a
// system from abroad that reach the data of a transfer. The suppliers capability implements
// it; the data capability shows them on the transfer's page.
type TransferMaintenance interface {
	// MaintenanceOfTransfer lists the context organisation's arrangements linked to the
	// transfer id, the newest start first (none for another organisation's id).
	MaintenanceOfTransfer(ctx context.Context, transferID int64) ([]MaintenanceLink, error)
}

// MaintenanceLink is what the data capability sees of one linked arrangement.
type MaintenanceLink struct {
	ID           int64  `json:"id"`
	SupplierID   int64  `json:"supplier_id"`
	SupplierName string `json:"supplier_name"`
	SystemID     int64  `json:"system_id"`
	FromCountry  string `json:"from_country"` // ISO 3166-1 alpha-2
	// CountryZh and CountryEn name it, for a page that has no country names of its own.
	CountryZh  string     `json:"-"`
	CountryEn  string     `json:"-"`
	StartsOn   time.Time  `json:"starts_on"`
	EndsOn     *time.Time `json:"ends_on,omitempty"`
	DataAccess []string   `json:"data_access"` // codes of DataTransfers.ExportCategories
	// Period says why the transfer's period does not cover the arrangement's, "" when it
	// does: starts_before_transfer, ends_after_transfer or open_after_transfer (the
	// arrangement has no end, the transfer has one).
	Period string `json:"period_gap,omitempty"`
}
