package logs

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzIdempotencyKey: any Idempotency-Key header is refused with a field error or read
// as a key of 1 to 200 visible ASCII characters scoped to its source, never a panic.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, `abc`, `"a\"b"`, `"x", "y"`, `a b`, `"é"`, `?1`, `12`, `"k";p=1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("POST", "/api/v1/vault/events", nil)
		r.Header.Set(IdempotencyKeyHeader, h)
		key, err := batchKeyOf(r, Source{ID: 5}, []byte("{}"))
		if err != nil {
			return
		}
		id, ok := strings.CutPrefix(key.ID, "http/5/")
		if !ok || id == "" || len(id) > maxIdempotencyKey || !visibleASCII(id) {
			t.Fatalf("header %q read as key %q", h, key.ID)
		}
	})
}
