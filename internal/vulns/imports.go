package vulns

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// MaxImportBytes bounds an imported file.
const MaxImportBytes = 4 << 20

// Import formats.
const (
	FormatCSV  = "csv"
	FormatCSAF = "csaf"
)

// Import is a file read into a preview, and once committed, what it added.
type Import struct {
	ID          int64      `json:"id"`
	Format      string     `json:"format"`
	Name        string     `json:"name"`
	SHA256      string     `json:"sha256"`
	Document    string     `json:"document"`
	Good        int        `json:"good"`
	Bad         int        `json:"bad"`
	State       string     `json:"state"` // preview, committed
	Added       int        `json:"added"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	CommittedAt *time.Time `json:"committed_at"`
	Items       []Item     `json:"items,omitempty"`
	Problems    []Problem  `json:"problems"`
}

// Preview reads a CSV or a CSAF advisory without adding anything: every vulnerability it
// will add, with the products matched in the register and the systems they reach, and
// every line or field it will not add and why. It is kept so the commit adds exactly what
// was shown.
func (s *Service) Preview(ctx context.Context, format, name string, r io.Reader) (Import, error) {
	inv := &problem.Invalid{}
	if format != FormatCSV && format != FormatCSAF {
		inv.Add("format", "must be csv or csaf")
	}
	name = strings.TrimSpace(name)
	inv.Text("name", name, false, maxShort)
	if err := inv.Err(); err != nil {
		return Import{}, err
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return Import{}, problem.Field("file", "cannot be read")
	}
	if len(body) > MaxImportBytes {
		return Import{}, problem.Field("file", "must be at most %d bytes", MaxImportBytes)
	}
	if len(body) == 0 {
		return Import{}, problem.Field("file", "is empty")
	}
	var p Parsed
	if format == FormatCSV {
		p = ParseCSV(body)
	} else {
		p = ParseCSAF(body)
	}
	refs, err := s.productRefs(ctx)
	if err != nil {
		return Import{}, err
	}
	supplier, err := s.isSupplier(ctx)
	if err != nil {
		return Import{}, err
	}
	systems, err := s.systems(ctx)
	if err != nil {
		return Import{}, err
	}
	now := s.now()
	known, err := s.knownIDs(ctx)
	if err != nil {
		return Import{}, err
	}
	good := p.Items[:0]
	for _, it := range p.Items {
		prefix := ""
		if format == FormatCSAF {
			prefix = fmt.Sprintf("vulnerabilities[%d].", it.Line)
		}
		refused := false
		add := func(field, format string, args ...any) {
			p.at(it.Line).Add(field, format, args...)
			refused = true
		}
		c := s.check(it.In, prefix, refs, supplier, now, add)
		switch id := known[c.v.CVE]; {
		case c.v.CVE == "" || id == 0:
		case id < 0:
			p.at(it.Line).Add(prefix+"cve", "repeats a vulnerability earlier in the file")
			refused = true
		default:
			p.at(it.Line).Add(prefix+"cve", "is already recorded as vulnerability %d", id)
			refused = true
		}
		if refused {
			continue
		}
		if c.v.CVE != "" {
			known[c.v.CVE] = -1 // a second line with the same CVE in this file
		}
		it.Products = c.products
		it.Systems = reach(c.products, refs, systems)
		good = append(good, it)
	}
	p.Items = good
	sum := sha256.Sum256(body)
	im := Import{Format: format, Name: name, SHA256: hex.EncodeToString(sum[:]), Document: p.Document, Good: len(p.Items), Bad: len(p.Problems), State: "preview",
		CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: now, Items: p.Items, Problems: p.Problems}
	if im.Problems == nil {
		im.Problems = []Problem{}
	}
	items, err := json.Marshal(im.Items)
	if err != nil {
		return Import{}, fmt.Errorf("keep the preview: %w", err)
	}
	problems, err := json.Marshal(im.Problems)
	if err != nil {
		return Import{}, fmt.Errorf("keep the preview: %w", err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO vuln_imports (org_id, format, name, sha256, document, good, bad, items, problems, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, im.Format, im.Name, im.SHA256, im.Document, im.Good, im.Bad, string(items), string(problems),
			im.State, im.CreatedBy, im.CreatedAt).Scan(&im.ID); err != nil {
			return fmt.Errorf("keep the preview: %w", err)
		}
		return audit.InTenant(t, "vuln_import", idStr(im.ID), audit.Create, nil, map[string]any{"sha256": im.SHA256, "format": im.Format}, p.describe())
	})
	if err != nil {
		return Import{}, err
	}
	return im, nil
}

// reach is the systems the affected products are used on.
func reach(ps []Affected, refs map[int64]kernel.ProductRef, systems map[int64]rules.System) []SystemRef {
	out := []SystemRef{}
	seen := map[int64]bool{}
	for _, a := range ps {
		for _, id := range refs[a.ProductID].Systems {
			if !seen[id] {
				seen[id] = true
				out = append(out, SystemRef{ID: id, Name: systems[id].Name, CIIStatus: systems[id].CIIStatus})
			}
		}
	}
	return out
}

// knownIDs maps the CVE identifiers the organisation has recorded to their vulnerability.
func (s *Service) knownIDs(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, cve FROM vulns WHERE org_id = $1 AND cve <> ''`)
		if err != nil {
			return fmt.Errorf("read recorded identifiers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var cve string
			if err := rows.Scan(&id, &cve); err != nil {
				return err
			}
			out[cve] = id
		}
		return rows.Err()
	})
	return out, err
}

