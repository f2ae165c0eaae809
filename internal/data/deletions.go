package data

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Deletion at the end of retention. PIPL 2021 Art. 47(1)(2): the handler deletes personal
// information of its own motion once the retention period has ended; where deletion is
// technically impossible it stops all processing other than storage and the necessary
// security measures (Art. 47, second paragraph). MIIT's 2014 Opinions (task 5) and the 2013
// Provisions ask the telecom sector the same: destruction by the rules. A deletion is
// recorded with what was deleted, the day, who did it, how, and the SHA-256 of its proof.

// DeletionMethods are the ways personal information is deleted.
var DeletionMethods = []Option{
	{"database_delete", "数据库删除并清除备份", "deleted from the database and its backups"},
	{"secure_erase", "存储介质安全擦除（覆写）", "storage media securely erased (overwritten)"},
	{"crypto_erase", "销毁加密密钥", "encryption keys destroyed"},
	{"physical_destruction", "存储介质物理销毁", "storage media physically destroyed"},
	{"stop_processing", "删除技术上难以实现：停止除存储和必要安全保护措施之外的处理（《个人信息保护法》第四十七条第二款）", "deletion technically impossible: all processing stopped but storage and the necessary security measures (PIPL Art. 47, second paragraph)"},
}

// Deletion is a record that an asset's personal information was deleted, with its proof.
type Deletion struct {
	ID        int64  `json:"id"`
	AssetID   int64  `json:"asset_id"`
	DeletedOn string `json:"deleted_on"`
	What      string `json:"what"`
	DeletedBy string `json:"deleted_by"`
	Method    string `json:"method"`
	// EvidenceSHA256 is the SHA-256 of the proof (a deletion log, a destruction
	// certificate); EvidenceUploaded says the file was uploaded to the evidence store with
	// the record (otherwise the hash was typed in and the file is kept elsewhere, or is one
	// the evidence store already held).
	EvidenceSHA256   string    `json:"evidence_sha256"`
	EvidenceUploaded bool      `json:"evidence_uploaded"`
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
}

// DeletionInput is a deletion as a person records it: the proof is a file uploaded with it
// (the page) or the SHA-256 of one, typed in.
type DeletionInput struct {
	DeletedOn      string `json:"deleted_on"`
	What           string `json:"what"`
	DeletedBy      string `json:"deleted_by"`
	Method         string `json:"method"`
	EvidenceSHA256 string `json:"evidence_sha256"`
	// uploaded is set by the page when the hash is that of a file just uploaded.
	uploaded bool
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// validSHA256 normalises a typed hash (spaces and upper case are forgiven, a "sha256:"
// prefix too) and says whether it is one: 64 hexadecimal digits.
func validSHA256(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "sha256:")
	return s, sha256RE.MatchString(s)
}

