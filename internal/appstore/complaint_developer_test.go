package appstore

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestComplaintAboutADeveloper on both engines: a complaint names a developer (the issue:
// "about an app or developer") by the name the store shows, and is linked to them only
// when they have an app on sale — the public form cannot probe for developers still
// pending; a name not linked is kept in the text. A complaint about an app is linked to
// its developer too, so the developer's complaints are one list.
func TestComplaintAboutADeveloper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s, ctx, _ := newTestStore(t, d, &now)
		onSale, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: strings.Repeat("ab", 32)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, onSale.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		pending, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "待核验公司", USCC: uscc.Complete("91110108MA000999"), LicenceSHA256: strings.Repeat("cd", 32)})
		if err != nil {
			t.Fatal(err)
		}
		app, err := s.CreateApp(ctx, AppInput{DeveloperID: onSale.ID, Name: "记账本", Package: "cn.example.ledger", FilingNumber: "京ICP备12345678号-5A"}, true)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := NewCertificate("示例科技")
		raw, _ := BuildAPK(APKSpec{Package: "cn.example.ledger", VersionCode: 1, VersionName: "1.0", Cert: cert})
		v, err := s.Upload(ctx, app.ID, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "已核对"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		byName, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindFraud, Developer: " 示例科技有限公司 ", Subject: "冒充客服", Body: "该开发者冒充客服诱导转账"})
		if err != nil {
			t.Fatal(err)
		}
		if byName.DeveloperID == nil || *byName.DeveloperID != onSale.ID || byName.AppID != nil {
			t.Errorf("complaint naming the developer: developer %v app %v, want developer %d and no app", byName.DeveloperID, byName.AppID, onSale.ID)
		}
		hidden, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindContent, Developer: pending.Name, Subject: "不良内容", Body: "内容违规"})
		if err != nil {
			t.Fatal(err)
		}
		if hidden.DeveloperID != nil || !strings.HasPrefix(hidden.Body, "开发者 / Developer: 待核验公司\n\n") {
			t.Errorf("complaint naming a developer with nothing on sale: developer %v, body %q; want unlinked, the name kept in the text", hidden.DeveloperID, hidden.Body)
		}
		byApp, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindPI, App: "cn.example.ledger", Subject: "注销账号", Body: "申请注销"})
		if err != nil {
			t.Fatal(err)
		}
		if byApp.AppID == nil || *byApp.AppID != app.ID || byApp.DeveloperID == nil || *byApp.DeveloperID != onSale.ID {
			t.Errorf("complaint about the app: app %v developer %v, want app %d of developer %d", byApp.AppID, byApp.DeveloperID, app.ID, onSale.ID)
		}
		if _, err := s.SubmitComplaint(ctx, ComplaintInput{Kind: KindFraud, Developer: strings.Repeat("长", maxName+1), Subject: "x", Body: "x"}); !isField(err, "developer") {
			t.Errorf("a developer name too long: %v, want invalid developer", err)
		}
		list, err := s.Complaints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var about []int64
		for _, c := range list {
			if c.DeveloperID != nil && *c.DeveloperID == onSale.ID {
				about = append(about, c.ID)
			}
		}
		if len(about) != 2 {
			t.Errorf("complaints about the developer as listed: %v, want the two linked to them", about)
		}
	})
}