const importCols = `id, format, name, sha256, document, good, bad, items, problems, state, added, created_by, created_at, committed_at`

func scanImport(sc interface{ Scan(...any) error }, withItems bool) (Import, error) {
	var im Import
	var items, problems string
	var committed sql.NullTime
	if err := sc.Scan(&im.ID, &im.Format, &im.Name, &im.SHA256, &im.Document, &im.Good, &im.Bad, &items, &problems, &im.State, &im.Added, &im.CreatedBy,
		&im.CreatedAt, &committed); err != nil {
		return im, err
	}
	im.CreatedAt, im.CommittedAt = im.CreatedAt.UTC(), nullTime(committed)
	if withItems {
		if err := json.Unmarshal([]byte(items), &im.Items); err != nil {
			return im, fmt.Errorf("import %d items: %w", im.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(problems), &im.Problems); err != nil {
		return im, fmt.Errorf("import %d problems: %w", im.ID, err)
	}
	return im, nil
}

// ImportOf is one of the context organisation's imports with its preview; another
// organisation's is store.ErrNotFound.
func (s *Service) ImportOf(ctx context.Context, id int64) (Import, error) {
	var im Import
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		im, err = scanImport(t.QueryRow(`SELECT `+importCols+` FROM vuln_imports WHERE org_id = $1 AND id = $2`, id), true)
		return err
	})
	return im, err
}

// Imports lists the context organisation's imports, newest first, without their items.
func (s *Service) Imports(ctx context.Context, limit int) ([]Import, error) {
	out := []Import{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+importCols+` FROM vuln_imports WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, limit)
		if err != nil {
			return fmt.Errorf("list imports: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			im, err := scanImport(rows, false)
			if err != nil {
				return err
			}
			out = append(out, im)
		}
		return rows.Err()
	})
	return out, err
}

// Commit adds what preview id showed, once. Each vulnerability is checked again against the
// records of now (a product may have gone from the register since the preview, a CVE been
// recorded by hand): what no longer passes is left out and counted.
func (s *Service) Commit(ctx context.Context, id int64) (Import, error) {
	refs, err := s.productRefs(ctx)
	if err != nil {
		return Import{}, err
	}
	supplier, err := s.isSupplier(ctx)
	if err != nil {
		return Import{}, err
	}
	now, by := s.now(), audit.ActorFrom(ctx).Label
	var im Import
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if im, err = scanImport(t.QueryRow(`SELECT `+importCols+` FROM vuln_imports WHERE org_id = $1 AND id = $2`, id), true); err != nil {
			return err
		}
		if im.State != "preview" {
			return problem.Conflictf("id", "the import is already committed")
		}
		rows, err := t.Query(`SELECT cve FROM vulns WHERE org_id = $1 AND cve <> ''`)
		if err != nil {
			return fmt.Errorf("read recorded identifiers: %w", err)
		}
		known := map[string]bool{}
		for rows.Next() {
			var cve string
			if err := rows.Scan(&cve); err != nil {
				rows.Close()
				return err
			}
			known[cve] = true
		}
		rows.Close()
		source := im.Format + ":" + idStr(id)
		for _, it := range im.Items {
			refused := false
			c := s.check(it.In, "", refs, supplier, now, func(string, string, ...any) { refused = true })
			if refused || (c.v.CVE != "" && known[c.v.CVE]) {
				continue
			}
			if _, err := s.insert(t, c, source, by, now); err != nil {
				return err
			}
			known[c.v.CVE] = c.v.CVE != ""
			im.Added++
		}
		im.State, im.CommittedAt = "committed", &now
		if _, err := t.Exec(`UPDATE vuln_imports SET state = $2, added = $3, committed_at = $4 WHERE org_id = $1 AND id = $5`, im.State, im.Added, now, id); err != nil {
			return fmt.Errorf("commit the import: %w", err)
		}
		return audit.InTenant(t, "vuln_import", idStr(id), "commit", nil, nil, fmt.Sprintf("%d vulnerabilities added", im.Added))
	})
	if err != nil {
		return Import{}, err
	}
	return im, nil
}
