package data

import (
	_ "embed"
	"fmt"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
)

// Routes a transfer can take.
const (
	RouteNone       = "none"       // no personal information or important data: no mechanism
	RouteExempt     = "exempt"     // an exemption applies
	RouteContract   = "contract"   // standard contract (filed) or certification
	RouteAssessment = "assessment" // CAC security assessment
)

// BelowThreshold is the exemption the thresholds give, not one a handler claims (CBDF 2024
// Art. 5(4)): a non-CII handler below the standard contract's threshold.
const BelowThreshold = "below_threshold"

//go:embed routing.yaml
var routingYAML []byte

// Exemption is one the rules let a handler claim.
type Exemption struct {
	Code    string     `yaml:"code" json:"code"`
	Article rules.Text `yaml:"article" json:"article"`
	Zh      string     `yaml:"zh" json:"zh"`
	En      string     `yaml:"en" json:"en"`
	// CII says a CII operator may claim it too.
	CII bool `yaml:"cii" json:"cii"`
	// NoPI: only for data with no personal information (nor important data).
	NoPI bool `yaml:"no_pi" json:"no_pi"`
	// Unconfirmed: the article number is not confirmed by the brief.
	Unconfirmed bool `yaml:"unconfirmed" json:"unconfirmed"`
}

// Counts are people counted in a window: non-sensitive and sensitive personal information.
type Counts struct {
	NonSensitive int64 `yaml:"non_sensitive" json:"non_sensitive"`
	Sensitive    int64 `yaml:"sensitive" json:"sensitive"`
}

// RuleVersion is one version of the routing rules (routing.yaml).
type RuleVersion struct {
	ID                string     `yaml:"id" json:"id"`
	InForce           string     `yaml:"in_force" json:"in_force"`
	Instrument        rules.Text `yaml:"instrument" json:"instrument"`
	Source            string     `yaml:"source" json:"source"`
	Window            string     `yaml:"window" json:"window"`
	SeparateSensitive bool       `yaml:"separate_sensitive" json:"separate_sensitive"`
	HeldPIAssessment  int64      `yaml:"held_pi_assessment" json:"held_pi_assessment"`
	Assessment        Counts     `yaml:"assessment" json:"assessment"`
	Contract          Counts     `yaml:"contract" json:"contract"`
	Articles          struct {
		Important rules.Text `yaml:"important" json:"important"`
		CII       rules.Text `yaml:"cii" json:"cii"`
		Held      rules.Text `yaml:"held" json:"held"`
		Volume    rules.Text `yaml:"volume" json:"volume"`
		Contract  rules.Text `yaml:"contract" json:"contract"`
		Below     rules.Text `yaml:"below" json:"below"`
		None      rules.Text `yaml:"none" json:"none"`
	} `yaml:"articles" json:"articles"`
	Exemptions []Exemption `yaml:"exemptions" json:"exemptions"`
	// AssessmentValidityYears is how long an approved assessment is valid; Extension says
	// how its renewal is timed (reapply_before or apply_within) against
	// ExtensionWorkingDays before expiry.
	AssessmentValidityYears int    `yaml:"assessment_validity_years" json:"assessment_validity_years"`
	Extension               string `yaml:"extension" json:"extension"`
	ExtensionWorkingDays    int    `yaml:"extension_working_days" json:"extension_working_days"`
	from                    time.Time
}

// Exemption returns the version's exemption of code.
func (v *RuleVersion) Exemption(code string) (Exemption, bool) {
	for _, e := range v.Exemptions {
		if e.Code == code {
			return e, true
		}
	}
	return Exemption{}, false
}

// WindowStart is the first day people are counted from for a decision on day.
func (v *RuleVersion) WindowStart(day time.Time) time.Time {
	y := day.In(calendar.Shanghai).Year()
	if v.Window == "since_previous_year" {
		y--
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, calendar.Shanghai)
}

// Ruleset is every version of the routing rules, oldest first.
type Ruleset struct {
	Versions []*RuleVersion `yaml:"versions"`
}

