package appstore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestTakeDownOneVersion on both engines: an app with two versions on sale has its update
// taken down (NDSR 2024 Art. 41: terminate distribution of the non-compliant app version)
// — the update leaves sale, the first version stays and so does the app; the take-down
// names the version, the developer's notice names it too. A version not on sale and a
// take-down without a legal basis are refused; another organisation's version is not
// found. Taking the last version down leaves nothing on sale; reinstating brings only that
// version back; an app-level take-down and its reinstatement leave a version taken down on
// its own off sale.
func TestTakeDownOneVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s, ctx, other := newTestStore(t, d, &now)
		dev, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: strings.Repeat("ab", 32), Phone: "13912345678"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		app, err := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "记账本", Package: "cn.example.ledger", FilingNumber: "京ICP备12345678号-5A"}, true)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := NewCertificate("示例科技")
		var vs []Version
		for i, name := range []string{"1.0", "1.1"} {
			raw, _ := BuildAPK(APKSpec{Package: "cn.example.ledger", VersionCode: int64(i + 1), VersionName: name, Dex: []byte("ledger " + name), Cert: cert})
			v, err := s.Upload(ctx, app.ID, raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "已核对"}); err != nil {
				t.Fatal(err)
			}
			if v, err = s.Publish(ctx, v.ID); err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
			now = now.Add(time.Minute)
		}
		onSale := func() (string, []string) {
			t.Helper()
			a, versions, err := s.App(ctx, app.ID)
			if err != nil {
				t.Fatal(err)
			}
			var live []string
			for i := len(versions) - 1; i >= 0; i-- {
				if v := versions[i]; v.PublishedAt != nil && v.RemovedAt == nil {
					live = append(live, v.VersionName)
				}
			}
			return a.State, live
		}
		in := TakedownInput{Reason: "1.1 版本私自收集通讯录", LegalBasis: "《网络数据安全管理条例》第四十一条", Notice: "请整改后重新提交"}
		if _, err := s.TakeDownVersion(other, vs[1].ID, in); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation's version: %v", err)
		}
		if _, err := s.TakeDownVersion(ctx, vs[1].ID, TakedownInput{Reason: "x", Notice: "x"}); !isField(err, "legal_basis") {
			t.Errorf("no legal basis: %v", err)
		}
		k, err := s.TakeDownVersion(ctx, vs[1].ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if k.VersionID != vs[1].ID || k.AppID != app.ID || k.VersionName != "1.1" {
			t.Errorf("take-down %+v, want version %d (1.1) of app %d", k, vs[1].ID, app.ID)
		}
		if st, live := onSale(); st != AppPublished || strings.Join(live, ",") != "1.0" {
			t.Errorf("after taking 1.1 down: app %s, on sale %v; want published with 1.0", st, live)
		}
		n := s.notify.(*fakeNotifier)
		if body := n.got[len(n.got)-1].Body.Zh; !strings.Contains(body, "版本 1.1") || !strings.Contains(body, in.LegalBasis) {
			t.Errorf("the developer's notice %q does not name the version and the legal basis", body)
		}
		if _, err := s.TakeDownVersion(ctx, vs[1].ID, in); !isConflict(err, "version") {
			t.Errorf("taking 1.1 down twice: %v", err)
		}
		now = now.Add(time.Minute)
		k0, err := s.TakeDownVersion(ctx, vs[0].ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if st, live := onSale(); st != AppDraft || len(live) != 0 {
			t.Errorf("after taking both down: app %s, on sale %v; want draft with nothing", st, live)
		}
		if _, err := s.Reinstate(ctx, k0.ID, "复核无误"); err != nil {
			t.Fatal(err)
		}
		if st, live := onSale(); st != AppPublished || strings.Join(live, ",") != "1.0" {
			t.Errorf("after reinstating 1.0: app %s, on sale %v; want published with 1.0", st, live)
		}
		// The whole app taken down and reinstated: 1.1 stays off sale, its own take-down
		// still open.
		whole, err := s.TakeDown(ctx, app.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeDownVersion(ctx, vs[0].ID, in); !isConflict(err, "app") {
			t.Errorf("a version of an app taken down: %v", err)
		}
		if _, err := s.Reinstate(ctx, whole.ID, "复核无误"); err != nil {
			t.Fatal(err)
		}
		if st, live := onSale(); st != AppPublished || strings.Join(live, ",") != "1.0" {
			t.Errorf("after the app's reinstatement: app %s, on sale %v; want published with 1.0 only", st, live)
		}
		if f, _ := s.Facts(ctx); f.PublishedUnreviewed != 0 || f.MaliciousOnSale != 0 {
			t.Errorf("facts %+v", f)
		}
	})
}
