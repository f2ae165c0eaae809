package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Scheduled records: two yearly duties, each a record per year that is scheduled with a due
// day and then done with its report.
//
//   - The personal-information self-inspection: 电信业务经营者、互联网信息服务提供者应当对其
//     用户个人信息保护情况每年至少进行一次自查，记录自查情况，及时消除自查中发现的安全隐患
//     (PI13, MIIT Order 24 of 2013, Art. 16).
//   - The data-risk assessment of an important-data handler: 每年度对其网络数据处理活动开展风险
//     评估，并向省级以上有关主管部门报送风险评估报告 (NDSR 2024 Art. 33; DSL 2021 Art. 30 asks
//     for it periodically).
//
// Neither text sets a day of the year. Our reading, shown on the page: each is due within a
// year (365 days) of the previous one — the self-inspection's last completion, the risk
// report's last submission — or by the due day of the year's scheduled record when that is
// earlier (the department, or the organisation's own plan, may set one).

// Review kinds.
const (
	KindSelfInspection = "pi_self_inspection"
	KindRiskReport     = "risk_assessment"
)

// ReviewKinds are the kinds with their names.
var ReviewKinds = []Option{
	{KindSelfInspection, "个人信息保护年度自查", "yearly personal-information self-inspection"},
	{KindRiskReport, "重要数据年度风险评估报告", "yearly important-data risk assessment report"},
}

// ReviewBasis is each kind's instrument and article, in both languages.
var ReviewBasis = map[string]rules.Text{
	KindSelfInspection: {Zh: "《电信和互联网用户个人信息保护规定》（工业和信息化部令第24号，2013年）第十六条：每年至少进行一次自查，记录自查情况，及时消除安全隐患",
		En: "Provisions on Protecting the Personal Information of Telecom and Internet Users (MIIT Order No. 24, 2013), Art. 16: self-inspect at least once a year, record it, remove the weaknesses found"},
	KindRiskReport: {Zh: "《网络数据安全管理条例》（国务院令第790号，2024年）第三十三条：重要数据的处理者每年度开展风险评估，并向省级以上有关主管部门报送风险评估报告（《数据安全法》2021年第三十条）",
		En: "Regulation on Network Data Security Management (State Council Decree No. 790, 2024), Art. 33: an important-data handler assesses the risks of its processing every year and sends the report to the competent department at provincial level or above (DSL 2021 Art. 30)"},
}

// ReviewIntervalDays is how long after the previous one the next review is due: "at least once
// a year" (PI13 Art. 16) and "every year" (NDSR Art. 33), read as within 365 days, as the
// catalog's self-inspection duty always has.
const ReviewIntervalDays = 365

