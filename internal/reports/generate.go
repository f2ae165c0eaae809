package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
)

// Inventory is what a report needs of the organisation's inventory: its facts and systems
// (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Sources are the contracts a report is generated from. Obligations and Inventory are
// needed; the others may be nil, and the report then says the section is not available.
type Sources struct {
	Inventory   Inventory
	Obligations kernel.Obligations
	Plan        kernel.RemediationPlan
	Vault       kernel.LogVault
	// Facts are the capabilities' fact sets (incidents, emergency, suppliers, people …).
	Facts []kernel.FactSet
	// AreaName names a catalog area in both languages ("assess" → 检测评估 / Assessments).
	AreaName func(area string) rules.Text
}

// Basis are the provisions the annual report answers, as lawyers cite them.
var Basis = []rules.Text{
	{Zh: "《关键信息基础设施安全保护条例》（2021）第十七条", En: "CIIR 2021 Art. 17"},
	{Zh: "《网络安全法》（2016）第三十八条", En: "CSL 2016 Art. 38"},
	{Zh: "《网络安全法》（2025年修正）第四十条", En: "CSL 2025 Art. 40"},
}

// ChangeBasis are the provisions the report on new operation or a major change answers.
var ChangeBasis = []rules.Text{
	{Zh: "《关键信息基础设施安全保护条例》（2021）第十一条", En: "CIIR 2021 Art. 11"},
	{Zh: "《关键信息基础设施安全保护条例》（2017年征求意见稿）第二十八条", En: "CIIR 2017 draft Art. 28"},
}

// Header is who and what a new report is for.
type Header struct {
	Kind string
	Year int
	Org  Organisation
	Now  time.Time
}

// Generate reads the organisation's records through the contracts and returns the report's
// records part (no sections, no sign-off).
func (s Sources) Generate(ctx context.Context, h Header) (Content, error) {
	from := time.Date(h.Year, 1, 1, 0, 0, 0, 0, calendar.Shanghai)
	to := time.Date(h.Year, 12, 31, 0, 0, 0, 0, calendar.Shanghai)
	c := Content{Schema: Schema, Kind: h.Kind, Year: h.Year, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		GeneratedAt: h.Now.UTC().Truncate(time.Second), Organisation: h.Org, Basis: Basis}
	if h.Kind == KindChange {
		c.Basis = ChangeBasis
	}
	org, systems, err := s.Inventory.Facts(ctx)
	if err != nil {
		return c, fmt.Errorf("read the inventory: %w", err)
	}
	c.Organisation.Sectors, c.Organisation.Region = org.Sectors, org.Region
	if c.Organisation.Sectors == nil {
		c.Organisation.Sectors = []string{}
	}
	c.Scope = scopeOf(systems, from, to.AddDate(0, 0, 1))
	cat, err := s.Obligations.Catalog(ctx)
	if err != nil {
		return c, fmt.Errorf("read the catalog: %w", err)
	}
	fs, err := s.Obligations.CurrentFindings(ctx)
	if err != nil {
		return c, fmt.Errorf("read the findings: %w", err)
	}
	c.Findings = findingsOf(cat, fs, s.areaName)
	c.Remediation, err = s.remediation(ctx)
	if err != nil {
		return c, err
	}
	if c.Records, err = s.records(ctx); err != nil {
		return c, err
	}
	if s.Vault != nil {
		v, err := s.Vault.VaultStatus(ctx)
		if err != nil {
			return c, fmt.Errorf("read the log vault: %w", err)
		}
		c.Vault = Vault{Available: true, RetentionDays: v.RetentionDays, Sources: v.Sources, Size: v.Size, RootHex: v.RootHex,
			Checkpoint: v.Checkpoint, VerifierKey: v.VerifierKey}
	}
	c.Sections = make([]Section, len(SectionKeys))
	copy(c.Sections, SectionKeys)
	return c, nil
}

func (s Sources) areaName(area string) rules.Text {
	if s.AreaName == nil {
		return rules.Text{Zh: area, En: area}
	}
	return s.AreaName(area)
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai).Format(time.DateOnly)
}

// scopeOf counts the systems by MLPS level and lists the identified CII systems, by id.
func scopeOf(systems []rules.System, from, until time.Time) Scope {
	sc := Scope{Systems: len(systems), CII: []SystemRow{}}
	levels := map[int64]*LevelCount{}
	for i := range systems {
		sys := &systems[i]
		lc := levels[sys.MLPSLevel]
		if lc == nil {
			lc = &LevelCount{Level: sys.MLPSLevel}
			levels[sys.MLPSLevel] = lc
		}
		lc.Systems++
		if !sys.LastMLPSTest.IsZero() && !sys.LastMLPSTest.Before(from) && sys.LastMLPSTest.Before(until) {
			lc.Tested++
		}
		switch sys.CIIStatus {
		case "identified":
			sc.Identified++
			lc.CII++
			if len(sc.CII) < MaxListed {
				sc.CII = append(sc.CII, SystemRow{ID: sys.ID, Name: sys.Name, Level: sys.MLPSLevel, IdentifiedOn: date(sys.IdentifiedOn),
					LastMLPSTest: date(sys.LastMLPSTest), Filing: sys.FilingNumber})
			} else {
				sc.CIIOmitted++
			}
		case "candidate":
			sc.Candidates++
		}
	}
	for _, lc := range levels {
		sc.Levels = append(sc.Levels, *lc)
	}
	sort.Slice(sc.Levels, func(i, j int) bool { return sc.Levels[i].Level > sc.Levels[j].Level })
	sort.Slice(sc.CII, func(i, j int) bool { return sc.CII[i].ID < sc.CII[j].ID })
	if sc.Levels == nil {
		sc.Levels = []LevelCount{}
	}
	return sc
}

