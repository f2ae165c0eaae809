package rules

import (
	"testing"
	"time"
)

// TestLimitScalesWithFindings checks the time one evaluation call may take against a
// hand-worked table: the configured timeout for every 20,000 findings started, at least
// once. A 10,000-system organisation (360,124 findings with the embedded catalog) gets
// 19 × 10 s, where a fixed 10 s failed its evaluations at load average 15–30.
func TestLimitScalesWithFindings(t *testing.T) {
	cases := []struct {
		timeout time.Duration
		n       int
		want    time.Duration
	}{
		{10 * time.Second, 0, 10 * time.Second},
		{10 * time.Second, 1, 10 * time.Second},
		{10 * time.Second, 20_000, 10 * time.Second},
		{10 * time.Second, 20_001, 20 * time.Second},
		{10 * time.Second, 73_556, 40 * time.Second},
		{10 * time.Second, 360_124, 190 * time.Second},
		{time.Second, 100_000, 5 * time.Second},
		{0, 360_124, 0},
	}
	for _, c := range cases {
		e, err := NewEngine([]Rule{{ID: "T", Check: "true"}}, WithTimeout(c.timeout))
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Limit(c.n); got != c.want {
			t.Errorf("timeout %v, %d findings: limit %v, want %v", c.timeout, c.n, got, c.want)
		}
	}
}
