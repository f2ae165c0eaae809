package store

import "time"

// utcArgs returns args with every time in UTC. SQLite keeps a time as text with its offset
// ("2026-12-02 00:00:00+08:00") and compares those texts as strings, so a bound in China
// time against values stored in UTC ("2026-12-01 22:30:00+00:00") compares the wrong way
// for the eight hours a day when the two dates differ. Every time goes in as UTC on both
// engines. args is copied only when it holds a time in another zone.
func utcArgs(args []any) []any {
	out := args
	for i, a := range args {
		var u any
		switch v := a.(type) {
		case time.Time:
			if v.Location() == time.UTC {
				continue
			}
			u = v.UTC()
		case *time.Time:
			if v == nil || v.Location() == time.UTC {
				continue
			}
			t := v.UTC()
			u = &t
		default:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = u
	}
	return out
}
