package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// chinaNames are what a recipient's country may not be: the transfer is to a recipient abroad
// (境外; Hong Kong, Macao and Taiwan count as abroad for data export).
var chinaNames = map[string]bool{"cn": true, "china": true, "中国": true, "中华人民共和国": true, "中国大陆": true, "prc": true}

// dayField parses a required or optional day into v's field; "" when absent or wrong.
func dayField(v *problem.Invalid, field, s string, required bool) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			v.Add(field, "is required (YYYY-MM-DD)")
		}
		return ""
	}
	if _, ok := parseDay(s); !ok {
		v.Add(field, "is not a date (YYYY-MM-DD)")
		return ""
	}
	return s
}

// notFuture refuses a day after today (China time).
func (s *Service) notFuture(v *problem.Invalid, field, day string) {
	if day != "" && mustDay(day).After(s.today()) {
		v.Add(field, "is in the future")
	}
}

func validPeople(v *problem.Invalid, field string, n int64) {
	if n < 0 || n > maxPeople {
		v.Add(field, "must be between 0 and %d", maxPeople)
	}
}

// CreateTransfer validates and records a transfer abroad with its first batch.
func (s *Service) CreateTransfer(ctx context.Context, in TransferInput) (Transfer, error) {
	x := Transfer{Recipient: strings.TrimSpace(in.Recipient), RecipientCountry: strings.TrimSpace(in.RecipientCountry),
		RecipientRole: strings.TrimSpace(in.RecipientRole), Fields: strings.TrimSpace(in.Fields), Purpose: strings.TrimSpace(in.Purpose),
		Frequency: strings.TrimSpace(in.Frequency), Exemption: strings.TrimSpace(in.Exemption), ReliesOnConsent: in.ReliesOnConsent,
		ConsentMethod: strings.TrimSpace(in.ConsentMethod), Assets: []int64{}}
	v := &problem.Invalid{}
	v.Text("recipient", x.Recipient, true, maxName)
	if v.Text("recipient_country", x.RecipientCountry, true, maxShort) && chinaNames[strings.ToLower(x.RecipientCountry)] {
		v.Add("recipient_country", "is China: record only transfers to recipients abroad")
	}
	if _, ok := optionOf(RecipientRoles, x.RecipientRole); !ok {
		v.Add("recipient_role", "is required: one of %s", codes(RecipientRoles))
	}
	v.Text("fields", x.Fields, true, maxText)
	v.Text("purpose", x.Purpose, true, maxText)
	if _, ok := optionOf(Frequencies, x.Frequency); !ok {
		v.Add("frequency", "is required: one of %s", codes(Frequencies))
	}
	x.StartOn = dayField(v, "start_on", in.StartOn, true)
	s.notFuture(v, "start_on", x.StartOn)
	validPeople(v, "people", in.People)
	validPeople(v, "sensitive_people", in.SensitivePeople)
	x.ConsentOn = dayField(v, "consent_on", in.ConsentOn, false)
	v.Text("consent_method", x.ConsentMethod, false, maxText)
	if (x.ConsentOn == "") != (x.ConsentMethod == "") {
		v.Add("consent_on", "and consent_method go together: how and when separate consent was obtained")
	}
	if len(in.Assets) == 0 {
		v.Add("assets", "name at least one data asset that goes abroad")
	}
	if len(in.Assets) > maxList {
		v.Add("assets", "at most %d assets", maxList)
	}
	org, _, err := s.inv.Facts(ctx)
	if err != nil {
		return Transfer{}, fmt.Errorf("read the inventory: %w", err)
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		assets, err := readAssets(t, 0)
		if err != nil {
			return err
		}
		byID := map[int64]*Asset{}
		for i := range assets {
			byID[assets[i].ID] = &assets[i]
		}
		var pi, sensitive, important bool
		for i, id := range in.Assets {
			a := byID[id]
			if a == nil {
				v.Add(fmt.Sprintf("assets[%d]", i), "is not a data asset of your organisation")
				continue
			}
			x.Assets = append(x.Assets, id)
			pi, sensitive, important = pi || a.PI(), sensitive || a.Has("sensitive_pi"), important || a.Important()
		}
		if in.People > 0 && !pi {
			v.Add("people", "counts people whose personal information goes abroad: the assets hold none")
		}
		if in.SensitivePeople > 0 && !sensitive {
			v.Add("sensitive_people", "counts people whose sensitive personal information goes abroad: the assets hold none")
		}
		if pi && in.People+in.SensitivePeople == 0 {
			v.Add("people", "is required: the assets hold personal information; how many people does the first sending add")
		}
		if x.ReliesOnConsent && !pi {
			v.Add("relies_on_consent", "is for personal information: the assets hold none")
		}
		if x.Exemption != "" {
			e, ok := s.Rules.Versions[len(s.Rules.Versions)-1].Exemption(x.Exemption)
			if !ok {
				v.Add("exemption", "is not an exemption (%s)", exemptionCodes(s.Rules))
			} else {
				switch exemptionFits(e, Case{CII: org.IsCIIOperator, PI: pi, Sensitive: sensitive, Important: important}) {
				case misfitCII:
					v.Add("exemption", "is not open to a CII operator")
				case misfitNoPI:
					v.Add("exemption", "covers only data with no personal information and no important data")
				case misfitImportant:
					v.Add("exemption", "does not cover important data")
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		x.CreatedBy, x.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
		if err := t.QueryRow(`INSERT INTO data_transfers (org_id, recipient, recipient_country, recipient_role, assets, fields, purpose, frequency, start_on, exemption, relies_on_consent, consent_method, consent_on, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			x.Recipient, x.RecipientCountry, x.RecipientRole, mustJSON(x.Assets), x.Fields, x.Purpose, x.Frequency, x.StartOn, x.Exemption,
			x.ReliesOnConsent, x.ConsentMethod, x.ConsentOn, x.CreatedBy, x.CreatedAt).Scan(&x.ID); err != nil {
			return fmt.Errorf("record transfer: %w", err)
		}
		b := Batch{TransferID: x.ID, SentOn: x.StartOn, People: in.People, Sensitive: in.SensitivePeople, Note: ""}
		if err := insertBatch(t, &b, x.CreatedAt); err != nil {
			return err
		}
		x.Batches = []Batch{b}
		s.announce(t)
		return audit.InTenant(t, "data_transfer", strconv.FormatInt(x.ID, 10), audit.Create, nil, x, x.Recipient)
	})
	return x, err
}

func exemptionCodes(rs *Ruleset) string {
	ex := rs.Exemptions()
	c := make([]string, len(ex))
	for i, e := range ex {
		c[i] = e.Code
	}
	return strings.Join(c, ", ")
}

func insertBatch(t *store.Tenant, b *Batch, at any) error {
	if err := t.QueryRow(`INSERT INTO data_batches (org_id, transfer_id, sent_on, people, sensitive, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		b.TransferID, b.SentOn, b.People, b.Sensitive, b.Note, at).Scan(&b.ID); err != nil {
		return fmt.Errorf("record batch: %w", err)
	}
	return nil
}

// AddBatch records another sending of a transfer.
func (s *Service) AddBatch(ctx context.Context, transferID int64, in BatchInput) (Batch, error) {
	v := &problem.Invalid{}
	b := Batch{TransferID: transferID, People: in.People, Sensitive: in.Sensitive, Note: strings.TrimSpace(in.Note)}
	b.SentOn = dayField(v, "sent_on", in.SentOn, true)
	s.notFuture(v, "sent_on", b.SentOn)
	validPeople(v, "people", b.People)
	validPeople(v, "sensitive_people", b.Sensitive)
	v.Text("note", b.Note, false, maxText)
	if err := v.Err(); err != nil {
		return Batch{}, err
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		xs, err := readTransfers(t, transferID)
		if err != nil {
			return err
		}
		if len(xs) == 0 {
			return store.ErrNotFound
		}
		if b.SentOn < xs[0].StartOn {
			return problem.Field("sent_on", "is before the transfer's start (%s)", xs[0].StartOn)
		}
		if err := insertBatch(t, &b, s.now()); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "data_batch", strconv.FormatInt(b.ID, 10), audit.Create, nil, b, xs[0].Recipient)
	})
	return b, err
}

const transferCols = `id, recipient, recipient_country, recipient_role, assets, fields, purpose, frequency, start_on, exemption, relies_on_consent, consent_method, consent_on, created_by, created_at`

// readTransfers reads the organisation's transfers with their batches, the newest start
// first; id > 0 keeps that one.
func readTransfers(t *store.Tenant, id int64) ([]Transfer, error) {
	rows, err := t.Query(`SELECT `+transferCols+` FROM data_transfers WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY start_on DESC, id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	var out []Transfer
	at := map[int64]int{}
	for rows.Next() {
		var x Transfer
		var assets string
		if err := rows.Scan(&x.ID, &x.Recipient, &x.RecipientCountry, &x.RecipientRole, &assets, &x.Fields, &x.Purpose, &x.Frequency, &x.StartOn,
			&x.Exemption, &x.ReliesOnConsent, &x.ConsentMethod, &x.ConsentOn, &x.CreatedBy, &x.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read transfer: %w", err)
		}
		if err := fromJSON(assets, &x.Assets); err != nil {
			rows.Close()
			return nil, err
		}
		x.Batches = []Batch{}
		at[x.ID] = len(out)
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	brows, err := t.Query(`SELECT id, transfer_id, sent_on, people, sensitive, note FROM data_batches WHERE org_id = $1 AND ($2 = 0 OR transfer_id = $2) ORDER BY sent_on, id`, id)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	defer brows.Close()
	for brows.Next() {
		var b Batch
		if err := brows.Scan(&b.ID, &b.TransferID, &b.SentOn, &b.People, &b.Sensitive, &b.Note); err != nil {
			return nil, fmt.Errorf("read batch: %w", err)
		}
		if i, ok := at[b.TransferID]; ok {
			out[i].Batches = append(out[i].Batches, b)
		}
	}
	return out, brows.Err()
}

// Transfers lists the organisation's transfers, the newest start first.
func (s *Service) Transfers(ctx context.Context) ([]Transfer, error) {
	var out []Transfer
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = readTransfers(t, 0)
		return err
	})
	return out, err
}
