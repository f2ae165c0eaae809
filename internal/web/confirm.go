package web

import (
	"net/http"

	"ciiguard/internal/problem"
)

// Confirmed checks that a destructive form was sent from its confirmation panel (the
// "confirm" partial), which says what will happen and posts confirm=yes. A post without
// it is refused before anything changes: a stray or forged click deletes nothing.
func Confirmed(r *http.Request) error {
	if r.PostFormValue("confirm") != "yes" {
		return problem.Field("confirm", "must be yes: confirm on the page that says what will happen")
	}
	return nil
}
