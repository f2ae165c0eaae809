package obligations

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// FactSource gives the rules engine an organisation's facts: the scope capability's
// exported service implements it.
type FactSource interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// FactContributor refines the organisation facts of the inventory from a capability's
// records (the data capability counts the year's exports from its transfers) for the
// context's organisation. Facts a capability owns outright are its own fact set
// (kernel.FactProvider), not fields of rules.Org.
type FactContributor interface {
	ContributeFacts(ctx context.Context, org *rules.Org) error
}

// contributedFacts is the inventory's facts with every contributor's added.
type contributedFacts struct {
	base FactSource
	more []FactContributor
}

func (c contributedFacts) Facts(ctx context.Context) (rules.Org, []rules.System, error) {
	org, systems, err := c.base.Facts(ctx)
	if err != nil {
		return org, systems, err
	}
	for _, m := range c.more {
		if err := m.ContributeFacts(ctx, &org); err != nil {
			return org, systems, fmt.Errorf("facts from %T: %w", m, err)
		}
	}
	return org, systems, nil
}

// Finding is a stored finding with its evaluation time.
type Finding struct {
	rules.Finding
	EvaluatedAt time.Time `json:"evaluated_at"`
}

// Run is the summary of one evaluation, kept for the trend.
type Run struct {
	At               time.Time `json:"at"`
	Met              int       `json:"met"`
	Gap              int       `json:"gap"`
	Overdue          int       `json:"overdue"`
	NotApplicable    int       `json:"not_applicable"`
	NeedsAttestation int       `json:"needs_attestation"`
	Error            int       `json:"error"` // rules that failed at run time; not kept in the history
	FineMin          int64     `json:"fine_min"`
	FineMax          int64     `json:"fine_max"`
	// Recommended counts findings of duties written only in a draft that never came into
	// force (kept out of the other counts); not kept in the trend.
	Recommended int `json:"recommended"`
}

// Open counts the findings that still need work.
func (r Run) Open() int { return r.Gap + r.Overdue + r.NeedsAttestation + r.Error }

// Applicable counts the findings that apply.
func (r Run) Applicable() int { return r.Met + r.Open() }

// Attestation is a stored attestation.
type Attestation struct {
	ID           int64     `json:"id"`
	ObligationID string    `json:"obligation_id"`
	SubjectKind  string    `json:"subject_kind"`
	SubjectID    string    `json:"subject_id"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until"`
	Evidence     []string  `json:"evidence"`
	Statement    string    `json:"statement"`
	AttestedBy   string    `json:"attested_by"`
	CreatedAt    time.Time `json:"created_at"`
	// Counts is false while the attestation waits for (or was refused by) the four-eyes
	// review: it is on file and shown, but no finding relies on it.
	Counts bool `json:"counts"`
}

