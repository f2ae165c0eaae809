package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// validAsset checks in against the inventory's systems and returns the asset it describes.
func validAsset(in AssetInput, systems map[int64]bool) (Asset, *problem.Invalid) {
	a := Asset{Name: strings.TrimSpace(in.Name), Department: strings.TrimSpace(in.Department), People: in.People,
		Volume: strings.TrimSpace(in.Volume), Retention: strings.TrimSpace(in.Retention), LegalBasis: strings.TrimSpace(in.LegalBasis),
		Purposes: strings.TrimSpace(in.Purposes), Designation: strings.TrimSpace(in.Designation), Level: strings.TrimSpace(in.Level),
		LevelReason: strings.TrimSpace(in.LevelReason), Systems: []int64{}, Categories: []string{}, SensitiveKinds: []string{}, Locations: []Location{}}
	v := &problem.Invalid{}
	v.Text("name", a.Name, true, maxName)
	v.Text("department", a.Department, true, maxName)
	v.Text("volume", a.Volume, false, maxShort)
	v.Text("retention", a.Retention, true, maxName)
	a.RetentionEndsOn = dayField(v, "retention_ends_on", in.RetentionEndsOn, false)
	v.Text("purposes", a.Purposes, true, maxText)
	v.Text("designation", a.Designation, false, maxName)
	v.Text("level_reason", a.LevelReason, true, maxText)
	if len(in.Systems) > maxList {
		v.Add("systems", "at most %d systems", maxList)
	}
	seen := map[int64]bool{}
	for i, id := range in.Systems {
		switch {
		case !systems[id]:
			v.Add(fmt.Sprintf("systems[%d]", i), "is not a system of your inventory")
		case !seen[id]:
			seen[id] = true
			a.Systems = append(a.Systems, id)
		}
	}
	cats := map[string]bool{}
	for i, c := range in.Categories {
		if _, ok := optionOf(Categories, c); !ok {
			v.Add(fmt.Sprintf("categories[%d]", i), "is not a category (%s)", codes(Categories))
		} else if !cats[c] {
			cats[c] = true
			a.Categories = append(a.Categories, c)
		}
	}
	if len(in.Categories) == 0 {
		v.Add("categories", "name at least one category (%s)", codes(Categories))
	}
	for i, k := range in.SensitiveKinds {
		if _, ok := optionOf(SensitiveKinds, k); !ok {
			v.Add(fmt.Sprintf("sensitive_kinds[%d]", i), "is not a kind of sensitive personal information (%s)", codes(SensitiveKinds))
		} else {
			a.SensitiveKinds = append(a.SensitiveKinds, k)
		}
	}
	switch {
	case cats["sensitive_pi"] && len(a.SensitiveKinds) == 0:
		v.Add("sensitive_kinds", "name the kinds of sensitive personal information (PIPL Art. 28)")
	case !cats["sensitive_pi"] && len(a.SensitiveKinds) > 0:
		v.Add("sensitive_kinds", "are given but the categories do not include sensitive personal information")
	}
	pi := cats["pi"] || cats["sensitive_pi"]
	switch {
	case a.People < 0 || a.People > maxPeople:
		v.Add("people", "must be between 0 and %d", maxPeople)
	case pi && a.People == 0:
		v.Add("people", "is required for personal information: how many people it is about")
	case !pi && a.People > 0:
		v.Add("people", "counts people whose personal information is held: the categories include none")
	}
	if pi {
		if _, ok := optionOf(LegalBases, a.LegalBasis); !ok {
			v.Add("legal_basis", "is required for personal information: one of %s (PIPL Art. 13)", codes(LegalBases))
		}
	} else if a.LegalBasis != "" {
		if _, ok := optionOf(LegalBases, a.LegalBasis); !ok {
			v.Add("legal_basis", "is not a legal basis (%s)", codes(LegalBases))
		}
	}
	if len(in.Locations) == 0 {
		v.Add("locations", "name at least one place where the data is stored")
	}
	if len(in.Locations) > maxList {
		v.Add("locations", "at most %d places", maxList)
	}
	for i, l := range in.Locations {
		l.Region = strings.TrimSpace(l.Region)
		if v.Text(fmt.Sprintf("locations[%d].region", i), l.Region, true, maxShort) {
			a.Locations = append(a.Locations, l)
		}
	}
	designated := cats["important"] || cats["core"]
	switch {
	case designated && a.Designation == "":
		v.Add("designation", "is required for important or core data: the catalogue or notice that made it so, with its reference (NDSR 2024 Art. 37)")
	case !designated && a.Designation != "":
		v.Add("designation", "is only for important or core data")
	}
	want := "general"
	if cats["important"] {
		want = "important"
	}
	if cats["core"] {
		want = "core"
	}
	if _, ok := optionOf(Levels, a.Level); !ok {
		v.Add("level", "is required: one of %s (GB/T 43697-2024)", codes(Levels))
	} else if a.Level != want {
		v.Add("level", "must be %s for these categories (GB/T 43697-2024: the highest category decides the level)", want)
	}
	return a, v
}

