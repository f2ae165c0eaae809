package catalog

// ObligationDoc is an obligation in the documented JSON shape of the API's Obligation
// schema (internal/obligations/openapi.json), without an organisation's status: what
// `ciiguard catalog show --json` and `catalog list --json` print, so that a script reads
// the CLI and the API the same way. Only documented, snake_case fields; the rule's test
// cases and where it was read from stay out.
type ObligationDoc struct {
	ID          string     `json:"id"`
	Instrument  string     `json:"instrument"`
	Version     string     `json:"version"`
	Article     string     `json:"article"`
	Equivalents []Citation `json:"equivalents,omitempty"`
	Title       Text       `json:"title"`
	Summary     Text       `json:"summary"`
	Binds       []string   `json:"binds"`
	Capability  string     `json:"capability"`
	Subject     string     `json:"subject"`
	Applies     string     `json:"applies,omitempty"`
	Check       string     `json:"check,omitempty"`
	Evidence    *Text      `json:"attestation_evidence,omitempty"`
	Cadence     string     `json:"cadence"`
	Due         string     `json:"due,omitempty"`
	Deadline    *Text      `json:"deadline,omitempty"`
	Penalty     *Penalty   `json:"penalty,omitempty"`
}

// Doc returns o in the documented JSON shape, with its penalty clause resolved.
func (c *Catalog) Doc(o *Obligation) ObligationDoc {
	d := ObligationDoc{ID: o.ID, Instrument: o.Instrument, Version: o.Version, Article: o.Article, Equivalents: o.Equivalents,
		Title: o.Title, Summary: o.Summary, Binds: o.Binds, Capability: o.Capability, Subject: o.Subject,
		Applies: o.Applies, Check: o.Check, Cadence: o.Cadence, Due: o.Due, Deadline: o.Deadline}
	if o.Attestation != nil {
		d.Evidence = &o.Attestation.Evidence
	}
	if p, ok := c.Penalty(o.Penalty); ok {
		d.Penalty = p
	}
	return d
}
