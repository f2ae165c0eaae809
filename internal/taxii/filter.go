package taxii

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/stix"
)

// Filter is a request's filtering and paging parameters (§3.4, §3.5).
type Filter struct {
	AddedAfter   time.Time // zero: none
	Limit        int       // 0: the server's
	Next         *cursor   // where the previous page stopped
	IDs          []string
	Types        []string
	Versions     []string // "first", "last", "all" or timestamps; default "last"
	SpecVersions []string // default: the latest the object has
}

// cursor is what a next token holds: the sort key of the last object of a page. Objects
// are sorted by date added, then id, then version, so the key is a position that objects
// added later never move.
type cursor struct {
	Added   time.Time
	ID      string
	Version string
}

func (c cursor) token() string {
	s := c.Added.UTC().Format(time.RFC3339Nano) + "\n" + c.ID + "\n" + c.Version
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseCursor(tok string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) > 1024 {
		return nil, fmt.Errorf("is not a value this server gave")
	}
	parts := strings.Split(string(b), "\n")
	if len(parts) != 3 {
		return nil, fmt.Errorf("is not a value this server gave")
	}
	t, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return nil, fmt.Errorf("is not a value this server gave")
	}
	return &cursor{Added: t, ID: parts[1], Version: parts[2]}, nil
}

func after(o kernel.ThreatObject, c *cursor) bool {
	if !o.DateAdded.Equal(c.Added) {
		return o.DateAdded.After(c.Added)
	}
	if o.ID != c.ID {
		return o.ID > c.ID
	}
	return o.Version > c.Version
}

// FilterError names the query parameter that could not be read and why; it is a 400
// (§3.4: "If any of the URL query parameters are malformed, the TAXII Server MUST return an
// HTTP 400").
type FilterError struct {
	Param  string
	Reason string
}

func (e *FilterError) Error() string { return e.Param + ": " + e.Reason }

// Which match fields an endpoint takes: §5.3 and §5.4 all four, §5.6 and §5.8 version and
// spec_version only.
var (
	allMatch    = []string{"id", "type", "version", "spec_version"}
	objectMatch = []string{"version", "spec_version"}
)

// ParseFilter reads the query of a manifest, objects, object or versions request. Fields
// of match[] the endpoint does not define are ignored (§3.4: "servers MAY ignore fields
// they do not understand"); every parameter defined may occur once.
func ParseFilter(q url.Values, match []string) (Filter, error) {
	var f Filter
	for key, vals := range q {
		if len(vals) != 1 {
			return Filter{}, &FilterError{key, "must occur once"}
		}
		v := vals[0]
		switch {
		case key == "added_after":
			t, err := parseTimestamp(v)
			if err != nil {
				return Filter{}, &FilterError{key, err.Error()}
			}
			f.AddedAfter = t
		case key == "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return Filter{}, &FilterError{key, "must be a whole number greater than zero"}
			}
			f.Limit = n
		case key == "next":
			c, err := parseCursor(v)
			if err != nil {
				return Filter{}, &FilterError{key, err.Error()}
			}
			f.Next = c
		case strings.HasPrefix(key, "match[") && strings.HasSuffix(key, "]"):
			field := key[len("match[") : len(key)-1]
			if !contains(match, field) {
				continue
			}
			values := strings.Split(v, ",")
			for _, x := range values {
				if x == "" {
					return Filter{}, &FilterError{key, "has an empty value (values are separated by commas without spaces)"}
				}
			}
			if err := setMatch(&f, field, values); err != nil {
				return Filter{}, &FilterError{key, err.Error()}
			}
		}
	}
	return f, nil
}

