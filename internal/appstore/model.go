package appstore

import (
	"database/sql"
	"time"

	"ciiguard/internal/calendar"
)

// Platform is the app store's own record: the platform, when it went online, its filing
// with the provincial CAC (CAC App Provisions 2022 Art. 17: within 30 days of going
// online), its complaint channel and the clocks its own rules promise.
type Platform struct {
	Name             string `json:"name"`
	OnlineOn         string `json:"online_on"`
	CACProvince      string `json:"cac_province"`
	FiledOn          string `json:"filed_on"`
	FilingReference  string `json:"filing_reference"`
	FilingMaterials  string `json:"filing_materials"`
	ComplaintChannel string `json:"complaint_channel"`
	ReviewDays       int    `json:"review_days"`
	ComplaintDays    int    `json:"complaint_days"`
	PIComplaintDays  int    `json:"pi_complaint_days"`
	// ComplaintWindowMonths is how long a complaint answered late keeps counting as
	// overdue in the fact set, in months back from today in Beijing. ciiguard's policy,
	// not the law's: the default is the annual assessment cycle.
	ComplaintWindowMonths int       `json:"complaint_window_months"`
	Policy                string    `json:"permission_policy"`
	UpdatedBy             string    `json:"updated_by"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// FilingDue is the last day of the 30 days after going online.
func (p Platform) FilingDue() string {
	d, err := time.Parse(DateLayout, p.OnlineOn)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, FilingDays).Format(DateLayout)
}

// PlatformInput is the platform form.
type PlatformInput struct {
	Name             string `json:"name"`
	OnlineOn         string `json:"online_on"`
	CACProvince      string `json:"cac_province"`
	FiledOn          string `json:"filed_on"`
	FilingReference  string `json:"filing_reference"`
	FilingMaterials  string `json:"filing_materials"`
	ComplaintChannel string `json:"complaint_channel"`
	ReviewDays       int    `json:"review_days"`
	ComplaintDays    int    `json:"complaint_days"`
	PIComplaintDays  int    `json:"pi_complaint_days"`
	// ComplaintWindowMonths is left 0 for the default (12).
	ComplaintWindowMonths int    `json:"complaint_window_months"`
	Policy                string `json:"permission_policy"`
}

// Document is one version of the platform's rules or its service agreement.
type Document struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Version     string    `json:"version"`
	Title       string    `json:"title"`
	EffectiveOn string    `json:"effective_on"`
	SHA256      string    `json:"sha256"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// RetiredAt is when the document was withdrawn (RetiredBy, RetireReason); nil while not.
	RetiredAt    *time.Time `json:"retired_at,omitempty"`
	RetiredBy    string     `json:"retired_by,omitempty"`
	RetireReason string     `json:"retire_reason,omitempty"`
	// State is how the document stands today: DocInEffect (the newest of its kind in
	// effect), DocSuperseded (a newer one of its kind is in effect), DocUpcoming (effective
	// later) or DocRetired.
	State string `json:"state"`
}

// Document states.
const (
	DocInEffect   = "in_effect"
	DocSuperseded = "superseded"
	DocUpcoming   = "upcoming"
	DocRetired    = "retired"
)

// DocumentInput is a new document version.
type DocumentInput struct {
	Kind        string `json:"kind"`
	Version     string `json:"version"`
	Title       string `json:"title"`
	EffectiveOn string `json:"effective_on"`
	SHA256      string `json:"sha256"`
}

// Document kinds.
const (
	DocRules     = "rules"
	DocAgreement = "agreement"
)

