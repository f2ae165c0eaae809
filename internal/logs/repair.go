package logs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// RepairLog takes an organisation's log that a damaged write-ahead log stopped back into
// service (vault.Repair: the damaged bytes are kept in quarantine, each lost event's
// sequence number holds a placeholder event saying so) and records the loss in the audit
// trail, naming the lost sequence numbers and the quarantine files. A log that needed no
// repair records nothing. It is run by `ciiguard vault repair` on a stopped server.
func (m *Module) RepairLog(ctx context.Context, org int64, progress func(string)) (*vault.RepairReport, error) {
	rep, err := m.v.Repair(org, progress)
	if err != nil {
		return rep, err
	}
	if len(rep.Quarantine) == 0 {
		return rep, nil
	}
	lost := make([]string, len(rep.Losses))
	for i, l := range rep.Losses {
		lost[i] = l.String()
	}
	detail := fmt.Sprintf("write-ahead log repaired: lost %s; damaged bytes kept in %s", strings.Join(lost, ", "), strings.Join(rep.Quarantine, ", "))
	if len(lost) == 0 {
		detail = "write-ahead log repaired: no event lost; damaged bytes kept in " + strings.Join(rep.Quarantine, ", ")
	}
	err = m.d.DB.WriteTenant(store.WithOrg(ctx, org), func(t *store.Tenant) error {
		return audit.Record(t.Tx(), org, "log_vault", strconv.FormatInt(org, 10), audit.Update, nil, rep, detail)
	})
	if err != nil {
		return rep, fmt.Errorf("record the repair in the audit trail: %w", err)
	}
	return rep, nil
}
