package appstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo app store 示例应用市场 — its platform
// record (online 400 days ago, filed with the Beijing CAC on day 20), rules and agreement,
// 50 developers (42 organisations verified, 2 pending, 1 rejected; 5 individuals whose
// phones are not confirmed yet), 120 apps with a version each: 110 reviewed and on sale, 4
// awaiting their filing number, 3 rejected on review (dangerous permission combinations),
// 2 flagged and awaiting a reviewer, and 1 whose code file is on the malicious-app list,
// blocked at upload and its certificate blacklisted; the first app on sale has an update
// taken down on its own. Complaints: seven from users, one personal-information complaint
// past its 15-working-day clock unanswered, one naming a developer rather than an app.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	if d.AppStore.ID == 0 {
		return nil // an installation without the demo app store
	}
	sm := d.AppStoreUsers[auth.SecurityManager]
	ctx = store.WithOrg(ctx, d.AppStore.ID)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: sm.ID, OrgID: d.AppStore.ID, Label: sm.Email})
	return SeedDemo(ctx, m.Service)
}

// demoAppNames are the stems of the demo apps' names.
var demoAppNames = []string{"天气", "记账", "地图", "阅读", "音乐", "相册", "日历", "健身", "外卖", "打车", "学习", "翻译", "笔记", "扫描", "壁纸", "计步", "菜谱", "租房", "招聘", "购物"}

// DemoMaliciousDex is the code file of the demo's malicious app: its SHA-256 is on the
// demo's malicious-app list.
var DemoMaliciousDex = []byte("dex\n035\x00demo-banking-trojan-sample")

// SeedDemo fills the context's organisation with the demo app store.
func SeedDemo(ctx context.Context, s *Service) error {
	now := s.Now()
	day := func(n int) string { return now.AddDate(0, 0, n).Format(DateLayout) }
	if _, err := s.SavePlatform(ctx, PlatformInput{Name: "示例应用市场", OnlineOn: day(-400), CACProvince: "北京市互联网信息办公室", FiledOn: day(-380),
		FilingReference: "京网信备11010825000123号", FilingMaterials: "平台运营者营业执照、平台规则、服务协议、审核制度、投诉处理制度（示例）",
		ComplaintChannel: "公开投诉表单、客服电话 400-000-0000（示例）", ReviewDays: DefaultReviewDays, ComplaintDays: DefaultComplaintDays, PIComplaintDays: PIComplaintMaxDays}); err != nil {
		return fmt.Errorf("demo platform: %w", err)
	}
	for _, doc := range []DocumentInput{
		{Kind: DocRules, Version: "3.1", Title: "示例应用市场平台规则", EffectiveOn: day(-120)},
		{Kind: DocAgreement, Version: "2.0", Title: "示例应用市场开发者服务协议", EffectiveOn: day(-200)},
	} {
		if _, err := s.AddDocument(ctx, doc); err != nil {
			return fmt.Errorf("demo document: %w", err)
		}
	}
	bad := sha256.Sum256(DemoMaliciousDex)
	if _, err := s.AddMalware(ctx, MalwareInput{Kind: MalwareSHA256, Value: hex.EncodeToString(bad[:]), Label: "仿冒银行客户端木马（示例样本）", Source: "本平台安全团队（示例数据）"}); err != nil {
		return fmt.Errorf("demo malicious-app list: %w", err)
	}
	devs, certs, err := seedDemoDevelopers(ctx, s)
	if err != nil {
		return err
	}
	apps, err := seedDemoApps(ctx, s, devs, certs)
	if err != nil {
		return err
	}
	if err := seedDemoVersionTakedown(ctx, s, apps[0], certs); err != nil {
		return err
	}
	return seedDemoComplaints(ctx, s, apps, devs)
}

// seedDemoVersionTakedown gives the first app on sale an update, approved and published,
// then taken down on its own for collecting more than it declared: the app stays on sale
// with its first version, as NDSR 2024 Art. 41 lets a platform stop one distribution.
func seedDemoVersionTakedown(ctx context.Context, s *Service, a App, certs map[int64][]byte) error {
	raw, err := BuildAPK(APKSpec{Package: a.Package, VersionCode: 100, VersionName: "2.0.0", MinSDK: 24, TargetSDK: 34,
		Permissions: []string{"android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE"}, Cert: certs[a.DeveloperID]})
	if err != nil {
		return err
	}
	v, err := s.Upload(ctx, a.ID, raw)
	if err != nil {
		return fmt.Errorf("demo update: %w", err)
	}
	if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved}); err != nil {
		return fmt.Errorf("demo update review: %w", err)
	}
	if _, err := s.Publish(ctx, v.ID); err != nil {
		return fmt.Errorf("demo update publication: %w", err)
	}
	if _, err := s.TakeDownVersion(ctx, v.ID, TakedownInput{Reason: "2.0.0 版本新接入的第三方SDK在用户同意前收集设备标识，超出声明范围（示例）",
		LegalBasis: "《网络数据安全管理条例》第四十一条", Notice: "请移除该SDK或在隐私政策中如实说明并取得同意后重新提交（示例）"}); err != nil {
		return fmt.Errorf("demo version take-down: %w", err)
	}
	return nil
}

