package appstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// fakeEvidence holds every file cited and keeps what is stored.
type fakeEvidence struct{ stored int }

func (f *fakeEvidence) Cite(context.Context, string) error { return nil }
func (f *fakeEvidence) Store(_ context.Context, _ string, r io.Reader) (string, error) {
	f.stored++
	_, _ = io.Copy(io.Discard, r)
	return strings.Repeat("ab", 32), nil
}

// fakeNotifier keeps the notices, as a phone would keep the message.
type fakeNotifier struct{ got []kernel.Notice }

func (f *fakeNotifier) Notify(_ context.Context, _ int64, n kernel.Notice) (int, error) {
	f.got = append(f.got, n)
	return 1, nil
}

var codeRE = regexp.MustCompile(`[0-9]{6}`)

// TestDeveloperToPublication walks the service on both engines: an individual developer
// is confirmed by the code the notice carried (a wrong code first costs an attempt), then
// verified; an app without a filing number uploads a package with READ_SMS + INTERNET,
// which the automated review flags; approval without a note is refused, with one it
// stands; publication is refused without a filing number and allowed with one. A package
// on the malicious-app list is blocked and cannot be approved; a blacklisted certificate
// is refused under another package name; the other organisation gets ErrNotFound.
func TestDeveloperToPublication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		migs := append(append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...), Migrations...)
		db := storetest.Open(t, d, migs)
		bg := context.Background()
		as := auth.NewService(db)
		mine, err := as.CreateOrg(bg, auth.Org{Kind: auth.Operator, NameZH: "示例应用市场", NameEN: "Example App Market"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := as.CreateOrg(bg, auth.Org{Kind: auth.Operator, NameZH: "另一家", NameEN: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		n := &fakeNotifier{}
		s := NewService(db, &fakeEvidence{}, n)
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		ctx := audit.WithActor(store.WithOrg(bg, mine.ID), audit.Actor{UserID: 7, OrgID: mine.ID, Label: "reviewer"})
		if _, err := s.SavePlatform(ctx, PlatformInput{Name: "示例应用市场", OnlineOn: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
		dev, err := s.RegisterDeveloper(ctx, DeveloperInput{Kind: DevPerson, Name: "张三", ResidentID: "11010519491231002X", Phone: "13800138000"})
		if err != nil {
			t.Fatal(err)
		}
		if dev.IDMasked != "110105********002X" || dev.State != StatePending {
			t.Errorf("registered: %+v", dev)
		}
		if _, err := s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err == nil {
			t.Error("verified without a confirmed phone")
		}
		if _, err := s.SendPhoneCode(ctx, dev.ID); err != nil {
			t.Fatal(err)
		}
		code := codeRE.FindString(n.got[0].Body.Zh)
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
		if _, err := s.ConfirmPhone(ctx, dev.ID, wrong); err == nil || !strings.Contains(err.Error(), "4 attempts left") {
			t.Errorf("wrong code: %v", err)
		}
		if _, err := s.ConfirmPhone(ctx, dev.ID, code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if dev, err = s.Decide(ctx, dev.ID, Decision{State: StateVerified}); err != nil || dev.EvidenceSHA256 == "" {
			t.Fatalf("verify: %v %+v", err, dev)
		}
		if _, err := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "钱包", Package: "cn.example.wallet"}, true); err == nil || !strings.Contains(err.Error(), "filing_number") {
			t.Errorf("submission without a filing number: %v", err)
		}
		app, err := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "钱包", Package: "cn.example.wallet", DeclaredPermissions: []string{"INTERNET", "READ_SMS"}}, false)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := NewCertificate("张三")
		raw, _ := BuildAPK(APKSpec{Package: "cn.example.wallet", VersionCode: 1, VersionName: "1.0", Permissions: []string{"android.permission.INTERNET", "android.permission.READ_SMS"}, Cert: cert})
		v, err := s.Upload(ctx, app.ID, raw)
		if err != nil {
			t.Fatal(err)
		}
		if v.AutoResult != AutoFlagged || !hasFinding(v, "permission_combination") || !hasFinding(v, "unfiled") {
			t.Errorf("review: %s %+v", v.AutoResult, v.AutoFindings)
		}
		// Received Tuesday 1 December 10:00 Beijing; five working days end Tuesday 8 December 24:00.
		if want := time.Date(2026, 12, 8, 16, 0, 0, 0, time.UTC); !v.ReviewDue.Equal(want) {
			t.Errorf("review due %s, want %s", v.ReviewDue, want)
		}
		if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved}); err == nil {
			t.Error("flagged version approved without a note")
		}
		if _, err := s.Review(ctx, v.ID, ReviewDecision{Decision: DecisionApproved, Note: "短信权限用于验证码自动填充，已核实"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, v.ID); err == nil || !strings.Contains(err.Error(), "filing") {
			t.Errorf("published without a filing number: %v", err)
		}
		if _, err := s.SetFiling(ctx, app.ID, "京ICP备12345678号-5A"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, v.ID); err != nil {
			t.Fatalf("publish: %v", err)
		}
		f, err := s.Facts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if online := time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Shanghai); !f.OnlineOn.Equal(online) {
			t.Errorf("online_on %v, want %v", f.OnlineOn, online)
		}
		f.OnlineOn = time.Time{}
		if want := (Facts{PlatformRecorded: true, PlatformFilingOverdue: true, Developers: 1}); f != want {
			t.Errorf("facts after publication %+v, want %+v (online 2026-01-01, never filed)", f, want)
		}
		// The malicious-app list blocks a package by the hash of its code.
		bad := []byte("dex-of-a-known-trojan")
		if err := db.WriteTenant(ctx, func(tt *store.Tenant) error {
			_, err := tt.Exec(`INSERT INTO appstore_malware (org_id, kind, value, label, source, added_by, added_at) VALUES ($1, 'sha256', $2, '仿冒银行木马', '本平台自建特征库', 'test', $3)`, sha(bad), now)
			if err != nil {
				return err
			}
			_, err = tt.Exec(`INSERT INTO appstore_blacklist (org_id, kind, value, reason, added_by, added_at) VALUES ($1, 'certificate', $2, '恶意应用签名', 'test', $3)`, "ff"+strings.Repeat("0", 62), now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		app2, _ := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "清理大师", Package: "cn.example.cleaner", FilingNumber: "京ICP备12345678号-6A"}, true)
		raw2, _ := BuildAPK(APKSpec{Package: "cn.example.cleaner", VersionCode: 1, Dex: bad, Cert: cert})
		v2, err := s.Upload(ctx, app2.ID, raw2)
		if err != nil || v2.AutoResult != AutoBlocked {
			t.Fatalf("malicious upload: %v %s", err, v2.AutoResult)
		}
		if _, err := s.Review(ctx, v2.ID, ReviewDecision{Decision: DecisionApproved, Note: "x"}); err == nil {
			t.Error("blocked version approved")
		}
		// Another package name is no escape from a blacklisted certificate.
		info, _ := ParseAPK(strings.NewReader(string(raw)), int64(len(raw)))
		if err := db.WriteTenant(ctx, func(tt *store.Tenant) error {
			_, err := tt.Exec(`INSERT INTO appstore_blacklist (org_id, kind, value, reason, added_by, added_at) VALUES ($1, 'certificate', $2, '恶意应用签名', 'test', $3)`, info.CertSHA256, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		app3, _ := s.CreateApp(ctx, AppInput{DeveloperID: dev.ID, Name: "换名", Package: "cn.example.renamed", FilingNumber: "京ICP备12345678号-7A"}, true)
		raw3, _ := BuildAPK(APKSpec{Package: "cn.example.renamed", VersionCode: 1, Cert: cert})
		if _, err := s.Upload(ctx, app3.ID, raw3); err == nil || !strings.Contains(err.Error(), "blacklisted certificate") {
			t.Errorf("re-upload under another name: %v", err)
		}
		// The published wallet's certificate is now blacklisted: it is on sale, malicious.
		if f, _ := s.Facts(ctx); f.MaliciousOnSale != 1 {
			t.Errorf("malicious on sale: %d, want 1", f.MaliciousOnSale)
		}
		// Another organisation sees none of it.
		octx := audit.WithActor(store.WithOrg(bg, other.ID), audit.Actor{UserID: 9, OrgID: other.ID, Label: "other"})
		if _, err := s.Developer(octx, dev.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation's developer: %v", err)
		}
		if _, _, err := s.App(octx, app.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation's app: %v", err)
		}
		if _, err := s.Review(octx, v.ID, ReviewDecision{Decision: DecisionRejected, Note: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("other organisation's version: %v", err)
		}
	})
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func hasFinding(v Version, code string) bool {
	for _, f := range v.AutoFindings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
