package people

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// csvSafe keeps a cell from being read as a formula by a spreadsheet (CSV injection).
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// apiTrainingCSV exports the training register of a calendar year (?year=, default the
// current one in China): one row per person on the roll, with the hours, the days they make
// and the policy's minimum. Without ?include=personal a person is only "P<id>"; with it
// (people.hr only, else 403) the employee number, name and department are added.
func (m *Module) apiTrainingCSV(w http.ResponseWriter, r *http.Request) error {
	personal, err := wantsPersonal(r)
	if err != nil {
		return err
	}
	y := yearOf(m.Now())
	if s := r.URL.Query().Get("year"); s != "" {
		if y, err = strconv.Atoi(s); err != nil || y < 2000 || y > 2100 {
			return problemYear(s)
		}
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="training-%d.csv"`, y))
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"person", "security_staff", "key_post", "hours", "days", "required_days", "meets_policy"}
	if personal {
		head = append(head, "employee_no", "name", "department")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	hours := rs.TrainingHours(y)
	holders := rs.holders(today(m.Now()))
	for _, p := range rs.Persons {
		_, key := holders[p.ID]
		need := rs.Policy.minHours(key)
		if !p.SecurityStaff && !key {
			need = 0
		}
		days := float64(hours[p.ID]) / 10 / float64(rs.Policy.HoursPerDay)
		rec := []string{"P" + id(p.ID), strconv.FormatBool(p.SecurityStaff), strconv.FormatBool(key), hours[p.ID].String(),
			strconv.FormatFloat(days, 'f', 2, 64), strconv.FormatFloat(float64(need)/10/float64(rs.Policy.HoursPerDay), 'f', 0, 64),
			strconv.FormatBool(hours[p.ID] >= need)}
		if personal {
			rec = append(rec, csvSafe(p.EmployeeNo), csvSafe(p.Name), csvSafe(p.Department))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
