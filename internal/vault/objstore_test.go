package vault_test

import (
	"testing"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/storetest"
)

func TestDirStoreServesEvictedSegments(t *testing.T) {
	storetest.CheckServes(t, vault.DirStore{Root: t.TempDir()}, 1)
}