// Developer is someone who distributes apps through the store: an organisation (by its
// unified social credit code and licence) or an individual (by name, resident identity
// number and a phone confirmed by a one-time code). The identity number itself is not
// kept: its SHA-256 (to find the same person twice) and a masked form are.
type Developer struct {
	ID              int64      `json:"id"`
	Kind            string     `json:"kind"`
	Name            string     `json:"name"`
	USCC            string     `json:"uscc,omitempty"`
	LicenceSHA256   string     `json:"licence_sha256,omitempty"`
	IDMasked        string     `json:"id_number_masked,omitempty"`
	PhoneMasked     string     `json:"phone_masked,omitempty"`
	PhoneVerifiedAt *time.Time `json:"phone_verified_at,omitempty"`
	State           string     `json:"state"`
	StateReason     string     `json:"state_reason,omitempty"`
	EvidenceSHA256  string     `json:"evidence_sha256,omitempty"`
	VerifiedBy      string     `json:"verified_by,omitempty"`
	VerifiedAt      *time.Time `json:"verified_at,omitempty"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	phone, idHash string
}

// DeveloperInput registers or changes a developer.
type DeveloperInput struct {
	Kind          string `json:"kind"`
	Name          string `json:"name"`
	USCC          string `json:"uscc"`
	LicenceSHA256 string `json:"licence_sha256"`
	ResidentID    string `json:"resident_id"`
	Phone         string `json:"phone"`
}

// Developer kinds and states.
const (
	DevOrg    = "organisation"
	DevPerson = "individual"

	StatePending   = "pending"
	StateVerified  = "verified"
	StateRejected  = "rejected"
	StateSuspended = "suspended"
)

// App is one app in the store.
type App struct {
	ID                  int64     `json:"id"`
	DeveloperID         int64     `json:"developer_id"`
	DeveloperName       string    `json:"developer_name"`
	Name                string    `json:"name"`
	Package             string    `json:"package"`
	FilingNumber        string    `json:"filing_number"`
	DeclaredPermissions []string  `json:"declared_permissions"`
	DataCollected       string    `json:"data_collected"`
	State               string    `json:"state"`
	CreatedBy           string    `json:"created_by"`
	CreatedAt           time.Time `json:"created_at"`
}

// AppInput registers an app.
type AppInput struct {
	DeveloperID         int64    `json:"developer_id"`
	Name                string   `json:"name"`
	Package             string   `json:"package"`
	FilingNumber        string   `json:"filing_number"`
	DeclaredPermissions []string `json:"declared_permissions"`
	DataCollected       string   `json:"data_collected"`
}

// App states.
const (
	AppDraft     = "draft"
	AppPublished = "published"
	AppRemoved   = "removed"
)

// Version is one uploaded package of an app with its security review.
type Version struct {
	ID           int64             `json:"id"`
	AppID        int64             `json:"app_id"`
	VersionName  string            `json:"version_name"`
	VersionCode  int64             `json:"version_code"`
	APKSHA256    string            `json:"apk_sha256"`
	CertSHA256   string            `json:"cert_sha256"`
	CertMD5      string            `json:"cert_md5"`
	CertSubject  string            `json:"cert_subject"`
	MinSDK       int64             `json:"min_sdk"`
	TargetSDK    int64             `json:"target_sdk"`
	Permissions  []string          `json:"permissions"`
	Files        map[string]string `json:"files"`
	AutoResult   string            `json:"auto_result"`
	AutoFindings []Finding         `json:"auto_findings"`
	SubmittedBy  string            `json:"submitted_by"`
	SubmittedAt  time.Time         `json:"submitted_at"`
	ReviewDue    time.Time         `json:"review_due"`
	Decision     string            `json:"decision"`
	DecisionNote string            `json:"decision_note"`
	DecidedBy    string            `json:"decided_by,omitempty"`
	DecidedAt    *time.Time        `json:"decided_at,omitempty"`
	PublishedAt  *time.Time        `json:"published_at,omitempty"`
	RemovedAt    *time.Time        `json:"removed_at,omitempty"`
}

// Finding is one thing the automated review found: a code, its words in both languages.
type Finding struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// Automated results and reviewer decisions.
const (
	AutoPass    = "pass"
	AutoFlagged = "flagged"
	AutoBlocked = "blocked"

	DecisionPending  = "pending"
	DecisionApproved = "approved"
	DecisionRejected = "rejected"
)

// Takedown is an app, or one version of it, taken down, with its reason, legal basis and the notice sent to the
// developer; a reinstatement closes it with its own reason.
type Takedown struct {
	ID    int64 `json:"id"`
	AppID int64 `json:"app_id"`
	// VersionID is the one version taken down (VersionName its name); 0 when the whole
	// app was.
	VersionID       int64      `json:"version_id,omitempty"`
	VersionName     string     `json:"version_name,omitempty"`
	Reason          string     `json:"reason"`
	LegalBasis      string     `json:"legal_basis"`
	Notice          string     `json:"notice"`
	Malicious       bool       `json:"malicious"`
	TakenBy         string     `json:"taken_by"`
	TakenAt         time.Time  `json:"taken_at"`
	ReinstatedBy    string     `json:"reinstated_by,omitempty"`
	ReinstatedAt    *time.Time `json:"reinstated_at,omitempty"`
	ReinstateReason string     `json:"reinstate_reason,omitempty"`
	// NoticeState is how the notice reached the developer: NoticeSent (an SMS queued to
	// their phone, masked in NoticeTo), NoticeNoPhone or NoticeNoSMS (not sent: the
	// platform must deliver it itself, and the page says so).
	NoticeState string `json:"notice_state"`
	NoticeTo    string `json:"notice_to,omitempty"`
	// SharedAt is when a malicious app's take-down was shared with the regulator
	// (SharedTo, its Chinese name) as SharedIndicators STIX indicators; nil while not.
	SharedAt         *time.Time `json:"shared_at,omitempty"`
	SharedBy         string     `json:"shared_by,omitempty"`
	SharedTo         string     `json:"shared_to,omitempty"`
	SharedIndicators int        `json:"shared_indicators,omitempty"`
}

// How a take-down's notice reached the developer.
const (
	NoticeSent    = "sent"
	NoticeNoPhone = "no_phone"
	NoticeNoSMS   = "no_sms"
)

// TakedownInput takes an app down.
type TakedownInput struct {
	Reason     string `json:"reason"`
	LegalBasis string `json:"legal_basis"`
	Notice     string `json:"notice"`
	Malicious  bool   `json:"malicious"`
}

// BlacklistEntry keeps a developer, a signing certificate or a package name out.
type BlacklistEntry struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Value      string     `json:"value"`
	Reason     string     `json:"reason"`
	AddedBy    string     `json:"added_by"`
	AddedAt    time.Time  `json:"added_at"`
	LiftedBy   string     `json:"lifted_by,omitempty"`
	LiftedAt   *time.Time `json:"lifted_at,omitempty"`
	LiftReason string     `json:"lift_reason,omitempty"`
}

// Blacklist kinds.
const (
	BlackDeveloper   = "developer"
	BlackCertificate = "certificate"
	BlackPackage     = "package"
)

// MalwareEntry is one entry of this capability's own malicious-app list: a SHA-256 of a
// package or code file, or a package name.
type MalwareEntry struct {
	ID      int64     `json:"id"`
	Kind    string    `json:"kind"`
	Value   string    `json:"value"`
	Label   string    `json:"label"`
	Source  string    `json:"source"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Complaint is one complaint from a user of the store.
type Complaint struct {
	ID      int64  `json:"id"`
	Receipt string `json:"receipt"`
	Kind    string `json:"kind"`
	AppID   *int64 `json:"app_id,omitempty"`
	// DeveloperID is the developer complained about: named in the complaint, or the
	// developer of the app it is about.
	DeveloperID *int64     `json:"developer_id,omitempty"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	Contact     string     `json:"contact,omitempty"`
	ReceivedAt  time.Time  `json:"received_at"`
	DueAt       time.Time  `json:"due_at"`
	Assignee    string     `json:"assignee"`
	State       string     `json:"state"`
	Reply       string     `json:"reply"`
	RepliedBy   string     `json:"replied_by,omitempty"`
	RepliedAt   *time.Time `json:"replied_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
}

// Overdue reports whether the complaint was not answered by its deadline at now.
func (c Complaint) Overdue(now time.Time) bool {
	if c.RepliedAt != nil {
		return c.RepliedAt.After(c.DueAt)
	}
	return now.After(c.DueAt)
}

// CountsOverdue reports whether the complaint counts in the fact set's complaints_overdue
// at now: open past its deadline however long ago it came, or answered late at or after
// since (the start of the platform's window, Platform.ComplaintWindowStart). A late answer
// stays late in the complaint's own history (Overdue); it stops weighing on the duty once
// it leaves the window, so one late answer does not keep the duty a gap for ever.
func (c Complaint) CountsOverdue(now, since time.Time) bool {
	if c.RepliedAt != nil {
		return c.RepliedAt.After(c.DueAt) && !c.RepliedAt.Before(since)
	}
	return now.After(c.DueAt)
}

// ComplaintWindowStart is 00:00 Beijing of the day ComplaintWindowMonths months before
// now's day in China: late answers from then on count as overdue.
func (p Platform) ComplaintWindowStart(now time.Time) time.Time {
	months := p.ComplaintWindowMonths
	if months <= 0 {
		months = DefaultComplaintWindowMonths
	}
	c := now.In(calendar.Shanghai)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, calendar.Shanghai).AddDate(0, -months, 0).UTC()
}

