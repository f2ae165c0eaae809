package logs_test

import (
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestIdempotencyKey: an HTTP sender that did not get its answer sends the batch again
// with the same Idempotency-Key and is told where it was stored, nothing stored twice;
// the key is the sender's (another source may use it) and bound to the body; a key the
// draft's syntax and our bounds refuse is a 400 naming the header, and stores nothing.
func TestIdempotencyKey(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	org := orgOf(t, env, "admin@grid.demo")
	admin := env.Login(t, "admin@grid.demo")
	_, tokA := httpSource(t, admin, "retrying-a")
	_, tokB := httpSource(t, admin, "retrying-b")
	const one, other = "{\"message\":\"batch one\"}\n{\"message\":\"batch one, second line\"}\n", `{"message":"another batch"}`
	n0 := size(t, env, org)

	type answer struct {
		Accepted int
		FirstSeq uint64 `json:"first_seq"`
		Replayed bool
	}
	for _, c := range []struct {
		name, tok, key, body string
		status               int
		replayed             bool
		first                uint64 // from n0
		grew                 uint64 // the log's size after, from n0
		field                string // named by a refusal
	}{
		{"first send", tokA, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, one, 200, false, 0, 2, ""},
		{"the retry", tokA, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, one, 200, true, 0, 2, ""},
		{"the retry with a bare key", tokA, `8e03978e-40d5-43e8-bc93-6894a57f9324`, one, 200, true, 0, 2, ""},
		{"another body under the key", tokA, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, other, 409, false, 0, 2, "Idempotency-Key"},
		{"the key from another source", tokB, `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, one, 200, false, 2, 4, ""},
		{"no key: stored again", tokA, "", one, 200, false, 4, 6, ""},
		{"a key with a space", tokA, `a b`, one, 400, false, 0, 6, "Idempotency-Key"},
		{"a key of 201 characters", tokA, strings.Repeat("k", 201), one, 400, false, 0, 6, "Idempotency-Key"},
		{"a key of 200 characters", tokA, strings.Repeat("k", 200), other, 200, false, 6, 7, ""},
		{"two keys", tokA, `"x", "y"`, one, 400, false, 0, 7, "Idempotency-Key"},
	} {
		h := map[string]string{"Authorization": "Bearer " + c.tok, "Content-Type": "application/x-ndjson"}
		if c.key != "" {
			h["Idempotency-Key"] = c.key
		}
		res, body := admin.Do("POST", "/api/v1/vault/events", nil, h, c.body)
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %s; want %d", c.name, res.StatusCode, body, c.status)
		} else if c.status == http.StatusOK {
			var a answer
			decode(t, body, &a)
			if a.FirstSeq != n0+c.first || a.Replayed != c.replayed {
				t.Errorf("%s: stored at %d, replayed %v; want %d, %v", c.name, a.FirstSeq, a.Replayed, n0+c.first, c.replayed)
			}
		} else {
			var p problemDoc
			decode(t, body, &p)
			if len(p.Errors) != 1 || p.Errors[0].Field != c.field {
				t.Errorf("%s: the refusal names %+v; want %s", c.name, p.Errors, c.field)
			}
		}
		if got := size(t, env, org); got != n0+c.grew {
			t.Errorf("%s: the log holds %d events; want %d", c.name, got-n0, c.grew)
		}
	}
}
