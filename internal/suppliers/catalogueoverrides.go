package suppliers

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/problem"
)

// The built-in catalogue is what ciiguard read; an installation may know better before a
// release does: the CAC publishes a new batch, a lawyer reads an unconfirmed entry as not
// applying, a threshold is revised. The installation's operations team (the same role that
// loads a holiday schedule: the catalogue is national, so one tenant must not move another's
// duty) keeps overrides of the catalogue, each with its reason, audited, its history kept.
// The catalogue every page, API and fact reads is the effective one: the built-in entries
// with the overrides applied, each entry labelled built-in, changed or added here.

// Override kinds.
const (
	// OverrideNotApplicable marks a built-in entry as not applying in this installation:
	// the duty no longer follows from it.
	OverrideNotApplicable = "not_applicable"
	// OverrideThreshold changes figures of a built-in equipment entry's range.
	OverrideThreshold = "threshold"
	// OverrideAdded adds an entry the built-in catalogue does not have.
	OverrideAdded = "added"
)

// Entry origins in the effective catalogue.
const (
	OriginBuiltin = "builtin" // as shipped
	OriginChanged = "changed" // a built-in entry this installation changed
	OriginAdded   = "added"   // an entry this installation added
)

// Override is one of the installation's changes to the catalogue; at most one per code.
type Override struct {
	Code string `json:"code"`
	Kind string `json:"kind"`
	// Values are a threshold override's new figures, by metric.
	Values map[string]float64 `json:"values,omitempty"`
	// Entry is an added entry.
	Entry  *CatalogueEntry `json:"entry,omitempty"`
	Reason string          `json:"reason"`
	By     string          `json:"made_by"`
	At     time.Time       `json:"made_at"`
}

// OverrideChange is one line of an override's history: who changed what, when and why.
type OverrideChange struct {
	ID     int64     `json:"id"`
	Code   string    `json:"code"`
	Action string    `json:"action"` // create, update or withdraw
	Before *Override `json:"before,omitempty"`
	After  *Override `json:"after,omitempty"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// OverrideInput is an override as the administrator gives it.
type OverrideInput struct {
	Kind   string             `json:"kind"`
	Values map[string]float64 `json:"values,omitempty"`
	Entry  *EntryInput        `json:"entry,omitempty"`
	Reason string             `json:"reason"`
}

// EntryInput is an added entry as the administrator gives it.
type EntryInput struct {
	Group      string      `json:"group"`
	Zh         string      `json:"zh"`
	En         string      `json:"en"`
	DescZh     string      `json:"description_zh"`
	DescEn     string      `json:"description_en"`
	Thresholds []Threshold `json:"thresholds,omitempty"`
	Instrument string      `json:"instrument"`
	Source     string      `json:"source"`
	Confirmed  bool        `json:"confirmed"`
}

// EffectiveEntry is an entry of the effective catalogue.
type EffectiveEntry struct {
	CatalogueEntry
	Origin string `json:"origin"`
	// NotApplicable says an override took the entry out of this installation's catalogue.
	NotApplicable bool `json:"not_applicable,omitempty"`
	// Builtin is the built-in entry a changed entry replaces, for the pages' "was".
	Builtin  *CatalogueEntry `json:"builtin,omitempty"`
	Override *Override       `json:"override,omitempty"`
}

// Effective is the catalogue as this installation applies it: the built-in entries with its
// overrides. The zero value is the built-in catalogue.
type Effective struct {
	ov map[string]Override
}

// NewEffective applies overrides to the built-in catalogue.
func NewEffective(overrides []Override) Effective {
	c := Effective{ov: map[string]Override{}}
	for _, o := range overrides {
		c.ov[o.Code] = o
	}
	return c
}

// apply is the effective form of built-in entry e.
func (c Effective) apply(e CatalogueEntry) EffectiveEntry {
	o, ok := c.ov[e.Code]
	if !ok {
		return EffectiveEntry{CatalogueEntry: e, Origin: OriginBuiltin}
	}
	was := e
	out := EffectiveEntry{CatalogueEntry: e, Origin: OriginChanged, Builtin: &was, Override: &o}
	switch o.Kind {
	case OverrideNotApplicable:
		out.NotApplicable = true
	case OverrideThreshold:
		out.Thresholds = make([]Threshold, len(e.Thresholds))
		for i, t := range e.Thresholds {
			if v, ok := o.Values[t.Metric]; ok {
				t.Value = v
			}
			out.Thresholds[i] = t
		}
	}
	return out
}

// Entries lists the effective catalogue: the built-in entries in their order, then the
// added ones by code.
func (c Effective) Entries() []EffectiveEntry {
	out := make([]EffectiveEntry, 0, len(Catalogue)+len(c.ov))
	for _, e := range Catalogue {
		out = append(out, c.apply(e))
	}
	var added []string
	for code, o := range c.ov {
		if o.Kind == OverrideAdded && o.Entry != nil {
			added = append(added, code)
		}
	}
	sort.Strings(added)
	for _, code := range added {
		o := c.ov[code]
		out = append(out, EffectiveEntry{CatalogueEntry: *o.Entry, Origin: OriginAdded, Override: &o})
	}
	return out
}

// Entry is the effective entry of code; ok is false for "" and codes on no entry.
func (c Effective) Entry(code string) (EffectiveEntry, bool) {
	if e, ok := CatalogueEntryOf(code); ok {
		return c.apply(e), true
	}
	if o, ok := c.ov[code]; ok && o.Kind == OverrideAdded && o.Entry != nil {
		return EffectiveEntry{CatalogueEntry: *o.Entry, Origin: OriginAdded, Override: &o}, true
	}
	return EffectiveEntry{}, false
}

// codes lists the codes a product may name, for refusals.
func (c Effective) codes() string {
	var out []string
	for _, e := range c.Entries() {
		out = append(out, e.Code)
	}
	return strings.Join(append(out, CategoryNotListed), ", ")
}

// BasisNotApplicable: the product's entry is marked not applicable in this installation.
const BasisNotApplicable = "not_applicable_here"

// Duty says whether the effective catalogue puts product p under the certification duty,
// and why (see CatalogueDuty for the reading of ranges).
func (c Effective) Duty(p Product) (needs bool, basis string) {
	if p.Category == CategoryNotListed {
		return false, BasisNotListed
	}
	e, ok := c.Entry(p.Category)
	if !ok {
		if TypeOf(p.Type).NeedsCert {
			return true, BasisTypeDefault
		}
		return false, BasisNoDuty
	}
	if e.NotApplicable {
		return false, BasisNotApplicable
	}
	return rangeDuty(e.CatalogueEntry, p.Specs)
}

// CertStatus is p's standing at now against the effective catalogue.
func (c Effective) CertStatus(p Product, shared map[int64]SharedCert, now time.Time) CertStatus {
	st := certStatus(p, shared, now)
	st.Needs, st.Basis = c.Duty(p)
	st.Gap = st.Needs && len(p.Systems) > 0 && !st.Certified
	return st
}

// Bounds of an override's text.
const (
	maxOverrideReason = 2000
	maxEntryDesc      = 2000
	maxThresholds     = 8
)

// codePattern is the form of an added entry's code, like the built-in ones.
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,47}$`)

