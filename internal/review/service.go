package review

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the review capability needs from the organisation's inventory: its
// profile and systems as the rules engine sees them (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Citer checks that the organisation holds an evidence file (kernel.Evidence implements it).
type Citer interface {
	Cite(ctx context.Context, sha256 string) error
}

// Service keeps procurements and review cases and enforces the procurement gate.
type Service struct {
	db  *store.DB
	inv Inventory
	ev  Citer
	// products is the organisation's product register (kernel.Products); nil when no
	// capability offers one, and a procurement then names its product in free text.
	products kernel.Products
	// shared gives the review outcomes suppliers shared for a registered product
	// (kernel.SharedReviews); nil when no capability offers them.
	shared kernel.SharedReviews
	// Cal is the working-day calendar the clocks count on.
	Cal *calendar.Calendar
	// Now is the clock (China dates are derived from it); tests and the demo set it.
	Now func() time.Time
	// changed is told, inside a write transaction, that the organisation's review facts
	// changed (the kernel's change bus); nil tells nobody.
	changed func(tx *store.Tx, org int64)
}

// NewService returns a service over db; products may be nil.
func NewService(db *store.DB, inv Inventory, ev Citer, products kernel.Products) *Service {
	return &Service{db: db, inv: inv, ev: ev, products: products, Cal: calendar.Official(), Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

// today is the China date of now.
func (s *Service) today() time.Time { return day(s.Now()) }

func (s *Service) announce(t *store.Tenant) {
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("review: marshal %T: %v", v, err)) // only our own plain types
	}
	return string(b)
}
