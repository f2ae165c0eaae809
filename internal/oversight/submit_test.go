package oversight_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestFilingRoundTrip: the grid operator's security manager names the demo regulator,
// files a signed change report; the regulator's analyst finds it in the inbox with the
// payload's SHA-256 (computed here, independently) and the signature verified, accepts it
// with a note; the operator reads "accepted" and the note. Both organisations' audit
// trails record the filing and the answer.
func TestFilingRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		op := env.Login(t, "security@grid.demo")
		reg := regulatorID(t, env)
		code, body := call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": reg}, nil)
		mustStatus(t, "name the regulator", code, http.StatusOK, body)

		pub, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		payload := []byte(`{"systems":3,"summary":"新增调度数据网接入"}`)
		sum := sha256.Sum256(payload)
		fp := sha256.Sum256(pub)
		var filed submission
		code, body = call(t, op, "POST", "/api/v1/filings", map[string]any{
			"kind": "change_report", "title_zh": "重大变化报告", "title_en": "Major change report", "payload": json.RawMessage(payload),
			"signature": ed25519.Sign(priv, payload), "public_key": []byte(pub), "key_fingerprint": hex.EncodeToString(fp[:]),
		}, &filed)
		mustStatus(t, "file", code, http.StatusCreated, body)
		if filed.RegulatorID != reg || !filed.Signed || filed.State != "submitted" || filed.PayloadSHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("filed %+v; want the regulator %d, signed, submitted, payload sha %x", filed, reg, sum)
		}

		an := env.Login(t, "analyst@regulator.demo")
		var inbox struct{ Items []submission }
		code, body = call(t, an, "GET", "/api/v1/oversight/inbox?kind=change_report", nil, &inbox)
		mustStatus(t, "inbox", code, http.StatusOK, body)
		var found *submission
		for i := range inbox.Items {
			if inbox.Items[i].ID == filed.ID {
				found = &inbox.Items[i]
			}
		}
		if found == nil || found.PayloadSHA256 != filed.PayloadSHA256 || !found.Signed {
			t.Fatalf("inbox %s lacks filing %d as filed", body, filed.ID)
		}
		path := "/api/v1/oversight/inbox/" + strconv.FormatInt(filed.ID, 10)
		code, body = call(t, an, "POST", path+"/answers", map[string]any{"action": "accepted", "note": "材料齐全，予以受理"}, nil)
		mustStatus(t, "accept", code, http.StatusCreated, body)
		code, body = call(t, an, "POST", path+"/answers", map[string]any{"action": "acknowledged"}, nil)
		mustStatus(t, "answer after acceptance", code, http.StatusConflict, body)

		var got submission
		code, body = call(t, op, "GET", "/api/v1/filings/"+strconv.FormatInt(filed.ID, 10), nil, &got)
		mustStatus(t, "operator reads the answer", code, http.StatusOK, body)
		if got.State != "accepted" || len(got.Answers) != 1 || got.Answers[0].Note != "材料齐全，予以受理" {
			t.Fatalf("operator sees %+v; want accepted with the note", got)
		}
		for _, c := range []*apptest.Client{op, env.Login(t, "admin@regulator.demo")} {
			_, trail := c.Do("GET", "/audit", nil, nil)
			for _, action := range []string{`data-action="accepted"`} {
				if !contains(trail, action) {
					t.Errorf("an audit trail lacks %s", action)
				}
			}
		}
	})
}

