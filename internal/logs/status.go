package logs

import (
	"context"

	"ciiguard/internal/kernel"
)

var _ kernel.LogVault = (*Module)(nil) // the compiler checks the contract

// VaultStatus implements kernel.LogVault: the organisation's retention and sources (as
// the catalog's rules read them in the `logs` fact set) and the checkpoint of its log,
// signed now when the log has grown since the last one.
func (m *Module) VaultStatus(ctx context.Context) (kernel.VaultStatus, error) {
	f, err := m.Facts(ctx)
	if err != nil {
		return kernel.VaultStatus{}, err
	}
	cp, err := m.Checkpoint(ctx)
	if err != nil {
		return kernel.VaultStatus{}, err
	}
	return kernel.VaultStatus{RetentionDays: f.RetentionDays, Sources: f.Sources, Size: cp.Size, RootHex: cp.RootHex,
		Checkpoint: cp.Note, VerifierKey: cp.VerifierKey}, nil
}
