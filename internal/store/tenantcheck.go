package store

import "sync"

// statementCheck remembers the verdict of tenantClause per statement text. A capability runs
// the same few hundred statements over and over (a full evaluation writes hundreds of
// thousands of findings with one), and matching the expression each time cost a tenth of
// the CPU of a write; a statement's text decides the verdict, so each is checked once.
type statementCheck struct {
	mu      sync.RWMutex
	verdict map[string]bool
}

// maxCheckedStatements bounds the memory the verdicts take. Statements are program text,
// not data, so a real installation has a few hundred; past the bound (a bug that builds
// statements from data) they are still checked, just not remembered.
const maxCheckedStatements = 4096

var checkedStatements = &statementCheck{verdict: map[string]bool{}}

// ok reports whether query binds org_id to $1.
func (c *statementCheck) ok(query string) bool {
	c.mu.RLock()
	v, seen := c.verdict[query]
	c.mu.RUnlock()
	if seen {
		return v
	}
	v = tenantClause.MatchString(query)
	c.mu.Lock()
	if len(c.verdict) < maxCheckedStatements {
		c.verdict[query] = v
	}
	c.mu.Unlock()
	return v
}
