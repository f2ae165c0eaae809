package vulns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Report kinds.
const (
	ReportMIIT      = "miit"      // to MIIT's sharing platform (PVP 2021 Art. 7)
	ReportAuthority = "authority" // to the competent authority (NDSR 2024 Art. 10)
)

// NewReport records that a report was made.
type NewReport struct {
	Kind       string `json:"kind"`
	ReportedAt string `json:"reported_at"` // as NewVuln.DiscoveredAt; empty is now
	Reference  string `json:"reference"`   // the receiver's reference number
	Authority  string `json:"authority"`   // the competent authority (authority reports)
}

// ReportGaps are the fields of the Art. 7 report content v lacks: the product's name, model
// (or version) and version, the flaw's nature, harm and scope.
func ReportGaps(v Vuln) []string {
	var gaps []string
	for i, p := range v.Products {
		if strings.TrimSpace(p.Version) == "" {
			gaps = append(gaps, fmt.Sprintf("products[%d].version", i))
		}
	}
	if len(v.Products) == 0 {
		gaps = append(gaps, "products")
	}
	for _, f := range []struct{ name, val string }{{"nature", v.Nature}, {"harm", v.Harm}, {"scope", v.Scope}} {
		if strings.TrimSpace(f.val) == "" {
			gaps = append(gaps, f.name)
		}
	}
	return gaps
}

// RecordReport records that the MIIT report or the authority report of vulnerability id was
// made. The MIIT report is the provider's and needs the content Art. 7 names; the authority
// report is for a vulnerability endangering national security or the public interest.
func (s *Service) RecordReport(ctx context.Context, id int64, in NewReport) (Vuln, error) {
	now := s.now()
	inv := &problem.Invalid{}
	in.Reference, in.Authority = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Authority)
	if in.Kind != ReportMIIT && in.Kind != ReportAuthority {
		inv.Add("kind", "must be miit or authority")
	}
	inv.Text("reference", in.Reference, false, maxShort)
	inv.Text("authority", in.Authority, in.Kind == ReportAuthority, maxShort)
	at := now
	if strings.TrimSpace(in.ReportedAt) != "" {
		t, ok := ParseTime(in.ReportedAt)
		switch {
		case !ok:
			inv.Add("reported_at", "must be a date and time, e.g. 2026-12-01T09:30 (China time) or RFC 3339")
		case t.After(now.Add(5 * time.Minute)):
			inv.Add("reported_at", "is in the future")
		default:
			at = t.Truncate(time.Second)
		}
	}
	if err := inv.Err(); err != nil {
		return Vuln{}, err
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		vs, _, err := records(t, id)
		if err != nil {
			return err
		}
		v := vs[0]
		if at.Before(v.DiscoveredAt) {
			return problem.Field("reported_at", "is before the vulnerability was discovered")
		}
		var q string
		var args []any
		switch in.Kind {
		case ReportMIIT:
			if !v.Provider {
				return problem.Conflictf("kind", "the report to MIIT's sharing platform is the product provider's (PVP 2021 Art. 7); this vulnerability is not in a product the organisation provides")
			}
			if v.ReportedMIITAt != nil {
				return problem.Conflictf("kind", "the report to MIIT's sharing platform is already recorded")
			}
			if gaps := ReportGaps(v); len(gaps) > 0 {
				bad := &problem.Invalid{}
				for _, g := range gaps {
					bad.Add(g, "is required in the report to MIIT's sharing platform (PVP 2021 Art. 7)")
				}
				return bad
			}
			q, args = `UPDATE vulns SET reported_miit_at = $2, miit_reference = $3, updated_at = $4 WHERE org_id = $1 AND id = $5`, []any{at, in.Reference, now, id}
		default:
			if !v.NationalSecurity {
				return problem.Conflictf("kind", "the 24-hour report is for a vulnerability endangering national security or the public interest (NDSR 2024 Art. 10); this one is not marked so")
			}
			if v.ReportedAuthorityAt != nil {
				return problem.Conflictf("kind", "the report to the competent authority is already recorded")
			}
			q, args = `UPDATE vulns SET reported_authority_at = $2, authority_reference = $3, authority_name = $4, updated_at = $5 WHERE org_id = $1 AND id = $6`,
				[]any{at, in.Reference, in.Authority, now, id}
		}
		if _, err := t.Exec(q, args...); err != nil {
			return fmt.Errorf("record the report: %w", err)
		}
		if s.changed != nil {
			s.changed(t.Tx(), t.OrgID())
		}
		return audit.InTenant(t, "vuln", idStr(id), "report", nil, map[string]any{"kind": in.Kind, "reported_at": at, "reference": in.Reference, "authority": in.Authority}, v.Title)
	})
	if err != nil {
		return Vuln{}, err
	}
	return s.Get(ctx, id)
}

// NewExport names who a vulnerability record is for.
type NewExport struct {
	Recipient        string `json:"recipient"`
	RecipientCountry string `json:"recipient_country"` // ISO 3166-1 alpha-2; CN for a party in mainland China
	ToProvider       bool   `json:"to_provider"`       // the recipient is the affected product's provider
}

// Export is a vulnerability record as handed to a named recipient.
type Export struct {
	Recipient        string    `json:"recipient"`
	RecipientCountry string    `json:"recipient_country"`
	ToProvider       bool      `json:"to_provider"`
	ExportedAt       time.Time `json:"exported_at"`
	ExportedBy       string    `json:"exported_by"`
	Vulnerability    Vuln      `json:"vulnerability"`
}

// Export hands vulnerability id to a recipient, audited. An undisclosed vulnerability is
// refused to a recipient outside China (Hong Kong, Macao and Taiwan included, as for data
// export) unless the recipient is the provider of an affected product, named as its supplier
// in the register (PVP 2021 Art. 9).
func (s *Service) Export(ctx context.Context, id int64, in NewExport) (Export, error) {
	in.Recipient = strings.TrimSpace(in.Recipient)
	in.RecipientCountry = strings.ToUpper(strings.TrimSpace(in.RecipientCountry))
	inv := &problem.Invalid{}
	inv.Text("recipient", in.Recipient, true, maxShort)
	if !countryRe.MatchString(in.RecipientCountry) {
		inv.Add("recipient_country", "must be a two-letter ISO 3166-1 country code (CN for mainland China)")
	}
	if err := inv.Err(); err != nil {
		return Export{}, err
	}
	v, err := s.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if in.ToProvider {
		ok := false
		for _, p := range v.Products {
			ok = ok || (p.Supplier != "" && fold(p.Supplier) == fold(in.Recipient))
		}
		if !ok {
			return Export{}, problem.Field("recipient", "is not the supplier of an affected product in the register, so it cannot be treated as the provider")
		}
	}
	if in.RecipientCountry != "CN" && !v.Disclosed && !in.ToProvider {
		return Export{}, problem.Conflictf("recipient_country", "may not receive this vulnerability: it is not publicly disclosed, and an undisclosed vulnerability may not be provided to any organisation or person outside China except the product's provider (Provisions on the Management of Security Vulnerabilities of Network Products 2021, Art. 9)")
	}
	now, by := s.now(), audit.ActorFrom(ctx).Label
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return audit.InTenant(t, "vuln", idStr(id), "export", nil, map[string]any{"recipient": in.Recipient, "recipient_country": in.RecipientCountry, "to_provider": in.ToProvider}, v.Title)
	})
	if err != nil {
		return Export{}, err
	}
	return Export{Recipient: in.Recipient, RecipientCountry: in.RecipientCountry, ToProvider: in.ToProvider, ExportedAt: now, ExportedBy: by, Vulnerability: v}, nil
}
