package threat

import (
	"bufio"
	"bytes"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/stix"
)

// Feed formats an import reads.
const (
	FormatSTIX = "stix" // a STIX 2.1 bundle; its indicators are kept as they came
	FormatCSV  = "csv"  // value,type,confidence,valid_until
	FormatList = "list" // one IP address, CIDR block, domain, URL, e-mail address or hash a line
)

// Formats lists the feed formats in the order forms show them.
var Formats = []string{FormatList, FormatCSV, FormatSTIX}

// Limits of one feed, so that a preview is always small enough to keep and show.
const (
	MaxFeedBytes = 16 << 20
	MaxFeedItems = 100000
	maxLineBytes = 8192
)

// Kinds of observable an indicator of a CSV or a list names.
const (
	KindIPv4   = "ipv4-addr"
	KindIPv6   = "ipv6-addr"
	KindDomain = "domain-name"
	KindURL    = "url"
	KindEmail  = "email-addr"
	KindMD5    = "md5"
	KindSHA1   = "sha1"
	KindSHA256 = "sha256"
	KindSTIX   = "stix" // a STIX indicator's own pattern
)

// kindNames are the names a CSV's type column may use for each kind.
var kindNames = map[string]string{
	"ipv4-addr": KindIPv4, "ipv4": KindIPv4, "ip": KindIPv4, "cidr": KindIPv4,
	"ipv6-addr": KindIPv6, "ipv6": KindIPv6,
	"domain-name": KindDomain, "domain": KindDomain,
	"url": KindURL, "email-addr": KindEmail, "email": KindEmail,
	"md5": KindMD5, "sha1": KindSHA1, "sha-1": KindSHA1, "sha256": KindSHA256, "sha-256": KindSHA256,
}

