// Package catalog is the obligations catalog: every duty of China's CII security regime as
// data (content/*.yaml, one file per instrument, embedded in the binary), loaded and validated
// against the schema in docs/catalog-schema.md, compiled by the rules engine, searchable, and
// exported to and imported from OSCAL.
//
// Loading is strict on purpose: the catalog is law transcribed by people, and a wrong enum, a
// missing translation or a rule without tests must stop the build with the file, line and
// field, not surface as a wrong finding in front of a regulator. Organisations add their own
// internal policies in the same format with LoadCustom.
package catalog

import (
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/rules"
)

// Text is a bilingual string; both languages are required wherever the schema has one.
type Text = rules.Text

// Catalog is a loaded, validated and compiled set of instruments. It is immutable and safe for
// concurrent use.
type Catalog struct {
	Instruments []*Instrument // sorted by id
	Obligations []*Obligation // sorted by id
	Penalties   []*Penalty    // sorted by id

	instruments map[string]*Instrument
	obligations map[string]*Obligation
	penalties   map[string]*Penalty
	engine      *rules.Engine
	ruleOpts    []rules.Option
}

// Instrument is one law, regulation or standard, with the versions the catalog carries.
type Instrument struct {
	ID       string    `yaml:"id"`
	Kind     string    `yaml:"kind"` // one of KindValues: the instrument's rank in Chinese law
	Title    Text      `yaml:"title"`
	Issuer   Text      `yaml:"issuer"`
	Versions []Version `yaml:"versions"` // oldest first

	File   string `yaml:"-"` // the file it was loaded from
	Custom bool   `yaml:"-"` // an organisation's own policy (LoadCustom)
}

// Version is one dated text of an instrument. Article numbers belong to a version.
type Version struct {
	ID      string `yaml:"id"`
	Adopted string `yaml:"adopted"`  // YYYY-MM-DD
	InForce string `yaml:"in_force"` // YYYY-MM-DD
	Note    *Text  `yaml:"note"`
	// Draft marks a text published for comment that never came into force (the 2017 CIIR
	// draft): its duties are recommendations and its penalties never apply.
	Draft bool `yaml:"draft"`
}

// Citation names an article in a version. Version is a version id of the same instrument, or
// "INSTR:version" for another instrument.
type Citation struct {
	Version string `yaml:"version" json:"version"`
	Article string `yaml:"article" json:"article"`
}

// Range is an amount range in RMB (or multipliers, see Penalty.MultipleOf).
type Range struct {
	Min int64 `yaml:"min" json:"min"`
	Max int64 `yaml:"max" json:"max"`
}

// Penalty is a penalty clause (an article or one of its paragraphs) with its fine ranges.
// Fine and Persons are the range an open finding is exposed to (the order tier when the
// clause has tiers); Tiers lists every range the clause sets and when each applies.
type Penalty struct {
	ID          string     `yaml:"id" json:"id"`
	Version     string     `yaml:"version" json:"version"`
	Article     string     `yaml:"article" json:"article"`
	Equivalents []Citation `yaml:"equivalents" json:"equivalents,omitempty"`
	Fine        Range      `yaml:"fine" json:"fine"`
	Persons     *Range     `yaml:"persons" json:"persons,omitempty"`
	Tiers       []Tier     `yaml:"tiers" json:"tiers,omitempty"`
	MultipleOf  string     `yaml:"multiple_of" json:"multiple_of,omitempty"` // when set, Fine is min..max times this amount
	// SupersededBy names the clause that replaces this one once its version is in force
	// (CSL-2016-59-1 by CSL-2025-61-1 from 2026-01-01).
	SupersededBy string `yaml:"superseded_by" json:"superseded_by,omitempty"`
	Summary      Text   `yaml:"summary" json:"summary"`

	Instrument string `yaml:"-" json:"instrument"`
	Draft      bool   `yaml:"-" json:"draft,omitempty"` // written in a draft version: reference only, never a fine
}

