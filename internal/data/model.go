package data

import (
	"strings"
	"time"

	"ciiguard/internal/calendar"
)

// Input limits.
const (
	maxName   = 200
	maxText   = 4000
	maxShort  = 100
	maxList   = 50
	maxPeople = 2_000_000_000 // more than anyone's population: a typo, not a count
)

// Option is a code with its names in both languages.
type Option struct{ Code, Zh, En string }

func optionOf(opts []Option, code string) (Option, bool) {
	for _, o := range opts {
		if o.Code == code {
			return o, true
		}
	}
	return Option{}, false
}

func codes(opts []Option) string {
	c := make([]string, len(opts))
	for i, o := range opts {
		c[i] = o.Code
	}
	return strings.Join(c, ", ")
}

// Categories of data an asset holds (PIPL Arts. 4 and 28; DSL Art. 21).
var Categories = []Option{
	{"general", "一般数据", "general data"},
	{"pi", "个人信息", "personal information"},
	{"sensitive_pi", "敏感个人信息", "sensitive personal information"},
	{"important", "重要数据", "important data"},
	{"core", "核心数据", "core data"},
}

// SensitiveKinds are the kinds of sensitive personal information PIPL Art. 28 names.
var SensitiveKinds = []Option{
	{"biometric", "生物识别", "biometric"},
	{"religious", "宗教信仰", "religious beliefs"},
	{"specific_identity", "特定身份", "specific identity"},
	{"medical", "医疗健康", "medical and health"},
	{"financial", "金融账户", "financial accounts"},
	{"whereabouts", "行踪轨迹", "whereabouts"},
	{"minors", "不满十四周岁未成年人的个人信息", "personal information of minors under 14"},
}

// Levels are the grades of GB/T 43697-2024 (数据安全技术 数据分类分级规则): core, important
// and general data.
var Levels = []Option{
	{"general", "一般数据", "general data"},
	{"important", "重要数据", "important data"},
	{"core", "核心数据", "core data"},
}

// LegalBases are PIPL Art. 13's grounds for processing personal information.
var LegalBases = []Option{
	{"consent", "取得个人同意", "the individual's consent"},
	{"contract", "订立、履行个人作为一方当事人的合同所必需", "a contract with the individual"},
	{"hr", "实施人力资源管理所必需", "human-resources management"},
	{"legal_duty", "履行法定职责或者法定义务所必需", "a legal duty"},
	{"public_health", "应对突发公共卫生事件或紧急情况所必需", "a public-health emergency"},
	{"news", "为公共利益实施新闻报道、舆论监督", "news reporting in the public interest"},
	{"published", "处理已合法公开的个人信息", "lawfully published information"},
	{"other", "法律、行政法规规定的其他情形", "other grounds in law"},
}

// RecipientRoles are what the recipient abroad is to the transfer.
var RecipientRoles = []Option{
	{"handler", "境外个人信息处理者", "a handler of its own"},
	{"entrusted", "受托处理者", "an entrusted processor"},
	{"affiliate", "境外关联公司", "an affiliate abroad"},
}

// Frequencies of a transfer.
var Frequencies = []Option{
	{"once", "一次性", "once"},
	{"occasional", "不定期", "occasionally"},
	{"monthly", "每月", "monthly"},
	{"weekly", "每周", "weekly"},
	{"daily", "每日", "daily"},
	{"continuous", "持续实时", "continuously"},
}

// Location is where an asset is stored.
type Location struct {
	Region string `json:"region"`
	Abroad bool   `json:"abroad"`
}

