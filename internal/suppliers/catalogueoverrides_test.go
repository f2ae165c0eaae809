package suppliers_test

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"ciiguard/internal/suppliers"
)

// TestOverrideDuty: sample products against the effective catalogue, the expected duty
// worked by hand from the 2023 ranges and the overrides of each case (one figure in the
// range puts a product on the catalogue; every figure given and none in it takes it off).
func TestOverrideDuty(t *testing.T) {
	type specs = map[string]float64
	raised := suppliers.Override{Code: "router", Kind: suppliers.OverrideThreshold, Values: specs{"throughput_tbps": 16}}
	plc := suppliers.Override{Code: "plc", Kind: suppliers.OverrideThreshold, Values: specs{"instruction_time_us": 0.12}}
	noFirewall := suppliers.Override{Code: "firewall", Kind: suppliers.OverrideNotApplicable}
	noRouter := suppliers.Override{Code: "router", Kind: suppliers.OverrideNotApplicable}
	qkd := suppliers.Override{Code: "qkd_gateway", Kind: suppliers.OverrideAdded, Entry: &suppliers.CatalogueEntry{Code: "qkd_gateway", Group: suppliers.GroupSecurity, Zh: "量子密钥分发网关", En: "QKD gateway"}}
	otn := suppliers.Override{Code: "optical_transport", Kind: suppliers.OverrideAdded, Entry: &suppliers.CatalogueEntry{Code: "optical_transport", Group: suppliers.GroupEquipment, Zh: "光传输设备", En: "Optical transport",
		Thresholds: []suppliers.Threshold{{Metric: "port_rate_gbps", Zh: "端口速率", En: "port rate", UnitZh: "Gbps", UnitEn: "Gbps", Value: 400}}}}
	cases := []struct {
		name      string
		overrides []suppliers.Override
		typ, cat  string
		specs     specs
		needs     bool
		basis     string
	}{
		{"router at 12 Tbps, built-in range (≥ 12)", nil, "critical_network_equipment", "router", specs{"throughput_tbps": 12, "routing_table_entries": 100000}, true, suppliers.BasisThresholdReached},
		{"router at 12 Tbps, range raised to 16", []suppliers.Override{raised}, "critical_network_equipment", "router", specs{"throughput_tbps": 12, "routing_table_entries": 100000}, false, suppliers.BasisBelowThreshold},
		{"router at 16 Tbps, range raised to 16", []suppliers.Override{raised}, "critical_network_equipment", "router", specs{"throughput_tbps": 16, "routing_table_entries": 100000}, true, suppliers.BasisThresholdReached},
		{"router of 600,000 routes, only throughput raised", []suppliers.Override{raised}, "critical_network_equipment", "router", specs{"throughput_tbps": 2, "routing_table_entries": 600000}, true, suppliers.BasisThresholdReached},
		{"switch at 30 Tbps, only the router raised", []suppliers.Override{raised}, "critical_network_equipment", "switch", specs{"throughput_tbps": 30, "packet_forwarding_gpps": 1}, true, suppliers.BasisThresholdReached},
		{"PLC at 0.1 µs, built-in (≤ 0.08)", nil, "critical_network_equipment", "plc", specs{"instruction_time_us": 0.1}, false, suppliers.BasisBelowThreshold},
		{"PLC at 0.1 µs, range widened to ≤ 0.12", []suppliers.Override{plc}, "critical_network_equipment", "plc", specs{"instruction_time_us": 0.1}, true, suppliers.BasisThresholdReached},
		{"firewall, entry not applicable", []suppliers.Override{noFirewall}, "security_product", "firewall", nil, false, suppliers.BasisNotApplicable},
		{"router in range, entry not applicable", []suppliers.Override{noRouter}, "critical_network_equipment", "router", specs{"throughput_tbps": 20}, false, suppliers.BasisNotApplicable},
		{"IDS, another entry not applicable", []suppliers.Override{noFirewall}, "security_product", "ids", nil, true, suppliers.BasisListed},
		{"product in an added security entry", []suppliers.Override{qkd}, "security_product", "qkd_gateway", nil, true, suppliers.BasisListed},
		{"added equipment entry, 800 Gbps", []suppliers.Override{otn}, "critical_network_equipment", "optical_transport", specs{"port_rate_gbps": 800}, true, suppliers.BasisThresholdReached},
		{"added equipment entry, 100 Gbps", []suppliers.Override{otn}, "critical_network_equipment", "optical_transport", specs{"port_rate_gbps": 100}, false, suppliers.BasisBelowThreshold},
		{"added equipment entry, no figure", []suppliers.Override{otn}, "critical_network_equipment", "optical_transport", nil, true, suppliers.BasisThresholdUnknown},
		{"added entry withdrawn: the kind decides", nil, "security_product", "qkd_gateway", nil, true, suppliers.BasisTypeDefault},
		{"added entry withdrawn, software", nil, "software", "qkd_gateway", nil, false, suppliers.BasisNoDuty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			needs, basis := suppliers.NewEffective(tc.overrides).Duty(suppliers.Product{Type: tc.typ, Category: tc.cat, Specs: tc.specs})
			if needs != tc.needs || basis != tc.basis {
				t.Errorf("needs %v (%s), want %v (%s)", needs, basis, tc.needs, tc.basis)
			}
		})
	}
}

