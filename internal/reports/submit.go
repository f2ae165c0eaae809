package reports

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// ref names a report for the submissions contract.
func ref(id int64) string { return "report:" + strconv.FormatInt(id, 10) }

// Submit files the report's signed-off current version with the organisation's
// protection-work department through the kernel's submissions contract: the canonical
// JSON as the payload, signed with the installation's Ed25519 key (the regulator verifies
// it with the public key sent along, whose fingerprint the PDF prints), and the Chinese
// PDF attached. Only a signed-off version is submitted.
func (m *Module) Submit(ctx context.Context, id int64) (Report, error) {
	if m.subs == nil || m.key == nil {
		return Report{}, problem.Field("regulator", "submission is not available in this installation")
	}
	rep, ver, err := m.Version(ctx, id, 0)
	if err != nil {
		return rep, err
	}
	if rep.State != StateSignedOff {
		return rep, problem.Conflictf("state", "is %s: only a signed-off version is submitted", rep.State)
	}
	pdf, err := m.renderPDF(ver, web.LangZH)
	if err != nil {
		return rep, err
	}
	if len(ver.JSON) > kernel.MaxSubmissionPayload {
		return rep, fmt.Errorf("report %d version %d: JSON of %d bytes exceeds the submission limit", id, ver.Version, len(ver.JSON))
	}
	kind := kernel.SubmitAnnualReport
	if rep.Kind == KindChange {
		kind = kernel.SubmitChangeReport
	}
	title := Title(rep.Kind, rep.Year)
	sig := m.key.Sign(ver.JSON)
	sub, err := m.subs.Submit(ctx, kernel.NewSubmission{Kind: kind, TitleZH: title.Zh, TitleEN: title.En, Payload: ver.JSON, Ref: ref(id),
		Attachment: pdf, AttachmentName: fmt.Sprintf("report-%d-v%d-zh-CN.pdf", id, ver.Version),
		Signature: sig, PublicKey: m.key.PublicKey(), KeyFingerprint: m.key.Fingerprint()})
	if err != nil {
		return rep, err
	}
	err = m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before := rep
		now := m.Now().UTC().Truncate(time.Microsecond)
		if _, err := t.Exec(`INSERT INTO report_submissions (org_id, report_id, version, sha256, signature, key_fingerprint, receipt, submitted_by, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, ver.Version, ver.SHA256, base64.StdEncoding.EncodeToString(sig), m.key.Fingerprint(),
			strconv.FormatInt(sub.ID, 10), audit.ActorFrom(ctx).Label, now); err != nil {
			return fmt.Errorf("record submission of report %d: %w", id, err)
		}
		rep.State, rep.UpdatedAt = StateSubmitted, now
		if _, err := t.Exec(`UPDATE reports SET state = $2, updated_at = $3 WHERE org_id = $1 AND id = $4`, rep.State, now, id); err != nil {
			return fmt.Errorf("update report %d: %w", id, err)
		}
		if err := audit.InTenant(t, "report", strconv.FormatInt(id, 10), "submit", before, rep, "submission "+strconv.FormatInt(sub.ID, 10)); err != nil {
			return err
		}
		m.announce(t)
		return nil
	})
	return rep, err
}

// fillSubmissions lists the report's submissions with the regulator's answers.
func (m *Module) fillSubmissions(r *http.Request, d *reportData) error {
	if m.subs == nil {
		return nil
	}
	d.CanSub = d.R.State == StateSignedOff && m.key != nil && web.Can(r, Sign)
	subs, err := m.subs.SubmissionsFor(r.Context(), ref(d.R.ID))
	if err != nil {
		return err
	}
	vers, err := m.Versions(r.Context(), d.R.ID)
	if err != nil {
		return err
	}
	version := map[string]int{} // the JSON's SHA-256 → its version: what was filed
	for _, v := range vers {
		version[v.SHA256] = v.Version
	}
	zh := web.RequestLang(r) != web.LangEN
	for _, s := range subs {
		name := s.RegulatorEN
		if zh || name == "" {
			name = s.RegulatorZH
		}
		d.Subs = append(d.Subs, submissionView{Version: version[s.PayloadSHA256], At: chinaTime(s.SubmittedAt), By: s.SubmittedBy, State: s.State, SHA256: s.PayloadSHA256, Regulator: name})
	}
	return nil
}

func (m *Module) submitPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Submit(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/reports/%d", id), m.t(r, "reports.submitted"))
}

func (m *Module) apiSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rep, err := m.Submit(r.Context(), id)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusOK)
}
