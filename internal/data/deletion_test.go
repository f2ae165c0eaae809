package data_test

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/calendar"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// retentionAsset is a personal-information asset's deletion state as the API returns it.
type retentionAsset struct {
	AssetID         int64  `json:"asset_id"`
	Asset           string `json:"asset"`
	RetentionEndsOn string `json:"retention_ends_on"`
	Status          string `json:"status"`
	Deletions       []struct {
		DeletedOn        string `json:"deleted_on"`
		Method           string `json:"method"`
		EvidenceSHA256   string `json:"evidence_sha256"`
		EvidenceUploaded bool   `json:"evidence_uploaded"`
	} `json:"deletions"`
}

func retention(t *testing.T, c *apptest.Client) map[string]retentionAsset {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/data/deletions", nil, nil)
	var out struct{ Assets []retentionAsset }
	decode(t, res, body, 200, &out)
	m := map[string]retentionAsset{}
	for _, a := range out.Assets {
		m[a.Asset] = a
	}
	return m
}

// TestDeletionAtRetentionEnd follows the demo operator's personal information to the end of
// its retention, on both engines. The demo's three assets with an end day stand as the demo
// dated them (hand-written below, in days from today in Beijing): the charging records ended
// 60 days ago and were deleted 55 days ago with the deletion log uploaded as proof; the
// video-conference recordings ended 21 days ago with nothing deleted; the training records
// are kept for a year. The deletion duty (PIPL 2021 Art. 47) is overdue since the
// recordings' end day. Recording their deletion with a typed-in SHA-256 turns it met.
// Refusals name the field; another operator's user gets 404 for the asset's page, its
// deletion and its retention.
func TestDeletionAtRetentionEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		today := time.Now().In(calendar.Shanghai)
		day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }

		rs := retention(t, sm)
		want := map[string]struct{ end, status string }{
			"充电桩用户与充电记录": {day(-60), "deleted"},
			"视频会议录像":     {day(-21), "overdue"},
			"员工培训记录":     {day(365), "kept"},
			"电力用户档案":     {"", "no_end"},
		}
		for name, w := range want {
			if got := rs[name]; got.RetentionEndsOn != w.end || got.Status != w.status {
				t.Errorf("%s: ends %q, %s; want ends %q, %s", name, got.RetentionEndsOn, got.Status, w.end, w.status)
			}
		}
		if _, ok := rs["电网拓扑与运行方式数据"]; ok {
			t.Error("an asset without personal information is listed for deletion")
		}
		charging := rs["充电桩用户与充电记录"]
		if len(charging.Deletions) != 1 || charging.Deletions[0].DeletedOn != day(-55) || charging.Deletions[0].Method != "database_delete" || !charging.Deletions[0].EvidenceUploaded {
			t.Fatalf("the charging records' deletion: %+v", charging.Deletions)
		}
		// The proof is in the evidence store, under the SHA-256 of its bytes.
		res, proof := sm.Do("GET", "/evidence/"+charging.Deletions[0].EvidenceSHA256, nil, nil)
		if res.StatusCode != http.StatusOK || fmt.Sprintf("%x", sha256.Sum256([]byte(proof))) != charging.Deletions[0].EvidenceSHA256 || !strings.Contains(proof, "删除日志") {
			t.Errorf("the deletion log: %d, hash mismatch or not the log: %.80s", res.StatusCode, proof)
		}
		if st, _, due := finding(t, sm, "PIPL-DELETE-AT-RETENTION-END"); st != "overdue" || beijingDay(due) != day(-21) {
			t.Errorf("deletion duty: %s due %s, want overdue since %s", st, due, day(-21))
		}

		rec := rs["视频会议录像"]
		h := jsonHdr(sm.CSRF)
		path := fmt.Sprintf("/api/v1/data/assets/%d/deletions", rec.AssetID)
		res, body := sm.Do("POST", path, nil, h, `{"deleted_on":"`+day(1)+`","what":"","deleted_by":"王磊","method":"shred","evidence_sha256":"not-a-hash"}`)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad deletion: %d %s", res.StatusCode, body)
		}
		f := fields(t, body)
		for field, w := range map[string]string{"deleted_on": "in the future", "what": "required", "method": "one of database_delete", "evidence_sha256": "not a SHA-256"} {
			if !strings.Contains(f[field], w) {
				t.Errorf("%s: %q, want it to say %q (all: %v)", field, f[field], w, f)
			}
		}
		if rs2 := retention(t, sm); rs2["视频会议录像"].Status != "overdue" {
			t.Errorf("a refused deletion changed the state: %s", rs2["视频会议录像"].Status)
		}
		topo := int64(0)
		res, body = sm.Do("GET", "/api/v1/data/assets", nil, nil)
		var all struct {
			Assets []struct {
				ID   int64
				Name string
			}
		}
		decode(t, res, body, 200, &all)
		for _, a := range all.Assets {
			if a.Name == "电网拓扑与运行方式数据" {
				topo = a.ID
			}
		}
		good := `{"deleted_on":"` + day(0) + `","what":"2025年及以前的视频会议录像","deleted_by":"赵敏（信息通信分公司）","method":"secure_erase","evidence_sha256":" SHA256:` + strings.Repeat("AB", 32) + `"}`
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/data/assets/%d/deletions", topo), nil, h, good)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(fields(t, body)["asset"], "no personal information") {
			t.Errorf("deletion of data without personal information: %d %s", res.StatusCode, body)
		}

		// Another operator's user: the asset is not found, nothing is recorded.
		other := env.Login(t, "security@water.demo")
		oh := jsonHdr(other.CSRF)
		for _, c := range []struct{ method, path, body string }{
			{"POST", path, good},
			{"PUT", fmt.Sprintf("/api/v1/data/assets/%d/retention", rec.AssetID), `{"retention_ends_on":"2030-01-01"}`},
			{"GET", fmt.Sprintf("/data/assets/%d", rec.AssetID), ""},
		} {
			var res *http.Response
			if c.body == "" {
				res, _ = other.Do(c.method, c.path, nil, nil)
			} else {
				res, _ = other.Do(c.method, c.path, nil, oh, c.body)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("another operator's %s %s: %d, want 404", c.method, c.path, res.StatusCode)
			}
		}

		res, body = sm.Do("POST", path, nil, h, good)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("deletion: %d %s", res.StatusCode, body)
		}
		got := retention(t, sm)["视频会议录像"]
		if got.Status != "deleted" || len(got.Deletions) != 1 || got.Deletions[0].EvidenceSHA256 != strings.Repeat("ab", 32) || got.Deletions[0].EvidenceUploaded {
			t.Errorf("after the deletion: %+v", got)
		}
		if st, reason, _ := finding(t, sm, "PIPL-DELETE-AT-RETENTION-END"); st != "met" {
			t.Errorf("deletion duty after the deletion: %s (%s), want met", st, reason)
		}
		// A retention moved to yesterday makes the training records overdue from today.
		res, body = sm.Do("PUT", fmt.Sprintf("/api/v1/data/assets/%d/retention", rs["员工培训记录"].AssetID), nil, h, `{"retention_ends_on":"`+day(-1)+`"}`)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("retention: %d %s", res.StatusCode, body)
		}
		if st, _, due := finding(t, sm, "PIPL-DELETE-AT-RETENTION-END"); st != "overdue" || beijingDay(due) != day(-1) {
			t.Errorf("deletion duty after moving a retention to yesterday: %s due %s", st, due)
		}
	})
}

// beijingDay is the Beijing date of a finding's due instant ("" when unset or unreadable).
func beijingDay(due string) string {
	t, err := time.Parse(time.RFC3339, due)
	if err != nil {
		return ""
	}
	return t.In(calendar.Shanghai).Format(time.DateOnly)
}
