package taxii

import (
	"context"
	"encoding/json"
	"errors"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

var _ kernel.ThreatSharing = (*Module)(nil)

// ShareWithRegulator implements kernel.ThreatSharing: the objects go to the sharing group
// of the regulator the context operator named, as a POST to that collection would put
// them (share: validated, TLP kept, audited for the poster and the group).
func (m *Module) ShareWithRegulator(ctx context.Context, objects []json.RawMessage) (kernel.RegulatorRef, []kernel.ThreatAdded, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return kernel.RegulatorRef{}, nil, errors.New("taxii: share with no organisation in the context")
	}
	// Without the filings capability no department can be named.
	var reg kernel.RegulatorRef
	err := store.ErrNotFound
	if m.subs != nil {
		reg, err = m.subs.Regulator(ctx)
	}
	if errors.Is(err, store.ErrNotFound) {
		return kernel.RegulatorRef{}, nil, problem.Field("regulator", "is not named: name the protection-work department on the filings page first")
	}
	if err != nil {
		return kernel.RegulatorRef{}, nil, err
	}
	added, err := m.share(ctx, reg.ID, org, objects, m.now())
	return reg, added, err
}