// validFigure says v may be a threshold or figure: positive and finite.
func validFigure(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v > 0 }

// validOverride checks in as the override of code and returns it, without who and when.
func validOverride(code string, in OverrideInput) (Override, error) {
	v := &problem.Invalid{}
	o := Override{Code: strings.TrimSpace(code), Kind: strings.TrimSpace(in.Kind), Reason: strings.TrimSpace(in.Reason)}
	v.Text("reason", o.Reason, true, maxOverrideReason)
	builtin, isBuiltin := CatalogueEntryOf(o.Code)
	switch o.Kind {
	case OverrideNotApplicable:
		if !isBuiltin {
			v.Add("code", "is not an entry of the built-in catalogue (%s)", catalogueCodes())
		}
	case OverrideThreshold:
		switch {
		case !isBuiltin:
			v.Add("code", "is not an entry of the built-in catalogue (%s)", catalogueCodes())
		case len(builtin.Thresholds) == 0:
			v.Add("code", "is a security product: it has no range to change")
		case len(in.Values) == 0:
			v.Add("values", "is required: give at least one figure of the range")
		}
		if isBuiltin {
			o.Values = map[string]float64{}
			keys := make([]string, 0, len(in.Values))
			for k := range in.Values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				x, known := in.Values[k], false
				for _, t := range builtin.Thresholds {
					known = known || t.Metric == k
				}
				switch {
				case !known:
					v.Add("values."+k, "is not a figure of the entry's range")
				case !validFigure(x):
					v.Add("values."+k, "must be a positive number")
				default:
					o.Values[k] = x
				}
			}
		}
	case OverrideAdded:
		switch {
		case isBuiltin:
			v.Add("code", "is an entry of the built-in catalogue: change it or mark it not applicable instead")
		case o.Code == CategoryNotListed || !codePattern.MatchString(o.Code):
			v.Add("code", "must be 2 to 48 lower-case letters, digits or _ starting with a letter, and not not_listed")
		}
		if in.Entry == nil {
			v.Add("entry", "is required for an added entry")
			break
		}
		e := validEntry(v, o.Code, *in.Entry)
		o.Entry = &e
	default:
		v.Add("kind", "must be one of %s, %s, %s", OverrideNotApplicable, OverrideThreshold, OverrideAdded)
	}
	if err := v.Err(); err != nil {
		return Override{}, err
	}
	return o, nil
}