// Review is one year's self-inspection or risk report: scheduled with its due day, done with
// its day, summary and report (for a risk report, the day it was submitted and to whom).
type Review struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Period string `json:"period"` // the year it covers
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on"` // "" while scheduled
	// Summary is what was found and what was done about it.
	Summary     string `json:"summary"`
	SubmittedTo string `json:"submitted_to"` // a risk report's department
	// ReportSHA256 is the report's SHA-256; ReportUploaded says it was uploaded with the
	// record to the evidence store.
	ReportSHA256   string    `json:"report_sha256"`
	ReportUploaded bool      `json:"report_uploaded"`
	DoneBy         string    `json:"done_by"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// ReviewInput schedules a year's review; DueOn "" takes the clock's next due day.
type ReviewInput struct {
	Kind   string `json:"kind"`
	Period string `json:"period"`
	DueOn  string `json:"due_on"`
}

// CompleteInput records a review as done with its report: a file uploaded from the page, or
// its SHA-256 typed in.
type CompleteInput struct {
	DoneOn       string `json:"done_on"`
	Summary      string `json:"summary"`
	SubmittedTo  string `json:"submitted_to"`
	ReportSHA256 string `json:"report_sha256"`
	uploaded     bool
}

// ReviewClock is where one kind of review stands on a day.
type ReviewClock struct {
	Kind string
	// Last is the latest done day, "" if never; LastFromProfile says it is the organisation
	// profile's typed-in self-inspection day, later than any record.
	Last            string
	LastFromProfile bool
	// Due is the next due day: the earliest of the open records' due days and Last plus
	// ReviewIntervalDays; "" when never done and nothing is scheduled.
	Due     string
	Overdue bool // Due is before the day
	Reviews []ReviewState
}

// ReviewState is a record with its status on the day: done, scheduled or overdue.
type ReviewState struct {
	Review
	Status string
}

// reviewClocks works out both kinds' clocks on day; profileLastPI is the profile's typed-in
// self-inspection day (zero when none), which counts while no record is later.
func reviewClocks(rs *Records, day time.Time, profileLastPI time.Time) map[string]*ReviewClock {
	out := map[string]*ReviewClock{}
	for _, k := range ReviewKinds {
		out[k.Code] = &ReviewClock{Kind: k.Code}
	}
	open := map[string]string{}
	for _, r := range rs.Reviews {
		c := out[r.Kind]
		if c == nil {
			continue
		}
		st := ReviewState{Review: r, Status: "done"}
		if r.DoneOn == "" {
			st.Status = "scheduled"
			if day.After(mustDay(r.DueOn)) {
				st.Status = "overdue"
			}
			if open[r.Kind] == "" || r.DueOn < open[r.Kind] {
				open[r.Kind] = r.DueOn
			}
		} else if r.DoneOn > c.Last {
			c.Last = r.DoneOn
		}
		c.Reviews = append(c.Reviews, st)
	}
	if !profileLastPI.IsZero() {
		c := out[KindSelfInspection]
		if p := profileLastPI.In(calendar.Shanghai).Format(time.DateOnly); p > c.Last {
			c.Last, c.LastFromProfile = p, true
		}
	}
	for kind, c := range out {
		c.Due = open[kind]
		if c.Last != "" {
			if next := mustDay(c.Last).AddDate(0, 0, ReviewIntervalDays).Format(time.DateOnly); c.Due == "" || next < c.Due {
				c.Due = next
			}
		}
		c.Overdue = c.Due != "" && day.After(mustDay(c.Due))
	}
	return out
}

// validPeriod reads a year.
func validPeriod(v *problem.Invalid, s string) string {
	s = strings.TrimSpace(s)
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < 2000 || y > 2100 {
		v.Add("period", "must be a year between 2000 and 2100")
		return ""
	}
	return s
}

// ScheduleReview records the year's review of a kind as scheduled, due on in.DueOn or, when
// none is given, on the kind's next due day (or 31 December of the year when it was never
// done). A year already recorded is a conflict.
func (s *Service) ScheduleReview(ctx context.Context, in ReviewInput) (Review, error) {
	r := Review{Kind: strings.TrimSpace(in.Kind)}
	v := &problem.Invalid{}
	if _, ok := optionOf(ReviewKinds, r.Kind); !ok {
		v.Add("kind", "is required: one of %s", codes(ReviewKinds))
	}
	r.Period = validPeriod(v, in.Period)
	r.DueOn = dayField(v, "due_on", in.DueOn, false)
	if err := v.Err(); err != nil {
		return Review{}, err
	}
	if r.DueOn == "" {
		_, st, err := s.State(ctx)
		if err != nil {
			return Review{}, err
		}
		r.DueOn = st.Reviews[r.Kind].Due
		if r.DueOn == "" || st.Reviews[r.Kind].Overdue {
			r.DueOn = r.Period + "-12-31"
		}
	}
	r.CreatedBy, r.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM data_reviews WHERE org_id = $1 AND kind = $2 AND period = $3`, r.Kind, r.Period).Scan(&n); err != nil {
			return fmt.Errorf("look for the year's review: %w", err)
		}
		if n > 0 {
			return problem.Conflictf("period", "%s is already recorded for this kind", r.Period)
		}
		if err := t.QueryRow(`INSERT INTO data_reviews (org_id, kind, period, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			r.Kind, r.Period, r.DueOn, r.CreatedBy, r.CreatedAt).Scan(&r.ID); err != nil {
			return fmt.Errorf("schedule review: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_review", strconv.FormatInt(r.ID, 10), audit.Create, nil, r, r.Kind+" "+r.Period)
	})
	return r, err
}

// checkCompletion validates a completion of a review of kind.
func (s *Service) checkCompletion(kind string, in CompleteInput) (Review, *problem.Invalid) {
	r := Review{Summary: strings.TrimSpace(in.Summary), SubmittedTo: strings.TrimSpace(in.SubmittedTo), ReportUploaded: in.uploaded}
	v := &problem.Invalid{}
	r.DoneOn = dayField(v, "done_on", in.DoneOn, true)
	s.notFuture(v, "done_on", r.DoneOn)
	v.Text("summary", r.Summary, true, maxText)
	if kind == KindRiskReport {
		if r.SubmittedTo == "" {
			v.Add("submitted_to", "is required: the department at provincial level or above the report went to (NDSR 2024 Art. 33)")
		} else {
			v.Text("submitted_to", r.SubmittedTo, true, maxName)
		}
	} else if r.SubmittedTo != "" {
		v.Add("submitted_to", "is only for a risk assessment report")
	}
	sum, ok := validSHA256(in.ReportSHA256)
	switch {
	case strings.TrimSpace(in.ReportSHA256) == "":
		v.Add("report_sha256", "is required: upload the report or give its SHA-256")
	case !ok:
		v.Add("report_sha256", "is not a SHA-256: 64 hexadecimal digits")
	}
	r.ReportSHA256 = sum
	return r, v
}

// CompleteReview records a scheduled review as done, with its report. A review already done
// is a conflict.
func (s *Service) CompleteReview(ctx context.Context, id int64, in CompleteInput) (Review, error) {
	var out Review
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		rs, err := readReviews(t, id)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			return store.ErrNotFound
		}
		before := rs[0]
		done, v := s.checkCompletion(before.Kind, in)
		if err := v.Err(); err != nil {
			return err
		}
		if before.DoneOn != "" {
			return problem.Conflictf("id", "was done on %s", before.DoneOn)
		}
		out = before
		out.DoneOn, out.Summary, out.SubmittedTo, out.ReportSHA256, out.ReportUploaded = done.DoneOn, done.Summary, done.SubmittedTo, done.ReportSHA256, done.ReportUploaded
		out.DoneBy = audit.ActorFrom(ctx).Label
		if _, err := t.Exec(`UPDATE data_reviews SET done_on = $3, summary = $4, submitted_to = $5, report_sha256 = $6, report_uploaded = $7, done_by = $8 WHERE org_id = $1 AND id = $2`,
			id, out.DoneOn, out.Summary, out.SubmittedTo, out.ReportSHA256, out.ReportUploaded, out.DoneBy); err != nil {
			return fmt.Errorf("complete review: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "data_review", strconv.FormatInt(id, 10), audit.Update, before, out, out.Kind+" "+out.Period)
	})
	return out, err
}

// readReviews reads the organisation's reviews, the latest year first; id > 0 keeps that one.
func readReviews(t *store.Tenant, id int64) ([]Review, error) {
	rows, err := t.Query(`SELECT id, kind, period, due_on, done_on, summary, submitted_to, report_sha256, report_uploaded, done_by, created_by, created_at
FROM data_reviews WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY period DESC, kind, id`, id)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	var out []Review
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.ID, &r.Kind, &r.Period, &r.DueOn, &r.DoneOn, &r.Summary, &r.SubmittedTo, &r.ReportSHA256, &r.ReportUploaded,
			&r.DoneBy, &r.CreatedBy, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("read review: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
