package appstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// newTestStore returns a service over a fresh store with two organisations, the first
// with a platform record, and a context for each.
func newTestStore(t *testing.T, d store.Dialect, now *time.Time) (*Service, context.Context, context.Context) {
	t.Helper()
	migs := append(append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...), Migrations...)
	db := storetest.Open(t, d, migs)
	bg := context.Background()
	as := auth.NewService(db)
	var ctxs []context.Context
	for i, name := range []string{"示例应用市场", "另一家"} {
		o, err := as.CreateOrg(bg, auth.Org{Kind: auth.Operator, NameZH: name, NameEN: "org " + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		ctxs = append(ctxs, audit.WithActor(store.WithOrg(bg, o.ID), audit.Actor{UserID: int64(i + 1), OrgID: o.ID, Label: "tester"}))
	}
	s := NewService(db, &fakeEvidence{}, &fakeNotifier{})
	s.Now = func() time.Time { return *now }
	if _, err := s.SavePlatform(ctxs[0], PlatformInput{Name: "示例应用市场", OnlineOn: "2025-12-01"}); err != nil {
		t.Fatal(err)
	}
	return s, ctxs[0], ctxs[1]
}

// TestComplaintClockAcrossSpringFestival: complaints received Thursday 12 February 2026,
// 10:00 Beijing, just before the Spring Festival break. The oracle is the State Council's
// 2026 holiday notice (国办发明电〔2025〕7号): 15–23 February off, Saturdays 14 and 28
// February worked. Counting working days from the next day — 13, 14 (Sat, worked), 24, 25,
// 26, 27, 28 (Sat, worked), 2, 3, 4 March is ten (the platform's default for other kinds),
// then 5, 6, 9, 10, 11 March is fifteen (the ceiling for a personal-information request).
func TestComplaintClockAcrossSpringFestival(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 2, 12, 2, 0, 0, 0, time.UTC)
		s, ctx, other := newTestStore(t, d, &now)
		pi, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindPI, Subject: "注销账号", Body: "申请注销账号并删除个人信息"})
		if err != nil {
			t.Fatal(err)
		}
		content, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindContent, Subject: "不良内容", Body: "应用内有赌博广告"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			got  time.Time
			want string
		}{{pi.DueAt, "2026-03-11T16:00:00Z"}, {content.DueAt, "2026-03-04T16:00:00Z"}} {
			if c.got.Format(time.RFC3339) != c.want {
				t.Errorf("due %s, want %s (24:00 Beijing)", c.got.Format(time.RFC3339), c.want)
			}
		}
		if _, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: "other", Subject: "x", Body: strings.Repeat("长", MaxComplaintBody+1)}); err == nil ||
			!strings.Contains(err.Error(), "kind") || !strings.Contains(err.Error(), "body") {
			t.Errorf("bad complaint: %v", err)
		}
		// The content complaint answered on its last day is on time; the PI one, still open
		// a minute after its deadline, is overdue.
		now = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
		if content, err = s.HandleComplaint(ctx, content.ID, "李审核", "已下架相关广告", false); err != nil || content.Overdue(now) {
			t.Errorf("answered on time: %v overdue=%v", err, content.Overdue(now))
		}
		if _, err := s.HandleComplaint(ctx, pi.ID, "", "", true); err == nil {
			t.Error("closed without an answer")
		}
		now = time.Date(2026, 3, 11, 16, 1, 0, 0, time.UTC)
		if !pi.Overdue(now) || pi.Overdue(time.Date(2026, 3, 11, 15, 59, 0, 0, time.UTC)) {
			t.Error("the PI complaint's clock")
		}
		if f, _ := s.Facts(ctx); f.ComplaintsOverdue != 1 || f.PIComplaintsOverdue != 1 {
			t.Errorf("overdue complaints %d, PI %d; want 1 and 1", f.ComplaintsOverdue, f.PIComplaintsOverdue)
		}
		if f, _ := s.Facts(other); f.PlatformRecorded || f.ComplaintsOverdue != 0 {
			t.Errorf("the other organisation's facts: %+v", f)
		}
		if _, err := s.HandleComplaint(other, pi.ID, "x", "x", false); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation's complaint: %v", err)
		}
	})
}

// TestTakedownBlacklistReinstate: a published app taken down (reason, legal basis and
// notice each required) leaves sale with its versions; reinstated with a reason it is
// back; a developer blacklisted is suspended and cannot register again under another
// name; the other organisation gets ErrNotFound.
func TestTakedownBlacklistReinstate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s, ctx, other := newTestStore(t, d, &now)
		dev, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: strings.Repeat("cd", 32)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		app, _ := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "天气", Package: "cn.example.weather", FilingNumber: "粤ICP备12345678号-1A"}, true)
		raw, _ := BuildAPK(APKSpec{Package: "cn.example.weather", VersionCode: 1, CertCN: "示例科技"})
		v, err := s.Upload(ctx, app.ID, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "ok"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeDown(ctx, app.ID, TakedownInput{Reason: "窃取短信"}); err == nil || !strings.Contains(err.Error(), "legal_basis") || !strings.Contains(err.Error(), "notice") {
			t.Errorf("take-down without basis and notice: %v", err)
		}
		if _, err := s.TakeDown(other, app.ID, TakedownInput{Reason: "x", LegalBasis: "x", Notice: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation's take-down: %v", err)
		}
		k, err := s.TakeDown(ctx, app.ID, TakedownInput{Reason: "用户投诉核实存在违规收集", LegalBasis: "《网络数据安全管理条例》第41条", Notice: "您的应用已下架，请整改后申请恢复"})
		if err != nil {
			t.Fatal(err)
		}
		if a, vs, _ := s.App(ctx, app.ID); a.State != AppRemoved || vs[0].RemovedAt == nil {
			t.Errorf("after take-down: %s %v", a.State, vs[0].RemovedAt)
		}
		if _, err := s.Reinstate(ctx, k.ID, ""); err == nil {
			t.Error("reinstated without a reason")
		}
		if _, err := s.Reinstate(ctx, k.ID, "已整改并复核"); err != nil {
			t.Fatal(err)
		}
		if a, vs, _ := s.App(ctx, app.ID); a.State != AppPublished || vs[0].RemovedAt != nil {
			t.Errorf("after reinstatement: %s %v", a.State, vs[0].RemovedAt)
		}
		if _, err := s.AddToBlacklist(ctx, BlackDeveloper, strconv.FormatInt(dev.ID, 10), "发布恶意应用"); err != nil {
			t.Fatal(err)
		}
		if d2, _ := s.Developer(ctx, dev.ID); d2.State != StateSuspended {
			t.Errorf("blacklisted developer is %s", d2.State)
		}
		if _, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "换个名字有限公司", USCC: "914403001922038216", LicenceSHA256: strings.Repeat("cd", 32)}); err == nil || !strings.Contains(err.Error(), "blacklist") {
			t.Errorf("re-registration under another name: %v", err)
		}
	})
}
