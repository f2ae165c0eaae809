package oversight

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// validated is a checked submission ready to store.
type validated struct {
	kernel.NewSubmission
	payloadSHA, attachSHA string
	detectedAt            *time.Time
}

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func isHexSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// maxAttachmentName is the longest name of a submission's attachment, in characters.
const maxAttachmentName = 200

// validate checks n without touching the store.
func validate(n kernel.NewSubmission) (*validated, error) {
	v := &problem.Invalid{}
	if !slices.Contains(kernel.SubmissionKinds, n.Kind) {
		v.Add("kind", "must be one of %s", strings.Join(kernel.SubmissionKinds, ", "))
	}
	n.TitleZH, n.TitleEN = strings.TrimSpace(n.TitleZH), strings.TrimSpace(n.TitleEN)
	v.Text("title_zh", n.TitleZH, true, 200)
	v.Text("title_en", n.TitleEN, true, 200)
	v.Text("ref", n.Ref, false, 100)
	out := &validated{}
	switch {
	case len(n.Payload) == 0:
		v.Add("payload", "is required: a JSON object")
	case len(n.Payload) > kernel.MaxSubmissionPayload:
		v.Add("payload", "must be at most %d bytes, not %d", kernel.MaxSubmissionPayload, len(n.Payload))
	default:
		var obj map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(n.Payload))
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			v.Add("payload", "must be one JSON object")
			break
		}
		out.payloadSHA = hexSHA(n.Payload)
		if n.Kind == kernel.SubmitIncidentReport {
			var raw string
			if err := json.Unmarshal(obj["detected_at"], &raw); err != nil || raw == "" {
				v.Add("payload.detected_at", "is required for an incident report: the time the incident was detected (RFC 3339)")
			} else if t, err := time.Parse(time.RFC3339, raw); err != nil {
				v.Add("payload.detected_at", "must be a time such as 2026-12-01T09:30:00+08:00")
			} else {
				t = t.UTC()
				out.detectedAt = &t
			}
		}
	}
	switch {
	case len(n.Attachment) > 0 && n.EvidenceSHA256 != "":
		v.Add("attachment", "give the file or cite evidence, not both")
	case len(n.Attachment) > kernel.MaxSubmissionAttachment:
		v.Add("attachment", "must be at most %d bytes, not %d", kernel.MaxSubmissionAttachment, len(n.Attachment))
	case len(n.Attachment) > 0:
		if v.Text("attachment_name", n.AttachmentName, true, maxAttachmentName) {
			out.attachSHA = hexSHA(n.Attachment)
		}
	case n.EvidenceSHA256 != "":
		if !isHexSHA(n.EvidenceSHA256) {
			v.Add("evidence_sha256", "must be a SHA-256 in lower-case hex (64 characters)")
		}
		out.attachSHA = n.EvidenceSHA256
	}
	if len(n.Signature) > 0 || len(n.PublicKey) > 0 {
		switch {
		case len(n.PublicKey) != ed25519.PublicKeySize:
			v.Add("public_key", "must be an Ed25519 public key of %d bytes, not %d", ed25519.PublicKeySize, len(n.PublicKey))
		case len(n.Signature) != ed25519.SignatureSize:
			v.Add("signature", "must be an Ed25519 signature of %d bytes, not %d", ed25519.SignatureSize, len(n.Signature))
		case !ed25519.Verify(n.PublicKey, n.Payload, n.Signature):
			v.Add("signature", "does not verify over the payload with the public key")
		}
		fp := hexSHA(n.PublicKey)
		if n.KeyFingerprint != "" && n.KeyFingerprint != fp {
			v.Add("key_fingerprint", "is not the SHA-256 of the public key")
		}
		n.KeyFingerprint = fp
	} else if n.KeyFingerprint != "" {
		v.Add("key_fingerprint", "needs a signature and its public key")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out.NewSubmission = n
	return out, nil
}

