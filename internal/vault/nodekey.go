package vault

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
)

// NodeKey derives a secret for one purpose between the nodes of a cluster
// from the vault's signing key (HKDF-SHA256 with the purpose as its info).
// Every node of a cluster holds the same signing key already (its
// checkpoints must verify under one public key, docs/scale-out.md), so the
// nodes share the derived secret with no further configuration; and since
// HKDF is one-way, a derived secret that leaks reveals nothing of the
// signing key, nor of the secrets of other purposes.
func (v *Vault) NodeKey(purpose string) ([]byte, error) {
	if len(v.seed) == 0 {
		return nil, errors.New("vault: no signing key loaded")
	}
	return deriveNodeKey(v.seed, purpose)
}

// NodeKeyFromFile is NodeKey for the signing key in a vault.key file, for a
// tool or test that talks to a node without opening its vault.
func NodeKeyFromFile(path, purpose string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("vault: read signing key: %w", err)
	}
	seed, err := signerSeed(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, err
	}
	return deriveNodeKey(seed, purpose)
}

// nodeKeySalt separates these secrets from any other use of the seed.
const nodeKeySalt = "ciiguard vault node key v1"

func deriveNodeKey(seed []byte, purpose string) ([]byte, error) {
	if purpose == "" {
		return nil, errors.New("vault: node key without a purpose")
	}
	k, err := hkdf.Key(sha256.New, seed, []byte(nodeKeySalt), purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("vault: derive node key: %w", err)
	}
	return k, nil
}

// signerSeed returns the Ed25519 seed of a note signer key
// ("PRIVATE+KEY+name+hash+key").
func signerSeed(skey string) ([]byte, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, errors.New("vault: signing key file is not a note signer key")
	}
	priv, err := decodeB64(parts[4])
	if err != nil || len(priv) != 33 || priv[0] != 1 {
		return nil, errors.New("vault: signing key is not an Ed25519 note key")
	}
	return priv[1:], nil
}
