package frameworks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// largeCatalog builds an OSCAL catalog the size of NIST SP 800-53 rev. 5 in full: 20
// groups, 1,200 controls (a third of them enhancements), each with a statement of a few
// hundred words, about 10 MB.
func largeCatalog() []byte {
	type part struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Prose string `json:"prose"`
	}
	type ctl struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Parts    []part `json:"parts"`
		Controls []ctl  `json:"controls,omitempty"`
	}
	prose := strings.Repeat("The organisation defines, documents and reviews this safeguard at the frequency it sets. ", 90)
	var groups []any
	for g := 0; g < 20; g++ {
		var cs []ctl
		for c := 0; c < 40; c++ {
			id := fmt.Sprintf("g%02d-%d", g, c+1)
			x := ctl{ID: id, Title: "Safeguard " + id, Parts: []part{{ID: id + "_smt", Name: "statement", Prose: prose}}}
			if c%2 == 0 {
				eid := id + ".1"
				x.Controls = []ctl{{ID: eid, Title: "Enhancement " + eid, Parts: []part{{ID: eid + "_smt", Name: "statement", Prose: prose}}}}
			}
			cs = append(cs, x)
		}
		groups = append(groups, map[string]any{"id": fmt.Sprintf("g%02d", g), "title": fmt.Sprintf("Family %d", g), "controls": cs})
	}
	b, _ := json.Marshal(map[string]any{"catalog": map[string]any{
		"uuid":     "00000000-0000-4000-8000-000000000001",
		"metadata": map[string]any{"title": "Large control set", "version": "1", "oscal-version": "1.1.2", "last-modified": "2026-01-01T00:00:00Z"},
		"groups":   groups,
	}})
	return b
}

// BenchmarkImportLarge uploads an SP 800-53-sized catalog (new the first time, a
// replacement after), on SQLite and, when CIIGUARD_TEST_POSTGRES is set, PostgreSQL.
func BenchmarkImportLarge(b *testing.B) {
	doc := largeCatalog()
	for _, d := range storetest.Engines {
		if d == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
			continue
		}
		b.Run(string(d), func(b *testing.B) {
			e := setup(b, d)
			b.SetBytes(int64(len(doc)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := e.svc.Import(e.org1, "LARGE", "file", doc)
				if err != nil || res.Framework.Controls != 1200 {
					b.Fatalf("import: %v, %d controls", err, res.Framework.Controls)
				}
			}
		})
	}
}

// flatCatalog is an OSCAL catalog of n minimal controls in one group, the shape of the
// 900,000-control upload of the security review (issue 8 item 4).
func flatCatalog(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"catalog":{"uuid":"00000000-0000-4000-8000-000000000009","metadata":{"title":"Flood","version":"1","oscal-version":"1.1.2","last-modified":"2026-01-01T00:00:00Z"},"groups":[{"id":"g","title":"G","controls":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"c-%d","title":"C"}`, i)
	}
	sb.WriteString(`]}]}}`)
	return []byte(sb.String())
}

// BenchmarkImportMaxControls uploads a catalog of the most controls allowed
// (DefaultMaxControls): its one transaction is the longest an upload holds the store's
// writer.
func BenchmarkImportMaxControls(b *testing.B) {
	doc := flatCatalog(frameworks.DefaultMaxControls)
	for _, d := range storetest.Engines {
		if d == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
			continue
		}
		b.Run(string(d), func(b *testing.B) {
			e := setup(b, d)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := e.svc.Import(e.org1, "FLOOD", "file", doc)
				if err != nil || res.Framework.Controls != frameworks.DefaultMaxControls {
					b.Fatalf("import: %v, %d controls", err, res.Framework.Controls)
				}
			}
		})
	}
}
