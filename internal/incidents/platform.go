package incidents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// ChannelPlatform is a report filed in ciiguard with the organisation's protection-work
// department (kernel.Submissions, the regulator's inbox): the filing time is the sending
// time, and the department's answers show on the report's page. The other authorities
// ticked with it (the police for a CII) were told outside ciiguard at the same time.
const ChannelPlatform = "platform"

// submissionRef names a report's filing in the regulator's inbox, so a filing is found again
// (and never made twice) whatever happens between filing and recording.
func submissionRef(rid int64) string { return "incident-report:" + strconv.FormatInt(rid, 10) }

// filing is what the protection-work department receives: the report in both languages
// with what it needs to judge it against its clock.
type filing struct {
	IncidentID int64      `json:"incident_id"`
	ReportID   int64      `json:"report_id"`
	Kind       string     `json:"kind"`
	Number     int        `json:"number"`
	Version    int        `json:"version"`
	Title      string     `json:"title"`
	Grade      string     `json:"grade"`
	DetectedAt time.Time  `json:"detected_at"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	To         []string   `json:"to"`
	Content    Content    `json:"content"`
}

// Regulator is the protection-work department reports are filed with in ciiguard;
// store.ErrNotFound when the installation has no regulator's workspace or the
// organisation has named no department.
func (s *Service) Regulator(ctx context.Context) (kernel.RegulatorRef, error) {
	if s.subs == nil {
		return kernel.RegulatorRef{}, store.ErrNotFound
	}
	return s.subs.Regulator(ctx)
}

// Filing is the report's filing in the regulator's inbox with the department's answers;
// store.ErrNotFound when it was not filed there.
func (s *Service) Filing(ctx context.Context, rid int64) (kernel.Submission, error) {
	if s.subs == nil {
		return kernel.Submission{}, store.ErrNotFound
	}
	subs, err := s.subs.SubmissionsFor(ctx, submissionRef(rid))
	if err != nil {
		return kernel.Submission{}, fmt.Errorf("read the filing of report %d: %w", rid, err)
	}
	if len(subs) == 0 {
		return kernel.Submission{}, store.ErrNotFound
	}
	return subs[0], nil
}

// file files the latest version of a report with the protection-work department, once:
// a filing already made under the report's reference is returned as it is. It checks what
// SendReport checks before anything leaves, so a report that cannot be recorded as sent is
// not filed either.
func (s *Service) file(ctx context.Context, id, rid int64, to []Authority) (time.Time, error) {
	in, err := s.Get(ctx, id) // another organisation's incident is a 404 before anything else
	if err != nil {
		return time.Time{}, err
	}
	if s.subs == nil {
		return time.Time{}, problem.Field("channel", "this installation has no regulator's workspace: record a report sent outside ciiguard")
	}
	if !has(to, ProtectionDept) {
		return time.Time{}, problem.Field("to", "a report filed in ciiguard goes to the protection-work department: tick it")
	}
	if _, err := s.subs.Regulator(ctx); errors.Is(err, store.ErrNotFound) {
		return time.Time{}, problem.Field("channel", "your organisation has named no protection-work department in ciiguard (the Filings page, /filings): record a report sent outside ciiguard")
	} else if err != nil {
		return time.Time{}, fmt.Errorf("read the protection-work department: %w", err)
	}
	if prior, err := s.Filing(ctx, rid); err == nil {
		return prior.SubmittedAt, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, err
	}
	all, err := s.Reports(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	r, ok := find(all, rid)
	switch {
	case !ok:
		return time.Time{}, store.ErrNotFound
	case r.Sent():
		return time.Time{}, problem.Conflictf("report", "this version was sent already")
	case !latest(all, r):
		return time.Time{}, problem.Conflictf("report", "a newer version of this report exists: send that one")
	}
	if miss := r.Content.Missing(r.Kind); len(miss) > 0 {
		return time.Time{}, problem.Field("content", "items %s are empty in the Chinese text (a first report may mark the optional ones to follow)", strings.Join(miss, ", "))
	}
	f := filing{IncidentID: id, ReportID: rid, Kind: r.Kind, Number: r.Number, Version: r.Version, Title: in.Title,
		Grade: in.Grade().Code(), DetectedAt: in.DetectedAt.UTC(), To: authorityCodes(to), Content: r.Content}
	if due, ok := reportDue(&in, r.Kind); ok {
		f.DueAt = &due
	}
	payload, err := json.Marshal(f)
	if err != nil {
		return time.Time{}, fmt.Errorf("encode the filing: %w", err)
	}
	num := ""
	if r.Kind == KindFollowUp {
		num = " " + strconv.Itoa(r.Number)
	}
	_, err = s.subs.Submit(ctx, kernel.NewSubmission{Kind: kernel.SubmitIncidentReport,
		TitleZH: fmt.Sprintf("网络安全事件%s%s：%s（%s）", KindZh(r.Kind), num, in.Title, in.Grade().Zh()),
		TitleEN: fmt.Sprintf("Incident %s%s: %s (%s)", KindEn(r.Kind), num, in.Title, in.Grade().En()),
		Payload: payload, Ref: submissionRef(rid)})
	if err != nil {
		return time.Time{}, fmt.Errorf("file the report with the protection-work department: %w", err)
	}
	return s.now(), nil // the incident's clock reads the time it was filed
}

// reportDue is the deadline of a report of that kind, if its kind has a clock.
func reportDue(in *Incident, kind string) (time.Time, bool) {
	switch {
	case kind == KindFirst:
		return FirstReportDue(in.DetectedAt, RouteByCode(in.Route)), true
	case kind == KindSummary && in.HandledAt != nil:
		return SummaryDue(*in.HandledAt), true
	}
	return time.Time{}, false
}

func authorityCodes(as []Authority) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
