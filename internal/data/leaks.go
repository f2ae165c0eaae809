package data

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Personal-information leaks. A leak recorded against a data asset is an incident: it is
// opened in the incidents capability through the kernel's contract (kernel.Incidents), so
// that the incident's grading, routing and first-report clock (1 hour for the grades that
// must be reported) apply, and the leak keeps the incident's link. The grade follows the
// number of people (REGULATORY-BRIEF, Incidents: IRM 2025 grading by personal-information
// leak size): the incident is raised to it at once, because the contract carries no impact
// figures. The incident touches the asset's systems, so a leak from an identified CII system
// takes the 1-hour route. The incident's description names the asset and its page, the way
// back.

// LeakGrades are the IRM 2025 grades by people whose personal information leaked, highest
// first: ≥ 100,000,000 especially major, ≥ 10,000,000 major, ≥ 1,000,000 relatively major.
var LeakGrades = []struct {
	People int64
	Code   string
	Zh, En string
}{
	{100_000_000, "especially_major", "特别重大", "especially major"},
	{10_000_000, "major", "重大", "major"},
	{1_000_000, "relatively_major", "较大", "relatively major"},
}

// leakGrade is the grade a leak of people's personal information reaches, "" below them all.
func leakGrade(people int64) (code, zh, en string) {
	for _, g := range LeakGrades {
		if people >= g.People {
			return g.Code, g.Zh, g.En
		}
	}
	return "", "", ""
}