func setMatch(f *Filter, field string, values []string) error {
	switch field {
	case "id":
		f.IDs = values
	case "type":
		f.Types = values
	case "spec_version":
		for _, v := range values {
			if v != "2.0" && v != "2.1" {
				return fmt.Errorf("%q is not a STIX specification version (2.0 or 2.1)", v)
			}
		}
		f.SpecVersions = values
	case "version":
		seen := map[string]bool{}
		for _, v := range values {
			if seen[v] {
				return fmt.Errorf("%q occurs twice", v)
			}
			seen[v] = true
			switch v {
			case "first", "last", "all":
			default:
				if _, err := stix.ParseTimestamp(v); err != nil {
					return fmt.Errorf("%q is neither first, last, all nor a STIX timestamp", v)
				}
			}
		}
		if seen["all"] && len(values) > 1 {
			return fmt.Errorf("all cannot be combined with another version")
		}
		f.Versions = values
	}
	return nil
}

// parseTimestamp reads a TAXII timestamp (§2: RFC 3339, UTC with "Z"). Fewer fractional
// digits than the six the type asks for are accepted: clients send STIX's three.
func parseTimestamp(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") || !strings.Contains(s, "T") {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp in UTC ending in Z", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp in UTC ending in Z", s)
	}
	return t.UTC(), nil
}

// Timestamp writes t as a TAXII timestamp: UTC, microseconds, "Z" (§2).
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Apply filters objs (sorted by date added, id, version) as §3.4 says and cuts one page:
// at most limit objects after f.Next, with more true when others follow.
func (f Filter) Apply(objs []kernel.ThreatObject, limit int) (page []kernel.ThreatObject, more bool) {
	var kept []kernel.ThreatObject
	for _, o := range objs {
		if !f.AddedAfter.IsZero() && !o.DateAdded.After(f.AddedAfter) {
			continue
		}
		if len(f.IDs) > 0 && !contains(f.IDs, o.ID) {
			continue
		}
		if len(f.Types) > 0 && !contains(f.Types, o.Type) {
			continue
		}
		kept = append(kept, o)
	}
	kept = f.specVersions(kept)
	kept = f.versions(kept)
	for _, o := range kept {
		if f.Next != nil && !after(o, f.Next) {
			continue
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, o)
	}
	return page, false
}

// specVersions keeps the versions asked for, or each object's latest (§3.4.1 spec_version).
func (f Filter) specVersions(objs []kernel.ThreatObject) []kernel.ThreatObject {
	if len(f.SpecVersions) > 0 {
		var out []kernel.ThreatObject
		for _, o := range objs {
			if contains(f.SpecVersions, o.SpecVersion) {
				out = append(out, o)
			}
		}
		return out
	}
	latest := map[string]string{}
	for _, o := range objs {
		if o.SpecVersion > latest[o.ID] {
			latest[o.ID] = o.SpecVersion
		}
	}
	var out []kernel.ThreatObject
	for _, o := range objs {
		if o.SpecVersion == latest[o.ID] {
			out = append(out, o)
		}
	}
	return out
}

// versions keeps the versions asked for (§3.4.1 version; default "last").
func (f Filter) versions(objs []kernel.ThreatObject) []kernel.ThreatObject {
	want := f.Versions
	if len(want) == 0 {
		want = []string{"last"}
	}
	if contains(want, "all") {
		return objs
	}
	byID := map[string][]string{}
	for _, o := range objs {
		byID[o.ID] = append(byID[o.ID], o.Version)
	}
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for id, vs := range byID {
		ts := make([]time.Time, 0, len(vs))
		for _, v := range vs {
			t, _ := stix.ParseTimestamp(v)
			ts = append(ts, t.Time)
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		first[id], last[id] = ts[0], ts[len(ts)-1]
	}
	var out []kernel.ThreatObject
	for _, o := range objs {
		t, _ := stix.ParseTimestamp(o.Version)
		keep := false
		for _, w := range want {
			switch w {
			case "first":
				keep = keep || t.Time.Equal(first[o.ID])
			case "last":
				keep = keep || t.Time.Equal(last[o.ID])
			default:
				wt, _ := stix.ParseTimestamp(w)
				keep = keep || t.Time.Equal(wt.Time)
			}
		}
		if keep {
			out = append(out, o)
		}
	}
	return out
}