// Asset is a data asset: what the organisation holds, where, about how many people, how long,
// on which grounds and why, and its grade under GB/T 43697-2024.
type Asset struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Department     string     `json:"department"`
	Systems        []int64    `json:"systems"`
	Categories     []string   `json:"categories"`
	SensitiveKinds []string   `json:"sensitive_kinds"`
	People         int64      `json:"people"`
	Volume         string     `json:"volume"`
	Locations      []Location `json:"locations"`
	Retention      string     `json:"retention"`
	// RetentionEndsOn is the last day the data is kept (YYYY-MM-DD, China time; "" when the
	// retention has no fixed end): personal information is to be deleted by then (PIPL 2021
	// Art. 47(1)(2)), and a deletion not recorded by the next day is overdue.
	RetentionEndsOn string `json:"retention_ends_on"`
	LegalBasis      string `json:"legal_basis"`
	Purposes        string `json:"purposes"`
	// Designation is the catalogue or notice by which the authorities made the data important
	// or core (NDSR 2024 Art. 37), with its reference.
	Designation string    `json:"designation"`
	Level       string    `json:"level"`
	LevelReason string    `json:"level_reason"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Has says the asset holds data of category c.
func (a *Asset) Has(c string) bool {
	for _, x := range a.Categories {
		if x == c {
			return true
		}
	}
	return false
}

// PI says the asset holds personal information (sensitive or not).
func (a *Asset) PI() bool { return a.Has("pi") || a.Has("sensitive_pi") }

// Important says the asset holds important or core data.
func (a *Asset) Important() bool { return a.Has("important") || a.Has("core") }

// Abroad says part of the asset is stored outside China.
func (a *Asset) Abroad() bool {
	for _, l := range a.Locations {
		if l.Abroad {
			return true
		}
	}
	return false
}

// AssetInput is an asset as a person records it.
type AssetInput struct {
	Name           string     `json:"name"`
	Department     string     `json:"department"`
	Systems        []int64    `json:"systems"`
	Categories     []string   `json:"categories"`
	SensitiveKinds []string   `json:"sensitive_kinds"`
	People         int64      `json:"people"`
	Volume         string     `json:"volume"`
	Locations      []Location `json:"locations"`
	Retention      string     `json:"retention"`
	// RetentionEndsOn is the retention's last day, optional (see Asset).
	RetentionEndsOn string `json:"retention_ends_on"`
	LegalBasis      string `json:"legal_basis"`
	Purposes        string `json:"purposes"`
	Designation     string `json:"designation"`
	Level           string `json:"level"`
	LevelReason     string `json:"level_reason"`
}

// Transfer is data sent to a recipient abroad.
type Transfer struct {
	ID               int64   `json:"id"`
	Recipient        string  `json:"recipient"`
	RecipientCountry string  `json:"recipient_country"`
	RecipientRole    string  `json:"recipient_role"`
	Assets           []int64 `json:"assets"`
	Fields           string  `json:"fields"`
	Purpose          string  `json:"purpose"`
	Frequency        string  `json:"frequency"`
	StartOn          string  `json:"start_on"`
	Exemption        string  `json:"exemption"`
	// ReliesOnConsent: the personal information goes abroad on the individuals' consent, so
	// separate consent is needed (PIPL Art. 39); ConsentMethod and ConsentOn record it.
	ReliesOnConsent bool      `json:"relies_on_consent"`
	ConsentMethod   string    `json:"consent_method"`
	ConsentOn       string    `json:"consent_on"`
	Batches         []Batch   `json:"batches"`
	CreatedBy       string    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
}

// TransferInput is a transfer as a person records it, with its first batch.
type TransferInput struct {
	Recipient        string  `json:"recipient"`
	RecipientCountry string  `json:"recipient_country"`
	RecipientRole    string  `json:"recipient_role"`
	Assets           []int64 `json:"assets"`
	Fields           string  `json:"fields"`
	Purpose          string  `json:"purpose"`
	Frequency        string  `json:"frequency"`
	StartOn          string  `json:"start_on"`
	Exemption        string  `json:"exemption"`
	ReliesOnConsent  bool    `json:"relies_on_consent"`
	ConsentMethod    string  `json:"consent_method"`
	ConsentOn        string  `json:"consent_on"`
	// People and SensitivePeople are the first batch's: people not yet counted this year
	// whose (sensitive) personal information goes abroad on StartOn.
	People          int64 `json:"people"`
	SensitivePeople int64 `json:"sensitive_people"`
}

// Batch is one sending of a transfer: on which day, and how many people not counted before
// in the year it adds (sensitive personal information apart).
type Batch struct {
	ID         int64  `json:"id"`
	TransferID int64  `json:"transfer_id"`
	SentOn     string `json:"sent_on"`
	People     int64  `json:"people"`
	Sensitive  int64  `json:"sensitive_people"`
	Note       string `json:"note"`
}

// BatchInput is a batch as a person records it.
type BatchInput struct {
	SentOn    string `json:"sent_on"`
	People    int64  `json:"people"`
	Sensitive int64  `json:"sensitive_people"`
	Note      string `json:"note"`
}

// Mechanism kinds (PIPL Art. 38).
const (
	KindContract      = "standard_contract"
	KindCertification = "certification"
	KindAssessment    = "assessment"
)

// MechanismKinds are the kinds with their names.
var MechanismKinds = []Option{
	{KindContract, "个人信息出境标准合同", "standard contract"},
	{KindCertification, "个人信息保护认证", "personal-information protection certification"},
	{KindAssessment, "数据出境安全评估", "CAC security assessment"},
}

// Assessment results.
var Results = []Option{
	{"pending", "审查中", "pending"},
	{"approved", "通过", "approved"},
	{"rejected", "未通过", "rejected"},
}

// Mechanism is a standard contract, a certification or a security assessment for a transfer.
type Mechanism struct {
	ID         int64  `json:"id"`
	TransferID int64  `json:"transfer_id"`
	Kind       string `json:"kind"`
	// Standard contract: the day it takes effect, when and under which reference it was filed
	// with the provincial CAC.
	EffectiveOn string `json:"effective_on,omitempty"`
	FiledOn     string `json:"filed_on,omitempty"`
	FilingRef   string `json:"filing_ref,omitempty"`
	// Certification: the body, the certificate and its validity.
	Body        string `json:"body,omitempty"`
	Certificate string `json:"certificate,omitempty"`
	IssuedOn    string `json:"issued_on,omitempty"`
	ExpiresOn   string `json:"expires_on,omitempty"`
	// Assessment: the application, the result and its day, an extension's application.
	AppliedOn          string    `json:"applied_on,omitempty"`
	Result             string    `json:"result,omitempty"`
	ResultOn           string    `json:"result_on,omitempty"`
	ExtensionAppliedOn string    `json:"extension_applied_on,omitempty"`
	CreatedBy          string    `json:"created_by"`
	CreatedAt          time.Time `json:"created_at"`
}

// MechanismInput is a mechanism as a person records it: the fields of its kind.
type MechanismInput struct {
	Kind        string `json:"kind"`
	EffectiveOn string `json:"effective_on"`
	FiledOn     string `json:"filed_on"`
	FilingRef   string `json:"filing_ref"`
	Body        string `json:"body"`
	Certificate string `json:"certificate"`
	IssuedOn    string `json:"issued_on"`
	ExpiresOn   string `json:"expires_on"`
	AppliedOn   string `json:"applied_on"`
	Result      string `json:"result"`
	ResultOn    string `json:"result_on"`
}

// FilingInput files a standard contract.
type FilingInput struct {
	FiledOn   string `json:"filed_on"`
	FilingRef string `json:"filing_ref"`
}

// ResultInput records an assessment's result, or (ExtensionAppliedOn) its extension's
// application.
type ResultInput struct {
	Result             string `json:"result"`
	ResultOn           string `json:"result_on"`
	ExtensionAppliedOn string `json:"extension_applied_on"`
}

// PIPIA is a personal-information protection impact assessment (PIPL Art. 55) of a transfer.
type PIPIA struct {
	ID               int64     `json:"id"`
	TransferID       int64     `json:"transfer_id"`
	AssessedOn       string    `json:"assessed_on"`
	PurposeNecessity string    `json:"purpose_necessity"`
	RightsImpact     string    `json:"rights_impact"`
	SecurityMeasures string    `json:"security_measures"`
	CountryRisks     string    `json:"country_risks"`
	Approver         string    `json:"approver"`
	KeepUntil        string    `json:"keep_until"` // PIPL Art. 56: at least three years
	CreatedBy        string    `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
}

// PIPIAInput is an impact assessment as a person records it.
type PIPIAInput struct {
	AssessedOn       string `json:"assessed_on"`
	PurposeNecessity string `json:"purpose_necessity"`
	RightsImpact     string `json:"rights_impact"`
	SecurityMeasures string `json:"security_measures"`
	CountryRisks     string `json:"country_risks"`
	Approver         string `json:"approver"`
}

// KeepYears is how long an impact assessment is kept (PIPL 2021 Art. 56: 个人信息保护影响评估
// 报告和处理情况记录应当至少保存三年).
const KeepYears = 3

// chinaDay is the China-time calendar day of at, at midnight.
func chinaDay(at time.Time) time.Time {
	t := at.In(calendar.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, calendar.Shanghai)
}

// parseDay reads YYYY-MM-DD as a China-time day.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), calendar.Shanghai)
	return t, err == nil
}

// mustDay reads a stored, validated day; the zero time for "".
func mustDay(s string) time.Time {
	t, _ := parseDay(s)
	return t
}