// Policy is an organisation's own policy file, loaded as extra obligations.
type Policy struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	SHA256     string    `json:"sha256"`
	Count      int       `json:"obligations"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// Service evaluates the catalog against an organisation's facts and keeps the findings,
// their history and the attestations.
type Service struct {
	db    *store.DB
	base  *catalog.Catalog
	facts FactSource
	now   func() time.Time

	mu     sync.Mutex
	merged map[int64]*orgCatalog // per organisation: base plus its own policies

	sets []kernel.FactSet // capabilities' fact sets, filled on every evaluation
	// reviews decides which attestations count (four eyes); nil counts every one.
	reviews kernel.AttestationReviews
	ev      *evaluator
	memMu   sync.RWMutex // guards memos and the entries of each memo
	memos   map[int64]*memo
}

// AddFactSets makes every evaluation fill these capabilities' fact sets (declared to the
// rules engine with kernel.RegisterFactSets before the catalog was compiled). Call it before
// the first evaluation.
func (s *Service) AddFactSets(sets ...kernel.FactSet) { s.sets = append(s.sets, sets...) }

type orgCatalog struct {
	key string // hash of the policies it was built from
	cat *catalog.Catalog
}

// NewService returns the obligations service.
func NewService(db *store.DB, base *catalog.Catalog, facts FactSource) *Service {
	s := &Service{db: db, base: base, facts: facts, now: time.Now, merged: map[int64]*orgCatalog{}, memos: map[int64]*memo{}}
	s.ev = newEvaluator(s.evaluateOrg, slog.Default())
	return s
}

// memoOf returns the organisation's memo, nil before its first evaluation in this process.
// Only the organisation's worker changes it, so the worker may read it without the lock.
func (s *Service) memoOf(orgID int64) *memo {
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	return s.memos[orgID]
}

// swapMemo replaces the organisation's memo with next(old), keeping readers out meanwhile.
func (s *Service) swapMemo(orgID int64, next func(old *memo) *memo) {
	s.memMu.Lock()
	defer s.memMu.Unlock()
	s.memos[orgID] = next(s.memos[orgID])
}

// Changed tells the service that the organisation's records changed (systemID > 0: that
// system): its findings are re-evaluated in the background. It returns at once.
func (s *Service) Changed(orgID, systemID int64) { s.ev.enqueue(orgID, systemID, false) }

// Close stops the background evaluations after their current step.
func (s *Service) Close() { s.ev.close() }

// Base returns the embedded catalog.
func (s *Service) Base() *catalog.Catalog { return s.base }

func orgFromCtx(ctx context.Context) (int64, error) {
	id, ok := store.OrgFrom(ctx)
	if !ok {
		return 0, store.ErrNoTenant
	}
	return id, nil
}

// Catalog returns the catalog in force for the context's organisation: the embedded one
// plus the organisation's own policies.
func (s *Service) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return nil, err
	}
	var texts []string
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT yaml FROM custom_policies WHERE org_id = $1 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read policies: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var y string
			if err := rows.Scan(&y); err != nil {
				return err
			}
			texts = append(texts, y)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(texts) == 0 {
		return s.base, nil
	}
	h := sha256.New()
	for _, t := range texts {
		h.Write([]byte(t))
		h.Write([]byte{0})
	}
	key := hex.EncodeToString(h.Sum(nil))
	s.mu.Lock()
	defer s.mu.Unlock()
	if oc := s.merged[org]; oc != nil && oc.key == key {
		return oc.cat, nil
	}
	var extra []*catalog.Catalog
	for i, t := range texts {
		c, err := catalog.LoadCustom(strings.NewReader(t), strconv.FormatInt(org, 10), s.base.RuleOptions()...)
		if err != nil {
			return nil, fmt.Errorf("organisation policy %d no longer loads: %w", i+1, err)
		}
		extra = append(extra, c)
	}
	merged, err := catalog.Merge(s.base, extra...)
	if err != nil {
		return nil, fmt.Errorf("merge organisation policies: %w", err)
	}
	s.merged[org] = &orgCatalog{key: key, cat: merged}
	return merged, nil
}

// loadFacts reads the facts of the context's organisation: all of them, or, with the last
// evaluation's memo and the systems that alone changed since, those systems' (readFacts);
// and how many systems it read from the records.
func (s *Service) loadFacts(ctx context.Context, old *memo, changed []int64) (rules.Facts, int, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return rules.Facts{}, 0, err
	}
	o, systems, read, err := s.readFacts(ctx, old, changed)
	if err != nil {
		return rules.Facts{}, 0, fmt.Errorf("gather facts: %w", err)
	}
	atts, err := s.countingAttestations(ctx)
	if err != nil {
		return rules.Facts{}, 0, err
	}
	f := rules.Facts{OrgID: strconv.FormatInt(org, 10), Org: o, Systems: systems, Now: s.now().UTC()}
	for _, set := range s.sets {
		v, err := set.Fill(ctx)
		if err != nil {
			return rules.Facts{}, 0, err
		}
		decl := set.Declare()
		if decl.PerSystem {
			bySystem, ok := v.(map[int64]any)
			if !ok {
				return rules.Facts{}, 0, fmt.Errorf("per-system fact set %s filled with %T, not a map by system id", decl.Name, v)
			}
			if f.SystemExtra == nil {
				f.SystemExtra = map[string]map[int64]any{}
			}
			f.SystemExtra[decl.Name] = bySystem
			continue
		}
		if f.Extra == nil {
			f.Extra = map[string]any{}
		}
		f.Extra[decl.Name] = v
	}
	for _, a := range atts {
		f.Attestations = append(f.Attestations, rules.Attestation{
			ObligationID: a.ObligationID, SubjectKind: rules.SubjectKind(a.SubjectKind), SubjectID: a.SubjectID,
			ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, EvidenceSHA256s: a.Evidence, By: a.AttestedBy,
		})
	}
	return f, read, nil
}

// Evaluate evaluates every obligation in force for the context's organisation against its
// current facts, on the organisation's worker, and waits for it (and for any change queued
// before it). It returns the summary of the findings then stored.
func (s *Service) Evaluate(ctx context.Context) (Run, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return Run{}, err
	}
	s.ev.enqueue(org, 0, true)
	if err := s.ev.wait(ctx, org); err != nil {
		return Run{}, err
	}
	if err := s.ev.lastError(org); err != nil {
		return Run{}, err
	}
	s.memMu.RLock()
	defer s.memMu.RUnlock()
	if m := s.memos[org]; m != nil {
		return m.run, nil
	}
	return Run{}, nil
}

// summarise counts findings by status and adds up the fine exposure (computeExposure says
// how). Duties written only in a draft that never came into force are counted apart, as
// recommended, not as gaps.
func summarise(base *catalog.Catalog, fs []Finding) Run {
	var r Run
	for _, f := range fs {
		if recommendedOnly(base, f.ObligationID) && f.Status != rules.StatusNotApplicable && f.Status != rules.StatusError {
			r.Recommended++
			continue
		}
		countStatus(&r, f.Status)
	}
	e := computeExposure(base, fs, evaluatedAt(fs))
	r.FineMin, r.FineMax = e.Min, e.Max
	return r
}

// countStatus adds one finding of status st to r.
func countStatus(r *Run, st rules.Status) {
	switch st {
	case rules.StatusMet:
		r.Met++
	case rules.StatusGap:
		r.Gap++
	case rules.StatusOverdue:
		r.Overdue++
	case rules.StatusNotApplicable:
		r.NotApplicable++
	case rules.StatusNeedsAttestation:
		r.NeedsAttestation++
	case rules.StatusError:
		r.Error++
	}
}

// Filter selects stored findings.
type Filter struct {
	Status      string
	SubjectKind string
	SubjectID   string
	Obligation  string
}

func listFindings(t *store.Tenant, f Filter) ([]Finding, error) {
	// A finding names its reason (finding_reasons, reasons.go); one stored before holds it
	// inline, with reason_id 0.
	rows, err := t.Query(`SELECT f.obligation_id, f.subject_kind, f.subject_id, f.status, COALESCE(r.zh, f.reason_zh), COALESCE(r.en, f.reason_en), f.due, f.penalty_id, f.fine_min, f.fine_max, f.evidence, f.attested_by, f.evaluated_at, f.provisional
		FROM findings f LEFT JOIN finding_reasons r ON r.org_id = f.org_id AND r.id = f.reason_id
		WHERE f.org_id = $1 AND ($2 = '' OR f.status = $2) AND ($3 = '' OR f.subject_kind = $3) AND ($4 = '' OR f.subject_id = $4) AND ($5 = '' OR f.obligation_id = $5)
		ORDER BY f.obligation_id, f.subject_kind, f.subject_id`, f.Status, f.SubjectKind, f.SubjectID, f.Obligation)
	if err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var (
			fd       Finding
			kind, st string
			due      *time.Time
			pen, ev  string
			min, max int64
		)
		if err := rows.Scan(&fd.ObligationID, &kind, &fd.SubjectID, &st, &fd.Reason.Zh, &fd.Reason.En, &due, &pen, &min, &max, &ev, &fd.AttestedBy, &fd.EvaluatedAt, &fd.Provisional); err != nil {
			return nil, err
		}
		fd.SubjectKind, fd.Status = rules.SubjectKind(kind), rules.Status(st)
		if due != nil {
			d := due.UTC()
			fd.Due = &d
		}
		if pen != "" {
			fd.Penalty = &rules.PenaltyRange{ID: pen, Min: min, Max: max}
		}
		if ev != "" {
			fd.Evidence = strings.Split(ev, ",")
		}
		out = append(out, fd)
	}
	return out, rows.Err()
}

// Findings returns the context's organisation's stored findings.
func (s *Service) Findings(ctx context.Context, f Filter) ([]Finding, error) {
	var out []Finding
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = listFindings(t, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		resolvePenalty(s.base, &out[i])
	}
	return out, nil
}

// History returns the posture at the end of each of the last n days that had an
// evaluation (the last run of the day), oldest first: re-evaluations after every edit
// would otherwise drown the trend in noise.
func (s *Service) History(ctx context.Context, n int) ([]Run, error) {
	var out []Run
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		// Runs before one a day was kept may hold several rows a day; the day's last wins.
		rows, err := t.Query(`SELECT at, met, gap, overdue, not_applicable, needs_attestation, fine_min, fine_max FROM finding_runs WHERE org_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, n*50)
		if err != nil {
			return fmt.Errorf("read history: %w", err)
		}
		defer rows.Close()
		seen := map[string]bool{}
		for rows.Next() && len(out) < n {
			var r Run
			if err := rows.Scan(&r.At, &r.Met, &r.Gap, &r.Overdue, &r.NotApplicable, &r.NeedsAttestation, &r.FineMin, &r.FineMax); err != nil {
				return err
			}
			day := r.At.In(calendar.Shanghai).Format("2006-01-02")
			if !seen[day] {
				seen[day] = true
				out = append(out, r)
			}
		}
		return rows.Err()
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// NewAttestation is what a user submits to attest a duty.
type NewAttestation struct {
	ObligationID string    `json:"obligation_id"`
	SubjectKind  string    `json:"subject_kind"`
	SubjectID    string    `json:"subject_id"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until"`
	Evidence     []string  `json:"evidence"`
	Statement    string    `json:"statement"`
}

