package catalog

import (
	"strings"
	"testing"
	"time"
)

func embedded(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bj is an instant on the Beijing wall clock.
func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

// TestPenaltyTiersFollowTheText checks each penalty clause's tiers against the article's
// text, quoted with each case. The oracle is the text, not the YAML.
func TestPenaltyTiersFollowTheText(t *testing.T) {
	c := embedded(t)
	refused := Circumstances{RefusedOrHarm: true}
	cases := []struct {
		id                 string
		circ               Circumstances
		min, max, pmin, pm int64 // pm: persons max, 0 when the tier fines no person
	}{
		// CSL 2016 Art. 59(1): "网络运营者不履行本法第二十一条、第二十五条规定的网络安全保护义务的，由有关主管部门
		// 责令改正，给予警告；拒不改正或者导致危害网络安全等后果的，处一万元以上十万元以下罚款，对直接负责的主管人员处
		// 五千元以上五万元以下罚款。"
		{"CSL-2016-59-1", Circumstances{}, 0, 0, 0, 0},
		{"CSL-2016-59-1", refused, 10000, 100000, 5000, 50000},
		// CSL 2016 Art. 59(2): "关键信息基础设施的运营者不履行本法第三十三条、第三十四条、第三十六条、第三十八条规定的
		// 网络安全保护义务的，……拒不改正或者导致危害网络安全等后果的，处十万元以上一百万元以下罚款，对直接负责的主管
		// 人员处一万元以上十万元以下罚款。"
		{"CSL-2016-59-2", refused, 100000, 1000000, 10000, 100000},
		// CSL 2025 Art. 61(1): "……责令改正，给予警告，可以处一万元以上五万元以下罚款；拒不改正或者导致危害网络安全等
		// 后果的，处五万元以上五十万元以下罚款，对直接负责的主管人员和其他直接责任人员处一万元以上十万元以下罚款。"
		{"CSL-2025-61-1", Circumstances{}, 10000, 50000, 0, 0},
		{"CSL-2025-61-1", refused, 50000, 500000, 10000, 100000},
		// CSL 2025 Art. 61(2): "……可以处五万元以上十万元以下罚款；拒不改正或者导致危害网络安全等后果的，处十万元以上
		// 一百万元以下罚款，对直接负责的主管人员和其他直接责任人员处一万元以上十万元以下罚款。"
		{"CSL-2025-61-2", Circumstances{}, 50000, 100000, 0, 0},
		{"CSL-2025-61-2", refused, 100000, 1000000, 10000, 100000},
		// CSL 2025 Art. 61(3): "……严重危害网络安全后果的，……处五十万元以上二百万元以下罚款，对……处五万元以上二十万元
		// 以下罚款；……特别严重危害网络安全后果的，处二百万元以上一千万元以下罚款，对……处二十万元以上一百万元以下罚款。"
		{"CSL-2025-61-2", Circumstances{Severity: "serious"}, 500000, 2000000, 50000, 200000},
		{"CSL-2025-61-1", Circumstances{Severity: "especially_serious"}, 2000000, 10000000, 200000, 1000000},
		// CIIR 2021 Art. 39: "……责令改正，给予警告；拒不改正或者导致危害网络安全等后果的，处10万元以上100万元以下罚款，
		// 对直接负责的主管人员处1万元以上10万元以下罚款"
		{"CIIR-2021-39", Circumstances{}, 0, 0, 0, 0},
		{"CIIR-2021-39", refused, 100000, 1000000, 10000, 100000},
		// CIIR 2021 Art. 42: "……责令改正；拒不改正的，处5万元以上50万元以下罚款，对直接负责的主管人员和其他直接责任
		// 人员处1万元以上10万元以下罚款"
		{"CIIR-2021-42", refused, 50000, 500000, 10000, 100000},
		// DSL Art. 45(1): "……可以并处五万元以上五十万元以下罚款，对直接负责的主管人员和其他直接责任人员可以处一万元
		// 以上十万元以下罚款；拒不改正或者造成大量数据泄露等严重后果的，处五十万元以上二百万元以下罚款，……对直接负责
		// 的主管人员和其他直接责任人员处五万元以上二十万元以下罚款。" — persons at most RMB 200,000.
		{"DSL-2021-45", Circumstances{}, 50000, 500000, 10000, 100000},
		{"DSL-2021-45", refused, 500000, 2000000, 50000, 200000},
		// DSL Art. 46: "违反本法第三十一条规定，向境外提供重要数据的，……可以并处十万元以上一百万元以下罚款，对……可以
		// 处一万元以上十万元以下罚款；情节严重的，处一百万元以上一千万元以下罚款，……对……处十万元以上一百万元以下罚款。"
		{"DSL-2021-46", Circumstances{}, 100000, 1000000, 10000, 100000},
		{"DSL-2021-46", Circumstances{Severity: "serious"}, 1000000, 10000000, 100000, 1000000},
		// CSL 2016 Art. 72 / 2025 Art. 74: "国家机关政务网络的运营者不履行本法规定的网络安全保护义务的，由其上级机关或者
		// 有关机关责令改正；对直接负责的主管人员和其他直接责任人员依法给予处分。" — no fine at all.
		{"CSL-2016-72", refused, 0, 0, 0, 0},
		{"CSL-2025-74", Circumstances{Severity: "serious"}, 0, 0, 0, 0},
	}
	for _, tc := range cases {
		p, ok := c.Penalty(tc.id)
		if !ok {
			t.Errorf("%s: not in the catalog", tc.id)
			continue
		}
		got := p.Tier(tc.circ)
		var pmin, pmax int64
		if got.Persons != nil {
			pmin, pmax = got.Persons.Min, got.Persons.Max
		}
		if got.Fine.Min != tc.min || got.Fine.Max != tc.max || pmin != tc.pmin || pmax != tc.pm {
			t.Errorf("%s %+v: fine %d–%d persons %d–%d, want %d–%d persons %d–%d", tc.id, tc.circ,
				got.Fine.Min, got.Fine.Max, pmin, pmax, tc.min, tc.max, tc.pmin, tc.pm)
		}
	}
	for _, id := range []string{"CSL-2016-72", "CSL-2025-74"} {
		if p, _ := c.Penalty(id); p == nil || p.HasFine() {
			t.Errorf("%s must carry no fine", id)
		}
	}
}

// TestDutyPenaltyBySubject checks that each duty names the clause that punishes its breach,
// which is what decides who is fined and how much: ordinary operators' duties (CSL 2016
// Arts. 21 and 25, and graded-protection filing under Art. 21) fall under Art. 59(1), CII
// operators' duties (Arts. 33, 34, 36, 38) under Art. 59(2); a central or state organ's
// incident report under Art. 72 (no fine); important-data export under DSL Art. 46
// ("违反本法第三十一条规定，向境外提供重要数据的").
func TestDutyPenaltyBySubject(t *testing.T) {
	c := embedded(t)
	want := map[string]string{
		"CSL-LOG-RETENTION":                       "CSL-2016-59-1",
		"CSL-INCIDENT-RESPONSE-PLAN":              "CSL-2016-59-1",
		"CSL-SECURITY-RESPONSIBLE-PERSON":         "CSL-2016-59-1",
		"MLPS07-FILING-30-DAYS":                   "CSL-2016-59-1",
		"IRM-OTHER-OPERATOR-4-HOUR-REPORT":        "CSL-2016-59-1",
		"CSL-CII-ANNUAL-ASSESSMENT":               "CSL-2016-59-2",
		"CSL-CII-SECURITY-ORGANISATION":           "CSL-2016-59-2",
		"IRM-CENTRAL-ORGAN-2-HOUR-REPORT":         "CSL-2016-72",
		"DSL-IMPORTANT-DATA-EXPORT":               "DSL-2021-46",
		"CBDF-IMPORTANT-DATA-SECURITY-ASSESSMENT": "DSL-2021-46",
		"DSL-DATA-SECURITY-OFFICER":               "DSL-2021-45",
	}
	for id, pen := range want {
		o, ok := c.Obligation(id)
		if !ok {
			t.Errorf("%s: missing", id)
			continue
		}
		if o.Penalty != pen {
			t.Errorf("%s: penalty %q, want %q", id, o.Penalty, pen)
		}
	}
	// The central-organ 2-hour duty shows no fine, before and after the 2025 amendment.
	for _, at := range []time.Time{bj("2025-11-15 12:00"), bj("2026-06-01 12:00")} {
		p, _ := c.PenaltyAt("IRM-CENTRAL-ORGAN-2-HOUR-REPORT-NONE", at)
		if p != nil {
			t.Fatal("unknown penalty id resolved")
		}
		o, _ := c.Obligation("IRM-CENTRAL-ORGAN-2-HOUR-REPORT")
		if p, _ := c.PenaltyAt(o.Penalty, at); p == nil || p.HasFine() {
			t.Errorf("central-organ 2-hour report at %s: penalty %+v, want one without a fine", at, p)
		}
	}
}

// TestPenaltyInForce: the CSL amendment of 2025-10-28 is in force from 2026-01-01 (its
// decision: "本决定自2026年1月1日起施行"); conduct from that Beijing date on is punished under
// the 2025 article, and the 2016 one is shown as "formerly". Art. 66 was deleted; data
// localisation now falls under Art. 71(1)(3): "违反本法第三十九条规定，关键信息基础设施的
// 运营者在境外存储个人信息和重要数据，或者向境外提供个人信息和重要数据的" — "依照有关法律、
// 行政法规的规定处理、处罚".
func TestPenaltyInForce(t *testing.T) {
	c := embedded(t)
	cases := []struct {
		id       string
		at       time.Time
		want     string
		formerly string
	}{
		{"CSL-2016-59-1", bj("2025-12-31 23:59"), "CSL-2016-59-1", ""},
		{"CSL-2016-59-1", bj("2026-01-01 00:00"), "CSL-2025-61-1", "CSL-2016-59-1"},
		{"CSL-2016-59-2", bj("2026-12-01 09:00"), "CSL-2025-61-2", "CSL-2016-59-2"},
		{"CSL-2016-66", bj("2025-06-01 09:00"), "CSL-2016-66", ""},
		{"CSL-2016-66", bj("2026-06-01 09:00"), "CSL-2025-71-1-3", "CSL-2016-66"},
		{"CIIR-2021-39", bj("2026-06-01 09:00"), "CIIR-2021-39", ""},
	}
	for _, tc := range cases {
		p, was := c.PenaltyAt(tc.id, tc.at)
		got, gotWas := "", ""
		if p != nil {
			got = p.ID
		}
		if was != nil {
			gotWas = was.ID
		}
		if got != tc.want || gotWas != tc.formerly {
			t.Errorf("PenaltyAt(%s, %s) = %s (formerly %q), want %s (formerly %q)", tc.id, tc.at, got, gotWas, tc.want, tc.formerly)
		}
	}
	if p, _ := c.PenaltyAt("CSL-2016-66", bj("2026-06-01 09:00")); p == nil || p.HasFine() {
		t.Errorf("data localisation after 2026-01-01 must not carry the deleted Art. 66 fine: %+v", p)
	}
	// The duty itself: CSL 2016 Art. 21(3) is CSL 2025 Art. 23(3) ("按照规定留存相关的网络日志不少于六个月").
	o, _ := c.Obligation("CSL-LOG-RETENTION")
	if cur, was := c.CitationAt(o, bj("2025-12-31 12:00")); cur.Version != "2016" || cur.Article != "21(3)" || was != nil {
		t.Errorf("before 2026: cites %+v (formerly %+v)", cur, was)
	}
	if cur, was := c.CitationAt(o, bj("2026-01-01 08:00")); cur.Version != "2025" || cur.Article != "23(3)" || was == nil || was.Article != "21(3)" {
		t.Errorf("from 2026: cites %+v (formerly %+v), want 2025 23(3) formerly 2016 21(3)", cur, was)
	}
}

// TestDraftNeverFines: the 2017 CIIR draft never came into force. Its penalty articles
// (draft Arts. 45–47) are reference only, no duty may link them, and duties found only in the
// draft (Arts. 26 certification, 27 training days, 34 domestic maintenance) are
// recommendations. The leadership duty is law through the final Art. 13: "运营者的主要负责人
// 对关键信息基础设施安全保护负总责".
func TestDraftNeverFines(t *testing.T) {
	c := embedded(t)
	for _, o := range c.Obligations {
		if p, ok := c.Penalty(o.Penalty); ok && p.Draft {
			t.Errorf("%s links the draft penalty %s", o.ID, p.ID)
		}
	}
	for _, id := range []string{"CIIR-DRAFT-45", "CIIR-DRAFT-46", "CIIR-DRAFT-47"} {
		if p, _ := c.PenaltyAt(id, bj("2026-06-01 09:00")); p != nil {
			t.Errorf("%s applies: %+v", id, p)
		}
	}
	for id, want := range map[string]bool{
		"CIIR-KEY-POST-CERTIFICATION": true, "CIIR-ANNUAL-TRAINING-DAYS": true, "CIIR-DOMESTIC-MAINTENANCE": true,
		"CIIR-LEADERSHIP-RESPONSIBILITY": false, "CIIR-SECURITY-POLICIES": false, "CIIR-DATA-LOCALISATION": false,
	} {
		o, ok := c.Obligation(id)
		if !ok {
			t.Errorf("%s missing", id)
			continue
		}
		if got := c.DraftOnly(o); got != want {
			t.Errorf("DraftOnly(%s) = %v, want %v", id, got, want)
		}
		if want && o.Penalty != "" {
			t.Errorf("draft-only %s has penalty %s", id, o.Penalty)
		}
	}
	o, _ := c.Obligation("CIIR-LEADERSHIP-RESPONSIBILITY")
	if o.Version != "2021" || o.Article != "13" {
		t.Errorf("leadership duty cites %s Art. %s, want the final 2021 Art. 13", o.Version, o.Article)
	}
	// A file that links a draft's penalty is refused at load.
	_, err := LoadCustom(strings.NewReader(`instrument:
  id: POL
  title: {zh: 草案, en: Draft}
  issuer: {zh: 本单位, en: Us}
  versions: [{id: d, adopted: 2026-01-01, draft: true}]
penalties:
  - {id: POL-P, version: d, article: "1", fine: {min: 1, max: 2}, summary: {zh: 罚, en: fine}}
obligations:
  - id: POL-A
    version: d
    title: {zh: 义务, en: duty}
    binds: [operator]
    capability: people
    subject: org
    attestation: {evidence: {zh: 证据, en: evidence}, validity_days: 30}
    cadence: yearly
    penalty: POL-P
`), "acme")
	if err == nil || !strings.Contains(err.Error(), "draft") {
		t.Errorf("a draft penalty on a duty loaded: %v", err)
	}
}
