package threat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// NewImport is a feed to read into a preview.
type NewImport struct {
	Format     string
	Collection string // one of Collections (not a regulator's)
	Name       string // the file's name, for people
	TLP        string // marking of the indicators made from a CSV or a list
}

// Preview reads a feed without adding anything: what will be added, every line that will
// not and why. It is kept until committed, so the operator commits exactly what was shown.
func (s *Service) Preview(ctx context.Context, n NewImport, r io.Reader) (Import, error) {
	v := &problem.Invalid{}
	if !slices.Contains(Formats, n.Format) {
		v.Add("format", "must be one of list, csv, stix")
	}
	if c, ok := CollectionOf(n.Collection); !ok || strings.HasPrefix(c.Code, "regulator:") {
		v.Add("collection", "must be one of miit_c2, miit_mobile, miit_phishing, miit_malicious, private")
	}
	if n.TLP == "" {
		n.TLP = "amber"
	}
	if !slices.Contains(TLPs, n.TLP) {
		v.Add("tlp", "must be one of clear, green, amber, amber+strict, red")
	}
	n.Name = strings.TrimSpace(n.Name)
	v.Text("name", n.Name, false, 200)
	if err := v.Err(); err != nil {
		return Import{}, err
	}
	body, err := io.ReadAll(io.LimitReader(r, MaxFeedBytes+1))
	if err != nil {
		return Import{}, problem.Field("file", "cannot be read: %v", err)
	}
	if len(body) > MaxFeedBytes {
		return Import{}, problem.Field("file", "must be at most %d bytes", MaxFeedBytes)
	}
	now := s.now()
	p, err := ParseFeed(n.Format, bytes.NewReader(body), now)
	if err != nil {
		return Import{}, problem.Field("file", "cannot be read: %v", err)
	}
	sum := sha256.Sum256(body)
	im := Import{Format: n.Format, Collection: n.Collection, TLP: n.TLP, Name: n.Name, SHA256: hex.EncodeToString(sum[:]), Lines: p.Lines, Good: len(p.Items),
		Bad: len(p.Problems), State: "preview", CreatedBy: audit.ActorFrom(ctx).Label, CreatedAt: now, Items: p.Items, Problems: p.Problems}
	items, _ := json.Marshal(p.Items)
	problems, _ := json.Marshal(p.Problems)
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO threat_imports (org_id, format, collection, tlp, name, sha256, lines, good, bad, items, problems, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`, im.Format, im.Collection, im.TLP, im.Name, im.SHA256, im.Lines, im.Good, im.Bad,
			string(items), string(problems), im.State, im.CreatedBy, im.CreatedAt).Scan(&im.ID); err != nil {
			return fmt.Errorf("keep the preview: %w", err)
		}
		return audit.InTenant(t, "threat_import", idStr(im.ID), audit.Create, nil, map[string]any{"sha256": im.SHA256, "format": im.Format, "collection": im.Collection}, p.describe())
	})
	if err != nil {
		return Import{}, err
	}
	return im, nil
}

const importCols = `id, format, collection, tlp, name, sha256, lines, good, bad, items, problems, state, added, created_by, created_at, committed_at`

func scanImport(sc interface{ Scan(...any) error }, withItems bool) (Import, error) {
	var im Import
	var items, problems string
	var committed sql.NullTime
	if err := sc.Scan(&im.ID, &im.Format, &im.Collection, &im.TLP, &im.Name, &im.SHA256, &im.Lines, &im.Good, &im.Bad, &items, &problems, &im.State, &im.Added,
		&im.CreatedBy, &im.CreatedAt, &committed); err != nil {
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
	restoreArgs(im.Problems)
	return im, nil
}

// ImportOf is one of the context organisation's imports with its preview; another
// organisation's is store.ErrNotFound.
func (s *Service) ImportOf(ctx context.Context, id int64) (Import, error) {
	var im Import
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		im, err = scanImport(t.QueryRow(`SELECT `+importCols+` FROM threat_imports WHERE org_id = $1 AND id = $2`, id), true)
		return err
	})
	return im, err
}

// Imports lists the context organisation's imports, newest first, without their items.
func (s *Service) Imports(ctx context.Context, limit int) ([]Import, error) {
	out := []Import{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+importCols+` FROM threat_imports WHERE org_id = $1 ORDER BY id DESC LIMIT $2`, limit)
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

// Commit adds what preview id showed to its collection and queues a retro-hunt for the
// indicators that were new. A preview is committed once.
func (s *Service) Commit(ctx context.Context, id int64) (Import, error) {
	now := s.now()
	var im Import
	queued := false
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if im, err = scanImport(t.QueryRow(`SELECT `+importCols+` FROM threat_imports WHERE org_id = $1 AND id = $2`, id), true); err != nil {
			return err
		}
		if im.State != "preview" {
			return problem.Conflictf("id", "the import is already committed")
		}
		source := "import:" + idStr(id)
		ids, err := insertIndicators(t.Tx(), t.OrgID(), im.Collection, im.Items, im.TLP, source, nil, now)
		if err != nil {
			return err
		}
		im.State, im.Added, im.CommittedAt = "committed", len(ids), &now
		if _, err := t.Exec(`UPDATE threat_imports SET state = $2, added = $3, committed_at = $4 WHERE org_id = $1 AND id = $5`, im.State, im.Added, now, id); err != nil {
			return fmt.Errorf("commit the import: %w", err)
		}
		if len(ids) > 0 {
			if err := queueHunt(t.Tx(), t.OrgID(), source, ids, now); err != nil {
				return err
			}
			queued = true
		}
		s.announce(t)
		return audit.InTenant(t, "threat_import", idStr(id), "commit", nil, nil, fmt.Sprintf("%d indicators added to %s", im.Added, im.Collection))
	})
	if err != nil {
		return Import{}, err
	}
	if queued {
		s.hunter.kick()
	}
	return im, nil
}