// TestFilingRefusals: each bad filing is a 400 naming the field (hand-written table).
func TestFilingRefusals(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	op := newOperator(t, env)
	// Before a department is named, nothing can be filed.
	ok := map[string]any{"kind": "annual_report", "title_zh": "年度报告", "title_en": "Annual report", "payload": map[string]any{"year": 2026}}
	code, body := call(t, op, "POST", "/api/v1/filings", ok, nil)
	if code != http.StatusBadRequest || !contains(body, `"regulator"`) {
		t.Fatalf("filing without a department: %d %s; want 400 on regulator", code, body)
	}
	code, body = call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": 1 << 40}, nil)
	if code != http.StatusBadRequest || !contains(body, `"regulator_id"`) {
		t.Fatalf("unknown department: %d %s", code, body)
	}
	call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": regulatorID(t, env)}, nil)
	pub, priv, _ := ed25519.GenerateKey(nil)
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"unknown kind", with("kind", "tax_return"), "kind"},
		{"no Chinese title", with("title_zh", ""), "title_zh"},
		{"payload an array", with("payload", []int{1}), "payload"},
		{"incident without detection time", with("kind", "incident_report"), "payload.detected_at"},
		{"incident with a bad detection time", func() map[string]any {
			m := with("kind", "incident_report")
			m["payload"] = map[string]any{"detected_at": "yesterday"}
			return m
		}(), "payload.detected_at"},
		{"signature over other bytes", func() map[string]any {
			m := with("signature", ed25519.Sign(priv, []byte("other")))
			m["public_key"] = []byte(pub)
			return m
		}(), "signature"},
		{"short public key", func() map[string]any {
			m := with("signature", make([]byte, 64))
			m["public_key"] = []byte{1, 2}
			return m
		}(), "public_key"},
		{"fingerprint without signature", with("key_fingerprint", "ab"), "key_fingerprint"},
		{"evidence hash malformed", with("evidence_sha256", "xyz"), "evidence_sha256"},
		{"evidence not ours", with("evidence_sha256", hex.EncodeToString(make([]byte, 32))), "evidence_sha256"},
	} {
		code, body := call(t, op, "POST", "/api/v1/filings", c.in, nil)
		if code != http.StatusBadRequest || !contains(body, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %s; want 400 naming %s", c.name, code, body, c.field)
		}
	}
}

// TestFilingsStayWithTheirOrganisations: another operator, another regulator (of another
// sector and region) and an operator on the regulator's pages see nothing.
func TestFilingsStayWithTheirOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		op := env.Login(t, "security@grid.demo")
		call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": regulatorID(t, env)}, nil)
		var filed submission
		code, body := call(t, op, "POST", "/api/v1/filings", map[string]any{"kind": "incident_report", "title_zh": "事件报告", "title_en": "Incident report",
			"payload": map[string]any{"detected_at": "2026-12-01T09:00:00+08:00", "grade": "relatively_major"}}, &filed)
		mustStatus(t, "file", code, http.StatusCreated, body)
		id := strconv.FormatInt(filed.ID, 10)

		water := env.Login(t, otherOperator())
		if code, body := call(t, water, "GET", "/api/v1/filings/"+id, nil, nil); code != http.StatusNotFound {
			t.Errorf("another operator reads the filing: %d %s", code, body)
		}
		var list struct{ Submissions []submission }
		call(t, water, "GET", "/api/v1/filings", nil, &list)
		for _, s := range list.Submissions {
			if s.ID == filed.ID {
				t.Errorf("another operator lists filing %d", filed.ID)
			}
		}
		other := secondRegulator(t, env)
		for _, p := range []string{"/api/v1/oversight/inbox/" + id, "/oversight/inbox/" + id, "/api/v1/oversight/inbox/" + id + "/attachment"} {
			if res, _ := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("another regulator GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		if code, _ := call(t, other, "POST", "/api/v1/oversight/inbox/"+id+"/answers", map[string]any{"action": "acknowledged"}, nil); code != http.StatusNotFound {
			t.Errorf("another regulator answers: %d, want 404", code)
		}
		var inbox struct{ Items []submission }
		call(t, other, "GET", "/api/v1/oversight/inbox", nil, &inbox)
		if len(inbox.Items) != 0 {
			t.Errorf("another regulator's inbox holds %d items", len(inbox.Items))
		}
		for _, p := range []string{"/oversight", "/oversight/inbox/" + id, "/api/v1/oversight/inbox"} {
			if res, _ := op.Do("GET", p, nil, nil); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
				t.Errorf("operator GET %s: %d, want 403 or 404", p, res.StatusCode)
			}
		}
	})
}

