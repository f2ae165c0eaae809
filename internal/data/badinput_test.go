package data_test

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

// TestBadInput: refused input is a 400 naming each field with its reason, in English and (after
// switching the language) in Chinese; an impact assessment inside its three years (PIPL Art. 56)
// cannot be deleted (409), on both engines.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		sm := env.Login(t, "security@grid.demo")
		h := jsonHdr(sm.CSRF)
		res, body := sm.Do("POST", "/api/v1/data/transfers", nil, h, `{"recipient":"","recipient_country":"中国","recipient_role":"boss","frequency":"daily","start_on":"2026-13-01","people":-5,"assets":[999999]}`)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad transfer: %d %s", res.StatusCode, body)
		}
		f := fields(t, body)
		for field, w := range map[string]string{"recipient": "required", "recipient_country": "is China", "recipient_role": "one of",
			"start_on": "not a date", "people": "between 0 and", "fields": "required", "assets[0]": "not a data asset"} {
			if !strings.Contains(f[field], w) {
				t.Errorf("%s: %q, want it to say %q (all: %v)", field, f[field], w, f)
			}
		}
		res, body = sm.Do("POST", "/api/v1/data/assets", nil, h, `{"name":"客户画像","department":"营销部","categories":["important"],"locations":[{"region":"北京市"}],"retention":"3年","purposes":"分析","level":"general","level_reason":"x"}`)
		f = fields(t, body)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(f["designation"], "NDSR 2024 Art. 37") || f["level"] == "" {
			t.Errorf("important data without its notice and with the general level: %d %s", res.StatusCode, body)
		}
		// The same refusals on the page, in Chinese.
		if res, _ := sm.Do("POST", "/lang", url.Values{"lang": {"zh-CN"}}, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", res.StatusCode)
		}
		res, body = sm.Do("POST", "/data/transfers", url.Values{"recipient": {""}, "recipient_country": {"中国"}, "start_on": {"2026-13-01"}, "people": {"-5"}}, nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad transfer form: %d", res.StatusCode)
		}
		for _, w := range []string{"是中国境内：此处只登记向境外接收方提供的数据", "不是日期", "必须在 0 到 2000000000 之间", "请至少选择一项出境的数据资产"} {
			if !strings.Contains(body, w) {
				t.Errorf("the refused form in Chinese does not say %q", w)
			}
		}
		xs := transfers(t, sm)
		for _, x := range xs {
			for _, p := range x.PIPIAs {
				res, body := sm.Do("DELETE", "/api/v1/data/pipias/"+strconv.FormatInt(p.ID, 10), nil, jsonHdr(sm.CSRF))
				if res.StatusCode != http.StatusConflict || !strings.Contains(body, p.KeepUntil) {
					t.Errorf("deleting an impact assessment kept until %s: %d %s", p.KeepUntil, res.StatusCode, body)
				}
			}
		}
	})
}
