package kernel

import (
	"context"
	"encoding/json"
	"time"
)

// Submission kinds: what an operator files with its protection-work department. A
// capability that files something new adds its kind here.
const (
	// SubmitAnnualReport is the yearly security test and risk assessment report (CIIR
	// 2021 Art. 17; CSL 2016 Art. 38).
	SubmitAnnualReport = "annual_report"
	// SubmitChangeReport is the report on new operation or a major change (CIIR 2021
	// Art. 11 and Art. 17).
	SubmitChangeReport = "change_report"
	// SubmitIncidentReport is an incident report (CIIR 2021 Art. 18); its payload carries
	// "detected_at" (RFC 3339) so the regulator sees it against the 1-hour clock.
	SubmitIncidentReport = "incident_report"
	// SubmitOffshoreMaintenance is the report before maintenance from abroad.
	SubmitOffshoreMaintenance = "offshore_maintenance_report"
	// SubmitReviewCase is a cybersecurity review case (Cybersecurity Review Measures 2021).
	SubmitReviewCase = "review_case"
	// SubmitStandardContract is a standard-contract filing for personal information
	// exported (PIPL Art. 38(3)).
	SubmitStandardContract = "standard_contract_filing"
)

// SubmissionKinds lists the kinds in the order the inbox shows them.
var SubmissionKinds = []string{SubmitAnnualReport, SubmitChangeReport, SubmitIncidentReport,
	SubmitOffshoreMaintenance, SubmitReviewCase, SubmitStandardContract}

// Limits of a submission, so that a reader never holds more than this.
const (
	MaxSubmissionPayload    = 1 << 20  // bytes of JSON
	MaxSubmissionAttachment = 32 << 20 // bytes
)

// NewSubmission is what a capability files on the operator's behalf. Once stored it never
// changes: the regulator answers it, the operator files a new one to correct it.
type NewSubmission struct {
	Kind    string          // one of SubmissionKinds
	TitleZH string          // required
	TitleEN string          // required
	Payload json.RawMessage // a JSON object, at most MaxSubmissionPayload bytes
	// Ref names the submitting capability's own record ("report:12"), so it can find its
	// submissions again; optional.
	Ref string
	// Attachment is a file filed with it (the report's PDF), at most
	// MaxSubmissionAttachment bytes, named AttachmentName; or, instead of the bytes,
	// EvidenceSHA256 cites a file of the operator's evidence store (checked with
	// kernel.Evidence.Cite; the regulator sees the hash, not the file).
	Attachment     []byte
	AttachmentName string
	EvidenceSHA256 string
	// Signature is an optional detached Ed25519 signature over the Payload bytes exactly
	// as given, by PublicKey (32 bytes). KeyFingerprint, if given, must be the lower-case
	// hex SHA-256 of PublicKey. A signature that does not verify is refused.
	Signature      []byte
	PublicKey      []byte
	KeyFingerprint string
}

// Submission is a filed item as the operator sees it, with the regulator's answers.
type Submission struct {
	ID             int64              `json:"id"`
	RegulatorID    int64              `json:"regulator_id"`
	RegulatorZH    string             `json:"regulator_name_zh"`
	RegulatorEN    string             `json:"regulator_name_en"`
	Kind           string             `json:"kind"`
	TitleZH        string             `json:"title_zh"`
	TitleEN        string             `json:"title_en"`
	Ref            string             `json:"ref,omitempty"`
	PayloadSHA256  string             `json:"payload_sha256"`
	AttachmentName string             `json:"attachment_name,omitempty"`
	AttachmentSHA  string             `json:"attachment_sha256,omitempty"` // of the bytes or the cited evidence
	Signed         bool               `json:"signed"`
	KeyFingerprint string             `json:"key_fingerprint,omitempty"`
	SubmittedAt    time.Time          `json:"submitted_at"`
	SubmittedBy    string             `json:"submitted_by"`
	State          string             `json:"state"` // submitted, acknowledged, escalated, info_requested, accepted
	Answers        []SubmissionAnswer `json:"answers"`
}

// SubmissionAnswer is one answer of the regulator to a submission.
type SubmissionAnswer struct {
	Action string    `json:"action"` // acknowledged, escalated, info_requested, accepted
	Note   string    `json:"note"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// RegulatorRef is the protection-work department an operator files with.
type RegulatorRef struct {
	ID     int64  `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Submissions files items with the regulator named by the operator (its protection-work
// department, CIIR 2021 Art. 3) and reads the regulator's answers. The oversight
// capability implements it; every method acts for the context's organisation (an
// operator) and its audit actor.
type Submissions interface {
	// Regulator is the context operator's protection-work department: store.ErrNotFound
	// while the operator has named none.
	Regulator(ctx context.Context) (RegulatorRef, error)
	// Submit validates and files n with that regulator, audited on both sides, and returns
	// it. Invalid input is a problem.Invalid naming the field ("kind", "payload",
	// "signature"...); no regulator named is a problem.Invalid on "regulator".
	Submit(ctx context.Context, n NewSubmission) (Submission, error)
	// Submission is one of the context operator's submissions with its answers;
	// store.ErrNotFound when it is not theirs.
	Submission(ctx context.Context, id int64) (Submission, error)
	// SubmissionsFor lists the context operator's submissions filed with ref (all when ref
	// is ""), newest first, with their answers.
	SubmissionsFor(ctx context.Context, ref string) ([]Submission, error)
}
