package taxii

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/web"
)

// Media types (§1.6.8). TAXII 2.1 answers every endpoint in application/taxii+json; the
// STIX media type names what a collection holds (§5.2.1 media_types) and is accepted in
// Accept on the manifest and objects endpoints (§5.3 lists it beside the TAXII type).
const (
	MediaTAXII = "application/taxii+json;version=2.1"
	MediaSTIX  = "application/stix+json;version=2.1"
)

// acceptable reports whether the Accept header names a media range this server answers:
// application/taxii+json with version 2.1 or no version (§1.6.8.2: "latest"), or, where
// stixToo, application/stix+json likewise. A request without a TAXII media range is refused
// (§3.1: "All TAXII requests MUST include a media range in the Accept header").
func acceptable(h string, stixToo bool) bool {
	for _, part := range strings.Split(h, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(q, 64); err != nil || f <= 0 {
				continue
			}
		}
		v, hasV := params["version"]
		if hasV && v != "2.1" {
			continue
		}
		switch mt {
		case "application/taxii+json":
			return true
		case "application/stix+json":
			if stixToo {
				return true
			}
		}
	}
	return false
}

// contentOK reports whether a POST body's Content-Type is the TAXII envelope's (§5.5).
func contentOK(h string) bool {
	mt, params, err := mime.ParseMediaType(h)
	if err != nil {
		return false
	}
	if v, ok := params["version"]; ok && v != "2.1" {
		return false
	}
	return mt == "application/taxii+json"
}

// taxiiError is the error message of §3.6.1.
type taxiiError struct {
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	ErrorID     string            `json:"error_id,omitempty"`
	HTTPStatus  string            `json:"http_status,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
}

// fail answers a TAXII error: the status, the TAXII media type (every failure response of
// §4 and §5 requires it) and an error message naming what was wrong. field, when given,
// names the parameter or property at fault in details.field.
func fail(w http.ResponseWriter, r *http.Request, code int, field, description string) error {
	e := taxiiError{Title: http.StatusText(code), Description: description, ErrorID: web.RequestID(r.Context()), HTTPStatus: strconv.Itoa(code)}
	if field != "" {
		e.Details = map[string]string{"field": field}
	}
	return write(w, code, e)
}

// write answers v as TAXII JSON.
func write(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", MediaTAXII)
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}
