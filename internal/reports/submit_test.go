package reports_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestSubmitSignedReport: a draft is refused submission (409 on state); the signed-off
// version is submitted, the report's state is submitted, and the public key the API
// publishes has the fingerprint the PDF prints (hex SHA-256 of the key, computed here).
func TestSubmitSignedReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		res, body := sm.Do("POST", "/api/v1/reports", nil, h, `{"kind":"annual","year":2026}`)
		r := decode(t, res, body, http.StatusCreated)
		path := fmt.Sprintf("/api/v1/reports/%d", r.ID)
		if res, body := sm.Do("POST", path+"/submit", nil, h); res.StatusCode != http.StatusConflict {
			t.Fatalf("a draft submitted: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", path+"/signoff", nil, h)
		decode(t, res, body, http.StatusOK)
		res, body = sm.Do("POST", path+"/submit", nil, h)
		sub := decode(t, res, body, http.StatusOK)
		if sub.State != "submitted" {
			t.Fatalf("after submission: %s", body)
		}
		_, body = sm.Do("GET", "/api/v1/reports/key", nil, nil)
		var k struct {
			PublicKey   string `json:"public_key"`
			Fingerprint string `json:"fingerprint"`
		}
		if err := json.Unmarshal([]byte(body), &k); err != nil {
			t.Fatal(err)
		}
		pub, err := base64.StdEncoding.DecodeString(k.PublicKey)
		sum := sha256.Sum256(pub)
		if err != nil || len(pub) != ed25519.PublicKeySize || hex.EncodeToString(sum[:]) != k.Fingerprint {
			t.Fatalf("key %s: %v", body, err)
		}
	})
}

var _ = apptest.Main
