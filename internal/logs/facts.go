package logs

import (
	"context"
	"fmt"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Facts is the logs fact set, the CEL variable `logs` of the catalog's rules: what the
// log vault keeps for the organisation. The log-retention duties (CSL 2016 Art. 21(3) /
// 2025 Art. 23(3), CIIR draft 2017 Art. 23(3)) read it; before the vault was a capability
// of its own these were fields of the inventory's `org`.
type Facts struct {
	// RetentionDays is how long events are kept (184 when never set: six calendar months).
	RetentionDays int64 `cel:"retention_days" yaml:"retention_days" json:"retention_days" label:"日志留存天数|log retention in days"`
	// Sources is how many log sources are registered to send to the vault.
	Sources int64 `cel:"sources" yaml:"sources" json:"sources" label:"日志来源数|log sources"`
}

// FactSets implements kernel.FactProvider: the `logs` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet { return []kernel.FactSet{FactSet(m)} }

// FactSet returns the logs fact set read from m (a zero Module declares it, for tests that
// load the catalog with it).
func FactSet(m *Module) kernel.FactSet {
	return kernel.NewFacts("logs", "log retention and sources of the log vault", m.Facts)
}

// Facts reads the context's organisation's log facts: the retention in force and the
// number of registered sources, in one read transaction.
func (m *Module) Facts(ctx context.Context) (Facts, error) {
	var f Facts
	err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		ret, err := readRetention(tx)
		if err != nil {
			return err
		}
		t, err := tx.Tenant()
		if err != nil {
			return err
		}
		if err := t.QueryRow(`SELECT COUNT(*) FROM log_sources WHERE org_id = $1`).Scan(&f.Sources); err != nil {
			return fmt.Errorf("count log sources: %w", err)
		}
		f.RetentionDays = int64(ret.Days)
		return nil
	})
	return f, err
}
