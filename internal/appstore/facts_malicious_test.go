package appstore

import (
	"testing"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestMaliciousOnSaleCountsWhatTheUploadChecks on both engines: malicious_on_sale counts a
// version on sale by everything the upload would have refused or blocked it for — the
// package's SHA-256, any code file's SHA-256 or the package name on the malicious-app list,
// a blacklisted certificate or package name — learnt after it was published. The oracle
// is the hand-kept list below of which published app each entry names; taking an app down
// takes it out of the count, lifting a blacklist entry too.
func TestMaliciousOnSaleCountsWhatTheUploadChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s, ctx, _ := newTestStore(t, d, &now)
		dev, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevOrg, Name: "示例科技有限公司", USCC: "914403001922038216", LicenceSHA256: sha([]byte("licence"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil {
			t.Fatal(err)
		}
		// Five apps on sale, each with its own code and certificate.
		type onSale struct {
			app  App
			dex  []byte
			cert string
		}
		var apps []onSale
		for i, pkg := range []string{"cn.example.a", "cn.example.b", "cn.example.c", "cn.example.d", "cn.example.e"} {
			a, err := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: pkg, Package: pkg, FilingNumber: "京ICP备12345678号-5A"}, true)
			if err != nil {
				t.Fatal(err)
			}
			cert, _ := NewCertificate(pkg)
			dex := []byte("code of " + pkg)
			raw, _ := BuildAPK(APKSpec{Package: pkg, VersionCode: int64(i + 1), VersionName: "1.0", Dex: dex, Cert: cert})
			v, err := s.Upload(ctx, a.ID, raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "已核对"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Publish(ctx, v.ID); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, onSale{a, dex, v.CertSHA256})
		}
		count := func(want int64, after string) {
			t.Helper()
			f, err := s.Facts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if f.MaliciousOnSale != want {
				t.Errorf("after %s: malicious_on_sale %d, want %d", after, f.MaliciousOnSale, want)
			}
		}
		count(0, "publishing five clean apps")
		if _, err := s.AddMalware(ctx, MalwareInput{Kind: MalwareSHA256, Value: sha(apps[0].dex), Label: "木马", Source: "本平台"}); err != nil {
			t.Fatal(err)
		}
		count(1, "listing app a's code file")
		if _, err := s.AddMalware(ctx, MalwareInput{Kind: MalwarePackage, Value: "cn.example.b", Label: "仿冒", Source: "本平台"}); err != nil {
			t.Fatal(err)
		}
		count(2, "listing app b's package name")
		if _, err := s.AddToBlacklist(ctx, BlackCertificate, apps[2].cert, "签名证书泄露"); err != nil {
			t.Fatal(err)
		}
		count(3, "blacklisting app c's certificate")
		pkgEntry, err := s.AddToBlacklist(ctx, BlackPackage, "cn.example.d", "仿冒应用")
		if err != nil {
			t.Fatal(err)
		}
		count(4, "blacklisting app d's package name")
		if _, err := s.TakeDown(ctx, apps[0].app.ID, TakedownInput{Reason: "恶意代码", LegalBasis: "《网络数据安全管理条例》第四十一条", Notice: "已下架", Malicious: true}); err != nil {
			t.Fatal(err)
		}
		count(3, "taking app a down")
		if _, err := s.LiftFromBlacklist(ctx, pkgEntry.ID, "误报"); err != nil {
			t.Fatal(err)
		}
		count(2, "lifting app d's package entry")
	})
}