// ComplaintInput is the public form.
type ComplaintInput struct {
	Kind  string `json:"kind"`
	AppID int64  `json:"app_id"`
	// App names the app in the public form's words (its name or package): linked when it
	// is an app on sale, otherwise kept in the text.
	App string `json:"app"`
	// Developer names the developer in the public form's words (the name the store shows):
	// linked when they have an app on sale, otherwise kept in the text.
	Developer string `json:"developer"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	Contact   string `json:"contact"`
}

// Complaint kinds and states.
const (
	KindMalicious = "malicious"
	KindPI        = "personal_information"
	KindFraud     = "fraud"
	KindContent   = "content"

	ComplaintOpen     = "open"
	ComplaintAnswered = "answered"
	ComplaintClosed   = "closed"
)

// ComplaintKinds lists the kinds in form order.
var ComplaintKinds = []string{KindMalicious, KindPI, KindFraud, KindContent}

// Limits and defaults.
const (
	// DateLayout is how days are written.
	DateLayout = "2006-01-02"
	// FilingDays is the platform filing window after going online (CAC App Provisions
	// 2022 Art. 17, secondary source: the regulatory brief).
	FilingDays = 30
	// PIComplaintMaxDays is the ceiling on answering a personal-information request in
	// working days (2019 App PI determination method §6, secondary source).
	PIComplaintMaxDays = 15
	// DefaultReviewDays and DefaultComplaintDays are the clocks a platform starts with
	// until its own rules say otherwise (working days; configurable, no legal source).
	DefaultReviewDays    = 5
	DefaultComplaintDays = 10
	// DefaultComplaintWindowMonths and MaxComplaintWindowMonths bound how long a late
	// answer keeps a complaint overdue in the fact set: ciiguard's policy (the annual
	// assessment cycle by default), not a legal period.
	DefaultComplaintWindowMonths = 12
	MaxComplaintWindowMonths     = 60

	maxName  = 200
	maxText  = 4000
	maxShort = 100
	// MaxComplaintBody bounds the public form's text.
	MaxComplaintBody = 4000
)

func nullTime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}
