package vulns

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"

	"ciiguard/internal/problem"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// CVSS is what a vector says: its version, base score and qualitative severity rating.
type CVSS struct {
	Vector   string  `json:"vector"`
	Version  string  `json:"version"`
	Score    float64 `json:"score"`
	Severity string  `json:"severity"` // critical, high, medium, low, none
}

// maxVector bounds a vector: the longest CVSS 4.0 vector with every metric is under 300
// characters.
const maxVector = 400

// ParseCVSS parses a CVSS 3.0, 3.1 or 4.0 vector with github.com/pandatix/go-cvss (which
// validates every metric against the FIRST specification) and rates its base score (3.x)
// or its CVSS-B/BT/BE/BTE score (4.0) on the specification's scale. The error says what is
// wrong in words a person can act on.
func ParseCVSS(vector string) (CVSS, *Reason) {
	v := strings.TrimSpace(vector)
	if len(v) > maxVector {
		return CVSS{}, why.Add("", "is longer than %d characters", maxVector)
	}
	var c CVSS
	switch {
	case strings.HasPrefix(v, "CVSS:3.0/"):
		x, err := gocvss30.ParseVector(v)
		if err != nil {
			return CVSS{}, cvssReason("3.0", err)
		}
		c = CVSS{Vector: x.Vector(), Version: "3.0", Score: x.BaseScore()}
	case strings.HasPrefix(v, "CVSS:3.1/"):
		x, err := gocvss31.ParseVector(v)
		if err != nil {
			return CVSS{}, cvssReason("3.1", err)
		}
		c = CVSS{Vector: x.Vector(), Version: "3.1", Score: x.BaseScore()}
	case strings.HasPrefix(v, "CVSS:4.0/"):
		x, err := gocvss40.ParseVector(v)
		if err != nil {
			return CVSS{}, cvssReason("4.0", err)
		}
		c = CVSS{Vector: x.Vector(), Version: "4.0", Score: x.Score()}
	default:
		return CVSS{}, why.Add("", "must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/")
	}
	if math.IsNaN(c.Score) || c.Score < 0 || c.Score > 10 {
		return CVSS{}, why.Add("", "gives a score outside 0 to 10")
	}
	c.Score = math.Round(c.Score*10) / 10
	c.Severity = Rate(c.Score)
	return c, nil
}

// Rate is the qualitative severity of a score, the same scale in CVSS 3.x and 4.0: 0.0 none,
// 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
func Rate(score float64) string {
	switch {
	case score >= 9.0:
		return "critical"
	case score >= 7.0:
		return "high"
	case score >= 4.0:
		return "medium"
	case score >= 0.1:
		return "low"
	}
	return "none"
}

// cvssReason says in our words (translated on pages) what the library found wrong, so that
// the Chinese page does not show the library's English: the metric it names, or the kind
// of fault.
func cvssReason(version string, err error) *Reason {
	var (
		miss  *gocvss31.ErrMissing
		miss0 *gocvss30.ErrMissing
		dup   *gocvss31.ErrDefinedN
		dup0  *gocvss30.ErrDefinedN
		bad   *gocvss31.ErrInvalidMetric
		bad0  *gocvss30.ErrInvalidMetric
		bad4  *gocvss40.ErrInvalidMetric
	)
	switch {
	case errors.As(err, &miss):
		return why.Add("", "is not a valid CVSS %s vector: base metric %s is missing", version, miss.Abv)
	case errors.As(err, &miss0):
		return why.Add("", "is not a valid CVSS %s vector: base metric %s is missing", version, miss0.Abv)
	case errors.As(err, &dup):
		return why.Add("", "is not a valid CVSS %s vector: metric %s is given twice", version, dup.Abv)
	case errors.As(err, &dup0):
		return why.Add("", "is not a valid CVSS %s vector: metric %s is given twice", version, dup0.Abv)
	case errors.As(err, &bad):
		return why.Add("", "is not a valid CVSS %s vector: there is no metric %q", version, bad.Abv)
	case errors.As(err, &bad0):
		return why.Add("", "is not a valid CVSS %s vector: there is no metric %q", version, bad0.Abv)
	case errors.As(err, &bad4):
		return why.Add("", "is not a valid CVSS %s vector: there is no metric %q", version, bad4.Abv)
	case errors.Is(err, gocvss40.ErrInvalidMetricOrder):
		return why.Add("", "is not a valid CVSS %s vector: the metrics are not in the specification's order", version)
	case errors.Is(err, gocvss31.ErrInvalidMetricValue), errors.Is(err, gocvss30.ErrInvalidMetricValue), errors.Is(err, gocvss40.ErrInvalidMetricValue):
		return why.Add("", "is not a valid CVSS %s vector: a metric has a value the specification does not define", version)
	case errors.Is(err, gocvss31.ErrTooShortVector), errors.Is(err, gocvss30.ErrTooShortVector), errors.Is(err, gocvss40.ErrTooShortVector):
		return why.Add("", "is not a valid CVSS %s vector: it is too short", version)
	}
	return why.Add("", "is not a valid CVSS %s vector", version)
}

// The identifier formats. CVE: CVE-YYYY-NNNN with four or more digits (CVE numbering rules
// since 2014). CNVD (China National Vulnerability Database, run by CNCERT): CNVD-YYYY-NNNNN.
// CNNVD (China National Vulnerability Database of Information Security, run by CNITSEC):
// CNNVD-YYYYMM-N…, the month of publication and a serial number.
var (
	cveRe   = regexp.MustCompile(`^CVE-(\d{4})-(\d{4,7})$`)
	cnvdRe  = regexp.MustCompile(`^CNVD-(\d{4})-(\d{5})$`)
	cnnvdRe = regexp.MustCompile(`^CNNVD-(\d{4})(\d{2})-(\d{1,6})$`)
)

// normID upper-cases and trims an identifier as people type it ("cve-2024-3400 ").
func normID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// checkYear refuses a year before the database began or after maxYear.
func checkYear(y string, first, maxYear int) *Reason {
	n, _ := strconv.Atoi(y)
	if n < first || n > maxYear {
		return why.Add("", "year %d is not between %d and %d", n, first, maxYear)
	}
	return nil
}

// CheckCVE validates a CVE identifier (already normalised); maxYear is the latest year
// allowed (next year: identifiers are reserved ahead).
func CheckCVE(id string, maxYear int) *Reason {
	m := cveRe.FindStringSubmatch(id)
	if m == nil {
		return why.Add("", "must look like CVE-2024-3400 (CVE, the year, four or more digits)")
	}
	return checkYear(m[1], 1999, maxYear)
}

// CheckCNVD validates a CNVD identifier.
func CheckCNVD(id string, maxYear int) *Reason {
	m := cnvdRe.FindStringSubmatch(id)
	if m == nil {
		return why.Add("", "must look like CNVD-2024-12345 (CNVD, the year, five digits)")
	}
	return checkYear(m[1], 2009, maxYear)
}

// CheckCNNVD validates a CNNVD identifier.
func CheckCNNVD(id string, maxYear int) *Reason {
	m := cnnvdRe.FindStringSubmatch(id)
	if m == nil {
		return why.Add("", "must look like CNNVD-202404-1234 (CNNVD, the year and month, a serial number)")
	}
	if mo, _ := strconv.Atoi(m[2]); mo < 1 || mo > 12 {
		return why.Add("", "month %s is not a month", m[2])
	}
	return checkYear(m[1], 2009, maxYear)
}

// fieldProblem is r as the problem of field, for the API.
func fieldProblem(field string, r *Reason) error { return problem.Field(field, r.Format, r.Args...) }
