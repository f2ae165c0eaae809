package appstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

const versionCols = `id, app_id, version_name, version_code, apk_sha256, cert_sha256, cert_md5, cert_subject, min_sdk, target_sdk, permissions, files,
auto_result, auto_findings, submitted_by, submitted_at, review_due, decision, decision_note, decided_by, decided_at, published_at, removed_at`

func scanVersion(sc interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var perms, files, findings string
	var dec, pub, rem sql.NullTime
	if err := sc.Scan(&v.ID, &v.AppID, &v.VersionName, &v.VersionCode, &v.APKSHA256, &v.CertSHA256, &v.CertMD5, &v.CertSubject, &v.MinSDK, &v.TargetSDK,
		&perms, &files, &v.AutoResult, &findings, &v.SubmittedBy, &v.SubmittedAt, &v.ReviewDue, &v.Decision, &v.DecisionNote, &v.DecidedBy, &dec, &pub, &rem); err != nil {
		return v, err
	}
	v.DecidedAt, v.PublishedAt, v.RemovedAt = nullTime(dec), nullTime(pub), nullTime(rem)
	for _, x := range []struct {
		s string
		p any
	}{{perms, &v.Permissions}, {files, &v.Files}, {findings, &v.AutoFindings}} {
		if err := json.Unmarshal([]byte(x.s), x.p); err != nil {
			return v, fmt.Errorf("version %d: %w", v.ID, err)
		}
	}
	return v, nil
}

