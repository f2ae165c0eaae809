package oversight

import (
	"net/http"

	"ciiguard/internal/problem"
)

// checkbox reads a check box of a page's form: absent, or "on" as a browser sends it. Any
// other value is refused on v rather than read as unchecked, so that a client sending
// "true" or "yes" learns its value was not taken (a penalty decision silently left
// unpublished, say).
func checkbox(r *http.Request, name string, v *problem.Invalid) bool {
	switch r.PostFormValue(name) {
	case "":
		return false
	case "on":
		return true
	}
	v.Add(name, "must be on or absent: it is a check box")
	return false
}
