package incidents

import (
	"testing"
	"time"
)

// TestGradingAnnex grades each threshold of the IRM 2025 annex just below and at its value.
// The table is written by hand from the regulatory brief ("Incidents (IRM 2025 …)": PI leaks
// 1M / 10M / 100M people; 较大 — RMB 5M, CII wholly down 10 min, main function 30 min,
// portals 2 h; 重大 — RMB 20M; 特别重大 — CII wholly down 6 h, main function 24 h, 50% of a
// province or 10M people affected, RMB 100M, portals 24 h; the 重大 outage durations are the
// 2023 draft's 2 h / 6 h, unconfirmed), not from DefaultThresholds.
func TestGradingAnnex(t *testing.T) {
	th := DefaultThresholds(2*time.Hour, 6*time.Hour)
	cases := []struct {
		name      string
		im        Impact
		want      Grade
		criterion string // the deciding row, "" for 一般
	}{
		{"nothing measured", Impact{}, General, ""},
		{"PI 999,999", Impact{PILeaked: 999_999}, General, ""},
		{"PI 1,000,000", Impact{PILeaked: 1_000_000}, RelativelyMajor, "relatively_major:pi_leaked:1000000"},
		{"PI 9,999,999", Impact{PILeaked: 9_999_999}, RelativelyMajor, "relatively_major:pi_leaked:1000000"},
		{"PI 10,000,000", Impact{PILeaked: 10_000_000}, Major, "major:pi_leaked:10000000"},
		{"PI 99,999,999", Impact{PILeaked: 99_999_999}, Major, "major:pi_leaked:10000000"},
		{"PI 100,000,000", Impact{PILeaked: 100_000_000}, EspeciallyMajor, "especially_major:pi_leaked:100000000"},
		{"loss 4,999,999", Impact{LossRMB: 4_999_999}, General, ""},
		{"loss 5,000,000", Impact{LossRMB: 5_000_000}, RelativelyMajor, "relatively_major:loss_rmb:5000000"},
		{"loss 19,999,999", Impact{LossRMB: 19_999_999}, RelativelyMajor, "relatively_major:loss_rmb:5000000"},
		{"loss 20,000,000", Impact{LossRMB: 20_000_000}, Major, "major:loss_rmb:20000000"},
		{"loss 99,999,999", Impact{LossRMB: 99_999_999}, Major, "major:loss_rmb:20000000"},
		{"loss 100,000,000", Impact{LossRMB: 100_000_000}, EspeciallyMajor, "especially_major:loss_rmb:100000000"},
		{"CII wholly down 9 min", Impact{CIIFullDownMin: 9}, General, ""},
		{"CII wholly down 10 min", Impact{CIIFullDownMin: 10}, RelativelyMajor, "relatively_major:cii_full_down:10"},
		{"CII wholly down 119 min", Impact{CIIFullDownMin: 119}, RelativelyMajor, "relatively_major:cii_full_down:10"},
		{"CII wholly down 2 h (unconfirmed)", Impact{CIIFullDownMin: 120}, Major, "major:cii_full_down:120"},
		{"CII wholly down 359 min", Impact{CIIFullDownMin: 359}, Major, "major:cii_full_down:120"},
		{"CII wholly down 6 h", Impact{CIIFullDownMin: 360}, EspeciallyMajor, "especially_major:cii_full_down:360"},
		{"main function down 29 min", Impact{CIIMainDownMin: 29}, General, ""},
		{"main function down 30 min", Impact{CIIMainDownMin: 30}, RelativelyMajor, "relatively_major:cii_main_down:30"},
		{"main function down 359 min", Impact{CIIMainDownMin: 359}, RelativelyMajor, "relatively_major:cii_main_down:30"},
		{"main function down 6 h (unconfirmed)", Impact{CIIMainDownMin: 360}, Major, "major:cii_main_down:360"},
		{"main function down 1439 min", Impact{CIIMainDownMin: 1439}, Major, "major:cii_main_down:360"},
		{"main function down 24 h", Impact{CIIMainDownMin: 1440}, EspeciallyMajor, "especially_major:cii_main_down:1440"},
		{"portal down 119 min", Impact{PortalDownMin: 119}, General, ""},
		{"portal down 2 h", Impact{PortalDownMin: 120}, RelativelyMajor, "relatively_major:portal_down:120"},
		{"portal down 1439 min", Impact{PortalDownMin: 1439}, RelativelyMajor, "relatively_major:portal_down:120"},
		{"portal down 24 h", Impact{PortalDownMin: 1440}, EspeciallyMajor, "especially_major:portal_down:1440"},
		{"49% of a province", Impact{ProvinceSharePct: 49}, General, ""},
		{"50% of a province", Impact{ProvinceSharePct: 50}, EspeciallyMajor, "especially_major:province_share_pct:50"},
		{"9,999,999 people affected", Impact{PeopleAffected: 9_999_999}, General, ""},
		{"10,000,000 people affected", Impact{PeopleAffected: 10_000_000}, EspeciallyMajor, "especially_major:people_affected:10000000"},
		{"gravest criterion decides", Impact{PILeaked: 1_500_000, LossRMB: 30_000_000}, Major, "major:loss_rmb:20000000"},
		{"sensitive PI alone grades nothing", Impact{PILeaked: 10, PISensitive: true}, General, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := th.Grade(c.im)
			if g.Grade != c.want || criterionCode(g) != c.criterion {
				t.Errorf("grade %s by %q, want %s by %q", g.Grade.Code(), criterionCode(g), c.want.Code(), c.criterion)
			}
		})
	}
}

// TestUnconfirmedThresholdsConfigurable: the two unconfirmed 重大 outage durations follow
// the configuration and are the only rows labelled unconfirmed.
func TestUnconfirmedThresholdsConfigurable(t *testing.T) {
	th := DefaultThresholds(3*time.Hour, 8*time.Hour)
	if g := th.Grade(Impact{CIIFullDownMin: 150}); g.Grade != RelativelyMajor {
		t.Errorf("2.5 h wholly down with a 3 h threshold: %s, want relatively_major", g.Grade.Code())
	}
	if g := th.Grade(Impact{CIIFullDownMin: 180}); g.Grade != Major {
		t.Errorf("3 h wholly down with a 3 h threshold: %s, want major", g.Grade.Code())
	}
	if g := th.Grade(Impact{CIIMainDownMin: 479}); g.Grade != RelativelyMajor {
		t.Errorf("479 min main function down with an 8 h threshold: %s, want relatively_major", g.Grade.Code())
	}
	var unconfirmed []string
	for _, c := range th {
		if !c.Confirmed {
			unconfirmed = append(unconfirmed, criterionCode(Grading{Decisive: &c}))
		}
	}
	want := []string{"major:cii_full_down:180", "major:cii_main_down:480"}
	if len(unconfirmed) != 2 || unconfirmed[0] != want[0] || unconfirmed[1] != want[1] {
		t.Errorf("unconfirmed rows %v, want %v", unconfirmed, want)
	}
}