// AddDeletion records a deletion of asset's personal information. Deleting data is done
// outside ciiguard; this is its record, so the day may not be in the future.
func (s *Service) AddDeletion(ctx context.Context, assetID int64, in DeletionInput) (Deletion, error) {
	d, v := s.checkDeletion(in)
	if err := v.Err(); err != nil {
		return Deletion{}, err
	}
	d.AssetID = assetID
	d.CreatedBy, d.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		as, err := readAssets(t, assetID)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return store.ErrNotFound
		}
		if !as[0].PI() {
			return problem.Field("asset", "holds no personal information: deletion records are kept for personal information")
		}
		if err := t.QueryRow(`INSERT INTO data_deletions (org_id, asset_id, deleted_on, what, deleted_by, method, evidence_sha256, evidence_uploaded, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, d.AssetID, d.DeletedOn, d.What, d.DeletedBy, d.Method, d.EvidenceSHA256, d.EvidenceUploaded,
			d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
			return fmt.Errorf("record deletion: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_deletion", strconv.FormatInt(d.ID, 10), audit.Create, nil, d, as[0].Name)
	})
	return d, err
}

// checkDeletion validates in and returns the deletion it describes.
func (s *Service) checkDeletion(in DeletionInput) (Deletion, *problem.Invalid) {
	d := Deletion{What: strings.TrimSpace(in.What), DeletedBy: strings.TrimSpace(in.DeletedBy), Method: strings.TrimSpace(in.Method),
		EvidenceUploaded: in.uploaded}
	v := &problem.Invalid{}
	d.DeletedOn = dayField(v, "deleted_on", in.DeletedOn, true)
	s.notFuture(v, "deleted_on", d.DeletedOn)
	v.Text("what", d.What, true, maxText)
	v.Text("deleted_by", d.DeletedBy, true, maxName)
	if _, ok := optionOf(DeletionMethods, d.Method); !ok {
		v.Add("method", "is required: one of %s", codes(DeletionMethods))
	}
	sum, ok := validSHA256(in.EvidenceSHA256)
	switch {
	case strings.TrimSpace(in.EvidenceSHA256) == "":
		v.Add("evidence_sha256", "is required: upload the proof of deletion or give its SHA-256")
	case !ok:
		v.Add("evidence_sha256", "is not a SHA-256: 64 hexadecimal digits")
	}
	d.EvidenceSHA256 = sum
	return d, v
}

// RetentionInput sets the day an asset's retention ends ("" clears it).
type RetentionInput struct {
	RetentionEndsOn string `json:"retention_ends_on"`
}

// SetRetentionEnd sets or clears the last day an asset is kept.
func (s *Service) SetRetentionEnd(ctx context.Context, assetID int64, in RetentionInput) (Asset, error) {
	v := &problem.Invalid{}
	day := dayField(v, "retention_ends_on", in.RetentionEndsOn, false)
	if err := v.Err(); err != nil {
		return Asset{}, err
	}
	var out Asset
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		as, err := readAssets(t, assetID)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return store.ErrNotFound
		}
		before := as[0]
		out = before
		out.RetentionEndsOn = day
		if _, err := t.Exec(`UPDATE data_assets SET retention_ends_on = $3 WHERE org_id = $1 AND id = $2`, assetID, day); err != nil {
			return fmt.Errorf("set the retention end: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_asset", strconv.FormatInt(assetID, 10), audit.Update, before, out, "retention_ends_on")
	})
	return out, err
}

// readDeletions reads the organisation's deletion records, the newest first.
func readDeletions(t *store.Tenant) ([]Deletion, error) {
	rows, err := t.Query(`SELECT id, asset_id, deleted_on, what, deleted_by, method, evidence_sha256, evidence_uploaded, created_by, created_at
FROM data_deletions WHERE org_id = $1 ORDER BY deleted_on DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list deletions: %w", err)
	}
	defer rows.Close()
	var out []Deletion
	for rows.Next() {
		var d Deletion
		if err := rows.Scan(&d.ID, &d.AssetID, &d.DeletedOn, &d.What, &d.DeletedBy, &d.Method, &d.EvidenceSHA256, &d.EvidenceUploaded,
			&d.CreatedBy, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("read deletion: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RetentionState is where a personal-information asset stands on deletion on a day.
type RetentionState struct {
	Asset     Asset
	Deletions []Deletion
	// Status: no_end (the retention has no end day), kept (it has not ended), deleted (a
	// deletion is recorded), overdue (it ended before the day and nothing is recorded).
	Status string
}

// Day is the day the status is about: the retention's end (kept, overdue) or the latest
// deletion (deleted).
func (r RetentionState) Day() string {
	if r.Status == "deleted" {
		return r.Deletions[0].DeletedOn
	}
	return r.Asset.RetentionEndsOn
}

// Class is the status's style on the page.
func (r RetentionState) Class() string {
	switch r.Status {
	case "overdue":
		return "status-overdue"
	case "deleted":
		return "status-met"
	case "no_end":
		return "status-warn"
	}
	return ""
}

// retentionStates works out every personal-information asset's deletion state on day.
func retentionStates(rs *Records, day time.Time) []RetentionState {
	by := map[int64][]Deletion{}
	for _, d := range rs.Deletions {
		by[d.AssetID] = append(by[d.AssetID], d)
	}
	var out []RetentionState
	for _, a := range rs.Assets {
		if !a.PI() {
			continue
		}
		r := RetentionState{Asset: a, Deletions: by[a.ID]}
		switch {
		case len(r.Deletions) > 0:
			r.Status = "deleted"
		case a.RetentionEndsOn == "":
			r.Status = "no_end"
		case day.After(mustDay(a.RetentionEndsOn)):
			r.Status = "overdue"
		default:
			r.Status = "kept"
		}
		out = append(out, r)
	}
	return out
}

// evidenceLink is the evidence store's page of a hash the organisation holds, "" otherwise
// (a hash typed in for a file kept elsewhere, or no evidence store).
func evidenceLink(ctx context.Context, ev kernel.Evidence, sum string) string {
	if ev == nil || ev.Cite(ctx, sum) != nil {
		return ""
	}
	return "/evidence/" + sum
}