// AttestationSpec is what a person must provide to confirm a duty no fact can show.
type AttestationSpec struct {
	Evidence     Text `yaml:"evidence"`
	ValidityDays int  `yaml:"validity_days"`
}

// Obligation is one duty: who it binds, when it applies, how it is checked, its deadline and
// penalty, and the test cases that pin its rule down.
type Obligation struct {
	ID          string           `yaml:"id"`
	Version     string           `yaml:"version"`
	Article     string           `yaml:"article"`
	Equivalents []Citation       `yaml:"equivalents"`
	Title       Text             `yaml:"title"`
	Summary     Text             `yaml:"summary"`
	Binds       []string         `yaml:"binds"`
	Capability  string           `yaml:"capability"`
	Subject     string           `yaml:"subject"`
	Applies     string           `yaml:"applies"`
	AppliesTo   *Text            `yaml:"applies_to"` // whom the duty binds, in plain words, for reasons
	Check       string           `yaml:"check"`
	Requires    *Text            `yaml:"requires"` // what the check asks for, in plain words, for reasons
	Attestation *AttestationSpec `yaml:"attestation"`
	// Facts names the capability fact set the check reads (incidents, people …). Such an
	// obligation carries both a check and an attestation: the check where the set is declared
	// to the rules engine, the attestation where it is not (see resolveFactSets).
	Facts    string     `yaml:"facts"`
	Cadence  string     `yaml:"cadence"`
	Due      string     `yaml:"due"`
	Deadline *Text      `yaml:"deadline"`
	Penalty  string     `yaml:"penalty"`
	Source   string     `yaml:"source"`
	Tests    []TestCase `yaml:"tests"`

	Instrument string `yaml:"-"`
	File       string `yaml:"-"`
	Line       int    `yaml:"-"` // line of the obligation in File

	// authored keeps what resolveFactSets set aside, so that a copy of the duty (an adoption
	// into a policy) can be written as its author wrote it, whichever way it was resolved here.
	authored *AuthoredCheck
}

// AuthoredCheck is how an obligation on a capability's fact set is checked as written in its
// file: the check with what it asks for and its due date, and the attestation standing in
// where the fact set is absent.
type AuthoredCheck struct {
	Check       string
	Requires    *Text
	Due         string
	Attestation *AttestationSpec
}

// Authored returns the obligation's check and attestation as written in its file, before the
// catalog settled one of them for the fact sets its rules engine knows.
func (o *Obligation) Authored() AuthoredCheck {
	if o.authored != nil {
		return *o.authored
	}
	return AuthoredCheck{Check: o.Check, Requires: o.Requires, Due: o.Due, Attestation: o.Attestation}
}

// TestCase is one worked example of an obligation's rule.
type TestCase struct {
	Name   string    `yaml:"name"`
	Facts  yaml.Node `yaml:"facts"` // partial facts, decoded by rules.DecodeCaseFacts
	Now    string    `yaml:"now"`   // optional; may also be given as facts.now
	Expect string    `yaml:"expect"`
	Line   int       `yaml:"-"`

	decoded rules.CaseFacts
	skipped bool // needs a fact set this catalog's engine was built without
}

// Enumerations of the schema.
var (
	BindsValues      = []string{"operator", "cii_operator", "mlps_system", "telecom_operator", "pi_handler", "important_data_handler", "supplier", "app_store", "regulator"}
	CapabilityValues = []string{"scope", "obligations", "vault", "incident", "people", "supply", "data", "threat", "assess", "oversight", "appstore"}
	CadenceValues    = []string{"once", "continuous", "per_event", "yearly", "half_yearly", "biennial"}
	SourceValues     = []string{"brief", "seed-000", "seed-004", "both"}
	ExpectValues     = []string{"met", "gap", "overdue", "not_applicable"}
	SubjectValues    = []string{"org", "system"}
	// KindValues are the ranks of instruments: 法律 (a law of the NPC or its Standing
	// Committee), 行政法规 (an administrative regulation of the State Council), 部门规章 (a
	// departmental rule, issued by order of a ministry or the CAC), 规范性文件 (a normative
	// document such as a notice or opinion with a document number), and policy (an
	// organisation's own policy).
	KindValues = []string{"law", "administrative_regulation", "departmental_rule", "normative_document", "policy"}
)