// EvidenceChecker confirms that the organisation holds an evidence file.
type EvidenceChecker func(ctx context.Context, sha string) error

// Attest records an attestation after checking the duty takes one, the subject exists in
// the findings, and every cited evidence file is the organisation's; then re-evaluates.
func (s *Service) Attest(ctx context.Context, in NewAttestation, hasEvidence EvidenceChecker) (Attestation, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return Attestation{}, err
	}
	cat, err := s.Catalog(ctx)
	if err != nil {
		return Attestation{}, err
	}
	v := &problem.Invalid{}
	ob, ok := cat.Obligation(in.ObligationID)
	switch {
	case !ok:
		v.Add("obligation_id", "no obligation %q in the catalog", in.ObligationID)
	case ob.Attestation == nil:
		v.Add("obligation_id", "%s is checked from your records, not attested", in.ObligationID)
	}
	if in.SubjectKind == "" {
		in.SubjectKind = "org"
	}
	if in.SubjectKind != "org" && in.SubjectKind != "system" {
		v.Add("subject_kind", "must be org or system")
	}
	if ok && ob.Subject != in.SubjectKind {
		v.Add("subject_kind", "%s is a duty of each %s", ob.ID, ob.Subject)
	}
	if in.SubjectKind == "org" {
		in.SubjectID = strconv.FormatInt(org, 10)
	}
	now := s.now().UTC().Truncate(time.Second)
	if in.ValidFrom.IsZero() {
		in.ValidFrom = now
	}
	if in.ValidUntil.IsZero() && ok && ob.Attestation != nil && ob.Attestation.ValidityDays > 0 {
		in.ValidUntil = in.ValidFrom.AddDate(0, 0, ob.Attestation.ValidityDays)
	}
	if in.ValidUntil.IsZero() {
		in.ValidUntil = in.ValidFrom.AddDate(1, 0, 0)
	}
	if !in.ValidUntil.After(in.ValidFrom) {
		v.Add("valid_until", "must be after valid_from")
	}
	if in.ValidFrom.After(now.Add(24 * time.Hour)) {
		v.Add("valid_from", "cannot be in the future")
	}
	in.Statement = strings.TrimSpace(in.Statement)
	if in.Statement == "" {
		v.Add("statement", "say what you confirm")
	} else {
		v.Text("statement", in.Statement, true, 4000)
	}
	if len(in.Evidence) == 0 {
		v.Add("evidence", "attach at least one evidence file")
	}
	for _, sha := range in.Evidence {
		if err := hasEvidence(ctx, sha); err != nil {
			v.Add("evidence", "%.12s… is not one of your organisation's evidence files", sha)
		}
	}
	if err := v.Err(); err != nil {
		return Attestation{}, err
	}
	a := Attestation{ObligationID: in.ObligationID, SubjectKind: in.SubjectKind, SubjectID: in.SubjectID, ValidFrom: in.ValidFrom.UTC(), ValidUntil: in.ValidUntil.UTC(),
		Evidence: in.Evidence, Statement: in.Statement, AttestedBy: audit.ActorFrom(ctx).Label, CreatedAt: now}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM findings WHERE org_id = $1 AND obligation_id = $2 AND subject_kind = $3 AND subject_id = $4`, a.ObligationID, a.SubjectKind, a.SubjectID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return problem.Field("subject_id", "no %s %s is subject to %s (evaluate first if it is new)", a.SubjectKind, a.SubjectID, a.ObligationID)
		}
		if err := t.QueryRow(`INSERT INTO attestations (org_id, obligation_id, subject_kind, subject_id, valid_from, valid_until, evidence, statement, attested_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			a.ObligationID, a.SubjectKind, a.SubjectID, a.ValidFrom, a.ValidUntil, strings.Join(a.Evidence, ","), a.Statement, a.AttestedBy, a.CreatedAt).Scan(&a.ID); err != nil {
			return fmt.Errorf("store attestation: %w", err)
		}
		if err := audit.Record(tx, org, "attestation", strconv.FormatInt(a.ID, 10), audit.Create, nil, a, a.ObligationID); err != nil {
			return err
		}
		if s.reviews == nil {
			return nil
		}
		actor := audit.ActorFrom(ctx)
		return s.reviews.Submitted(t, kernel.AttestationRef{ID: a.ID, ObligationID: a.ObligationID, SubjectKind: a.SubjectKind, SubjectID: a.SubjectID,
			Statement: a.Statement, Evidence: a.Evidence, AuthorID: actor.UserID, Author: a.AttestedBy})
	})
	if err != nil {
		return Attestation{}, err
	}
	s.Changed(org, 0)
	return a, nil
}

