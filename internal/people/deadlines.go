package people

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
)

// Deadlines lists the context's organisation's next background checks and certificate
// expiries as deadlines for the notification reminders (the notify capability's
// DeadlineSource). The names in them are personal information, so they go to the
// security manager only, the one role that holds people.hr.
func (s *Service) Deadlines(ctx context.Context) ([]kernel.Notice, error) {
	rs, err := s.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("people deadlines: %w", err)
	}
	return DeadlinesOf(rs, s.Now()), nil
}

// DeadlinesOf is what Deadlines reminds of, from the records at now: for every person on
// the roll, the next check of a passed background check (CIIR 2021 Art. 14) and the
// expiry of each certificate they hold (the latest of the same name and issuer, so a
// renewed certificate replaces the old one). A failed or missing check has no date to
// remind of: it is a finding already. The subject carries the date, so a renewed check
// or certificate is a new deadline with reminders of its own.
func DeadlinesOf(rs *Records, now time.Time) []kernel.Notice {
	day := today(now)
	var out []kernel.Notice
	for _, p := range rs.Persons {
		if !p.Active(day) {
			continue
		}
		pid := strconv.FormatInt(p.ID, 10)
		link := "/people/persons/" + pid
		if st, v := rs.VettingOf(p.ID, day); (st == VettingPassed || st == VettingOverdue) && v.NextDue != "" {
			if due, ok := dayAt(v.NextDue); ok {
				out = append(out, kernel.Notice{
					Subject: "people.vetting:" + pid + ":" + v.NextDue,
					Title:   rules.Text{Zh: "安全背景审查复查：" + p.Name, En: "Background check due again: " + p.Name},
					Body: rules.Text{
						Zh: fmt.Sprintf("%s 的安全背景审查应于 %s 前复查（《关键信息基础设施安全保护条例》（2021）第十四条）。", p.Name, v.NextDue),
						En: fmt.Sprintf("%s's security background check is due again by %s (CII Security Protection Regulation 2021, Art. 14).", p.Name, v.NextDue),
					},
					Due: due, Link: link, Roles: []auth.Role{auth.SecurityManager},
				})
			}
		}
		for _, c := range latestCerts(rs.Certs, p.ID) {
			due, ok := dayAt(c.ExpiresOn)
			if !ok {
				continue
			}
			out = append(out, kernel.Notice{
				Subject: "people.cert:" + pid + ":" + strconv.FormatInt(c.ID, 10),
				Title:   rules.Text{Zh: "证书到期：" + p.Name + "（" + c.Name + "）", En: "Certificate expiring: " + p.Name + " (" + c.Name + ")"},
				Body: rules.Text{
					Zh: fmt.Sprintf("%s 持有的 %s 证书有效期至 %s。", p.Name, c.Name, c.ExpiresOn),
					En: fmt.Sprintf("%s's %s certificate is valid until %s.", p.Name, c.Name, c.ExpiresOn),
				},
				Due: due, Link: link, Roles: []auth.Role{auth.SecurityManager},
			})
		}
	}
	return out
}

// latestCerts returns a person's certificates that expire, the latest-expiring of each
// name and issuer, in the order of their expiry.
func latestCerts(certs []Certification, person int64) []Certification {
	type key struct{ name, issuer string }
	best := map[key]Certification{}
	for _, c := range certs {
		if c.PersonID != person {
			continue
		}
		k := key{c.Name, c.Issuer}
		if b, ok := best[k]; !ok || expiresLater(c, b) {
			best[k] = c
		}
	}
	var out []Certification
	for _, c := range best {
		if c.ExpiresOn != "" {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ExpiresOn < out[j].ExpiresOn })
	return out
}

// expiresLater reports whether a outlasts b; a certificate without expiry outlasts all.
func expiresLater(a, b Certification) bool {
	switch {
	case b.ExpiresOn == "":
		return false
	case a.ExpiresOn == "":
		return true
	}
	return a.ExpiresOn > b.ExpiresOn
}

// dayAt is a recorded day as the moment it begins in China, for a notice's Due.
func dayAt(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(DateLayout, s, calendar.Shanghai)
	return t, err == nil
}
