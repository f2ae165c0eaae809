package review

import (
	"strconv"

	"ciiguard/internal/problem"
)

// Decision is what the procurement gate says about approving a procurement.
type Decision struct {
	Allowed bool
	// State is the review case's state ("" when no case was opened).
	State State
	// ExposureMin and ExposureMax are the fine the purchase risks, RMB: one to ten times the
	// purchase amount (CIIR 2021 Art. 41; CSL 2016 Art. 65, 2025 Art. 67).
	ExposureMin, ExposureMax int64
	// ReviewBlocks says the review is required and has not passed.
	ReviewBlocks bool
	// Cert is the product's certification duty; CertBlocks says its missing certificate
	// refuses the approval (the organisation's policy is block), CertWarns that it is only
	// warned about (warn). See certgate.go.
	Cert       CertDuty
	CertBlocks bool
	CertWarns  bool
}

// The penalty multiples of CIIR 2021 Art. 41 ("处采购金额1倍以上10倍以下罚款") and CSL 2016
// Art. 65 / 2025 Art. 67.
const (
	PenaltyMinMultiple = 1
	PenaltyMaxMultiple = 10
)

// Gate decides whether a procurement may be approved given its case's state: it may unless
// its review is required (a CII system, a national-security risk) and has not passed.
func Gate(p Procurement, state State) Decision {
	d := Decision{Allowed: true, State: state, ExposureMin: p.AmountRMB * PenaltyMinMultiple, ExposureMax: p.AmountRMB * PenaltyMaxMultiple}
	if p.Required && !state.Passes() {
		d.Allowed, d.ReviewBlocks = false, true
	}
	return d
}

// Refusal is the gate's refusal as a 409 problem on the field "approval", naming the
// articles, the case's state and the exposure for this amount; or, when the review does not
// stand in the way, the missing certificate (certRefusal).
func (d Decision) Refusal() error {
	if !d.ReviewBlocks && d.CertBlocks {
		return d.certRefusal()
	}
	return problem.Conflictf("approval", "the cybersecurity review of this purchase is required and has not cleared it: a CII operator may not buy it before the review clears it (CIIR 2021 Art. 19; CSL 2016 Art. 35, 2025 Art. 37); using it risks a fine of 1 to 10 times the purchase amount (CIIR 2021 Art. 41; CSL 2016 Art. 65, 2025 Art. 67): RMB %s to %s",
		Grouped(d.ExposureMin), Grouped(d.ExposureMax))
}

// Grouped writes n with thousands separators (2,000,000): read the same in both languages.
func Grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