// RuleOptions returns the options the catalog's rules engine was built with (the fact sets
// it knows, its time limit), so that a policy loaded beside it settles its duties the same way.
func (c *Catalog) RuleOptions() []rules.Option { return c.ruleOpts }

// Engine returns the rules engine compiled from every obligation.
func (c *Catalog) Engine() *rules.Engine { return c.engine }

// Obligation looks an obligation up by id.
func (c *Catalog) Obligation(id string) (*Obligation, bool) { o, ok := c.obligations[id]; return o, ok }

// Penalty looks a penalty up by id.
func (c *Catalog) Penalty(id string) (*Penalty, bool) { p, ok := c.penalties[id]; return p, ok }

// Instrument looks an instrument up by id.
func (c *Catalog) Instrument(id string) (*Instrument, bool) { i, ok := c.instruments[id]; return i, ok }

// Citations lists where the duty is written: its own article first, then its equivalents.
func (o *Obligation) Citations() []Citation {
	return append([]Citation{{Version: o.Version, Article: o.Article}}, o.Equivalents...)
}

// Filter selects obligations; empty fields match everything.
type Filter struct {
	Instrument string // instrument id
	Binds      string // one of BindsValues
	Capability string
	Subject    string
	Text       string // case-insensitive substring of id, title or summary, in either language
}

// Find returns the obligations matching f, sorted by id.
func (c *Catalog) Find(f Filter) []*Obligation {
	q := strings.ToLower(strings.TrimSpace(f.Text))
	var out []*Obligation
	for _, o := range c.Obligations {
		if f.Instrument != "" && o.Instrument != f.Instrument ||
			f.Capability != "" && o.Capability != f.Capability ||
			f.Subject != "" && o.Subject != f.Subject ||
			f.Binds != "" && !contains(o.Binds, f.Binds) {
			continue
		}
		if q != "" {
			hay := strings.ToLower(strings.Join([]string{o.ID, o.Title.Zh, o.Title.En, o.Summary.Zh, o.Summary.En}, "\n"))
			if !strings.Contains(hay, q) {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}

// ArticleMatch is an obligation found by article, with every citation of it (so that the UI can
// show "CSL 2016 Art. 21(3) = CSL 2025 Art. 23(3)").
type ArticleMatch struct {
	Obligation *Obligation
	Matched    Citation   // the citation that matched the query
	Citations  []Citation // all citations, own first; other instruments as "INSTR:version"
}

// Article finds the obligations written in an instrument's article, in whichever version it is
// numbered: Article("CSL", "2016", "21") and Article("CSL", "2025", "23") return the same duties.
// article "21" matches "21" and its paragraphs "21(3)"; "21(3)" matches only that paragraph.
// An empty version matches any version.
func (c *Catalog) Article(instrument, version, article string) []ArticleMatch {
	var out []ArticleMatch
	for _, o := range c.Obligations {
		for _, ct := range o.Citations() {
			inst, ver := o.Instrument, ct.Version
			if i := strings.Index(ver, ":"); i >= 0 {
				inst, ver = ver[:i], ver[i+1:]
			}
			if inst != instrument || (version != "" && ver != version) || !articleMatches(ct.Article, article) {
				continue
			}
			out = append(out, ArticleMatch{Obligation: o, Matched: ct, Citations: o.Citations()})
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Obligation.ID < out[j].Obligation.ID })
	return out
}

func articleMatches(have, want string) bool {
	if have == want {
		return true
	}
	return !strings.Contains(want, "(") && strings.HasPrefix(have, want+"(")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