// seedDemoDevelopers registers the 50 developers; it returns the verified ones with one
// signing certificate each.
func seedDemoDevelopers(ctx context.Context, s *Service) ([]Developer, map[int64][]byte, error) {
	var verified []Developer
	certs := map[int64][]byte{}
	for i := range 50 {
		var in DeveloperInput
		if i < 45 {
			code := uscc.Complete(fmt.Sprintf("91110108MA%06d", 100+i))
			lic, err := s.ev.Store(ctx, fmt.Sprintf("营业执照扫描件（示例）%d", i+1), strings.NewReader("示例营业执照扫描件 "+code))
			if err != nil {
				return nil, nil, fmt.Errorf("demo licence: %w", err)
			}
			in = DeveloperInput{Kind: DevOrg, Name: fmt.Sprintf("示例%s科技有限公司", demoAppNames[i%len(demoAppNames)]+fmt.Sprint(i+1)), USCC: code, LicenceSHA256: lic}
		} else {
			first17 := fmt.Sprintf("1101051990%02d%02d%03d", 1+i%12, 1+i%28, 100+i)
			in = DeveloperInput{Kind: DevPerson, Name: []string{"赵一", "钱二", "孙三", "李四", "周五"}[i-45], ResidentID: first17 + string(ResidentCheck(first17)), Phone: fmt.Sprintf("139%08d", 10000000+i)}
		}
		d, err := s.RegisterDeveloper(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("demo developer %d: %w", i, err)
		}
		switch {
		case i < 42:
			if d, err = s.Decide(ctx, d.ID, Decision{State: StateVerified}); err != nil {
				return nil, nil, fmt.Errorf("demo verification %d: %w", i, err)
			}
			cert, err := NewCertificate(d.Name)
			if err != nil {
				return nil, nil, err
			}
			verified, certs[d.ID] = append(verified, d), cert
		case i == 44:
			if _, err := s.Decide(ctx, d.ID, Decision{State: StateRejected, Reason: "营业执照与登记名称不一致（示例）"}); err != nil {
				return nil, nil, fmt.Errorf("demo rejection: %w", err)
			}
		}
	}
	return verified, certs, nil
}

// demoApp is what one demo app becomes.
type demoApp int

const (
	demoPublished demoApp = iota
	demoUnfiled
	demoRejected
	demoFlagged
	demoMalicious
)

// demoKind spreads the kinds over the 120 apps.
func demoKind(i int) demoApp {
	switch {
	case i == 7:
		return demoMalicious
	case i%30 == 3: // 4 apps
		return demoUnfiled
	case i == 11 || i == 41 || i == 71:
		return demoRejected
	case i == 13 || i == 43:
		return demoFlagged
	}
	return demoPublished
}