// Attestations lists the organisation's attestations, of one obligation or all.
func (s *Service) Attestations(ctx context.Context, obligationID string) ([]Attestation, error) {
	var out []Attestation
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, obligation_id, subject_kind, subject_id, valid_from, valid_until, evidence, statement, attested_by, created_at
			FROM attestations WHERE org_id = $1 AND ($2 = '' OR obligation_id = $2) ORDER BY id`, obligationID)
		if err != nil {
			return fmt.Errorf("list attestations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a Attestation
			var ev string
			if err := rows.Scan(&a.ID, &a.ObligationID, &a.SubjectKind, &a.SubjectID, &a.ValidFrom, &a.ValidUntil, &ev, &a.Statement, &a.AttestedBy, &a.CreatedAt); err != nil {
				return err
			}
			a.ValidFrom, a.ValidUntil = a.ValidFrom.UTC(), a.ValidUntil.UTC()
			if ev != "" {
				a.Evidence = strings.Split(ev, ",")
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, s.markCounting(ctx, out)
}

// markCounting sets Counts on each attestation from the four-eyes review.
func (s *Service) markCounting(ctx context.Context, atts []Attestation) error {
	if s.reviews == nil || len(atts) == 0 {
		for i := range atts {
			atts[i].Counts = true
		}
		return nil
	}
	ids := make([]int64, len(atts))
	for i, a := range atts {
		ids[i] = a.ID
	}
	ok, err := s.reviews.Counting(ctx, ids)
	if err != nil {
		return fmt.Errorf("attestation reviews: %w", err)
	}
	for i := range atts {
		atts[i].Counts = ok[atts[i].ID]
	}
	return nil
}

// MaxPolicySize bounds an uploaded policy file.
const MaxPolicySize = 1 << 20

// AddPolicy validates an organisation's own policy file with the catalog schema and the
// rules engine, stores it and re-evaluates. Nothing is stored when it does not load.
func (s *Service) AddPolicy(ctx context.Context, name string, yamlText []byte) (Policy, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return Policy{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "policy.yaml"
	}
	if len(yamlText) > MaxPolicySize {
		return Policy{}, problem.Field("file", "is larger than %d KiB", MaxPolicySize>>10)
	}
	c, err := catalog.LoadCustom(bytes.NewReader(yamlText), strconv.FormatInt(org, 10), s.base.RuleOptions()...)
	if err != nil {
		return Policy{}, refusePolicy(err, catalog.CustomPrefix(strconv.FormatInt(org, 10)))
	}
	sum := sha256.Sum256(yamlText)
	p := Policy{Name: name, SHA256: hex.EncodeToString(sum[:]), Count: len(c.Obligations), UploadedBy: audit.ActorFrom(ctx).Label, UploadedAt: s.now().UTC().Truncate(time.Microsecond)}
	// Merge with the policies already on file too, so that a second file reusing an
	// obligation id is refused here rather than stored and then breaking every evaluation.
	cur, err := s.Catalog(ctx)
	if err != nil {
		return Policy{}, err
	}
	if err := notYetDefined(cur, c, catalog.CustomPrefix(strconv.FormatInt(org, 10))); err != nil {
		return Policy{}, err
	}
	merged, err := catalog.Merge(cur, c)
	if err != nil {
		return Policy{}, fmt.Errorf("merge policy %s: %w", name, err)
	}
	if err := s.tryPolicy(ctx, merged, c); err != nil {
		return Policy{}, err
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		if err := t.QueryRow(`INSERT INTO custom_policies (org_id, name, sha256, yaml, obligations, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			p.Name, p.SHA256, string(yamlText), p.Count, p.UploadedBy, p.UploadedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("store policy: %w", err)
		}
		return audit.Record(tx, org, "policy", strconv.FormatInt(p.ID, 10), audit.Create, nil, p, p.Name)
	})
	if err != nil {
		return Policy{}, err
	}
	s.Changed(org, 0)
	return p, nil
}

