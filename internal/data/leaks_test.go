package data_test

import (
	"encoding/json"
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

// leakJSON is a leak as the data API returns it, with its incident.
type leakJSON struct {
	ID           int64  `json:"id"`
	AssetID      int64  `json:"asset_id"`
	People       int64  `json:"people"`
	IncidentID   int64  `json:"incident_id"`
	IncidentPath string `json:"incident_path"`
	Incident     *struct {
		ID             int64      `json:"id"`
		Path           string     `json:"path"`
		Grade          string     `json:"grade"`
		Open           bool       `json:"open"`
		FirstReportDue *time.Time `json:"first_report_due"`
	} `json:"incident"`
}

// incidentCount is how many incidents the client's organisation has.
func incidentCount(t *testing.T, c *apptest.Client) int {
	t.Helper()
	res, body := c.Do("GET", "/api/v1/incidents", nil, nil)
	var out struct{ Incidents []json.RawMessage }
	decode(t, res, body, 200, &out)
	return len(out.Incidents)
}

// TestLeakOpensIncident records personal-information leaks of the demo grid operator (a CII
// operator) on both engines and checks them against the brief's incident rules (IRM 2025):
// 1,200,000 people's records leaked from an asset held in the identified SCADA system is 较大
// (≥ 1,000,000 people), reportable, first report due one hour after detection (an incident
// touching CII); 2,300,000 customers' service records from a system that is not identified
// CII are 较大 with the 4-hour provincial route; 500 people is 一般, no first report.
// Each leak opens one incident through the kernel's contract, linked both ways: the leak
// carries the incident's path, the incident's description the asset's page. Refusals name
// the field and open no incident; another operator gets 404 and sees none of it.
func TestLeakOpensIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		res, body := sm.Do("GET", "/api/v1/data/assets", nil, nil)
		var all struct {
			Assets []struct {
				ID   int64
				Name string
			}
		}
		decode(t, res, body, 200, &all)
		ids := map[string]int64{}
		for _, a := range all.Assets {
			ids[a.Name] = a.ID
		}
		// An asset held in the identified SCADA system, with 1,200,000 people's records.
		res, body = sm.Do("GET", "/api/v1/scope/systems", nil, nil)
		var systems struct {
			Systems []struct {
				ID   int64
				Name string
			}
		}
		decode(t, res, body, 200, &systems)
		var scada int64
		for _, x := range systems.Systems {
			if x.Name == "电力监控系统（SCADA）" {
				scada = x.ID
			}
		}
		res, body = sm.Do("POST", "/api/v1/data/assets", nil, h, fmt.Sprintf(`{"name":"厂站接入用户档案","department":"调度控制中心","systems":[%d],"categories":["pi"],"people":1200000,"locations":[{"region":"北京市"}],"retention":"接入终止后3年","legal_basis":"contract","purposes":"厂站接入管理","level":"general","level_reason":"不在重要数据目录内"}`, scada))
		var created struct{ ID int64 }
		decode(t, res, body, http.StatusCreated, &created)
		ids["厂站接入用户档案"] = created.ID
		before := incidentCount(t, sm)
		detected := time.Now().In(calendar.Shanghai).Add(-10 * time.Minute).Truncate(time.Minute)

		path := fmt.Sprintf("/api/v1/data/assets/%d/leaks", ids["95598 客户服务记录"])
		res, body = sm.Do("POST", path, nil, h, `{"detected_at":"2099-01-01T00:00","people":0,"description":""}`)
		f := fields(t, body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(f["detected_at"], "future") || !strings.Contains(f["people"], "between 1 and") || !strings.Contains(f["description"], "required") {
			t.Errorf("bad leak: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", fmt.Sprintf("/api/v1/data/assets/%d/leaks", ids["电网拓扑与运行方式数据"]), nil, h,
			`{"detected_at":"`+detected.Format("2006-01-02T15:04")+`","people":10,"description":"x"}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(fields(t, body)["asset"], "no personal information") {
			t.Errorf("a leak of data without personal information: %d %s", res.StatusCode, body)
		}
		res, body = sm.Do("POST", path, nil, h, `{"detected_at":"`+detected.Format("2006-01-02T15:04")+`","people":2300001,"description":"x"}`)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(fields(t, body)["people"], "2300000") {
			t.Errorf("more people leaked than the asset holds: %d %s", res.StatusCode, body)
		}
		if n := incidentCount(t, sm); n != before {
			t.Errorf("refused leaks opened %d incidents", n-before)
		}

		// Another operator's user: the asset is not theirs.
		other := env.Login(t, "security@water.demo")
		otherBefore := incidentCount(t, other)
		if res, _ := other.Do("POST", path, nil, jsonHdr(other.CSRF), `{"detected_at":"`+detected.Format("2006-01-02T15:04")+`","people":2300000,"description":"x"}`); res.StatusCode != http.StatusNotFound {
			t.Errorf("another operator recording a leak of the grid's asset: %d, want 404", res.StatusCode)
		}

		for _, c := range []struct {
			asset  string
			people int64
			grade  string
			due    time.Duration // 0: not reportable
		}{
			{"厂站接入用户档案", 1_200_000, "relatively_major", time.Hour},
			{"95598 客户服务记录", 2_300_000, "relatively_major", 4 * time.Hour},
			{"员工培训记录", 500, "general", 0},
		} {
			res, body := sm.Do("POST", fmt.Sprintf("/api/v1/data/assets/%d/leaks", ids[c.asset]), nil, h,
				fmt.Sprintf(`{"detected_at":"%s","people":%d,"description":"客服外包坐席导出客户记录后外传"}`, detected.Format("2006-01-02T15:04"), c.people))
			var l leakJSON
			decode(t, res, body, http.StatusCreated, &l)
			if l.Incident == nil || l.IncidentPath != fmt.Sprintf("/incidents/%d", l.IncidentID) || l.Incident.Grade != c.grade || !l.Incident.Open {
				t.Errorf("%s: leak %+v, want an open %s incident", c.asset, l, c.grade)
				continue
			}
			switch due := l.Incident.FirstReportDue; {
			case c.due != 0 && (due == nil || !due.Equal(detected.Add(c.due))):
				t.Errorf("%s: first report due %v, want %s (%s)", c.asset, due, detected.Add(c.due), c.due)
			case c.due == 0 && due != nil:
				t.Errorf("%s: a general incident has a first report due %v", c.asset, due)
			}
			// The way back: the incident names the asset's page.
			res, body = sm.Do("GET", fmt.Sprintf("/api/v1/incidents/%d", l.IncidentID), nil, nil)
			var got struct {
				Incident struct{ Title, Description string }
			}
			decode(t, res, body, 200, &got)
			inc := got.Incident
			if !strings.Contains(inc.Description, fmt.Sprintf("/data/assets/%d", ids[c.asset])) || !strings.Contains(inc.Title, c.asset) {
				t.Errorf("%s: the incident %q / %q does not name the asset and its page", c.asset, inc.Title, inc.Description)
			}
		}
		// The asset's page, in Chinese, links the incident with its grade and deadline.
		res, page := sm.Do("GET", fmt.Sprintf("/data/assets/%d", ids["厂站接入用户档案"]), nil, map[string]string{"Accept-Language": "zh-CN"})
		due := detected.Add(time.Hour).Format("2006-01-02 15:04")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/incidents/`) || !strings.Contains(page, "较大") || !strings.Contains(page, "首报截止"+due+"（北京时间）") {
			t.Errorf("the asset's page: %d, want the incident linked as 较大 with 首报截止%s", res.StatusCode, due)
		}
		if n := incidentCount(t, sm); n != before+3 {
			t.Errorf("%d incidents opened, want 3", n-before)
		}
		res, body = sm.Do("GET", "/api/v1/data/leaks", nil, nil)
		var leaks struct{ Leaks []leakJSON }
		decode(t, res, body, 200, &leaks)
		if len(leaks.Leaks) != 3 {
			t.Errorf("%d leaks listed, want 3", len(leaks.Leaks))
		}
		res, body = other.Do("GET", "/api/v1/data/leaks", nil, nil)
		decode(t, res, body, 200, &leaks)
		if len(leaks.Leaks) != 0 || incidentCount(t, other) != otherBefore {
			t.Errorf("another operator sees %d leaks and %d new incidents", len(leaks.Leaks), incidentCount(t, other)-otherBefore)
		}
	})
}
