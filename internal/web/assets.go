package web

import (
	"errors"
	"fmt"
	"io/fs"
)

// LoadAssets takes a capability's embedded files in the layout every capability uses:
// messages/<lang>.json (and messages/reasons.<lang>.json), the page templates matching
// pages (each defines "content", rendered inside the layout), and openapi.json, the API
// paths it adds. A capability without pages or API leaves the patterns out or the file
// away; messages are required, since every capability has a navigation entry or a reason
// to translate.
func (s *Server) LoadAssets(fsys fs.FS, pages ...string) (*Pages, error) {
	if err := s.Messages.LoadDir(fsys, "messages"); err != nil {
		return nil, err
	}
	p, err := s.ParsePages(fsys, pages...)
	if err != nil {
		return nil, err
	}
	b, err := fs.ReadFile(fsys, "openapi.json")
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	if err := s.AddOpenAPI(b); err != nil {
		return nil, err
	}
	return p, nil
}