// Leak is a leak of an asset's personal information, with the incident it opened.
type Leak struct {
	ID          int64     `json:"id"`
	AssetID     int64     `json:"asset_id"`
	DetectedAt  time.Time `json:"detected_at"`
	People      int64     `json:"people"`
	Sensitive   bool      `json:"sensitive"`
	Description string    `json:"description"`
	// IncidentID and IncidentPath link the incident opened for it; 0 and "" when the
	// installation has no incidents capability.
	IncidentID   int64     `json:"incident_id"`
	IncidentPath string    `json:"incident_path"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// LeakInput is a leak as a person records it.
type LeakInput struct {
	// DetectedAt is when it was found: China time to the minute ("2026-12-01T09:00") or an
	// RFC 3339 instant.
	DetectedAt  string `json:"detected_at"`
	People      int64  `json:"people"`
	Sensitive   bool   `json:"sensitive"`
	Description string `json:"description"`
}

// parseChinaTime reads a time typed in China time, to the minute, or an RFC 3339 instant.
func parseChinaTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Shanghai); err == nil {
			return t.Truncate(time.Minute), true
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Truncate(time.Minute), true
	}
	return time.Time{}, false
}

// RecordLeak records a leak of asset's personal information and opens its incident. The
// incident is opened first, so that its clock runs from the detection even if recording
// the leak then fails; the leak is recorded with the incident's link.
func (s *Service) RecordLeak(ctx context.Context, assetID int64, in LeakInput) (Leak, error) {
	l := Leak{AssetID: assetID, People: in.People, Sensitive: in.Sensitive, Description: strings.TrimSpace(in.Description)}
	v := &problem.Invalid{}
	switch t, ok := parseChinaTime(in.DetectedAt); {
	case strings.TrimSpace(in.DetectedAt) == "":
		v.Add("detected_at", "is required (China time, e.g. 2026-12-01T09:00)")
	case !ok:
		v.Add("detected_at", "is not a time: write it as 2026-12-01T09:00 (China time)")
	case t.After(s.Now().Add(time.Minute)):
		v.Add("detected_at", "is in the future")
	default:
		l.DetectedAt = t.UTC()
	}
	if l.People <= 0 || l.People > maxPeople {
		v.Add("people", "must be between 1 and %d: how many people's personal information leaked (an estimate will do)", maxPeople)
	}
	v.Text("description", l.Description, true, maxText)
	if err := v.Err(); err != nil {
		return Leak{}, err
	}
	a, err := s.GetAsset(ctx, assetID)
	if err != nil {
		return Leak{}, err
	}
	if !a.PI() {
		return Leak{}, problem.Field("asset", "holds no personal information: record other incidents in the incidents capability")
	}
	if l.People > a.People {
		return Leak{}, problem.Field("people", "is more than the %d people whose personal information the asset holds", a.People)
	}
	if s.incidents != nil {
		ref, err := s.incidents.OpenFromSighting(ctx, leakIncident(a, l))
		if err != nil {
			return Leak{}, fmt.Errorf("open the leak's incident: %w", err)
		}
		l.IncidentID, l.IncidentPath = ref.ID, ref.Path
	}
	l.CreatedBy, l.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO data_leaks (org_id, asset_id, detected_at, people, sensitive, description, incident_id, incident_path, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, l.AssetID, l.DetectedAt, l.People, l.Sensitive, l.Description, l.IncidentID, l.IncidentPath,
			l.CreatedBy, l.CreatedAt).Scan(&l.ID); err != nil {
			return fmt.Errorf("record leak: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_leak", strconv.FormatInt(l.ID, 10), audit.Create, nil, l, a.Name)
	})
	return l, err
}

// leakIncident describes a leak as an incident of the GB/T 20986-2023 category data /
// leak, raised to the grade its size reaches. Incidents keep free text in one language, as
// the threat capability's do: Chinese.
func leakIncident(a Asset, l Leak) kernel.SightingIncident {
	kind := "个人信息"
	if l.Sensitive {
		kind = "个人信息（含敏感个人信息）"
	}
	si := kernel.SightingIncident{
		Title: clip("个人信息泄露："+a.Name, 200),
		Description: fmt.Sprintf("数据资产“%s”（%s）的%s泄露，涉及约%d人。%s\n数据资产页面：/data/assets/%d",
			a.Name, a.Department, kind, l.People, l.Description, a.ID),
		Type: "data", Subtype: "leak", DetectedAt: l.DetectedAt, Systems: a.Systems,
	}
	if code, zh, _ := leakGrade(l.People); code != "" {
		si.RaiseTo = code
		si.RaiseReason = fmt.Sprintf("个人信息泄露约%d人，按《网络安全事件报告管理办法》（2025年）分级：100万人以上为较大，1000万人以上为重大，1亿人以上为特别重大，本事件为%s", l.People, zh)
	}
	return si
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// readLeaks reads the organisation's leaks, the latest first.
func readLeaks(t *store.Tenant) ([]Leak, error) {
	rows, err := t.Query(`SELECT id, asset_id, detected_at, people, sensitive, description, incident_id, incident_path, created_by, created_at
FROM data_leaks WHERE org_id = $1 ORDER BY detected_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list leaks: %w", err)
	}
	defer rows.Close()
	var out []Leak
	for rows.Next() {
		var l Leak
		if err := rows.Scan(&l.ID, &l.AssetID, &l.DetectedAt, &l.People, &l.Sensitive, &l.Description, &l.IncidentID, &l.IncidentPath,
			&l.CreatedBy, &l.CreatedAt); err != nil {
			return nil, fmt.Errorf("read leak: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LeakView is a leak with its incident as the incidents capability tells it now.
type LeakView struct {
	Leak
	Incident *kernel.IncidentRef `json:"incident,omitempty"`
}

// leakViews looks up each leak's incident (its grade, whether open, the first report's
// deadline); a lookup that fails leaves the link alone.
func (s *Service) leakViews(ctx context.Context, leaks []Leak) ([]LeakView, error) {
	out := make([]LeakView, 0, len(leaks))
	for _, l := range leaks {
		lv := LeakView{Leak: l}
		if s.incidents != nil && l.IncidentID != 0 {
			ref, err := s.incidents.Incident(ctx, l.IncidentID)
			switch {
			case err == nil:
				lv.Incident = &ref
			case !errors.Is(err, store.ErrNotFound):
				return nil, fmt.Errorf("the leak's incident: %w", err)
			}
		}
		out = append(out, lv)
	}
	return out, nil
}
