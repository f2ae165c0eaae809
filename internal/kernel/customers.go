package kernel

import "context"

// SupplierCustomers tells a supplier organisation which operators it supplies. An operator
// says who supplies it in its own supplier register (the suppliers capability), linking a
// supplier record to the supplier's organisation on this installation; that link is the only
// way a supplier learns of a customer, so a supplier never sees an operator that has not
// named it, and one operator never sees another. The suppliers capability implements it; the
// vulnerability capability uses it to let a supplier share advisories with its customers.
type SupplierCustomers interface {
	// Customers lists the operators whose supplier register links the context's (supplier)
	// organisation, by name.
	Customers(ctx context.Context) ([]CustomerRef, error)
}

// CustomerRef is an operator a supplier organisation supplies.
type CustomerRef struct {
	ID     int64  `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}