// TestRegulatorHomeShowsInbox: the demo regulator's home page is no longer empty: it shows
// the inbox counts of the demo's twenty filings, counted by hand from demo.go (per
// operator: 3 accepted, 2 awaiting more information, 2 acknowledged only, 3 unanswered;
// one incident report filed 95 minutes after detection, late on the 1-hour clock).
func TestRegulatorHomeShowsInbox(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	c := env.Login(t, "analyst@regulator.demo")
	_, home := c.Do("GET", "/", nil, nil)
	for id, n := range map[string]int{"w-total": 20, "w-accepted": 6, "w-info_requested": 4, "w-acknowledged": 4, "w-submitted": 6, "w-late": 2} {
		if want := `id="` + id + `">` + strconv.Itoa(n) + `<`; !contains(home, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
}

// TestPenaltyCaseAmounts: the fine must lie in the cited tier's range, read from the
// catalog's CIIR 2021 Art. 39 (quoted: "拒不改正或者导致危害网络安全等后果的，处10万元以上100万元以下罚款，
// 对直接负责的主管人员处1万元以上10万元以下罚款") unless the case records the legal basis
// for going outside it; another regulator lists none of the cases.
func TestPenaltyCaseAmounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		admin := env.Login(t, "admin@regulator.demo")
		var inbox struct{ Items []submission }
		call(t, admin, "GET", "/api/v1/oversight/inbox", nil, &inbox)
		op := inbox.Items[0].OperatorID
		c := func(subject, tier string, amount int64, basis string) map[string]any {
			return map[string]any{"operator_id": op, "penalty_id": "CIIR-2021-39", "subject": subject, "tier": tier, "amount": amount,
				"outside_basis": basis, "decision": "责令改正，并处罚款。"}
		}
		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  int
			field string
		}{
			{"organisation at the top of the range", c("organisation", "refused_or_harm", 1000000, ""), 201, ""},
			{"organisation above the range", c("organisation", "refused_or_harm", 1000001, ""), 400, "amount"},
			{"organisation below the range", c("organisation", "refused_or_harm", 99999, ""), 400, "amount"},
			{"person within the persons' range", c("person", "refused_or_harm", 50000, ""), 201, ""},
			{"person above the persons' range", c("person", "refused_or_harm", 200000, ""), 400, "amount"},
			{"outside the range with its legal basis", c("organisation", "refused_or_harm", 50000, "《行政处罚法》第三十二条 从轻处罚"), 201, ""},
			{"order tier carries no fine", c("organisation", "order", 10000, ""), 400, "amount"},
			{"unknown tier", c("organisation", "serious", 100000, ""), 400, "tier"},
			{"draft clause", func() map[string]any {
				m := c("organisation", "order", 0, "")
				m["penalty_id"] = "CIIR-DRAFT-45"
				return m
			}(), 400, "penalty_id"},
		} {
			code, body := call(t, admin, "POST", "/api/v1/oversight/cases", tc.in, nil)
			if code != tc.code || (tc.field != "" && !contains(body, `"field":"`+tc.field+`"`)) {
				t.Errorf("%s: %d %s; want %d naming %q", tc.name, code, body, tc.code, tc.field)
			}
		}
		var other struct{ Cases []map[string]any }
		call(t, secondRegulator(t, env), "GET", "/api/v1/oversight/cases", nil, &other)
		if len(other.Cases) != 0 {
			t.Errorf("another regulator lists %d cases", len(other.Cases))
		}
		if code, _ := call(t, env.Login(t, "admin@grid.demo"), "GET", "/api/v1/oversight/cases", nil, nil); code != 403 {
			t.Errorf("an operator reads the cases: %d, want 403", code)
		}
	})
}