// tryPolicy evaluates a new policy's obligations against the organisation's current facts
// before it is stored: a rule that cannot be evaluated for them (past the cost limit, a
// division by zero) is refused here, naming the rule, rather than stored to fail later.
func (s *Service) tryPolicy(ctx context.Context, merged, policy *catalog.Catalog) error {
	f, _, err := s.loadFacts(ctx, nil, nil)
	if err != nil {
		return err
	}
	e := merged.Engine()
	v := &problem.Invalid{}
	for _, o := range policy.Obligations {
		subjects := []*rules.System{nil}
		if o.Subject == string(rules.SubjectSystem) {
			subjects = subjects[:0]
			for i := range f.Systems {
				subjects = append(subjects, &f.Systems[i])
			}
		}
	subjects:
		for _, sys := range subjects {
			_, err := e.EvaluateRule(ctx, o.ID, f, sys)
			if err == nil {
				continue
			}
			var ee *rules.EvalError
			switch {
			case !errors.As(err, &ee) || ee.Interrupted():
				return fmt.Errorf("try policy obligation %s: %w", o.ID, err)
			case ee.CostExceeded():
				v.Add("file", "obligation %s: %s exceeds the evaluation cost limit (%d) for your organisation's records", o.ID, ee.Field, ee.CostLimit)
			default:
				v.Add("file", "obligation %s: %s cannot be evaluated for your organisation's records: %v", o.ID, ee.Field, ee.Err)
			}
			break subjects // one reason per obligation is enough to fix it
		}
	}
	return v.Err()
}

