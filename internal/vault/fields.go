package vault

import "time"

// Fields chooses which of an event's fields Search and Scan decode beyond those the query
// itself needs to match (and Seq, OrgID and Time, always there). Every column left out is
// a column not decompressed: a sweep that reads only the text of each event skips the
// rest of its block.
type Fields uint8

const (
	// AllFields fills every field (the zero value).
	AllFields Fields = iota
	// TextFields fills Message and Raw, the text a sweep observes (and Host, which the
	// text is stored in the order of).
	TextFields
)

// textCols are the columns a term without a field is matched against (Expr.match).
const textCols colMask = 1<<colMessage | 1<<colHost | 1<<colApp | 1<<colProcID | 1<<colMsgID

// cols returns the columns e reads to match an event.
func (e *Expr) cols() colMask {
	if e == nil {
		return 0
	}
	switch e.op {
	case opAnd, opOr, opNot:
		var m colMask
		for _, k := range e.kids {
			m |= k.cols()
		}
		return m
	case opText:
		return textCols
	}
	switch e.field {
	case "severity", "facility":
		return 1 << colFacSev
	case "host":
		return 1 << colHost
	case "app":
		return 1 << colApp
	case "procid":
		return 1 << colProcID
	case "msgid":
		return 1 << colMsgID
	case "source":
		return 1 << colSource
	}
	return allCols // a field this function does not know: decode everything
}

// matchCols returns the columns the query reads to decide whether an event matches.
func (c *compiledQuery) matchCols() colMask {
	m := 1<<colTime | c.expr.cols()
	if c.sources != nil {
		m |= 1 << colSource
	}
	return m
}

// mask returns the columns to decode for events the query matches, filled as far as f asks.
func (c *compiledQuery) mask(f Fields) colMask {
	if f == TextFields {
		return c.matchCols() | 1<<colMessage | 1<<colRaw
	}
	return allCols
}

// project clears the fields of ev outside m, so that events of the unsealed tail, kept
// whole in memory, come out as those decoded from blocks do.
func (m colMask) project(ev *Event) {
	if m&(1<<colRecv) == 0 {
		ev.Received = time.Time{}
	}
	if m&(1<<colSource) == 0 {
		ev.SourceID = 0
	}
	if m&(1<<colFacSev) == 0 {
		ev.Facility, ev.Severity = 0, 0
	}
	if m&(1<<colFormat) == 0 {
		ev.Format = ""
	}
	if m&(1<<colHost|1<<colMessage|1<<colRaw) == 0 {
		ev.Host = "" // decoded with the text, which is stored in host order
	}
	if m&(1<<colApp) == 0 {
		ev.App = ""
	}
	if m&(1<<colProcID) == 0 {
		ev.ProcID = ""
	}
	if m&(1<<colMsgID) == 0 {
		ev.MsgID = ""
	}
	if m&(1<<colMessage) == 0 {
		ev.Message = ""
	}
	if m&(1<<colRaw) == 0 {
		ev.Raw = nil
	}
}
