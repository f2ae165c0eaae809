package reports

import "net/http"

// fillSubmissions lists the report's submissions on its page (none until the
// installation has a submissions contract).
func (m *Module) fillSubmissions(_ *http.Request, _ *reportData) error { return nil }