// DeletePolicy removes one of the organisation's own policy files and re-evaluates, so that
// its duties leave the findings; attestations made against them stay on record.
func (s *Service) DeletePolicy(ctx context.Context, id int64) error {
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var p Policy
		if err := t.QueryRow(`SELECT id, name, sha256, obligations, uploaded_by, uploaded_at FROM custom_policies WHERE org_id = $1 AND id = $2`, id).
			Scan(&p.ID, &p.Name, &p.SHA256, &p.Count, &p.UploadedBy, &p.UploadedAt); err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM custom_policies WHERE org_id = $1 AND id = $2`, id); err != nil {
			return fmt.Errorf("delete policy %d: %w", id, err)
		}
		return audit.Record(t.Tx(), t.OrgID(), "policy", strconv.FormatInt(id, 10), audit.Delete, p, nil, p.Name)
	})
	if err != nil {
		return err
	}
	org, _ := orgFromCtx(ctx)
	s.Changed(org, 0)
	return nil
}

// Policies lists the organisation's own policy files.
func (s *Service) Policies(ctx context.Context) ([]Policy, error) {
	var out []Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT id, name, sha256, obligations, uploaded_by, uploaded_at FROM custom_policies WHERE org_id = $1 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("list policies: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Policy
			if err := rows.Scan(&p.ID, &p.Name, &p.SHA256, &p.Count, &p.UploadedBy, &p.UploadedAt); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// SortUrgent orders findings: overdue first, then by due date, then by obligation.
func SortUrgent(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Status.Urgency() != b.Status.Urgency() {
			return a.Status.Urgency() < b.Status.Urgency()
		}
		switch {
		case a.Due != nil && b.Due != nil && !a.Due.Equal(*b.Due):
			return a.Due.Before(*b.Due)
		case (a.Due == nil) != (b.Due == nil):
			return a.Due != nil
		}
		return a.ObligationID < b.ObligationID
	})
}

// countingAttestations are the organisation's attestations that count: all of them, less
// those still waiting for (or refused by) a second person's review.
func (s *Service) countingAttestations(ctx context.Context) ([]Attestation, error) {
	atts, err := s.Attestations(ctx, "")
	if err != nil {
		return nil, err
	}
	out := atts[:0:0]
	for _, a := range atts {
		if a.Counts {
			out = append(out, a)
		}
	}
	return out, nil
}