// validEntry checks an added entry; its refusals name entry.* fields.
func validEntry(v *problem.Invalid, code string, in EntryInput) CatalogueEntry {
	e := CatalogueEntry{Code: code, Group: strings.TrimSpace(in.Group), Zh: strings.TrimSpace(in.Zh), En: strings.TrimSpace(in.En),
		DescZh: strings.TrimSpace(in.DescZh), DescEn: strings.TrimSpace(in.DescEn), Instrument: strings.TrimSpace(in.Instrument),
		Source: strings.TrimSpace(in.Source), Confirmed: in.Confirmed}
	if e.Group != GroupEquipment && e.Group != GroupSecurity {
		v.Add("entry.group", "must be %s or %s", GroupEquipment, GroupSecurity)
	}
	v.Text("entry.zh", e.Zh, true, maxName)
	v.Text("entry.en", e.En, true, maxName)
	v.Text("entry.description_zh", e.DescZh, true, maxEntryDesc)
	v.Text("entry.description_en", e.DescEn, true, maxEntryDesc)
	v.Text("entry.instrument", e.Instrument, true, maxEntryDesc)
	v.Text("entry.source", e.Source, true, maxEntryDesc)
	switch {
	case e.Group == GroupEquipment && len(in.Thresholds) == 0:
		v.Add("entry.thresholds", "is required for equipment: give at least one figure of the range")
	case e.Group == GroupSecurity && len(in.Thresholds) > 0:
		v.Add("entry.thresholds", "must be empty for a security product: the catalogue gives them no range")
	case len(in.Thresholds) > maxThresholds:
		v.Add("entry.thresholds", "has more than %d figures", maxThresholds)
	}
	seen := map[string]bool{}
	for i, t := range in.Thresholds {
		f := fmt.Sprintf("entry.thresholds[%d]", i)
		t.Metric, t.Zh, t.En = strings.TrimSpace(t.Metric), strings.TrimSpace(t.Zh), strings.TrimSpace(t.En)
		t.UnitZh, t.UnitEn = strings.TrimSpace(t.UnitZh), strings.TrimSpace(t.UnitEn)
		switch {
		case !codePattern.MatchString(t.Metric):
			v.Add(f+".metric", "must be 2 to 48 lower-case letters, digits or _ starting with a letter")
		case seen[t.Metric]:
			v.Add(f+".metric", "is given twice")
		}
		seen[t.Metric] = true
		if !problem.TextOK(t.Zh, true, maxName) || !problem.TextOK(t.En, true, maxName) {
			v.Add(f+".name", "is required in both languages")
		}
		if !problem.TextOK(t.UnitZh, true, maxShort) || !problem.TextOK(t.UnitEn, true, maxShort) {
			v.Add(f+".unit", "is required in both languages")
		}
		if !validFigure(t.Value) {
			v.Add(f+".value", "must be a positive number")
		}
		if e.Group == GroupEquipment {
			e.Thresholds = append(e.Thresholds, t)
		}
	}
	return e
}

// ParseThresholds reads an added entry's range as typed on the form, one figure a line:
//
//	metric | 中文名 | English name | 单位 | unit | ≥ | value
//
// (">=" and "<=" may stand for ≥ and ≤). An empty text is no range. A line that does not
// read is refused naming its number; the figures are then checked by validOverride.
func ParseThresholds(text string) ([]Threshold, error) {
	var out []Threshold
	v := &problem.Invalid{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 7 {
			v.Add("thresholds", "line %d: give 7 parts separated by |: metric, Chinese name, English name, Chinese unit, English unit, ≥ or ≤, value", i+1)
			continue
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		t := Threshold{Metric: f[0], Zh: f[1], En: f[2], UnitZh: f[3], UnitEn: f[4]}
		switch f[5] {
		case "≥", ">=":
		case "≤", "<=":
			t.AtMost = true
		default:
			v.Add("thresholds", "line %d: the sixth part must be ≥ or ≤", i+1)
			continue
		}
		x, err := strconv.ParseFloat(f[6], 64)
		if err != nil || !validFigure(x) {
			v.Add("thresholds", "line %d: the value must be a positive number", i+1)
			continue
		}
		t.Value = x
		out = append(out, t)
	}
	return out, v.Err()
}

// FormatThresholds writes a range in ParseThresholds's form, for the form's text area.
func FormatThresholds(ts []Threshold) string {
	var b strings.Builder
	for _, t := range ts {
		op := "≥"
		if t.AtMost {
			op = "≤"
		}
		fmt.Fprintf(&b, "%s | %s | %s | %s | %s | %s | %s\n", t.Metric, t.Zh, t.En, t.UnitZh, t.UnitEn, op, strconv.FormatFloat(t.Value, 'g', -1, 64))
	}
	return b.String()
}

// overrideJSON is how an override is stored: its kind's payload.
type overrideJSON struct {
	Values map[string]float64 `json:"values,omitempty"`
	Entry  *CatalogueEntry    `json:"entry,omitempty"`
}

func (o Override) payload() (string, error) {
	b, err := json.Marshal(overrideJSON{Values: o.Values, Entry: o.Entry})
	if err != nil {
		return "", fmt.Errorf("encode override %s: %w", o.Code, err)
	}
	return string(b), nil
}
