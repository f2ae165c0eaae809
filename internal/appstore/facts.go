package appstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Facts is the fact set `appstore` of the catalog's rules: the app store's duties as
// flags and counts at evaluation time.
type Facts struct {
	PlatformRecorded      bool      `cel:"platform_recorded" json:"platform_recorded" label:"已登记应用商店平台|app store platform recorded"`
	OnlineOn              time.Time `cel:"online_on" json:"online_on" label:"平台上线运营日期|day the platform went online"`
	PlatformFiled         bool      `cel:"platform_filed" json:"platform_filed" label:"已向省级网信部门备案|filed with the provincial CAC"`
	PlatformFilingOverdue bool      `cel:"platform_filing_overdue" json:"platform_filing_overdue" label:"上线超过30日未向省级网信部门备案|not filed with the provincial CAC 30 days after going online"`
	ComplaintChannel      bool      `cel:"complaint_channel" json:"complaint_channel" label:"已公布投诉渠道|complaint channel published"`
	RulesPublished        bool      `cel:"rules_published" json:"rules_published" label:"平台规则和服务协议均已生效|platform rules and service agreement in effect"`
	Developers            int64     `cel:"developers" json:"developers" label:"开发者数|developers"`
	PublishedByUnverified int64     `cel:"published_by_unverified" json:"published_by_unverified" label:"开发者未核验通过的在架应用数|apps on sale whose developer is not verified"`
	PublishedUnfiled      int64     `cel:"published_unfiled" json:"published_unfiled" label:"无备案号的在架应用数|apps on sale without a filing number"`
	PublishedUnreviewed   int64     `cel:"published_unreviewed" json:"published_unreviewed" label:"未经审核通过的在架版本数|versions on sale not approved by a reviewer"`
	ReviewsOverdue        int64     `cel:"reviews_overdue" json:"reviews_overdue" label:"超过审核时限未决定的版本数|versions past the review clock without a decision"`
	ThreatMatchesOnSale   int64     `cel:"published_threat_matches" json:"published_threat_matches" label:"命中威胁情报移动互联网恶意程序库的在架版本数|versions on sale matching the threat information's mobile-malware database"`
	MaliciousOnSale       int64     `cel:"malicious_on_sale" json:"malicious_on_sale" label:"命中恶意应用特征库或黑名单（签名证书、包名）的在架版本数|versions on sale on the malicious-app list (package or code file hash, package name) or blacklisted (certificate, package name)"`
	ComplaintsOverdue     int64     `cel:"complaints_overdue" json:"complaints_overdue" label:"超过答复时限仍未答复或统计期内逾期答复的投诉数|complaints open past their clock, or answered late within the window"`
	PIComplaintsOverdue   int64     `cel:"pi_complaints_overdue" json:"pi_complaints_overdue" label:"超过答复时限仍未答复或统计期内逾期答复的个人信息投诉数|personal-information complaints open past their clock, or answered late within the window"`
}

// FactSet returns the appstore fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("appstore", "the app store: platform filing, developers, reviews, take-downs and complaints", s.Facts)
}

// Facts reads the context's organisation's app store facts. The versions on sale are
// matched against the threat capability's mobile-malware collection after the records
// are read: the collection is another capability's transaction.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	var (
		f    Facts
		live []liveVersion
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if f, err = s.computeFacts(t); err != nil || !f.PlatformRecorded {
			return err
		}
		if live, err = versionsOnSale(t); err != nil {
			return err
		}
		f.MaliciousOnSale, err = maliciousOnSale(t, live)
		return err
	})
	if err != nil || len(live) == 0 || s.threat == nil {
		return f, err
	}
	lt, err := s.mobileThreats(ctx)
	if err != nil {
		return f, err
	}
	for _, v := range live {
		if len(lt.match(v.threatProbe)) > 0 {
			f.ThreatMatchesOnSale++
		}
	}
	return f, nil
}

// liveVersion is a version on sale: what it is known by (package, the package's and code
// files' SHA-256, the certificate) and whether its automated review blocked it.
type liveVersion struct {
	threatProbe
	blocked bool
}

// versionsOnSale lists the organisation's versions on sale.
func versionsOnSale(t *store.Tenant) ([]liveVersion, error) {
	rows, err := t.Query(`SELECT a.package, v.apk_sha256, v.files, v.cert_sha256, v.cert_md5, v.auto_result ` + onSale)
	if err != nil {
		return nil, fmt.Errorf("list the versions on sale: %w", err)
	}
	defer rows.Close()
	var out []liveVersion
	for rows.Next() {
		var (
			v                  liveVersion
			apk, files, result string
		)
		if err := rows.Scan(&v.Package, &apk, &files, &v.CertSHA256, &v.CertMD5, &result); err != nil {
			return nil, fmt.Errorf("read a version on sale: %w", err)
		}
		var fm map[string]string
		if err := json.Unmarshal([]byte(files), &fm); err != nil {
			return nil, fmt.Errorf("read a version's file hashes: %w", err)
		}
		v.Hashes, v.blocked = packageHashes(apk, fm), result == AutoBlocked
		out = append(out, v)
	}
	return out, rows.Err()
}

