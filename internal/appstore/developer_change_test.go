package appstore

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDeveloperChangeNeedsReverification on both engines: a verified organisation with an
// app on sale changes its business licence and goes back to pending, so its app counts as
// on sale from an unverified developer and its next version is not published until it is
// verified again; nothing changed keeps it verified; an invalid code is 400 naming uscc,
// another organisation's developer is not found. An individual who changes phone must
// confirm the new one before being verified again. A blacklisted developer cannot be
// verified or put back to pending by a reviewer: the entry must be lifted first.
func TestDeveloperChangeNeedsReverification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s, ctx, other := newTestStore(t, d, &now)
		licence, licence2 := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
		dev, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: licence})
		if err != nil {
			t.Fatal(err)
		}
		if dev, err = s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		app, err := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "记账本", Package: "cn.example.ledger", FilingNumber: "京ICP备12345678号-5A"}, true)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := NewCertificate("示例科技")
		publish := func(code int64) error {
			raw, _ := BuildAPK(APKSpec{Package: "cn.example.ledger", VersionCode: code, VersionName: "1.0", Cert: cert})
			v, err := s.Upload(ctx, app.ID, raw)
			if err != nil {
				return err
			}
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "已核对"}); err != nil {
				return err
			}
			_, err = s.Publish(ctx, v.ID)
			return err
		}
		if err := publish(1); err != nil {
			t.Fatal(err)
		}
		same, err := s.UpdateDeveloper(ctx, dev.ID, DeveloperInput{Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: licence})
		if err != nil || same.State != StateVerified {
			t.Fatalf("nothing changed: %v, state %s, want verified", err, same.State)
		}
		if _, err := s.UpdateDeveloper(ctx, dev.ID, DeveloperInput{USCC: "914403001922038217"}); !isField(err, "uscc") {
			t.Errorf("a mistyped code: %v, want invalid uscc", err)
		}
		changed, err := s.UpdateDeveloper(ctx, dev.ID, DeveloperInput{LicenceSHA256: licence2})
		if err != nil || changed.State != StatePending || changed.LicenceSHA256 != licence2 || changed.Name != "示例科技有限公司" {
			t.Fatalf("new licence: %v %+v, want pending with the new licence and the name kept", err, changed)
		}
		if f, _ := s.Facts(ctx); f.PublishedByUnverified != 1 {
			t.Errorf("after the change: %d apps on sale from unverified developers, want 1", f.PublishedByUnverified)
		}
		if err := publish(2); !isConflict(err, "developer") {
			t.Errorf("a new version before re-verification: %v, want refused on developer", err)
		}
		if _, err := s.UpdateDeveloper(other, dev.ID, DeveloperInput{Name: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation's developer: %v", err)
		}

		// A blacklisted developer stays out until the entry is lifted.
		e, err := s.AddToBlacklist(ctx, BlackDeveloper, strconv.FormatInt(dev.ID, 10), "发布仿冒银行应用")
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{StateVerified, StatePending} {
			if _, err := s.Decide(ctx, dev.ID, Decision{State: st}); !isConflict(err, "developer") {
				t.Errorf("%s while blacklisted: %v, want refused on developer", st, err)
			}
		}
		if _, err := s.LiftFromBlacklist(ctx, e.ID, "复核为误报"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil {
			t.Fatalf("verify after the lift: %v", err)
		}
		if err := publish(3); err != nil {
			t.Errorf("publish after re-verification: %v", err)
		}

		// An individual's new phone is confirmed again before verification.
		n := s.notify.(*fakeNotifier)
		p, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevPerson, Name: "张三", ResidentID: "11010519491231002X", Phone: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		confirm := func() {
			t.Helper()
			if _, err := s.SendPhoneCode(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmPhone(ctx, p.ID, codeRE.FindString(n.got[len(n.got)-1].Body.Zh)); err != nil {
				t.Fatal(err)
			}
		}
		confirm()
		if _, err := s.Decide(ctx, p.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		moved, err := s.UpdateDeveloper(ctx, p.ID, DeveloperInput{Phone: "13912345678"})
		if err != nil || moved.State != StatePending || moved.PhoneVerifiedAt != nil || moved.PhoneMasked != "139****5678" || moved.IDMasked != "110105********002X" {
			t.Fatalf("new phone: %v %+v, want pending, unconfirmed, the identity number kept", err, moved)
		}
		if _, err := s.Decide(ctx, p.ID, Decision{State: StateVerified}); !isConflict(err, "phone") {
			t.Errorf("verified with the new phone unconfirmed: %v", err)
		}
		now = now.Add(2 * time.Minute) // a second code within the hour (this failed on SQLite: MAX of a time is text)
		confirm()
		if _, err := s.Decide(ctx, p.ID, Decision{State: StateVerified}); err != nil {
			t.Errorf("verify with the new phone confirmed: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	iv, ok := problem.As[*problem.Invalid](err)
	return ok && strings.Contains(iv.Error(), field)
}

func isConflict(err error, field string) bool {
	c, ok := problem.As[*problem.Conflict](err)
	return ok && strings.Contains(c.Error(), field)
}