// TestPenaltyCasePages: the demo case on the cases page in Chinese and English, with
// CIIR 2021 Art. 39's range for organisations written out (quoted: 10万元以上100万元以下);
// a case opened on the page with an amount outside the range comes back naming amount,
// inside it is opened; its decision is recorded and published on its page. Another
// regulator gets 404 for the case, its page and its decision; an inspector reads but does
// not decide (403).
func TestPenaltyCasePages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, store.SQLite)
	admin := env.Login(t, "admin@regulator.demo")
	var cs struct {
		Cases []struct {
			ID         int64 `json:"id"`
			OperatorID int64 `json:"operator_id"`
			Amount     int64 `json:"amount"`
		}
	}
	call(t, admin, "GET", "/api/v1/oversight/cases", nil, &cs)
	if len(cs.Cases) != 1 || cs.Cases[0].Amount != 200000 {
		t.Fatalf("demo cases %+v; want one of 200,000 yuan", cs.Cases)
	}
	id := strconv.FormatInt(cs.Cases[0].ID, 10)
	_, en := admin.Do("GET", "/oversight/cases", nil, nil)
	if !contains(en, "RMB 100,000–RMB 1,000,000") || !contains(en, "RMB 200,000") {
		t.Errorf("English cases page lacks the range RMB 100,000–RMB 1,000,000 or the amount")
	}
	zh := env.Login(t, "admin@regulator.demo")
	zh.Do("POST", "/lang", map[string][]string{"lang": {"zh-CN"}, "_csrf": {zh.CSRF}}, nil)
	_, page := zh.Do("GET", "/oversight/cases", nil, nil)
	if !contains(page, "10 万元–100 万元") || !contains(page, "20 万元") || !contains(page, "拒不改正或者导致危害后果") {
		t.Errorf("Chinese cases page lacks 10 万元–100 万元, 20 万元 or the tier")
	}
	form := func(amount string) map[string][]string {
		return map[string][]string{"_csrf": {admin.CSRF}, "operator_id": {strconv.FormatInt(cs.Cases[0].OperatorID, 10)}, "penalty_id": {"CIIR-2021-39"},
			"subject": {"organisation"}, "tier": {"refused_or_harm"}, "amount": {amount}, "decision": {"责令改正，并处罚款。"}}
	}
	if res, body := admin.Do("POST", "/oversight/cases", form("1000001"), nil); res.StatusCode != http.StatusBadRequest || !contains(body, `id="amount-error"`) {
		t.Errorf("amount above the range on the page: %d; want 400 with the amount's error", res.StatusCode)
	}
	if res, body := admin.Do("POST", "/oversight/cases", form("abc"), nil); res.StatusCode != http.StatusBadRequest || !contains(body, `id="amount-error"`) {
		t.Errorf("amount not a number on the page: %d; want 400 with the amount's error", res.StatusCode)
	}
	if res, _ := admin.Do("POST", "/oversight/cases", form("300000"), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a case within the range: %d, want 303", res.StatusCode)
	}
	res, _ := admin.Do("POST", "/oversight/cases/"+id+"/decision", map[string][]string{"_csrf": {admin.CSRF}, "decision": {"罚款二十万元，已公开。"}, "published": {"on"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record the decision: %d", res.StatusCode)
	}
	var c struct {
		Decision  string `json:"decision"`
		Published bool   `json:"published"`
		Amount    int64  `json:"amount"`
	}
	call(t, admin, "GET", "/api/v1/oversight/cases/"+id, nil, &c)
	if c.Decision != "罚款二十万元，已公开。" || !c.Published || c.Amount != 200000 {
		t.Errorf("case after the decision: %+v", c)
	}
	if code, body := call(t, admin, "PUT", "/api/v1/oversight/cases/"+id+"/decision", map[string]any{"decision": " "}, nil); code != 400 || !contains(body, `"field":"decision"`) {
		t.Errorf("empty decision: %d %s", code, body)
	}
	other := secondRegulator(t, env)
	for _, p := range []string{"/api/v1/oversight/cases/" + id, "/oversight/cases/" + id} {
		if code, _ := call(t, other, "GET", p, nil, nil); code != http.StatusNotFound {
			t.Errorf("another regulator GET %s: %d, want 404", p, code)
		}
	}
	if code, _ := call(t, env.Login(t, "inspector@regulator.demo"), "PUT", "/api/v1/oversight/cases/"+id+"/decision", map[string]any{"decision": "x"}, nil); code != http.StatusForbidden {
		t.Errorf("an inspector decides: %d, want 403", code)
	}
}
