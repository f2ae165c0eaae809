package vault_test

import (
	"testing"

	"ciiguard/internal/vault"
)

// openTemp opens a vault with opts in a directory of its own, closed when t ends.
func openTemp(t *testing.T, opts vault.Options) *vault.Vault {
	t.Helper()
	v, err := vault.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}
