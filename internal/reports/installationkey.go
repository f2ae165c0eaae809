package reports

import (
	"crypto/ed25519"
	"errors"

	"ciiguard/internal/kernel"
)

// installationKey offers the report signing key to other capabilities as
// kernel.InstallationKey (an inspection's reproduction bundle is signed with it), so that
// a department checks every document of this installation against one fingerprint.
type installationKey struct{ m *Module }

var _ kernel.InstallationKey = installationKey{}

var errNoKey = errors.New("the installation has no signing key (no data directory)")

// Services implements kernel.Provider.
func (m *Module) Services() []any { return []any{installationKey{m}} }

// PublicKey implements kernel.InstallationKey.
func (k installationKey) PublicKey() (ed25519.PublicKey, error) {
	if k.m.key == nil {
		return nil, errNoKey
	}
	return k.m.key.PublicKey(), nil
}

// Sign implements kernel.InstallationKey.
func (k installationKey) Sign(msg []byte) ([]byte, error) {
	if k.m.key == nil {
		return nil, errNoKey
	}
	return k.m.key.Sign(msg), nil
}