func versionsIn(t *store.Tenant, app int64) ([]Version, error) {
	q, args := `SELECT `+versionCols+` FROM appstore_versions WHERE org_id = $1 ORDER BY id DESC`, []any{}
	if app != 0 {
		q, args = `SELECT `+versionCols+` FROM appstore_versions WHERE org_id = $1 AND app_id = $2 ORDER BY id DESC`, []any{app}
	}
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("read a version: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func versionIn(t *store.Tenant, id int64) (Version, error) {
	v, err := scanVersion(t.QueryRow(`SELECT `+versionCols+` FROM appstore_versions WHERE org_id = $1 AND id = $2`, id))
	if err != nil {
		return v, fmt.Errorf("version %d: %w", id, err)
	}
	return v, nil
}

// UploadRefused is an upload the review refuses to record at all: another app's package,
// a blacklisted certificate or developer. It answers 409 naming the field.
func uploadRefused(field, format string, args ...any) error {
	return problem.Conflictf(field, format, args...)
}

// Upload runs the automated security review on an uploaded package of app and records the
// version with its findings, awaiting a reviewer's decision by the platform's review
// clock. The package must be the app's (same package name); a blacklisted signing
// certificate or developer is refused outright. A package on the malicious-app list is
// recorded, blocked: it can never be approved, and the reviewer sees why.
func (s *Service) Upload(ctx context.Context, appID int64, raw []byte) (Version, error) {
	info, err := ParseAPK(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		if ae, ok := problem.As[*APKError](err); ok {
			return Version{}, problem.Field("apk", "the package %s", ae.Reason)
		}
		return Version{}, err
	}
	// The threat capability's collection is read before the write: it is another
	// capability's transaction.
	threats, err := s.threatMatches(ctx, threatProbe{Package: info.Package, CertSHA256: info.CertSHA256, CertMD5: info.CertMD5, Hashes: packageHashes(info.SHA256, info.Files)})
	if err != nil {
		return Version{}, err
	}
	now := s.now()
	var v Version
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		p, err := requirePlatform(t)
		if err != nil {
			return err
		}
		a, err := appIn(t, appID)
		if err != nil {
			return err
		}
		if a.State == AppRemoved {
			return uploadRefused("app", "is taken down: reinstate it before a new version")
		}
		if info.Package != a.Package {
			return uploadRefused("apk", "the package is %s, not this app's %s", info.Package, a.Package)
		}
		d, err := developerIn(t, a.DeveloperID)
		if err != nil {
			return err
		}
		if d.State == StateSuspended || d.State == StateRejected {
			return uploadRefused("developer", "is %s: no uploads", d.State)
		}
		if info.CertSHA256 != "" {
			if e, ok, err := blacklisted(t, BlackCertificate, info.CertSHA256); err != nil {
				return err
			} else if ok {
				return uploadRefused("apk", "is signed with a blacklisted certificate (entry %d: %s)", e.ID, e.Reason)
			}
		}
		findings, result, err := s.autoReview(t, p, a, d, info, threats)
		if err != nil {
			return err
		}
		due, err := s.dueAfter(now, p.ReviewDays)
		if err != nil {
			return err
		}
		perms, _ := json.Marshal(nonNil(info.Permissions))
		files, _ := json.Marshal(info.Files)
		fj, _ := json.Marshal(findings)
		v = Version{AppID: appID, VersionName: info.VersionName, VersionCode: info.VersionCode, APKSHA256: info.SHA256, CertSHA256: info.CertSHA256,
			CertMD5: info.CertMD5, CertSubject: info.CertSubject, MinSDK: info.MinSDK, TargetSDK: info.TargetSDK, Permissions: nonNil(info.Permissions),
			Files: info.Files, AutoResult: result, AutoFindings: findings, SubmittedBy: audit.ActorFrom(ctx).Label, SubmittedAt: now, ReviewDue: due, Decision: DecisionPending}
		if err := t.QueryRow(`INSERT INTO appstore_versions (org_id, app_id, version_name, version_code, apk_sha256, cert_sha256, cert_md5, cert_subject, min_sdk, target_sdk,
permissions, files, auto_result, auto_findings, submitted_by, submitted_at, review_due, decision) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			appID, v.VersionName, v.VersionCode, v.APKSHA256, v.CertSHA256, v.CertMD5, v.CertSubject, v.MinSDK, v.TargetSDK, string(perms), string(files), v.AutoResult, string(fj),
			v.SubmittedBy, v.SubmittedAt, v.ReviewDue, v.Decision).Scan(&v.ID); err != nil {
			return fmt.Errorf("record the version: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_version", fmt.Sprint(v.ID), "upload", nil, &v, result)
	})
	return v, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// autoReview checks a parsed package against the malicious-app list, the permission
// policy and the app's declarations;
// threats are the package's matches in the threat capability's mobile-malware collection.
func (s *Service) autoReview(t *store.Tenant, p *Platform, a App, d Developer, info APKInfo, threats []ThreatMatch) ([]Finding, string, error) {
	findings := []Finding{}
	result := AutoPass
	hashes := []string{info.SHA256}
	for _, h := range info.Files {
		hashes = append(hashes, h)
	}
	hits, err := malwareHits(t, info.Package, hashes)
	if err != nil {
		return nil, "", err
	}
	for _, m := range hits {
		result = AutoBlocked
		findings = append(findings, Finding{Code: "malware", Zh: fmt.Sprintf("命中恶意应用特征库（%s：%s，来源：%s）", kindZh(m.Kind), m.Label, m.Source),
			En: fmt.Sprintf("matches the malicious-app list (%s: %s, source: %s)", m.Kind, m.Label, m.Source)})
	}
	if len(threats) > 0 {
		result = AutoBlocked
		findings = append(findings, threatFinding(threats))
	}
	policy, err := ParsePolicy(p.Policy)
	if err != nil {
		return nil, "", fmt.Errorf("the platform's permission policy: %w", err)
	}
	flag := func(f Finding) {
		findings = append(findings, f)
		if result == AutoPass {
			result = AutoFlagged
		}
	}
	for _, c := range Matches(policy, info.Permissions) {
		names := make([]string, len(c.Permissions))
		for i, p := range c.Permissions {
			names[i] = short(p)
		}
		zh, en, _ := strings.Cut(c.Why, " / ")
		if en == "" {
			en = zh
		}
		flag(Finding{Code: "permission_combination", Zh: fmt.Sprintf("敏感权限组合：%s（%s）", strings.Join(names, " + "), zh),
			En: fmt.Sprintf("dangerous permission combination: %s (%s)", strings.Join(names, " + "), en)})
	}
	if u := undeclared(info.Permissions, a.DeclaredPermissions); len(u) > 0 {
		names := make([]string, len(u))
		for i, p := range u {
			names[i] = short(p)
		}
		flag(Finding{Code: "undeclared_permissions", Zh: "申请了未声明的权限：" + strings.Join(names, "、"), En: "requests permissions not declared: " + strings.Join(names, ", ")})
	}
	if !info.Signed {
		flag(Finding{Code: "unsigned", Zh: "未读取到 v1 签名证书（v2/v3 签名块不读取），请人工核对签名", En: "no v1 signing certificate read (v2/v3 blocks are not read): check the signature by hand"})
	}
	if d.State != StateVerified {
		flag(Finding{Code: "developer_unverified", Zh: "开发者身份尚未核验通过", En: "the developer's identity is not verified"})
	}
	if a.FilingNumber == "" {
		flag(Finding{Code: "unfiled", Zh: "应用无备案号，不得上架", En: "the app has no filing number and may not be published"})
	}
	return findings, result, nil
}

func kindZh(k string) string {
	if k == "package" {
		return "包名"
	}
	return "文件哈希"
}

// ReviewDecision is a reviewer's decision on a version.
type ReviewDecision struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// Review records a reviewer's decision. A blocked version cannot be approved; approving a
// flagged one, and any rejection, needs a note saying why.
func (s *Service) Review(ctx context.Context, id int64, in ReviewDecision) (Version, error) {
	in.Note = strings.TrimSpace(in.Note)
	var v Version
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := versionIn(t, id)
		if err != nil {
			return err
		}
		iv := &problem.Invalid{}
		switch in.Decision {
		case DecisionApproved:
			if before.AutoResult == AutoBlocked {
				return problem.Conflictf("decision", "the automated review blocked this version (malicious-app list): it cannot be approved")
			}
			if before.AutoResult == AutoFlagged && in.Note == "" {
				iv.Add("note", "is required to approve a version the automated review flagged: say why the findings are acceptable")
			}
		case DecisionRejected:
			if in.Note == "" {
				iv.Add("note", "is required to reject a version: the developer is told why")
			}
		default:
			iv.Add("decision", "must be approved or rejected")
		}
		iv.Text("note", in.Note, false, maxText)
		if err := iv.Err(); err != nil {
			return err
		}
		if before.Decision != DecisionPending {
			return problem.Conflictf("decision", "this version was already %s", before.Decision)
		}
		now := s.now()
		v = before
		v.Decision, v.DecisionNote, v.DecidedBy, v.DecidedAt = in.Decision, in.Note, audit.ActorFrom(ctx).Label, &now
		if _, err := t.Exec(`UPDATE appstore_versions SET decision = $3, decision_note = $4, decided_by = $5, decided_at = $6 WHERE org_id = $1 AND id = $2`,
			id, v.Decision, v.DecisionNote, v.DecidedBy, now); err != nil {
			return fmt.Errorf("record the decision: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_version", fmt.Sprint(id), "review", &before, &v, in.Decision)
	})
	return v, err
}

// Publish puts an approved version on sale: its app must have a filing number, its
// developer be verified, and neither its certificate nor its package be blacklisted.
//
// The package is checked again against the malicious-app list and the threat capability's
// mobile-malware collection, since either may have learnt of it after the upload: a match
// refuses publication (409) and names the entry.
func (s *Service) Publish(ctx context.Context, id int64) (Version, error) {
	pre, err := s.Version(ctx, id)
	if err != nil {
		return Version{}, err
	}
	a, _, err := s.App(ctx, pre.AppID)
	if err != nil {
		return Version{}, err
	}
	threats, err := s.threatMatches(ctx, threatProbe{Package: a.Package, CertSHA256: pre.CertSHA256, CertMD5: pre.CertMD5, Hashes: packageHashes(pre.APKSHA256, pre.Files)})
	if err != nil {
		return Version{}, err
	}
	var v Version
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := versionIn(t, id)
		if err != nil {
			return err
		}
		a, err := appIn(t, before.AppID)
		if err != nil {
			return err
		}
		d, err := developerIn(t, a.DeveloperID)
		if err != nil {
			return err
		}
		switch {
		case before.Decision != DecisionApproved:
			return problem.Conflictf("version", "is not approved by a reviewer")
		case before.PublishedAt != nil:
			return problem.Conflictf("version", "is already published")
		case !ValidFilingNumber(a.FilingNumber):
			return problem.Conflictf("filing_number", "is missing: an app without an MIIT filing number may not be distributed (MIIT 2023 app filing notice)")
		case d.State != StateVerified:
			return problem.Conflictf("developer", "is not verified: the developer's real identity is checked before distribution (Anti-Telecom-Fraud Law 2022 Art. 23)")
		case a.State == AppRemoved:
			return problem.Conflictf("app", "is taken down: reinstate it first")
		}
		if len(threats) > 0 {
			return problem.Conflictf("version", "matches the threat information's mobile-malware database (%s): it may not be published", threatNames(threats))
		}
		if hits, err := malwareHits(t, a.Package, packageHashes(before.APKSHA256, before.Files)); err != nil {
			return err
		} else if len(hits) > 0 {
			return problem.Conflictf("version", "matches the malicious-app list (entry %d: %s): it may not be published", hits[0].ID, hits[0].Label)
		}
		for _, k := range []struct{ kind, value string }{{BlackCertificate, before.CertSHA256}, {BlackPackage, a.Package}} {
			if k.value == "" {
				continue
			}
			if e, ok, err := blacklisted(t, k.kind, k.value); err != nil {
				return err
			} else if ok {
				return problem.Conflictf("version", "is blacklisted (entry %d: %s)", e.ID, e.Reason)
			}
		}
		now := s.now()
		v = before
		v.PublishedAt = &now
		if _, err := t.Exec(`UPDATE appstore_versions SET published_at = $3 WHERE org_id = $1 AND id = $2`, id, now); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if _, err := t.Exec(`UPDATE appstore_apps SET state = $3 WHERE org_id = $1 AND id = $2`, a.ID, AppPublished); err != nil {
			return fmt.Errorf("publish the app: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_version", fmt.Sprint(id), "publish", &before, &v, "")
	})
	return v, err
}

// ReviewOverdue reports whether a version still awaits its decision after its clock.
func (v Version) ReviewOverdue(now time.Time) bool {
	return v.Decision == DecisionPending && now.After(v.ReviewDue)
}

// Version returns one version; another organisation's is store.ErrNotFound.
func (s *Service) Version(ctx context.Context, id int64) (Version, error) {
	var v Version
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		v, err = versionIn(t, id)
		return err
	})
	return v, err
}