// TestParseThresholds: an added entry's range as typed, one figure a line; the refusals name
// the line.
func TestParseThresholds(t *testing.T) {
	ts, err := suppliers.ParseThresholds("port_rate_gbps | 端口速率 | port rate | Gbps | Gbps | ≥ | 400\r\n\n latency_us|时延|latency|微秒|μs|<=|0.5 ")
	if err != nil || len(ts) != 2 || ts[0].Value != 400 || ts[0].AtMost || !ts[1].AtMost || ts[1].Value != 0.5 || ts[1].UnitZh != "微秒" {
		t.Fatalf("%+v %v", ts, err)
	}
	for text, want := range map[string]string{
		"a | b | c":                     "line 1: give 7 parts",
		"\nm | 名 | n | 个 | u | = | 3":   "line 2: the sixth part must be ≥ or ≤",
		"m | 名 | n | 个 | u | ≥ | -3":    "line 1: the value must be a positive number",
		"m | 名 | n | 个 | u | ≥ | NaN":   "line 1: the value must be a positive number",
		"m | 名 | n | 个 | u | ≥ | 1e999": "line 1: the value must be a positive number",
	} {
		if _, err := suppliers.ParseThresholds(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// FuzzParseThresholds: the range parser never panics; what it accepts is positive and
// finite, and reads back the same through FormatThresholds.
func FuzzParseThresholds(f *testing.F) {
	for _, s := range []string{"port_rate_gbps | 端口速率 | port rate | Gbps | Gbps | ≥ | 400", "a|b|c|d|e|<=|0.08\nx", "||||||", "m|名|n|个|u|≥|1e-300", "m|名|n|个|u|≥|0x1p3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ts, err := suppliers.ParseThresholds(text)
		if err != nil {
			return
		}
		for _, th := range ts {
			if math.IsNaN(th.Value) || math.IsInf(th.Value, 0) || th.Value <= 0 {
				t.Fatalf("accepted %v from %q", th.Value, text)
			}
		}
		if !utf8.ValidString(text) {
			return
		}
		again, err := suppliers.ParseThresholds(suppliers.FormatThresholds(ts))
		if err != nil || len(again) != len(ts) {
			t.Fatalf("%q does not read back: %v", suppliers.FormatThresholds(ts), err)
		}
		for i := range ts {
			if again[i].AtMost != ts[i].AtMost || again[i].Metric != ts[i].Metric {
				t.Fatalf("%+v read back as %+v", ts[i], again[i])
			}
		}
	})
}
