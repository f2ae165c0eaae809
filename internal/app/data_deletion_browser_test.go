package app_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
)

// TestBrowserDataDeletionInChinese is the grid operator's security manager, in Chinese, on
// the demo's video-conference recordings, whose retention ended 21 days ago with nothing
// deleted: the data page says 已逾期 with the end day, and so does the deletion duty (PIPL
// 2021 Art. 47, PIPL-DELETE-AT-RETENTION-END). She records the deletion on the asset's
// page with the deletion log uploaded as proof: the page shows the file's SHA-256 (computed
// here from the bytes sent) linked to the evidence store, the asset reads 已于…删除, and the
// duty turns 已满足.
func TestBrowserDataDeletionInChinese(t *testing.T) {
	t.Parallel()
	ctx := Browser(t)
	env := apptest.Start(t, store.SQLite)
	email := "security@grid.demo"
	api := env.Login(t, email)
	res, body := api.Do("GET", "/api/v1/data/deletions", nil, nil)
	var list struct {
		Assets []struct {
			AssetID int64  `json:"asset_id"`
			Asset   string `json:"asset"`
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("deletions: %d %s", res.StatusCode, body)
	}
	var id int64
	for _, a := range list.Assets {
		if a.Asset == "视频会议录像" {
			id = a.AssetID
		}
	}
	if id == 0 {
		t.Fatalf("the demo's video-conference recordings are not listed: %s", body)
	}
	today := time.Now().In(calendar.Shanghai)
	ended := today.AddDate(0, 0, -21).Format(time.DateOnly)
	duty := func() string {
		if res, body := api.Do("GET", "/api/v1/evaluation?wait=20s", nil, nil); res.StatusCode != http.StatusOK || strings.Contains(body, `"pending": true`) {
			t.Fatalf("evaluation: %d %s", res.StatusCode, body)
		}
		steps(t, ctx, "open the deletion duty",
			chromedp.Navigate(env.URL+"/obligations/PIPL-DELETE-AT-RETENTION-END"),
			chromedp.WaitVisible(chromedp.CSS(`tbody span[class^="status-"]`)),
		)
		return text(ctx, t, `tbody span[class^="status-"]`)
	}
	proof := []byte("视频会议系统录像删除日志\n范围：2025年及以前的会议录像\n方式：存储阵列安全擦除\n执行：赵敏\n")
	file := filepath.Join(t.TempDir(), "录像删除日志.txt")
	if err := os.WriteFile(file, proof, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256(proof))

	signIn(t, ctx, env, email)
	steps(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`button[data-lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-lang="zh-CN"].current`)),
	)
	status := fmt.Sprintf(`#retention-status-%d`, id)
	steps(t, ctx, "open the data page",
		chromedp.Navigate(env.URL+"/data"),
		chromedp.WaitVisible(chromedp.CSS(status)),
	)
	if s := text(ctx, t, status); s != "已逾期：保存期限已于"+ended+"届满，未登记删除" {
		t.Errorf("the recordings on the data page: %q, want overdue since %s", s, ended)
	}
	if st := duty(); st != "已逾期" {
		t.Errorf("deletion duty before the deletion: %q, want 已逾期", st)
	}
	steps(t, ctx, "record the deletion with its proof",
		chromedp.Navigate(fmt.Sprintf("%s/data/assets/%d", env.URL, id)),
		chromedp.Click(chromedp.CSS(`#add-deletion summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#deletion-form`)),
		chromedp.SetValue(chromedp.CSS(`#what`), "2025年及以前的会议录像"),
		chromedp.SetValue(chromedp.CSS(`#deleted_by`), "赵敏（信息通信分公司）"),
		chromedp.SetValue(chromedp.CSS(`#method`), "secure_erase"),
		chromedp.SetUploadFiles(chromedp.CSS(`#evidence_file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#deletion-submit`)),
		chromedp.WaitVisible(chromedp.CSS(status+`.status-met`)),
	)
	screenshot(t, ctx, "data-deletion-recorded-zh")
	if s := text(ctx, t, status); s != "已于"+today.Format(time.DateOnly)+"删除" {
		t.Errorf("the recordings after the deletion: %q", s)
	}
	if s := text(ctx, t, `#deletions tbody`); !strings.Contains(s, sum) || !strings.Contains(s, "存储介质安全擦除（覆写）") || !strings.Contains(s, "赵敏") {
		t.Errorf("the deletion record %q, want the proof's SHA-256 %s and the method in Chinese", s, sum)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#deletions code.sha a`), "href"))
	if err != nil {
		t.Fatalf("read the proof's link: %v", err)
	}
	if href.Value != "/evidence/"+sum {
		t.Errorf("the proof links to %q, want /evidence/%s", href.Value, sum)
	}
	if st := duty(); st != "已满足" {
		t.Errorf("deletion duty after the deletion: %q, want 已满足", st)
	}
}
