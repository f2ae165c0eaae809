package oversight

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Service keeps submissions, answers, the registry and penalty cases.
type Service struct {
	db   *store.DB
	auth *auth.Service
	ev   kernel.Evidence // nil: no evidence capability, citing a file is refused
	// ident applies identification notices to operators' inventories; nil: notices are
	// delivered but not applied.
	ident kernel.Identification
	// inspectable are the areas of records an inspection may read; logs reads the log
	// vault (nil: no logs area); content opens evidence files for a reproduction; key
	// signs reproductions (nil: reproducing is refused).
	inspectable []kernel.Inspectable
	logs        kernel.VaultEvents
	content     kernel.EvidenceContent
	key         kernel.InstallationKey
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// changed tells the change bus that an operator's facts changed: its annual report
	// filed here is read by the reports' fact set (nil: no bus).
	changed func(tx *store.Tx, org int64)
}

// NewService returns a service over db and the installation's organisations.
func NewService(db *store.DB, a *auth.Service) *Service {
	return &Service{db: db, auth: a, Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

// query runs a tenant query and calls scan for each row.
func query(t *store.Tenant, what, q string, scan func(sc func(...any) error) error, args ...any) error {
	rows, err := t.Query(q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

// orgOf returns the context's organisation.
func orgOf(ctx context.Context) (int64, error) {
	id, ok := store.OrgFrom(ctx)
	if !ok {
		return 0, store.ErrNoTenant
	}
	return id, nil
}