// inventorySystems returns the ids of the context organisation's systems.
func (s *Service) inventorySystems(ctx context.Context) (map[int64]bool, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	out := make(map[int64]bool, len(systems))
	for _, x := range systems {
		out[x.ID] = true
	}
	return out, nil
}

// CreateAsset validates and records a data asset.
func (s *Service) CreateAsset(ctx context.Context, in AssetInput) (Asset, error) {
	systems, err := s.inventorySystems(ctx)
	if err != nil {
		return Asset{}, err
	}
	a, v := validAsset(in, systems)
	if err := v.Err(); err != nil {
		return Asset{}, err
	}
	a.CreatedBy, a.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO data_assets (org_id, name, department, systems, categories, sensitive_kinds, people, volume, locations, retention, legal_basis, purposes, designation, level, level_reason, created_by, created_at, retention_ends_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			a.Name, a.Department, mustJSON(a.Systems), mustJSON(a.Categories), mustJSON(a.SensitiveKinds), a.People, a.Volume, mustJSON(a.Locations),
			a.Retention, a.LegalBasis, a.Purposes, a.Designation, a.Level, a.LevelReason, a.CreatedBy, a.CreatedAt, a.RetentionEndsOn).Scan(&a.ID); err != nil {
			return fmt.Errorf("record data asset: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_asset", strconv.FormatInt(a.ID, 10), audit.Create, nil, a, a.Name)
	})
	return a, err
}

const assetCols = `id, name, department, systems, categories, sensitive_kinds, people, volume, locations, retention, legal_basis, purposes, designation, level, level_reason, created_by, created_at, retention_ends_on`

func scanAsset(sc interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	var sys, cats, kinds, locs string
	if err := sc.Scan(&a.ID, &a.Name, &a.Department, &sys, &cats, &kinds, &a.People, &a.Volume, &locs, &a.Retention, &a.LegalBasis,
		&a.Purposes, &a.Designation, &a.Level, &a.LevelReason, &a.CreatedBy, &a.CreatedAt, &a.RetentionEndsOn); err != nil {
		return a, err
	}
	for _, x := range []struct {
		s string
		v any
	}{{sys, &a.Systems}, {cats, &a.Categories}, {kinds, &a.SensitiveKinds}, {locs, &a.Locations}} {
		if err := fromJSON(x.s, x.v); err != nil {
			return a, err
		}
	}
	return a, nil
}

// readAssets reads the organisation's assets by name; id > 0 keeps that one.
func readAssets(t *store.Tenant, id int64) ([]Asset, error) {
	rows, err := t.Query(`SELECT `+assetCols+` FROM data_assets WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY name, id`, id)
	if err != nil {
		return nil, fmt.Errorf("list data assets: %w", err)
	}
	defer rows.Close()
	var out []Asset
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, fmt.Errorf("read data asset: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assets lists the organisation's data assets by name.
func (s *Service) Assets(ctx context.Context) ([]Asset, error) {
	var out []Asset
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = readAssets(t, 0)
		return err
	})
	return out, err
}

// GetAsset returns one of the organisation's assets; another's is store.ErrNotFound.
func (s *Service) GetAsset(ctx context.Context, id int64) (Asset, error) {
	var out []Asset
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = readAssets(t, id)
		return err
	})
	if err == nil && len(out) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return Asset{}, err
	}
	return out[0], nil
}
