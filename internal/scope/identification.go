package scope

import (
	"context"
	"errors"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Identification = (*Module)(nil)

// RecordIdentified implements kernel.Identification: the protection-work department's
// notice, recorded in the oversight capability, identifies the systems of org it names —
// or, a de-identification notice, de-identifies those that are identified as of its date.
// Each system goes through the same transition as a notice entered on its page (audited,
// kept in its history, announced on the change bus).
func (m *Module) RecordIdentified(ctx context.Context, org int64, n kernel.IdentificationNotice) ([]kernel.IdentifiedSystem, error) {
	ctx = store.WithOrg(ctx, org)
	notice := Notice{On: Date(n.On), Doc: strings.TrimSpace(n.Ref)}
	if err := notice.validate(m.svc.today(), true); err != nil {
		return nil, err
	}
	out := make([]kernel.IdentifiedSystem, 0, len(n.Systems))
	for _, name := range n.Systems {
		res := kernel.IdentifiedSystem{Name: name, Result: kernel.IdentifiedNoSystem}
		var sys System
		err := m.svc.db.ReadTenant(ctx, func(t *store.Tenant) error {
			var err error
			if sys, err = systemByName(t, name); errors.Is(err, store.ErrNotFound) {
				sys, err = scanSystem(t.QueryRow(selectSystem+` WHERE org_id = $1 AND name_en = $2`, name).Scan)
			}
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			out = append(out, res)
			continue
		}
		if err != nil {
			return out, err
		}
		res.SystemID = sys.ID
		if n.Deidentify {
			res.Result = kernel.IdentifiedAlready
			if sys.CIIStatus == CIIIdentified && notice.On >= sys.IdentifiedOn {
				res.Result = kernel.IdentifiedRemoved
				if _, err := m.svc.Deidentify(ctx, sys.ID, notice); err != nil {
					return out, err
				}
			}
			out = append(out, res)
			continue
		}
		switch {
		case sys.CIIStatus == CIIIdentified && (sys.IdentificationDoc == notice.Doc || notice.On < sys.IdentifiedOn),
			sys.CIIStatus == CIIDeidentified && notice.On < sys.DeidentifiedOn:
			res.Result = kernel.IdentifiedAlready
		default:
			res.Result = kernel.IdentifiedNew
			if sys.CIIStatus == CIIIdentified || sys.CIIStatus == CIIDeidentified {
				res.Result = kernel.IdentifiedAgain
			}
			if _, err := m.svc.transition(ctx, sys.ID, "identification notice "+notice.Doc+" of "+string(notice.On)+" from the protection-work department",
				func(in *SystemInput) error {
					in.CIIStatus, in.IdentifiedOn, in.IdentificationDoc, in.MajorChangeOn = CIIIdentified, notice.On, notice.Doc, ""
					return nil
				}); err != nil {
				return out, err
			}
		}
		out = append(out, res)
	}
	return out, nil
}
