package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var (
	_ kernel.Inspectable     = (*Module)(nil)
	_ kernel.EvidenceContent = (*Module)(nil)
)

// InspectionArea implements kernel.Inspectable: the organisation's evidence files.
func (m *Module) InspectionArea() (key, nameZH, nameEN string) {
	return "evidence", "证明材料", "Evidence files"
}

// InspectionRecords implements kernel.Inspectable: org's evidence files uploaded in the
// period under inspection, newest first, each citing itself so that a reproduction
// carries its bytes.
func (m *Module) InspectionRecords(ctx context.Context, org int64, sc kernel.InspectionScope, limit int) ([]kernel.InspectionRecord, error) {
	out := []kernel.InspectionRecord{}
	err := m.db.ReadTenant(store.WithOrg(ctx, org), func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, org_id, sha256, name, content_type, size, uploaded_by, uploaded_at FROM evidence_files
WHERE org_id = $1 AND uploaded_at >= $2 AND uploaded_at < $3 ORDER BY uploaded_at DESC, id DESC LIMIT $4`, sc.From.UTC(), sc.To.UTC(), limit)
		if err != nil {
			return fmt.Errorf("list evidence for an inspection: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f File
			if err := rows.Scan(&f.ID, &f.OrgID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.UploadedBy, &f.UploadedAt); err != nil {
				return fmt.Errorf("list evidence for an inspection: %w", err)
			}
			f.UploadedAt = f.UploadedAt.UTC()
			data, err := json.Marshal(f)
			if err != nil {
				return fmt.Errorf("encode evidence file %d: %w", f.ID, err)
			}
			fl := func(zh, en, v string) kernel.InspectionField {
				return kernel.InspectionField{LabelZH: zh, LabelEN: en, Value: v}
			}
			out = append(out, kernel.InspectionRecord{Area: "evidence", ID: f.SHA256, TitleZH: f.Name, TitleEN: f.Name, At: f.UploadedAt,
				Fields: []kernel.InspectionField{
					fl("SHA-256", "SHA-256", f.SHA256),
					fl("大小（字节）", "Size (bytes)", strconv.FormatInt(f.Size, 10)),
					fl("上传人", "Uploaded by", f.UploadedBy),
				},
				Data: data, Evidence: []string{f.SHA256}})
		}
		return rows.Err()
	})
	return out, err
}

// OpenEvidence implements kernel.EvidenceContent.
func (m *Module) OpenEvidence(ctx context.Context, sha256 string) (io.ReadCloser, kernel.EvidenceFile, error) {
	f, err := m.Get(ctx, sha256)
	if err != nil {
		return nil, kernel.EvidenceFile{}, err
	}
	rc, err := m.blobs.Open(f.SHA256)
	if err != nil {
		return nil, kernel.EvidenceFile{}, fmt.Errorf("open evidence file %s: %w", f.SHA256, err)
	}
	return rc, f.kernel(), nil
}
