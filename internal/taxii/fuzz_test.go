package taxii

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

// FuzzParseFilter feeds arbitrary query strings to the filter parser: it never panics,
// refuses only with a FilterError naming a parameter the query holds, and what it accepts
// obeys §3.4 (limit above zero, "all" alone among versions, spec versions 2.0 or 2.1).
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "limit=1", "added_after=2026-11-30T08:00:00.000000Z", "match[id]=indicator--a,indicator--b",
		"match[version]=first,last", "match[version]=all,last", "match[spec_version]=2.0,2.1", "next=MjAyNgphCmI", "limit=0", "match[type]=&x=1",
		"match[version]=2016-01-01T01:01:01.000Z", "limit=1&limit=2", "match[foo]=bar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the handler answers 400 on the query itself
		}
		flt, err := ParseFilter(q, allMatch)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Reason == "" {
				t.Fatalf("%q: %v is not a FilterError with a reason", raw, err)
			}
			if _, ok := q[fe.Param]; !ok {
				t.Fatalf("%q: the error names %q, which the query does not hold", raw, fe.Param)
			}
			return
		}
		if flt.Limit < 0 {
			t.Fatalf("%q: limit %d accepted", raw, flt.Limit)
		}
		if contains(flt.Versions, "all") && len(flt.Versions) > 1 {
			t.Fatalf("%q: all accepted beside %v", raw, flt.Versions)
		}
		for _, v := range flt.SpecVersions {
			if v != "2.0" && v != "2.1" {
				t.Fatalf("%q: spec_version %q accepted", raw, v)
			}
		}
	})
}

// FuzzParseEnvelope feeds arbitrary bodies to the envelope parser: it never panics, refuses
// with an EnvelopeError naming body, objects or objects[N], and every object it accepts is
// a JSON object with a type and an id.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{`{"objects":[{"type":"indicator","id":"indicator--x"}]}`, `{"objects":[]}`, `{"objects":"x"}`, `[]`, `null`,
		`{"objects":[1]}`, `{"objects":[{"type":"a"}]}`, `{} {}`, `{"more":true,"objects":[{"type":"a","id":"b"}],"x_y":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		objs, err := ParseEnvelope(body)
		if err != nil {
			var ee *EnvelopeError
			if !errors.As(err, &ee) || ee.Reason == "" || (ee.Field != "body" && ee.Field != "objects" && ee.Field[:8] != "objects[") {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if len(objs) == 0 {
			t.Fatalf("%q: an empty list accepted", body)
		}
		for _, o := range objs {
			var head struct{ Type, ID string }
			if json.Unmarshal(o, &head) != nil || head.Type == "" || head.ID == "" {
				t.Fatalf("%q: accepted %s", body, o)
			}
		}
	})
}