// maliciousOnSale counts the versions on sale that an upload today would block or refuse:
// blocked by their review, their package's or a code file's SHA-256 or their package name
// on the malicious-app list, their certificate or package name on the blacklist (not
// lifted). The lists are read once; the matching is the upload's own (malwareHits' keys).
func maliciousOnSale(t *store.Tenant, live []liveVersion) (int64, error) {
	if len(live) == 0 {
		return 0, nil
	}
	bad := map[string]bool{}
	for _, q := range []string{
		`SELECT kind, value FROM appstore_malware WHERE org_id = $1`,
		`SELECT kind, value FROM appstore_blacklist WHERE org_id = $1 AND kind IN ('certificate', 'package') AND lifted_at IS NULL`,
	} {
		rows, err := t.Query(q)
		if err != nil {
			return 0, fmt.Errorf("read the malicious-app list and blacklist: %w", err)
		}
		for rows.Next() {
			var kind, value string
			if err := rows.Scan(&kind, &value); err != nil {
				rows.Close()
				return 0, fmt.Errorf("read the malicious-app list and blacklist: %w", err)
			}
			bad[kind+":"+value] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, fmt.Errorf("read the malicious-app list and blacklist: %w", err)
		}
	}
	var n int64
	for _, v := range live {
		hit := v.blocked || bad[MalwarePackage+":"+v.Package] || bad[BlackCertificate+":"+v.CertSHA256]
		for _, h := range v.Hashes {
			hit = hit || bad[MalwareSHA256+":"+h]
		}
		if hit {
			n++
		}
	}
	return n, nil
}

// countsOverdue is Complaint.CountsOverdue in SQL, with $2 the time now and $3 the start
// of the platform's window for late answers.
const countsOverdue = `((replied_at IS NULL AND due_at < $2) OR (replied_at > due_at AND replied_at >= $3))`

// onSale is the FROM and WHERE of the organisation's versions on sale.
const onSale = `FROM appstore_versions v JOIN appstore_apps a ON a.org_id = v.org_id AND a.id = v.app_id
WHERE v.org_id = $1 AND v.published_at IS NOT NULL AND v.removed_at IS NULL AND a.state = 'published'`

func (s *Service) computeFacts(t *store.Tenant) (Facts, error) {
	var f Facts
	p, err := platformIn(t)
	if err != nil || p == nil {
		return f, err
	}
	now, today := s.now(), s.today()
	since := p.ComplaintWindowStart(now)
	f.PlatformRecorded = true
	// The day it went online, as a Beijing date: the catalog's filing duty counts its 30 days
	// from it (CAC App Provisions 2022 Art. 17).
	if d, err := time.ParseInLocation(DateLayout, p.OnlineOn, calendar.Shanghai); err == nil {
		f.OnlineOn = d
	}
	f.PlatformFiled = p.FiledOn != ""
	f.PlatformFilingOverdue = p.FiledOn == "" && p.FilingDue() != "" && today > p.FilingDue()
	f.ComplaintChannel = p.ComplaintChannel != ""
	var rules, agreements int64
	live := onSale
	for _, q := range []struct {
		dst  *int64
		sql  string
		args []any
	}{
		{&rules, `SELECT COUNT(*) FROM appstore_documents WHERE org_id = $1 AND kind = 'rules' AND effective_on <= $2 AND retired_at IS NULL`, []any{today}},
		{&agreements, `SELECT COUNT(*) FROM appstore_documents WHERE org_id = $1 AND kind = 'agreement' AND effective_on <= $2 AND retired_at IS NULL`, []any{today}},
		{&f.Developers, `SELECT COUNT(*) FROM appstore_developers WHERE org_id = $1`, nil},
		{&f.PublishedByUnverified, `SELECT COUNT(*) FROM appstore_apps a JOIN appstore_developers d ON d.org_id = a.org_id AND d.id = a.developer_id
WHERE a.org_id = $1 AND a.state = 'published' AND d.state <> 'verified'`, nil},
		{&f.PublishedUnfiled, `SELECT COUNT(*) FROM appstore_apps WHERE org_id = $1 AND state = 'published' AND filing_number = ''`, nil},
		{&f.PublishedUnreviewed, `SELECT COUNT(*) ` + live + ` AND v.decision <> 'approved'`, nil},
		{&f.ReviewsOverdue, `SELECT COUNT(*) FROM appstore_versions WHERE org_id = $1 AND decision = 'pending' AND review_due < $2`, []any{now}},
		{&f.ComplaintsOverdue, `SELECT COUNT(*) FROM appstore_complaints WHERE org_id = $1 AND ` + countsOverdue, []any{now, since}},
		{&f.PIComplaintsOverdue, `SELECT COUNT(*) FROM appstore_complaints WHERE org_id = $1 AND kind = 'personal_information' AND ` + countsOverdue, []any{now, since}},
	} {
		if err := t.QueryRow(q.sql, q.args...).Scan(q.dst); err != nil {
			return f, fmt.Errorf("count app store facts: %w", err)
		}
	}
	f.RulesPublished = rules > 0 && agreements > 0
	return f, nil
}