// Submit implements kernel.Submissions: it files n from the context's operator with the
// regulator it named, audited in both organisations' trails in one transaction.
func (s *Service) Submit(ctx context.Context, n kernel.NewSubmission) (kernel.Submission, error) {
	operatorID, err := orgOf(ctx)
	if err != nil {
		return kernel.Submission{}, err
	}
	val, err := validate(n)
	if err != nil {
		return kernel.Submission{}, err
	}
	reg, err := s.Regulator(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return kernel.Submission{}, problem.Field("regulator", "is not named: name the protection-work department first")
	}
	if err != nil {
		return kernel.Submission{}, err
	}
	if val.EvidenceSHA256 != "" {
		if s.ev == nil {
			return kernel.Submission{}, problem.Field("evidence_sha256", "cannot be cited: this installation keeps no evidence files")
		}
		if err := s.ev.Cite(ctx, val.EvidenceSHA256); errors.Is(err, store.ErrNotFound) {
			return kernel.Submission{}, problem.Field("evidence_sha256", "is not a file of this organisation's evidence")
		} else if err != nil {
			return kernel.Submission{}, err
		}
	}
	actor := audit.ActorFrom(ctx)
	sub := kernel.Submission{RegulatorID: reg.ID, RegulatorZH: reg.NameZH, RegulatorEN: reg.NameEN, Kind: val.Kind,
		TitleZH: val.TitleZH, TitleEN: val.TitleEN, Ref: val.Ref, PayloadSHA256: val.payloadSHA,
		AttachmentName: val.AttachmentName, AttachmentSHA: val.attachSHA, Signed: len(val.Signature) > 0,
		KeyFingerprint: val.KeyFingerprint, SubmittedAt: s.now(), SubmittedBy: actor.Label, State: StateSubmitted,
		Answers: []kernel.SubmissionAnswer{}}
	if val.EvidenceSHA256 != "" {
		sub.AttachmentName = ""
	}
	var attach []byte
	if len(val.Attachment) > 0 {
		attach = val.Attachment
	}
	// The submission is the regulator's record once filed: it is written in the
	// regulator's tenant, the receipt in the operator's, in one transaction.
	rctx := store.WithOrg(ctx, reg.ID)
	err = s.db.WriteTenant(rctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO oversight_submissions (org_id, operator_id, kind, title_zh, title_en, ref, payload, payload_sha256,
attachment, attachment_name, attachment_sha256, attachment_cited, signature, public_key, key_fingerprint, detected_at, submitted_by, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			operatorID, sub.Kind, sub.TitleZH, sub.TitleEN, sub.Ref, string(val.Payload), sub.PayloadSHA256,
			attach, sub.AttachmentName, sub.AttachmentSHA, val.EvidenceSHA256 != "", hex.EncodeToString(val.Signature),
			hex.EncodeToString(val.PublicKey), sub.KeyFingerprint, val.detectedAt, sub.SubmittedBy, sub.SubmittedAt).Scan(&sub.ID); err != nil {
			return fmt.Errorf("file the submission: %w", err)
		}
		// The receipt is the operator's own row; its organisation is the caller's, from
		// the context, never from input.
		if _, err := t.Tx().Exec(`INSERT INTO oversight_receipts (org_id, submission_id, regulator_id, ref, submitted_at) VALUES ($1, $2, $3, $4, $5)`,
			operatorID, sub.ID, reg.ID, sub.Ref, sub.SubmittedAt); err != nil {
			return fmt.Errorf("keep the receipt: %w", err)
		}
		if sub.Kind == kernel.SubmitAnnualReport && s.changed != nil {
			s.changed(t.Tx(), operatorID)
		}
		detail := fmt.Sprintf("%s %q (payload sha256 %s)", sub.Kind, sub.TitleEN, sub.PayloadSHA256)
		if err := audit.Record(t.Tx(), operatorID, "oversight_submission", idStr(sub.ID), "submit", nil, sub, detail+" to "+reg.NameEN); err != nil {
			return err
		}
		return audit.InTenant(t, "oversight_submission", idStr(sub.ID), "receive", nil, sub, detail)
	})
	if err != nil {
		return kernel.Submission{}, err
	}
	return sub, nil
}
