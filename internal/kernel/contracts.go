package kernel

import (
	"context"
	"errors"
	"html/template"
	"io"
	"net/http"
	"sort"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// The contracts below are what capabilities offer each other through the Registry. The
// owner of a thing implements its contract; whoever needs it looks it up by interface.

// Pages that other capabilities may add sections to: the page's owner shows them.
const (
	// PageObligation is an obligation's page (the obligations capability); the section's
	// id is the obligation id.
	PageObligation = "obligation"
	// PageSystem is a system's page (the scope capability); the id is the system id.
	PageSystem = "system"
	// PageProfile is the organisation profile's page (the scope capability); the id is "".
	PageProfile = "profile"
)

// Section is a part of another capability's detail page (the framework controls mapped to
// an obligation, say). Render returns "" when it has nothing to show the request's user.
type Section struct {
	Page   string // one of the Page* names
	Order  int    // lower first
	Render func(r *http.Request, id string) (template.HTML, error)
}

// SectionProvider is implemented by capabilities that add sections to others' pages.
type SectionProvider interface {
	Sections() []Section
}

// SectionsFor returns every section offered for page, in order.
func SectionsFor(r *Registry, page string) []Section {
	var out []Section
	for _, p := range All[SectionProvider](r) {
		for _, s := range p.Sections() {
			if s.Page == page {
				out = append(out, s)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// RenderSections renders secs for the page of id, leaving out the empty ones.
func RenderSections(r *http.Request, secs []Section, id string) ([]template.HTML, error) {
	var out []template.HTML
	for _, s := range secs {
		h, err := s.Render(r, id)
		if err != nil {
			return nil, err
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

// Navigation is implemented by capabilities with entries in the navigation bar.
type Navigation interface {
	Nav() []web.NavItem
}

// Dashboard is implemented by capabilities with widgets on the dashboard.
type Dashboard interface {
	Widgets() []web.Widget
}

// Evidence is the organisation's store of evidence files, which other capabilities cite
// by SHA-256 (an attestation's proof, say). The evidence capability implements it.
type Evidence interface {
	// Upload stores the file uploaded in the multipart form field of r for the request's
	// organisation and returns its SHA-256. A missing or unreadable file is a
	// problem.Field error on field.
	Upload(r *http.Request, field string) (sha256 string, err error)
	// Cite checks that the context's organisation holds the file: store.ErrNotFound when
	// it does not, even if another organisation holds the same bytes.
	Cite(ctx context.Context, sha256 string) error
	// UploadLimit is the largest file Upload accepts, in bytes, for request body limits.
	UploadLimit() int64
	// Store keeps a file for the context's organisation (idempotent per content) and
	// returns its SHA-256: for files a capability makes itself (its demo data, say).
	Store(ctx context.Context, name string, r io.Reader) (sha256 string, err error)
	// File describes one of the context's organisation's files: store.ErrNotFound as Cite.
	File(ctx context.Context, sha256 string) (EvidenceFile, error)
	// Files lists the context's organisation's latest files, newest first, at most limit,
	// so that a file already uploaded can be cited again instead of uploaded twice.
	Files(ctx context.Context, limit int) ([]EvidenceFile, error)
}

// EvidenceFile is what another capability shows of an evidence file.
type EvidenceFile struct {
	SHA256     string    `json:"sha256"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// Obligations is the catalog of duties in force for an organisation and where the
// organisation stands on them. The obligations capability implements it.
type Obligations interface {
	// Catalog is the context's organisation's catalog: the embedded one and its own
	// policies.
	Catalog(ctx context.Context) (*catalog.Catalog, error)
	// CurrentFindings are the context's organisation's latest findings, every subject.
	CurrentFindings(ctx context.Context) ([]rules.Finding, error)
}

// Notice is a message to people of one organisation — a reminder, an alert — which the
// notify capability delivers by e-mail and by the organisation's webhooks, as each
// recipient chose on their preferences page.
type Notice struct {
	// Kind names what the notice is, "<capability>.<what>" ("incidents.clock",
	// "tasks.assigned"): users choose per kind whether they receive it.
	Kind string
	// Subject identifies the thing the notice is about ("incident:42"), stable across
	// restarts.
	Subject string
	// Point is the moment of the thing's life the notice is for ("30d", "overdue",
	// "report-1h"). Recipient, Subject and Point are the key of the sent-ledger: a key
	// already claimed is never sent again, even after a restart.
	Point string
	// Title and Body are the notice in both languages; each recipient gets their own.
	Title, Body rules.Text
	// Users and Roles are the recipients: the users by id, and every active user of the
	// organisation with one of the roles.
	Users []int64
	Roles []auth.Role
	// Phones are mainland mobile numbers of people who are not users (a developer
	// confirming their number): each gets the notice as one SMS through the notifier's SMS
	// outbox, which ErrNoSMS refuses when the installation has none.
	Phones []string
	// Due is the deadline the notice is about, if any; it is shown in China time.
	Due time.Time
	// Link is the path within the product where the thing is ("/incidents/42").
	Link string
}

// ErrNoSMS is a notice to Phones on an installation without an SMS outbox.
var ErrNoSMS = errors.New("no SMS channel: the installation's SMS outbox is off (--notify-sms-outbox)")

// Notifier delivers notices. The notify capability implements it.
type Notifier interface {
	// Notify claims n for each recipient (and each webhook of the organisation that takes
	// n.Kind) in the sent-ledger and queues the deliveries, in one transaction; recipients
	// who already have (Subject, Point) are skipped. It returns how many deliveries were
	// queued. A notice without Kind, Subject, Point, Title or recipients is an error.
	Notify(ctx context.Context, orgID int64, n Notice) (queued int, err error)
}

// AttestationRef is what the review of an attestation needs to know of it.
type AttestationRef struct {
	ID           int64
	ObligationID string
	SubjectKind  string // "org" or "system"
	SubjectID    string
	Statement    string
	Evidence     []string // SHA-256 of the evidence files
	AuthorID     int64    // the attesting user (0 for the CLI)
	Author       string   // the attesting user's label
}

// AttestationReviews is the four-eyes review of attestations: where an organisation
// requires it, an attestation counts only once a reviewer other than its author approved
// it. The evidence capability implements it; the obligations capability submits every new
// attestation and asks which count before it evaluates.
type AttestationReviews interface {
	// Submitted records a new attestation for review, in the transaction that stores it.
	Submitted(t *store.Tenant, a AttestationRef) error
	// Counting returns, of the context's organisation's attestations ids, those that
	// count now: approved, or never held for review.
	Counting(ctx context.Context, ids []int64) (map[int64]bool, error)
}

// NewAttestation is an attestation another capability submits on a user's behalf (a
// remediation task closed with its evidence).
type NewAttestation struct {
	ObligationID string
	SubjectKind  string
	SubjectID    string
	Statement    string
	Evidence     []string
}

// Attester takes attestations. The obligations capability implements it.
type Attester interface {
	// SubmitAttestation validates and stores an attestation by the context's actor, as
	// the attestation API does, and returns its id; invalid input is a problem.Invalid.
	SubmitAttestation(ctx context.Context, a NewAttestation) (int64, error)
}

// NewLinkedTask is a remediation task another capability creates for one of its records
// (a drill's follow-up item, an incident's remediation), linked to it by Link.
type NewLinkedTask struct {
	// Link names the record, "<kind>:<id>" ("drill:7", "incident:42"); Linked finds the
	// tasks by it.
	Link string
	// LinkPath is where the record is in the product ("/emergency/drills/7"): the task's
	// page links back to it.
	LinkPath string
	Title    string
	OwnerID  int64     // a user of the organisation, checked by the caller
	Due      time.Time // a Beijing date at midnight
	// SubjectKind and SubjectID say what the task is about for the tasks lists: "org"
	// (SubjectID ignored) or "system" with the system id.
	SubjectKind, SubjectID string
}

// LinkedTask is what another capability shows of a task linked to its record.
type LinkedTask struct {
	ID      int64     `json:"id"`
	Link    string    `json:"link"`
	Title   string    `json:"title"`
	Owner   string    `json:"owner"`
	Due     time.Time `json:"-"`
	DueDate string    `json:"due"` // the Beijing date, YYYY-MM-DD
	Status  string    `json:"status"`
	Open    bool      `json:"open"`
	Path    string    `json:"path"` // the task's page ("/tasks/12")
	// ObligationID is the duty a task created for a finding remediates ("" for a linked one).
	ObligationID string `json:"obligation_id,omitempty"`
}

// Tasks keeps remediation tasks: other capabilities create tasks linked to their records
// and list them by link. The tasks capability implements it.
type Tasks interface {
	// CreateLinked stores a task in the caller's transaction t, so that a record and its
	// tasks are stored together or not at all, audited there; the owner is told once t
	// has committed. A missing title, link or owner, or an unknown subject kind, is a
	// problem.Invalid naming field (the caller's name for the item, "followups[0]").
	CreateLinked(t *store.Tenant, field string, n NewLinkedTask) (LinkedTask, error)
	// Linked lists the context's organisation's tasks linked to any of links, the nearest
	// due first.
	Linked(ctx context.Context, links ...string) ([]LinkedTask, error)
}

// RemediationPlan lists the organisation's open remediation tasks, for documents that show
// the plan (the annual assessment report's remediation plan). The tasks capability
// implements it.
type RemediationPlan interface {
	// OpenTasks lists the context's organisation's tasks not done, the nearest due first,
	// at most limit.
	OpenTasks(ctx context.Context, limit int) ([]LinkedTask, error)
}

// VaultStatus is what a document shows of the organisation's log vault: its coverage and
// its latest signed checkpoint, which a reader verifies with the vault's public key.
type VaultStatus struct {
	RetentionDays int64  `json:"retention_days"`
	Sources       int64  `json:"sources"`
	Size          uint64 `json:"size"`     // events in the organisation's log at the checkpoint
	RootHex       string `json:"root_hex"` // the Merkle root the checkpoint signs
	Checkpoint    string `json:"checkpoint"`
	VerifierKey   string `json:"verifier_key"`
}

// LogVault tells the state of the organisation's log vault. The logs capability
// implements it.
type LogVault interface {
	// VaultStatus signs (or returns, when the log has not grown) the checkpoint of the
	// context's organisation's log and counts its retention and sources.
	VaultStatus(ctx context.Context) (VaultStatus, error)
}