// seedDemoApps registers the 120 apps and uploads, reviews and publishes their versions;
// it returns the published apps.
func seedDemoApps(ctx context.Context, s *Service, devs []Developer, certs map[int64][]byte) ([]App, error) {
	var published []App
	base := []string{"android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE"}
	for i := range 120 {
		kind := demoKind(i)
		d := devs[i%len(devs)]
		name := demoAppNames[i%len(demoAppNames)] + []string{"助手", "大师", "宝", "通", "极速版", "专业版"}[i/len(demoAppNames)%6]
		pkg := fmt.Sprintf("cn.demo.app%03d", i)
		perms := base
		declared := base
		switch kind {
		case demoRejected:
			perms = append([]string{"android.permission.READ_SMS", "android.permission.RECEIVE_SMS", "android.permission.SEND_SMS"}, base...)
		case demoFlagged:
			perms = append([]string{"android.permission.READ_SMS"}, base...)
			declared = perms
		}
		filing := fmt.Sprintf("京ICP备2025%04d号-%dA", 1000+i, 1+i%9)
		if kind == demoUnfiled {
			filing = ""
		}
		a, err := s.CreateApp(ctx, AppInput{DeveloperID: d.ID, Name: name, Package: pkg, FilingNumber: filing, DeclaredPermissions: declared, DataCollected: "设备标识、网络状态（示例）"}, false)
		if err != nil {
			return nil, fmt.Errorf("demo app %d: %w", i, err)
		}
		spec := APKSpec{Package: pkg, VersionCode: int64(10 + i%7), VersionName: fmt.Sprintf("%d.%d.0", 1+i%4, i%10), MinSDK: 24, TargetSDK: 34, Permissions: perms, Cert: certs[d.ID]}
		if kind == demoMalicious {
			// The trojan is signed with a certificate of its own, which the blacklist
			// then keeps out under any developer and package name.
			spec.Dex, spec.Cert, spec.CertCN = DemoMaliciousDex, nil, "Bank Secure Update"
		}
		raw, err := BuildAPK(spec)
		if err != nil {
			return nil, err
		}
		v, err := s.Upload(ctx, a.ID, raw)
		if err != nil {
			return nil, fmt.Errorf("demo upload %d: %w", i, err)
		}
		switch kind {
		case demoPublished:
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved}); err != nil {
				return nil, fmt.Errorf("demo review %d: %w", i, err)
			}
			if _, err := s.Publish(ctx, v.ID); err != nil {
				return nil, fmt.Errorf("demo publication %d: %w", i, err)
			}
			published = append(published, a)
		case demoRejected:
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionRejected, Note: "申请收发短信权限与记账功能无关，存在扣费风险，请删除后重新提交（示例）"}); err != nil {
				return nil, fmt.Errorf("demo rejection %d: %w", i, err)
			}
		case demoMalicious:
			if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionRejected, Note: "代码文件命中恶意应用特征库，拒绝上架并将签名证书列入黑名单（示例）"}); err != nil {
				return nil, fmt.Errorf("demo malicious review: %w", err)
			}
			if _, err := s.AddToBlacklist(ctx, BlackCertificate, v.CertSHA256, "签名证书用于签发仿冒银行木马（示例）"); err != nil {
				return nil, fmt.Errorf("demo blacklist: %w", err)
			}
		}
	}
	return published, nil
}

// seedDemoComplaints records seven complaints at past times through a copy of the service
// whose clock reads then, and answers some of them. Six are about apps; the last names
// the developer of an app on sale, as the public form lets a user do.
func seedDemoComplaints(ctx context.Context, s *Service, apps []App, devs []Developer) error {
	now := s.Now()
	var named string
	if len(apps) > 5 {
		for _, d := range devs {
			if d.ID == apps[5].DeveloperID {
				named = d.Name
			}
		}
	}
	for i, c := range []struct {
		ago    time.Duration
		in     ComplaintInput
		answer string
	}{
		{40 * 24 * time.Hour, ComplaintInput{Kind: KindPI, Subject: "注销账号后仍收到推送", Body: "已注销账号一个月，仍收到营销推送，要求删除个人信息。"}, ""},
		{30 * 24 * time.Hour, ComplaintInput{Kind: KindFraud, Subject: "诱导充值", Body: "应用内以抽奖诱导充值，充值后无法提现。", Contact: "138****0001"}, "已核实并责令开发者下线该活动，退款渠道已开通。"},
		{9 * 24 * time.Hour, ComplaintInput{Kind: KindMalicious, Subject: "后台频繁自启", Body: "安装后在后台频繁自启并耗电。"}, "已复核安装包，未发现恶意代码；已要求开发者说明自启动用途。"},
		{5 * 24 * time.Hour, ComplaintInput{Kind: KindContent, Subject: "广告内容低俗", Body: "开屏广告含低俗内容。"}, ""},
		{3 * 24 * time.Hour, ComplaintInput{Kind: KindPI, Subject: "超范围索取通讯录", Body: "天气应用要求读取通讯录，否则无法使用。", Contact: "user@example.cn"}, ""},
		{6 * time.Hour, ComplaintInput{Kind: KindFraud, Subject: "仿冒客服电话", Body: "应用详情页留有仿冒客服电话。"}, ""},
		{2 * 24 * time.Hour, ComplaintInput{Kind: KindFraud, Developer: named, Subject: "开发者以退款为名索要验证码", Body: "自称该开发者客服，以退款为名要求提供短信验证码。"}, ""},
	} {
		past := *s
		at := now.Add(-c.ago)
		past.Now = func() time.Time { return at }
		if len(apps) > 0 && c.in.Developer == "" {
			c.in.AppID = apps[(i*17)%len(apps)].ID
		}
		got, err := past.SubmitComplaint(ctx, c.in)
		if err != nil {
			return fmt.Errorf("demo complaint %d: %w", i, err)
		}
		if c.answer != "" {
			later := at.Add(48 * time.Hour)
			past.Now = func() time.Time { return later }
			if _, err := past.HandleComplaint(ctx, got.ID, "曹宇", c.answer, i == 1); err != nil {
				return fmt.Errorf("demo answer %d: %w", i, err)
			}
		}
	}
	return nil
}
