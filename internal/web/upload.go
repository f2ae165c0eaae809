package web

import (
	"io"
	"mime"
	"net/http"

	"ciiguard/internal/problem"
)

// SignedUpload reads a signed file sent for import and the key fingerprint it is pinned
// to: from a page's form, the file in the multipart field and the form's `key`; from the
// API, the request body itself and ?key=. A form without the file answers missing (the
// caller's refusal, naming the file as its page does).
func SignedUpload(r *http.Request, field string, missing error) (io.Reader, string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return r.Body, r.URL.Query().Get("key"), nil
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, "", problem.Field(field, "the form could not be read: %v", err)
	}
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, "", missing
	}
	return f, r.FormValue("key"), nil
}
