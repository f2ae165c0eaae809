package appstore

import (
	"fmt"

	"ciiguard/internal/store"
)

// blacklisted returns the active blacklist entry of kind for value, if there is one.
func blacklisted(t *store.Tenant, kind, value string) (BlacklistEntry, bool, error) {
	var e BlacklistEntry
	err := t.QueryRow(`SELECT id, kind, value, reason, added_by, added_at FROM appstore_blacklist WHERE org_id = $1 AND kind = $2 AND value = $3 AND lifted_at IS NULL ORDER BY id LIMIT 1`,
		kind, value).Scan(&e.ID, &e.Kind, &e.Value, &e.Reason, &e.AddedBy, &e.AddedAt)
	if err == store.ErrNotFound {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("look up the blacklist: %w", err)
	}
	return e, true, nil
}

// malwareHits returns the entries of this capability's own malicious-app list that name
// the package or one of the hashes (the threat capability's mobile-malware collection is
// matched apart, in threatintel.go).
func malwareHits(t *store.Tenant, pkg string, hashes []string) ([]MalwareEntry, error) {
	rows, err := t.Query(`SELECT id, kind, value, label, source, added_by, added_at FROM appstore_malware WHERE org_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("read the malicious-app list: %w", err)
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, h := range hashes {
		want["sha256:"+h] = true
	}
	want["package:"+pkg] = true
	var out []MalwareEntry
	for rows.Next() {
		var m MalwareEntry
		if err := rows.Scan(&m.ID, &m.Kind, &m.Value, &m.Label, &m.Source, &m.AddedBy, &m.AddedAt); err != nil {
			return nil, fmt.Errorf("read the malicious-app list: %w", err)
		}
		if want[m.Kind+":"+m.Value] {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}
