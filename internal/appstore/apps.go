package appstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

const appCols = `a.id, a.developer_id, d.name, a.name, a.package, a.filing_number, a.declared_permissions, a.data_collected, a.state, a.created_by, a.created_at`

const appFrom = ` FROM appstore_apps a JOIN appstore_developers d ON d.org_id = a.org_id AND d.id = a.developer_id`

func scanApp(sc interface{ Scan(...any) error }) (App, error) {
	var a App
	var perms string
	if err := sc.Scan(&a.ID, &a.DeveloperID, &a.DeveloperName, &a.Name, &a.Package, &a.FilingNumber, &perms, &a.DataCollected, &a.State, &a.CreatedBy, &a.CreatedAt); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(perms), &a.DeclaredPermissions); err != nil {
		return a, fmt.Errorf("app %d permissions: %w", a.ID, err)
	}
	return a, nil
}

func appIn(t *store.Tenant, id int64) (App, error) {
	a, err := scanApp(t.QueryRow(`SELECT `+appCols+appFrom+` WHERE a.org_id = $1 AND a.id = $2`, id))
	if err != nil {
		return a, fmt.Errorf("app %d: %w", id, err)
	}
	return a, nil
}

func appsIn(t *store.Tenant) ([]App, error) {
	rows, err := t.Query(`SELECT ` + appCols + appFrom + ` WHERE a.org_id = $1 ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	defer rows.Close()
	var out []App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("read an app: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Apps lists the organisation's apps.
func (s *Service) Apps(ctx context.Context) ([]App, error) {
	var out []App
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = appsIn(t)
		return err
	})
	return out, err
}

// App returns one app with its versions, newest first.
func (s *Service) App(ctx context.Context, id int64) (App, []Version, error) {
	var a App
	var vs []Version
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if a, err = appIn(t, id); err != nil {
			return err
		}
		vs, err = versionsIn(t, id)
		return err
	})
	return a, vs, err
}

// validApp checks in; requireFiling refuses an app without a filing number (a submission
// for distribution), as an app without one may not be distributed (MIIT 2023 notice).
func validApp(in AppInput, requireFiling bool) (App, *problem.Invalid) {
	a := App{DeveloperID: in.DeveloperID, Name: strings.TrimSpace(in.Name), Package: strings.TrimSpace(in.Package),
		FilingNumber: strings.TrimSpace(in.FilingNumber), DataCollected: strings.TrimSpace(in.DataCollected), DeclaredPermissions: []string{}}
	v := &problem.Invalid{}
	if a.DeveloperID <= 0 {
		v.Add("developer_id", "is required: choose the developer")
	}
	v.Text("name", a.Name, true, maxName)
	if !validPackageName(a.Package) {
		v.Add("package", "is not an Android package name (letters, digits and underscores in at least two parts separated by dots, e.g. cn.example.app)")
	}
	switch {
	case a.FilingNumber == "" && requireFiling:
		v.Add("filing_number", "is required: an app without an MIIT filing number may not be distributed (MIIT 2023 app filing notice)")
	case a.FilingNumber != "" && !ValidFilingNumber(a.FilingNumber):
		v.Add("filing_number", "is not an app filing number such as 京ICP备12345678号-5A")
	}
	v.Text("data_collected", a.DataCollected, false, maxText)
	seen := map[string]bool{}
	for _, p := range in.DeclaredPermissions {
		p = qualify(strings.TrimSpace(p))
		if p == "android.permission." || seen[p] {
			continue
		}
		if len(p) > maxShort || strings.ContainsAny(p, " \t\n") {
			v.Add("declared_permissions", "%q is not a permission name", p)
			continue
		}
		seen[p] = true
		a.DeclaredPermissions = append(a.DeclaredPermissions, p)
	}
	sort.Strings(a.DeclaredPermissions)
	return a, v
}

// CreateApp registers an app of a developer, as a draft. requireFiling is the submission
// form's rule (see validApp).
func (s *Service) CreateApp(ctx context.Context, in AppInput, requireFiling bool) (App, error) {
	a, v := validApp(in, requireFiling)
	if err := v.Err(); err != nil {
		return App{}, err
	}
	a.State, a.CreatedBy, a.CreatedAt = AppDraft, audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return s.insertApp(t, &a)
	})
	return a, err
}

func (s *Service) insertApp(t *store.Tenant, a *App) error {
	d, err := developerIn(t, a.DeveloperID)
	if err != nil {
		return err
	}
	if d.State == StateRejected || d.State == StateSuspended {
		return problem.Conflictf("developer_id", "the developer is %s: no new apps", d.State)
	}
	if e, ok, err := blacklisted(t, BlackPackage, a.Package); err != nil {
		return err
	} else if ok {
		return problem.Conflictf("package", "is on the blacklist (entry %d: %s)", e.ID, e.Reason)
	}
	var n int
	if err := t.QueryRow(`SELECT COUNT(*) FROM appstore_apps WHERE org_id = $1 AND package = $2`, a.Package).Scan(&n); err != nil {
		return fmt.Errorf("look for the package: %w", err)
	}
	if n > 0 {
		return problem.Conflictf("package", "is already in the store: upload a new version of that app instead")
	}
	perms, _ := json.Marshal(a.DeclaredPermissions)
	a.DeveloperName = d.Name
	if err := t.QueryRow(`INSERT INTO appstore_apps (org_id, developer_id, name, package, filing_number, declared_permissions, data_collected, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, a.DeveloperID, a.Name, a.Package, a.FilingNumber, string(perms), a.DataCollected, a.State, a.CreatedBy, a.CreatedAt).Scan(&a.ID); err != nil {
		return fmt.Errorf("record the app: %w", err)
	}
	s.announce(t)
	return audit.InTenant(t, "appstore_app", fmt.Sprint(a.ID), "create", nil, a, "")
}

// SetFiling records an app's filing number.
func (s *Service) SetFiling(ctx context.Context, id int64, number string) (App, error) {
	number = strings.TrimSpace(number)
	if !ValidFilingNumber(number) {
		return App{}, problem.Field("filing_number", "is not an app filing number such as 京ICP备12345678号-5A")
	}
	var a App
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := appIn(t, id)
		if err != nil {
			return err
		}
		a = before
		a.FilingNumber = number
		if _, err := t.Exec(`UPDATE appstore_apps SET filing_number = $3 WHERE org_id = $1 AND id = $2`, id, number); err != nil {
			return fmt.Errorf("record the filing number: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_app", fmt.Sprint(id), "filing", &before, &a, "")
	})
	return a, err
}
