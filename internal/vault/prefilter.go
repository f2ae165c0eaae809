package vault

import (
	"slices"
	"sort"
	"strings"
)

// A query's needle is a token every matching event holds (in its message or one of its
// short text fields) and that has no ASCII letter, so that it occurs byte for byte: an
// address, a port, an id. Rare terms of that kind are what the block indexes bring a
// search to, in parts where most events do not hold them; finding the needle once in a
// part's whole message column (a vectorised search) rules out most events before the
// query is tried on each, which cost a search for a port a quarter of its CPU (a profile
// of 40 searches for two ports over 2,000,000 lines).

// needleOf returns the longest letterless token e requires, or "".
func needleOf(e *Expr) string {
	if e == nil {
		return ""
	}
	best := ""
	switch e.op {
	case opAnd:
		for _, k := range e.kids {
			if n := needleOf(k); len(n) > len(best) {
				best = n
			}
		}
	case opText:
		for _, t := range e.toks {
			if len(t) > len(best) && !hasASCIILetter(t) {
				best = t
			}
		}
	}
	return best
}

func hasASCIILetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// candidates returns which of the events last decoded into s may hold needle, or nil
// when that is not known (no needle, or the messages were not decoded into s). An event
// not marked holds it in none of its fields unless in a short one (mayHoldShort).
func (s *decodeScratch) candidates(needle string) []bool {
	if needle == "" || s.src == nil || s.have&(1<<colMessage) == 0 {
		return nil
	}
	cand := slices.Grow(s.cand[:0], len(s.evs))[:len(s.evs)]
	clear(cand)
	s.cand = cand
	all, ends := s.msgs, s.msgEnd
	for from := 0; from < len(all); {
		k := strings.Index(all[from:], needle)
		if k < 0 {
			break
		}
		// The message the occurrence ends in (an occurrence may begin in the length
		// that precedes a message: a candidate too many, never one too few).
		at := from + k + len(needle) - 1
		i := sort.Search(len(ends), func(i int) bool { return ends[i] > at })
		if i == len(ends) {
			break
		}
		cand[s.order[i]] = true
		from = ends[i]
	}
	return cand
}

// mayHoldShort reports whether needle is in one of ev's short text fields.
func mayHoldShort(ev *Event, needle string) bool {
	return strings.Contains(ev.Host, needle) || strings.Contains(ev.App, needle) ||
		strings.Contains(ev.ProcID, needle) || strings.Contains(ev.MsgID, needle)
}

// matchEach calls keep with the position of every event of evs that c matches. When
// readPart decoded evs into s, c is tried only on the candidates of its needle.
func (c *compiledQuery) matchEach(evs []Event, s *decodeScratch, keep func(j int)) {
	var cand []bool
	if s != nil {
		cand = s.candidates(c.needle)
	}
	for j := range evs {
		if cand != nil && !cand[j] && !mayHoldShort(&evs[j], c.needle) {
			continue
		}
		if c.match(&evs[j]) {
			keep(j)
		}
	}
}
