package suppliers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestDemoTiers reads the demo suppliers' tiers through the API and the list page in
// Chinese, against the demo tables worked by hand: 华北网络设备 supplies the core router of
// 调度数据网 (level 3) — critical, reviewed 30 days ago, due in 6 months; 明德人力资源软件
// supplies 人力资源管理系统 (level 2) and 培训管理系统 (level 1, no personal information) —
// important for the first only; 莱茵工业控制's PLC and switch are on the substation system
// (level 3): critical, and its last review, 191 days ago, is past the 6 months.
func TestDemoTiers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		var l struct {
			Suppliers []struct {
				ID   int64
				Name string
			}
		}
		res, body := sm.Do("GET", "/api/v1/suppliers", nil, nil)
		decode(t, res, body, http.StatusOK, &l)
		ids := map[string]int64{}
		for _, x := range l.Suppliers {
			ids[x.Name] = x.ID
		}
		want := []struct {
			name, tier string
			reason     string // a system named among the reasons
			overdue    bool
		}{
			{"华北网络设备股份有限公司", "critical", "调度数据网", false},
			{"明德人力资源软件有限公司", "important", "人力资源管理系统", false},
			{"莱茵工业控制有限公司", "critical", "变电站综合自动化监控系统", true},
		}
		for _, w := range want {
			var got struct {
				Tier struct {
					Tier    struct{ Code string }
					Reasons []struct{ System, Code string }
					Overdue bool `json:"reassess_overdue"`
				}
			}
			res, body := sm.Do("GET", "/api/v1/suppliers/"+strconv.FormatInt(ids[w.name], 10), nil, nil)
			decode(t, res, body, http.StatusOK, &got)
			named := false
			for _, r := range got.Tier.Reasons {
				named = named || r.System == w.reason
				if r.System == "培训管理系统" {
					t.Errorf("%s: the level-1 training system counted: %+v", w.name, r)
				}
			}
			if got.Tier.Tier.Code != w.tier || !named || got.Tier.Overdue != w.overdue {
				t.Errorf("%s: %+v, want %s naming %s, overdue %v", w.name, got.Tier, w.tier, w.reason, w.overdue)
			}
		}
		sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil)
		_, page := sm.Do("GET", "/suppliers", nil, nil)
		for _, s := range []string{"重要程度分级", "关键", "重要", "已逾期"} {
			if !strings.Contains(page, s) {
				t.Errorf("the list in Chinese lacks %q", s)
			}
		}
		_, page = sm.Do("GET", "/suppliers/"+strconv.FormatInt(ids["明德人力资源软件有限公司"], 10), nil, nil)
		if !strings.Contains(page, "用于人力资源管理系统（二级）") || !strings.Contains(page, "每12个月重新评估") {
			t.Errorf("the supplier's page does not give the tier's reason and interval")
		}
	})
}