// Item is one indicator a feed will add.
type Item struct {
	Line       int        `json:"line"` // 1-based line (object number in a bundle)
	Kind       string     `json:"kind"`
	Value      string     `json:"value"` // the observable, or a STIX indicator's name or pattern
	Pattern    string     `json:"pattern"`
	Confidence *int       `json:"confidence,omitempty"`
	ValidFrom  *time.Time `json:"valid_from,omitempty"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	// STIX is the indicator exactly as a bundle carried it (empty for CSV and lists).
	STIX string `json:"stix,omitempty"`
}

// Problem is a line of a feed that will not be added, and why (in English; In gives the
// reader's language).
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Format string `json:"format"`
	Args   []any  `json:"args,omitempty"`
}

// In returns the reason in the language of tr.
func (p Problem) In(tr problem.Translator) string {
	if tr != nil && p.Format != "" {
		if t, ok := tr(p.Format); ok {
			return fmt.Sprintf(t, p.Args...)
		}
	}
	return p.Reason
}

// restoreArgs turns the numbers of arguments read back from JSON (float64) into the
// integers they were, so that %d formats them again.
func restoreArgs(ps []Problem) {
	for i := range ps {
		for j, a := range ps[i].Args {
			if f, ok := a.(float64); ok && f == float64(int64(f)) {
				ps[i].Args[j] = int(f)
			}
		}
	}
}

// Parsed is what a feed will add and what it will not.
type Parsed struct {
	Lines    int       `json:"lines"` // lines read (objects, for a bundle)
	Items    []Item    `json:"items"`
	Problems []Problem `json:"problems"`
}

// Add records that line will not be added, and why.
func (p *Parsed) Add(line int, format string, args ...any) {
	p.Problems = append(p.Problems, Problem{Line: line, Reason: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// ParseFeed reads a feed of the given format. now decides which valid_until dates have
// passed. Every line that will not be added is a Problem naming it; an error is returned
// only when the feed cannot be read at all (an unknown format, too big, a broken bundle).
func ParseFeed(format string, r io.Reader, now time.Time) (*Parsed, error) {
	r = io.LimitReader(r, MaxFeedBytes+1)
	switch format {
	case FormatList:
		return parseList(r, now)
	case FormatCSV:
		return parseCSV(r, now)
	case FormatSTIX:
		return parseBundle(r, now)
	}
	return nil, fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

var errTooBig = fmt.Errorf("is larger than %d bytes", MaxFeedBytes)

// countingReader notices a feed longer than the limit.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	if c.n > MaxFeedBytes {
		return n, errTooBig
	}
	return n, err
}

// seen refuses a repeated observable within one feed, naming the line that had it first.
type seen map[string]int

func (s seen) first(p *Parsed, line int, kind, value string) bool {
	key := kind + "\x00" + strings.ToLower(value)
	if at, ok := s[key]; ok {
		p.Add(line, "repeats line %d", at)
		return false
	}
	s[key] = line
	return true
}

func parseList(r io.Reader, now time.Time) (*Parsed, error) {
	p := &Parsed{Items: []Item{}, Problems: []Problem{}}
	sc := bufio.NewScanner(&countingReader{r: r})
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	dup := seen{}
	for sc.Scan() {
		p.Lines++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(p.Items) >= MaxFeedItems {
			p.Add(p.Lines, "is beyond the first %d indicators of one import", MaxFeedItems)
			break
		}
		it, ok := observable(p, p.Lines, line, "")
		if !ok {
			continue
		}
		if dup.first(p, p.Lines, it.Kind, it.Value) {
			it.Line = p.Lines
			p.Items = append(p.Items, it)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes", p.Lines+1, maxLineBytes)
		}
		return nil, err
	}
	_ = now
	return p, nil
}

func parseCSV(r io.Reader, now time.Time) (*Parsed, error) {
	p := &Parsed{Items: []Item{}, Problems: []Problem{}}
	cr := csv.NewReader(&countingReader{r: r})
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	dup := seen{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			if errors.Is(perr.Err, errTooBig) {
				return nil, errTooBig
			}
			p.Lines = max(p.Lines, perr.StartLine)
			p.Add(perr.StartLine, "is not a CSV record: %v", perr.Err)
			continue
		}
		if err != nil {
			return nil, err
		}
		// FieldPos is only defined for the record just read, never after an error (the
		// fuzzer found the panic).
		line, _ := cr.FieldPos(0)
		p.Lines = max(p.Lines, line)
		if first && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "value") {
			continue // the header
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(p.Items) >= MaxFeedItems {
			p.Add(line, "is beyond the first %d indicators of one import", MaxFeedItems)
			break
		}
		it, ok := csvItem(p, line, rec, now)
		if !ok {
			continue
		}
		if dup.first(p, line, it.Kind, it.Value) {
			it.Line = line
			p.Items = append(p.Items, it)
		}
	}
	return p, nil
}

// csvItem reads one record: value, type (may be empty: recognised from the value),
// confidence (0-100, may be empty), valid_until (a date or an RFC 3339 time, may be empty).
func csvItem(p *Parsed, line int, rec []string, now time.Time) (Item, bool) {
	if len(rec) > 4 {
		p.Add(line, "has %d fields; want at most 4: value,type,confidence,valid_until", len(rec))
		return Item{}, false
	}
	get := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	want := ""
	if t := strings.ToLower(get(1)); t != "" {
		k, ok := kindNames[t]
		if !ok {
			p.Add(line, "type %q is not one of ipv4-addr, ipv6-addr, domain-name, url, email-addr, md5, sha1, sha256", get(1))
			return Item{}, false
		}
		want = k
	}
	it, ok := observable(p, line, get(0), want)
	if !ok {
		return it, false
	}
	if c := get(2); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > 100 {
			p.Add(line, "confidence %q is not a whole number from 0 to 100", c)
			return it, false
		}
		it.Confidence = &n
	}
	if u := get(3); u != "" {
		t, ok := parseUntil(u)
		if !ok {
			p.Add(line, "valid_until %q is not a date (2027-01-31) or an RFC 3339 time", u)
			return it, false
		}
		if !t.After(now) {
			p.Add(line, "valid_until %s has passed: the indicator has expired", u)
			return it, false
		}
		it.ValidUntil = &t
	}
	return it, true
}

// parseUntil reads a date (the end of that day, China time) or an RFC 3339 time.
func parseUntil(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	if d, err := time.ParseInLocation("2006-01-02", s, calendar.Shanghai); err == nil {
		return d.AddDate(0, 0, 1).UTC(), true
	}
	return time.Time{}, false
}

// observable recognises value as the kind want (any kind when want is "") and writes its
// STIX pattern; the reason says why it is not one.
func observable(p *Parsed, line int, value, want string) (Item, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		p.Add(line, "value is empty")
		return Item{}, false
	}
	if len(v) > 2048 {
		p.Add(line, "value is longer than 2048 characters")
		return Item{}, false
	}
	if strings.ContainsAny(v, " \t\x00") {
		p.Add(line, "value %q contains a space or a control character", clip(v))
		return Item{}, false
	}
	kind := want
	if kind == "" {
		kind = recognise(v)
		if kind == "" {
			p.Add(line, "%q is not an IP address, CIDR block, domain name, URL, e-mail address or MD5/SHA-1/SHA-256 hash", clip(v))
			return Item{}, false
		}
	}
	it := Item{Kind: kind, Value: v}
	switch kind {
	case KindIPv4, KindIPv6:
		if pr, err := netip.ParsePrefix(v); err == nil {
			if pr.Addr().Is4() != (kind == KindIPv4) {
				p.Add(line, "%q is not an %s block", clip(v), kind)
				return it, false
			}
			it.Value = pr.Masked().String()
			it.Pattern = fmt.Sprintf("[%s:value ISSUBSET '%s']", kind, it.Value)
			return it, true
		}
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" || a.Is4() != (kind == KindIPv4) || (a.Is4In6() && kind == KindIPv6) {
			p.Add(line, "%q is not an %s address or block", clip(v), kind)
			return it, false
		}
		it.Value = a.String()
	case KindDomain:
		d := strings.ToLower(strings.TrimSuffix(v, "."))
		if !isDomain(d) {
			p.Add(line, "%q is not a domain name", clip(v))
			return it, false
		}
		it.Value = d
	case KindURL:
		if !strings.Contains(v, "://") || strings.HasPrefix(v, "://") {
			p.Add(line, "%q is not a URL (scheme://host/...)", clip(v))
			return it, false
		}
	case KindEmail:
		at := strings.LastIndexByte(v, '@')
		if at <= 0 || !isDomain(strings.ToLower(v[at+1:])) {
			p.Add(line, "%q is not an e-mail address", clip(v))
			return it, false
		}
	case KindMD5, KindSHA1, KindSHA256:
		n := map[string]int{KindMD5: 32, KindSHA1: 40, KindSHA256: 64}[kind]
		if _, err := hex.DecodeString(v); err != nil || len(v) != n {
			p.Add(line, "%q is not a %s hash (%d hexadecimal digits)", clip(v), kind, n)
			return it, false
		}
		it.Value = strings.ToLower(v)
		alg := map[string]string{KindMD5: "MD5", KindSHA1: "'SHA-1'", KindSHA256: "'SHA-256'"}[kind]
		it.Pattern = fmt.Sprintf("[file:hashes.%s = '%s']", alg, it.Value)
		return it, true
	}
	it.Pattern = fmt.Sprintf("[%s:value = '%s']", kind, quote(it.Value))
	return it, true
}

// recognise says which kind value looks like, "" for none.
func recognise(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		if a.Is4() {
			return KindIPv4
		}
		return KindIPv6
	}
	if pr, err := netip.ParsePrefix(v); err == nil {
		if pr.Addr().Is4() {
			return KindIPv4
		}
		return KindIPv6
	}
	if strings.Contains(v, "://") {
		return KindURL
	}
	if strings.Contains(v, "@") {
		return KindEmail
	}
	if _, err := hex.DecodeString(v); err == nil {
		switch len(v) {
		case 32:
			return KindMD5
		case 40:
			return KindSHA1
		case 64:
			return KindSHA256
		}
	}
	if isDomain(strings.ToLower(strings.TrimSuffix(v, "."))) {
		return KindDomain
	}
	return ""
}

// isDomain accepts a lower-case name of at least two labels of letters, digits and
// hyphens (punycode for others), the last label not all digits.
func isDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// quote escapes a value for a STIX pattern's string literal.
func quote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func parseBundle(r io.Reader, now time.Time) (*Parsed, error) {
	p := &Parsed{Items: []Item{}, Problems: []Problem{}}
	dup := seen{}
	_, n, err := stix.ReadBundle(&countingReader{r: r}, func(o stix.Object) error {
		p.Lines++
		line := p.Lines
		ind, ok := o.(*stix.Indicator)
		if !ok {
			return nil // reports, identities, markings: not indicators, nothing to add
		}
		if len(p.Items) >= MaxFeedItems {
			p.Add(line, "is beyond the first %d indicators of one import", MaxFeedItems)
			return nil
		}
		if err := stix.Validate(ind); err != nil {
			p.Add(line, "%s", err.Error())
			return nil
		}
		if ind.PatternType != "stix" {
			p.Add(line, "pattern_type %q: only STIX patterns can be matched", ind.PatternType)
			return nil
		}
		pat, err := stix.ParsePattern(ind.Pattern)
		if err != nil {
			p.Add(line, "pattern: %s", err.Error())
			return nil
		}
		if !ind.ValidUntil.IsZero() && !ind.ValidUntil.After(now) {
			p.Add(line, "valid_until %s has passed: the indicator has expired", ind.ValidUntil.Format(time.RFC3339))
			return nil
		}
		raw, err := json.Marshal(ind)
		if err != nil {
			return err
		}
		it := Item{Line: line, Kind: KindSTIX, Value: ind.Name, Pattern: pat.String(), Confidence: ind.Confidence, STIX: string(raw)}
		if it.Value == "" {
			it.Value = clip(ind.Pattern)
		}
		from := ind.ValidFrom.UTC()
		it.ValidFrom = &from
		if !ind.ValidUntil.IsZero() {
			u := ind.ValidUntil.UTC()
			it.ValidUntil = &u
		}
		if dup.first(p, line, KindSTIX, ind.ID) {
			p.Items = append(p.Items, it)
		}
		return nil
	})
	p.Lines = n
	if err != nil {
		if errors.Is(err, errTooBig) {
			return nil, errTooBig
		}
		return nil, fmt.Errorf("the bundle cannot be read: %w", err)
	}
	return p, nil
}

// describe is a short text of a feed's outcome, for the audit trail.
func (p *Parsed) describe() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d lines, %d indicators, %d refused", p.Lines, len(p.Items), len(p.Problems))
	return b.String()
}
