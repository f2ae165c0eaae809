package reports

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel/reportbundle"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Bundle exports version v of report id (0: the current one) as a signed report bundle
// (`ciiguard-report-bundle/1`, internal/kernel/reportbundle) for submission outside
// ciiguard: the canonical JSON and the Chinese PDF, signed with the installation's key.
// Only a signed-off version is exported; each export is audited and recorded, since an
// annual report exported for filing outside ciiguard counts as reported to the department
// (the `reports` facts' last_annual_submitted) and the change is announced.
func (m *Module) Bundle(ctx context.Context, id int64, v int) ([]byte, Report, Version, error) {
	if m.key == nil {
		return nil, Report{}, Version{}, problem.Field("bundle", "the installation has no signing key")
	}
	rep, ver, err := m.Version(ctx, id, v)
	if err != nil {
		return nil, rep, ver, err
	}
	if !ver.Frozen {
		return nil, rep, ver, problem.Conflictf("state", "version %d is a draft: only a signed-off version is exported", ver.Version)
	}
	pdf, err := m.renderPDF(ver, "zh-CN")
	if err != nil {
		return nil, rep, ver, err
	}
	sign := func(b []byte) ([]byte, error) { return m.key.Sign(b), nil }
	now := m.Now().UTC().Truncate(time.Microsecond)
	out, err := reportbundle.Write(ver.JSON, pdf, m.key.PublicKey(), sign, now)
	if err != nil {
		return nil, rep, ver, err
	}
	err = m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := t.Exec(`INSERT INTO report_exports (org_id, report_id, version, sha256, key_fingerprint, exported_by, exported_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, ver.Version, ver.SHA256, m.key.Fingerprint(), audit.ActorFrom(ctx).Label, now); err != nil {
			return fmt.Errorf("record export of report %d: %w", id, err)
		}
		if err := audit.InTenant(t, "report", strconv.FormatInt(id, 10), "export_bundle", nil, nil,
			fmt.Sprintf("version %d, content SHA-256 %s, key %s", ver.Version, ver.SHA256, m.key.Fingerprint())); err != nil {
			return err
		}
		m.announce(t)
		return nil
	})
	return out, rep, ver, err
}

// bundle answers the bundle as a download (page and API alike): a POST, because the
// export is audited.
func (m *Module) bundle(w http.ResponseWriter, r *http.Request) error {
	id, v, err := versionParams(r)
	if err != nil {
		return err
	}
	out, rep, ver, err := m.Bundle(r.Context(), id, v)
	if err != nil {
		return err
	}
	return download(w, rep, ver, "ciiguard-report.json", out)
}
