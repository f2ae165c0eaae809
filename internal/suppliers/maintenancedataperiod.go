package suppliers

import "ciiguard/internal/kernel"

// A transfer abroad carries remote access only while it runs: maintenance that starts before
// the linked transfer starts, or runs on after the transfer ended or was stopped, reaches the
// data for days on which no export route carried it (PIPL 2021 Art. 38: the conditions are met
// before personal information is provided abroad). Such a link counts as incomplete
// (LinkPeriod), with the reason on the arrangement's row and on the transfer's page.

// Reasons a transfer's period does not cover an arrangement's.
const (
	GapStartsBefore = "starts_before_transfer" // the maintenance starts before the transfer
	GapEndsAfter    = "ends_after_transfer"    // it ends after the transfer ended or was stopped
	GapOpenAfter    = "open_after_transfer"    // it has no end, the transfer has one
)

// PeriodGap says why x's period does not cover m's, "" when it does. Days are China-time
// calendar days; the first and last days count.
func PeriodGap(m Maintenance, x kernel.TransferRoute) string {
	switch {
	case chinaDay(x.StartsOn).After(chinaDay(m.StartsOn)):
		return GapStartsBefore
	case x.EndsOn == nil:
		return ""
	case m.EndsOn == nil:
		return GapOpenAfter
	case chinaDay(*m.EndsOn).After(chinaDay(*x.EndsOn)):
		return GapEndsAfter
	}
	return ""
}