// ParseRuleset reads routing rules in the form of routing.yaml.
func ParseRuleset(b []byte) (*Ruleset, error) {
	var rs Ruleset
	if err := yaml.Unmarshal(b, &rs); err != nil {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	if len(rs.Versions) == 0 {
		return nil, fmt.Errorf("routing rules: no version")
	}
	for _, v := range rs.Versions {
		t, err := time.ParseInLocation(time.DateOnly, v.InForce, calendar.Shanghai)
		if err != nil {
			return nil, fmt.Errorf("routing rules %s: in_force: %w", v.ID, err)
		}
		if v.Window != "calendar_year" && v.Window != "since_previous_year" {
			return nil, fmt.Errorf("routing rules %s: window %q is neither calendar_year nor since_previous_year", v.ID, v.Window)
		}
		if v.Assessment.NonSensitive <= 0 || v.Assessment.Sensitive <= 0 || v.Contract.NonSensitive <= 0 || v.Contract.Sensitive <= 0 {
			return nil, fmt.Errorf("routing rules %s: every threshold must be positive", v.ID)
		}
		if v.AssessmentValidityYears <= 0 || v.ExtensionWorkingDays <= 0 || (v.Extension != "reapply_before" && v.Extension != "apply_within") {
			return nil, fmt.Errorf("routing rules %s: assessment validity, extension (reapply_before or apply_within) and its working days are required", v.ID)
		}
		v.from = t
	}
	sort.SliceStable(rs.Versions, func(i, j int) bool { return rs.Versions[i].from.Before(rs.Versions[j].from) })
	return &rs, nil
}

// Rules are the built-in routing rules.
var Rules = mustRuleset(routingYAML)

func mustRuleset(b []byte) *Ruleset {
	rs, err := ParseRuleset(b)
	if err != nil {
		panic(err) // embedded and covered by tests: a build defect
	}
	return rs
}

// At returns the version in force on day (the oldest one before any is in force).
func (rs *Ruleset) At(day time.Time) *RuleVersion {
	v := rs.Versions[0]
	for _, x := range rs.Versions {
		if !day.Before(x.from) {
			v = x
		}
	}
	return v
}

// Exemptions lists every claimable exemption of the newest version.
func (rs *Ruleset) Exemptions() []Exemption { return rs.Versions[len(rs.Versions)-1].Exemptions }

// Case is what a route is decided on: the organisation, the transfer and the people counted.
type Case struct {
	On        time.Time // the day judged
	CII       bool      // the organisation operates identified CII
	HeldPI    int64     // people whose personal information the organisation holds
	Exemption string    // claimed exemption code, "" for none
	PI        bool      // the transfer includes personal information
	Sensitive bool      // … sensitive personal information
	Important bool      // … important (or core) data
	Count     Counts    // people counted in the window, exempt transfers left out
}

// Decision is a route with the rule that decided it.
type Decision struct {
	Route     string     `json:"route"`
	Exemption string     `json:"exemption,omitempty"`
	Version   string     `json:"rules_version"`
	Rule      rules.Text `json:"rule"`   // instrument and article
	Reason    rules.Text `json:"reason"` // why, in words
	// Unconfirmed says the deciding article or numbers are not confirmed by the brief.
	Unconfirmed bool `json:"unconfirmed"`
}

// Decide routes c by the rules in force on c.On.
func (rs *Ruleset) Decide(c Case) Decision {
	v := rs.At(c.On)
	d := Decision{Version: v.ID, Unconfirmed: v.Source != "brief"}
	cite := func(a rules.Text) rules.Text {
		return rules.Text{Zh: a.Zh, En: a.En}
	}
	if c.Exemption != "" {
		if e, ok := v.Exemption(c.Exemption); ok && exemptionFits(e, c) == "" {
			d.Route, d.Exemption, d.Rule = RouteExempt, e.Code, rules.Text{Zh: v.Instrument.Zh + e.Article.Zh, En: v.Instrument.En + " " + e.Article.En}
			d.Unconfirmed = d.Unconfirmed || e.Unconfirmed
			d.Reason = rules.Text{Zh: "免予申报：" + e.Zh, En: "exempt: " + e.En}
			return d
		}
	}
	total := c.Count.NonSensitive + c.Count.Sensitive
	switch {
	case c.Important:
		d.Route, d.Rule = RouteAssessment, cite(v.Articles.Important)
		if c.CII {
			d.Rule = cite(v.Articles.CII)
		}
		d.Reason = rules.Text{Zh: "向境外提供重要数据，应当申报数据出境安全评估", En: "important data goes abroad: CAC security assessment"}
	case !c.PI:
		d.Route, d.Rule = RouteNone, cite(v.Articles.None)
		d.Reason = rules.Text{Zh: "不含个人信息和重要数据，无需申报安全评估、订立标准合同或认证", En: "no personal information and no important data: no assessment, contract or certification"}
	case c.CII:
		d.Route, d.Rule = RouteAssessment, cite(v.Articles.CII)
		d.Reason = rules.Text{Zh: "关键信息基础设施运营者向境外提供个人信息，不论数量，应当申报数据出境安全评估", En: "a CII operator sends personal information abroad, whatever the number of people: CAC security assessment"}
	case v.HeldPIAssessment > 0 && c.HeldPI >= v.HeldPIAssessment:
		d.Route, d.Rule = RouteAssessment, cite(v.Articles.Held)
		d.Reason = rules.Text{Zh: fmt.Sprintf("处理%d人以上个人信息的处理者向境外提供个人信息", v.HeldPIAssessment),
			En: fmt.Sprintf("a handler of %d or more people's personal information sends personal information abroad", v.HeldPIAssessment)}
	case v.SeparateSensitive && (c.Count.NonSensitive >= v.Assessment.NonSensitive || c.Sensitive && c.Count.Sensitive >= v.Assessment.Sensitive):
		d.Route, d.Rule = RouteAssessment, cite(v.Articles.Volume)
		d.Reason = counted(v, c, "达到安全评估门槛", "reaches the security assessment threshold")
	case !v.SeparateSensitive && (total >= v.Assessment.NonSensitive || c.Count.Sensitive >= v.Assessment.Sensitive):
		d.Route, d.Rule = RouteAssessment, cite(v.Articles.Volume)
		d.Reason = counted(v, c, "达到安全评估门槛", "reaches the security assessment threshold")
	case v.SeparateSensitive && (c.Count.NonSensitive >= v.Contract.NonSensitive || c.Sensitive && c.Count.Sensitive >= v.Contract.Sensitive),
		!v.SeparateSensitive && total >= v.Contract.NonSensitive:
		d.Route, d.Rule = RouteContract, cite(v.Articles.Contract)
		d.Reason = counted(v, c, "达到标准合同或认证门槛、未达安全评估门槛", "reaches the standard contract or certification threshold, below the assessment's")
	default:
		d.Route, d.Exemption, d.Rule = RouteExempt, BelowThreshold, cite(v.Articles.Below)
		d.Reason = counted(v, c, "未达标准合同或认证门槛，免予申报", "below the standard contract or certification threshold: exempt")
	}
	return d
}

// counted says what was counted, since when, and what it reaches.
func counted(v *RuleVersion, c Case, zh, en string) rules.Text {
	from := v.WindowStart(c.On).Format(time.DateOnly)
	if !v.SeparateSensitive {
		return rules.Text{Zh: fmt.Sprintf("自%s起累计出境%d人个人信息（其中敏感个人信息%d人），%s", from, c.Count.NonSensitive+c.Count.Sensitive, c.Count.Sensitive, zh),
			En: fmt.Sprintf("since %s, personal information of %d people exported (%d of them sensitive): %s", from, c.Count.NonSensitive+c.Count.Sensitive, c.Count.Sensitive, en)}
	}
	return rules.Text{Zh: fmt.Sprintf("自%s起累计出境%d人个人信息（不含敏感个人信息）、%d人敏感个人信息，%s", from, c.Count.NonSensitive, c.Count.Sensitive, zh),
		En: fmt.Sprintf("since %s, personal information of %d people (non-sensitive) and sensitive personal information of %d people exported: %s", from, c.Count.NonSensitive, c.Count.Sensitive, en)}
}

// Why an exemption does not fit a transfer.
const (
	misfitCII       = "cii"       // not open to a CII operator
	misfitNoPI      = "no_pi"     // only for data with no personal information or important data
	misfitImportant = "important" // does not cover important data
)

// exemptionFits says why exemption e does not fit c (one of the misfit codes), or "" when it
// does. The free-trade-zone exemption covers whatever the zone's negative list leaves out.
func exemptionFits(e Exemption, c Case) string {
	switch {
	case c.CII && !e.CII:
		return misfitCII
	case e.NoPI && (c.PI || c.Important):
		return misfitNoPI
	case !e.NoPI && e.Code != "ftz_negative_list" && c.Important:
		return misfitImportant
	}
	return ""
}
