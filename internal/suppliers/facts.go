package suppliers

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Facts is the suppliers fact set, the CEL variable `suppliers` of the catalog's rules: the
// organisation's supply-chain record, counted from its suppliers and products at evaluation
// time.
type Facts struct {
	Suppliers int64 `cel:"suppliers" label:"供应商数|suppliers"`
	Products  int64 `cel:"products" label:"在册产品和服务数|products and services registered"`
	// UncertifiedInUse counts products the catalogue of critical network equipment and
	// dedicated security products puts under the certification duty (CatalogueDuty: by
	// category and range; a product without a category by its kind) used on at least one
	// system of the inventory without a certificate valid today, its own or one its supplier
	// shared.
	UncertifiedInUse int64 `cel:"uncertified_in_use" label:"在用但无有效认证的网络关键设备和安全专用产品数|critical equipment and security products in use without a valid certificate"`
	// UncertifiedOnCII counts those of them used on an identified CII system.
	UncertifiedOnCII int64 `cel:"uncertified_on_cii" label:"关基系统在用但无有效认证的网络关键设备和安全专用产品数|critical equipment and security products on CII systems without a valid certificate"`
	// WithoutAgreement counts suppliers with at least one product or service and no security
	// and confidentiality agreement in force today.
	WithoutAgreement int64 `cel:"without_agreement" label:"无有效安全保密协议的供应商数|suppliers without a security and confidentiality agreement in force"`
	// NoIncidentDuty counts suppliers whose agreements in force do not bind them to report
	// incidents to the operator.
	NoIncidentDuty int64 `cel:"agreements_without_incident_reporting" label:"协议未约定向运营者报告事件的供应商数|suppliers whose agreement does not bind them to report incidents to the operator"`
	// Unreviewed counts suppliers with an agreement in force and no performance review in the
	// last 12 months.
	Unreviewed int64 `cel:"performance_unreviewed_12m" label:"近12个月未监督协议履行情况的供应商数|suppliers whose performance was not reviewed in 12 months"`
	// PreUseMissing counts products built by an outside party or donated, in use, not
	// cleared for use: without a passed pre-use assessment that someone other than the
	// assessor approved.
	PreUseMissing int64 `cel:"preuse_missing" label:"外包开发或受赠产品在用但上线前安全检测未通过或未经审批的数量|outsourced or donated products in use without a passed and approved pre-use assessment"`
	// MaintenanceUnreported counts active arrangements to maintain a system from abroad with
	// no report to the department and the police.
	MaintenanceUnreported int64 `cel:"maintenance_abroad_unreported" label:"未报告的境外远程维护安排数|maintenance arrangements from abroad not reported"`
	// MaintenanceReportedLate counts active arrangements reported only after they started:
	// the report is due before (Maintenance.InAdvance), and a late one does not cure that.
	MaintenanceReportedLate int64 `cel:"maintenance_abroad_reported_late" label:"开始后才报告的境外远程维护安排数|maintenance arrangements from abroad reported only after they started"`
	// MaintenanceDataUntransferred counts active arrangements whose remote access reaches
	// personal information or important data with no transfer abroad linked (a provision
	// of the data abroad outside the export rules: PIPL 38–40, DSL 31, CSL 2016 37 / 2025
	// 39, CBDF 2024); MaintenanceDataIncomplete those linked to a transfer whose route is
	// not complete by the data capability's rules, or that does not carry every category
	// reached.
	MaintenanceDataUntransferred int64 `cel:"maintenance_data_access_without_transfer" label:"境外远程维护可访问个人信息或重要数据但未关联数据出境活动的安排数|maintenance arrangements from abroad reaching personal information or important data with no transfer abroad linked"`
	MaintenanceDataIncomplete    int64 `cel:"maintenance_data_transfer_incomplete" label:"境外远程维护关联的数据出境活动途径不完备的安排数|maintenance arrangements from abroad whose linked transfer abroad has no complete export route"`
	// FindingsOpen counts the findings of accepted security questionnaires not closed yet;
	// FindingsOverdue those of them past their follow-up day.
	FindingsOpen    int64 `cel:"assessment_findings_open" label:"供应商安全问卷未关闭的问题数|open findings of supplier security questionnaires"`
	FindingsOverdue int64 `cel:"assessment_findings_overdue" label:"供应商安全问卷逾期未整改的问题数|findings of supplier security questionnaires past their follow-up day"`
}

// SystemSupply is the per-system fact set `supply`: what the supply-chain register says of
// one system of the inventory.
type SystemSupply struct {
	MaintenanceAbroad       int64 `cel:"maintenance_abroad" label:"境外远程维护安排数|maintenance arrangements from abroad"`
	MaintenanceUnreported   int64 `cel:"maintenance_abroad_unreported" label:"未报告的境外远程维护安排数|maintenance arrangements from abroad not reported"`
	MaintenanceReportedLate int64 `cel:"maintenance_abroad_reported_late" label:"开始后才报告的境外远程维护安排数|maintenance arrangements from abroad reported only after they started"`
}

