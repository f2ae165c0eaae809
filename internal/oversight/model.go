package oversight

import (
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"time"

	"ciiguard/internal/kernel"
)

// States of a submission, from its answers: the last answer decides.
const (
	StateSubmitted     = "submitted"
	StateAcknowledged  = "acknowledged"
	StateInfoRequested = "info_requested"
	StateAccepted      = "accepted"
	// StateEscalated: the department reported a major or especially major incident on to
	// the national cyberspace administration and the public security ministry.
	StateEscalated = "escalated"
)

// States lists the states in the order the inbox filters show them.
var States = []string{StateSubmitted, StateAcknowledged, StateEscalated, StateInfoRequested, StateAccepted}

// Actions are what a regulator answers with; each is the state it leads to.
var Actions = []string{StateAcknowledged, StateEscalated, StateInfoRequested, StateAccepted}

// Item is a submission as the regulator holds it: the operator's filing and its answers.
type Item struct {
	kernel.Submission
	OperatorID     int64  `json:"operator_id"`
	OperatorZH     string `json:"operator_name_zh"`
	OperatorEN     string `json:"operator_name_en"`
	Payload        string `json:"payload"`
	AttachmentSize int64  `json:"attachment_size"`
	AttachmentCite bool   `json:"attachment_cited"` // the hash of the operator's evidence file, not the file
	Signature      string `json:"signature,omitempty"`
	PublicKey      string `json:"public_key,omitempty"`
	// SignatureVerified: the signature verified again, as the item was read, over the
	// payload as stored with the public key filed with it (it was checked on filing too).
	SignatureVerified bool       `json:"signature_verified"`
	DetectedAt        *time.Time `json:"detected_at,omitempty"`
	// Clock is the incident report's 1-hour clock as the regulator sees it, "" for others.
	Clock string `json:"clock,omitempty"`
	// Escalation is the department's own clock to report a major or especially major
	// incident on; nil for other submissions.
	Escalation *Escalation `json:"escalation,omitempty"`
}

const itemCols = `id, org_id, operator_id, kind, title_zh, title_en, ref, payload, payload_sha256, attachment_name, attachment_sha256,
attachment_cited, COALESCE(LENGTH(attachment), 0), signature, public_key, key_fingerprint, detected_at, submitted_by, submitted_at`

func scanItem(sc func(...any) error) (Item, error) {
	var it Item
	var det sql.NullTime
	err := sc(&it.ID, &it.RegulatorID, &it.OperatorID, &it.Kind, &it.TitleZH, &it.TitleEN, &it.Ref, &it.Payload, &it.PayloadSHA256,
		&it.AttachmentName, &it.AttachmentSHA, &it.AttachmentCite, &it.AttachmentSize, &it.Signature, &it.PublicKey, &it.KeyFingerprint,
		&det, &it.SubmittedBy, &it.SubmittedAt)
	if det.Valid {
		d := det.Time.UTC()
		it.DetectedAt = &d
	}
	it.SubmittedAt = it.SubmittedAt.UTC()
	it.Signed = it.Signature != ""
	it.SignatureVerified = it.Signed && verifySignature(it.PublicKey, it.Signature, it.Payload)
	it.State = StateSubmitted
	it.Answers = []kernel.SubmissionAnswer{}
	return it, err
}

// answer adds a to the item and moves its state.
func (it *Item) answer(a kernel.SubmissionAnswer) {
	it.Answers = append(it.Answers, a)
	it.State = a.Action
}

// verifySignature checks a stored detached Ed25519 signature (hex) over payload with the
// stored public key (hex).
func verifySignature(pubHex, sigHex, payload string) bool {
	pub, err1 := hex.DecodeString(pubHex)
	sig, err2 := hex.DecodeString(sigHex)
	return err1 == nil && err2 == nil && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, []byte(payload), sig)
}
