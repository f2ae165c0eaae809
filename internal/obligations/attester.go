package obligations

import (
	"context"

	"ciiguard/internal/kernel"
)

// The obligations capability takes attestations other capabilities submit on a user's
// behalf (a remediation task closed with its evidence).
var _ kernel.Attester = (*Module)(nil)

// SubmitAttestation implements kernel.Attester: the same checks and the same record (and
// the same four-eyes review) as the attestation API.
func (m *Module) SubmitAttestation(ctx context.Context, a kernel.NewAttestation) (int64, error) {
	at, err := m.Attest(ctx, NewAttestation{ObligationID: a.ObligationID, SubjectKind: a.SubjectKind, SubjectID: a.SubjectID,
		Statement: a.Statement, Evidence: a.Evidence}, m.hasEvidence)
	return at.ID, err
}