func (c *Counts) add(s rules.Status) {
	switch s {
	case rules.StatusMet:
		c.Met++
	case rules.StatusGap:
		c.Gap++
	case rules.StatusOverdue:
		c.Overdue++
	case rules.StatusNotApplicable:
		c.NotApplicable++
	case rules.StatusNeedsAttestation:
		c.Attest++
	default:
		c.Error++
	}
}

// findingsOf counts the findings by area and groups the open ones by duty: the duty's
// worst status, its subjects, its earliest due date and the reason of its first open
// finding (the organisation's, or the lowest system id's).
func findingsOf(cat *catalog.Catalog, fs []rules.Finding, areaName func(string) rules.Text) Findings {
	var out Findings
	areas := map[string]*AreaRow{}
	duties := map[string]*DutyRow{}
	first := map[string]int64{} // obligation → rank of the subject whose reason is shown
	for i := range fs {
		f := &fs[i]
		area := "other"
		var o *catalog.Obligation
		if cat != nil {
			if ob, ok := cat.Obligation(f.ObligationID); ok {
				o, area = ob, ob.Capability
			}
		}
		out.Totals.add(f.Status)
		a := areas[area]
		if a == nil {
			a = &AreaRow{Area: area, Name: areaName(area)}
			areas[area] = a
		}
		a.Counts.add(f.Status)
		if f.Status != rules.StatusGap && f.Status != rules.StatusOverdue {
			continue
		}
		d := duties[f.ObligationID]
		if d == nil {
			d = &DutyRow{ObligationID: f.ObligationID, Area: area, Status: string(f.Status), Reason: f.Reason}
			if o != nil {
				d.Title = rules.Text{Zh: o.Title.Zh, En: o.Title.En}
				d.Citation = cat.Cite(o.Instrument, catalog.Citation{Version: o.Version, Article: o.Article})
			}
			duties[f.ObligationID] = d
			first[f.ObligationID] = rank(f)
		} else if r := rank(f); r < first[f.ObligationID] {
			d.Reason, first[f.ObligationID] = f.Reason, r
		}
		d.Subjects++
		if f.Status == rules.StatusOverdue {
			d.Status = string(rules.StatusOverdue)
		}
		if f.Due != nil {
			if due := date(*f.Due); d.Due == "" || due < d.Due {
				d.Due = due
			}
		}
	}
	for _, a := range areas {
		out.Areas = append(out.Areas, *a)
	}
	sort.Slice(out.Areas, func(i, j int) bool { return out.Areas[i].Area < out.Areas[j].Area })
	for _, d := range duties {
		out.Open = append(out.Open, *d)
	}
	// Overdue first, then by due date, then by id: the order a reader acts in.
	sort.Slice(out.Open, func(i, j int) bool {
		a, b := out.Open[i], out.Open[j]
		if (a.Status == "overdue") != (b.Status == "overdue") {
			return a.Status == "overdue"
		}
		if a.Due != b.Due {
			return a.Due != "" && (b.Due == "" || a.Due < b.Due)
		}
		return a.ObligationID < b.ObligationID
	})
	if out.Areas == nil {
		out.Areas = []AreaRow{}
	}
	if out.Open == nil {
		out.Open = []DutyRow{}
	}
	return out
}

// rank orders the subjects whose reason a duty shows: the organisation first, then
// systems by number, so the reason shown does not depend on the findings' order.
func rank(f *rules.Finding) int64 {
	if f.SubjectKind == rules.SubjectOrg {
		return -1
	}
	n, err := strconv.ParseInt(f.SubjectID, 10, 64)
	if err != nil {
		return math.MaxInt64
	}
	return n
}

func (s Sources) remediation(ctx context.Context) (Remediation, error) {
	r := Remediation{Tasks: []TaskRow{}}
	if s.Plan == nil {
		return r, nil
	}
	ts, err := s.Plan.OpenTasks(ctx, MaxListed+1)
	if err != nil {
		return r, fmt.Errorf("read the remediation plan: %w", err)
	}
	r.Available = true
	if len(ts) > MaxListed {
		ts, r.More = ts[:MaxListed], true
	}
	for _, t := range ts {
		r.Tasks = append(r.Tasks, TaskRow{ID: t.ID, Title: t.Title, Owner: t.Owner, Due: t.DueDate, Status: t.Status, ObligationID: t.ObligationID})
	}
	return r, nil
}