// records is everything the facts are counted from.
type records struct {
	sups        []Supplier
	prods       []Product
	agreements  []Agreement
	reviews     []PerformanceReview
	assessments []Assessment
	maintenance []Maintenance
	// questionnaires and findings: an accepted questionnaire is a review of the supplier's
	// performance as much as a performance review is.
	questionnaires []Questionnaire
	findings       []Finding
	// shared are the valid certificates suppliers shared, by the product they name.
	shared map[int64]SharedCert
	// cat is the catalogue as the installation applies it (the zero value: built-in).
	cat Effective
	// routes are the organisation's transfers abroad (kernel.DataTransfers), which the
	// arrangements' access to data links to.
	routes []kernel.TransferRoute
}

// ComputeFacts counts the fact set from the organisation's records at now.
func ComputeFacts(rec records, systems []rules.System, now time.Time) Facts {
	sups, prods := rec.sups, rec.prods
	cii := map[int64]bool{}
	for _, s := range systems {
		cii[s.ID] = s.CIIStatus == "identified"
	}
	f := Facts{Suppliers: int64(len(sups)), Products: int64(len(prods))}
	for i := range prods {
		p := &prods[i]
		if !rec.cat.CertStatus(*p, rec.shared, now).Gap {
			continue
		}
		f.UncertifiedInUse++
		for _, id := range p.Systems {
			if cii[id] {
				f.UncertifiedOnCII++
				break
			}
		}
	}
	supplies := map[int64]bool{}
	for _, p := range prods {
		supplies[p.SupplierID] = true
	}
	inForce, incident, reviewed := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, a := range rec.agreements {
		if a.InForce(now) {
			inForce[a.SupplierID] = true
			incident[a.SupplierID] = incident[a.SupplierID] || a.Has("incident_reporting")
		}
	}
	yearAgo := chinaDay(now).AddDate(-1, 0, 0)
	for _, r := range rec.reviews {
		if !r.ReviewedOn.Before(yearAgo) {
			reviewed[r.SupplierID] = true
		}
	}
	for _, q := range rec.questionnaires {
		if q.State == QAccepted && q.DecidedAt != nil && !chinaDay(*q.DecidedAt).Before(yearAgo) {
			reviewed[q.SupplierID] = true
		}
	}
	for _, x := range rec.findings {
		f.FindingsOpen += b2i(x.Open())
		f.FindingsOverdue += b2i(x.Overdue(now))
	}
	for _, x := range sups {
		switch {
		case inForce[x.ID]:
			f.NoIncidentDuty += b2i(!incident[x.ID])
			f.Unreviewed += b2i(!reviewed[x.ID])
		case supplies[x.ID]:
			f.WithoutAgreement++
		}
	}
	passed := map[int64]bool{}
	for _, a := range rec.assessments {
		passed[a.ProductID] = passed[a.ProductID] || a.Clears()
	}
	for _, p := range prods {
		if p.NeedsPreUse() && len(p.Systems) > 0 && !passed[p.ID] {
			f.PreUseMissing++
		}
	}
	for _, m := range rec.maintenance {
		if m.Active(now) {
			f.MaintenanceUnreported += b2i(m.ReportedOn == nil)
			f.MaintenanceReportedLate += b2i(m.ReportedLate())
			switch LinkState(m, rec.routes) {
			case LinkMissing:
				f.MaintenanceDataUntransferred++
			case LinkIncomplete, LinkUncovered, LinkPeriod:
				f.MaintenanceDataIncomplete++
			}
		}
	}
	return f
}

// ComputeSystemFacts gives each system with an arrangement from abroad its supply facts.
func ComputeSystemFacts(rec records, now time.Time) map[int64]SystemSupply {
	out := map[int64]SystemSupply{}
	for id, m := range maintenanceBySystem(rec.maintenance, now) {
		out[id] = SystemSupply{MaintenanceAbroad: int64(m.Arrangements), MaintenanceUnreported: int64(m.Unreported),
			MaintenanceReportedLate: int64(m.ReportedLate)}
	}
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Facts reads the context's organisation's supplier facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Facts{}, fmt.Errorf("read the inventory: %w", err)
	}
	rec, err := s.records(ctx)
	if err != nil {
		return Facts{}, err
	}
	if rec.cat, rec.shared, err = s.certInputs(ctx); err != nil {
		return Facts{}, err
	}
	if rec.routes, err = s.routes(ctx); err != nil {
		return Facts{}, err
	}
	return ComputeFacts(rec, systems, s.Now()), nil
}

// SystemFacts reads the context's organisation's per-system supply facts.
func (s *Service) SystemFacts(ctx context.Context) (map[int64]SystemSupply, error) {
	rec, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	return ComputeSystemFacts(rec, s.Now()), nil
}

// records reads every record the facts are counted from, in one transaction.
func (s *Service) records(ctx context.Context) (records, error) {
	var rec records
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if rec.sups, err = allSuppliers(t); err != nil {
			return err
		}
		if rec.prods, err = allProducts(t, 0); err != nil {
			return err
		}
		if rec.agreements, err = agreementsOf(t, 0); err != nil {
			return err
		}
		if rec.reviews, err = reviewsOf(t, 0); err != nil {
			return err
		}
		if rec.assessments, err = assessmentsOf(t, 0); err != nil {
			return err
		}
		if rec.maintenance, err = maintenanceOf(t, 0); err != nil {
			return err
		}
		if rec.questionnaires, err = questionnairesOf(t, 0); err != nil {
			return err
		}
		rec.findings, err = findingsOf(t, 0)
		return err
	})
	return rec, err
}
