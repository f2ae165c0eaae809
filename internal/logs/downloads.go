package logs

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// maxResultRows caps one download of search results; the bundle export has its own cap.
const maxResultRows = 100_000

// eventProof downloads the proof that one event is in the organisation's log: a bundle of
// that event with its inclusion proof against a freshly signed checkpoint, which
// `ciiguard vault verify-bundle` (vault.VerifyBundle) checks offline with the verifier
// key. An event number the organisation's log does not have is a 404, whoever else's log
// may hold that number.
func (m *Module) eventProof(w http.ResponseWriter, r *http.Request) error {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	size, err := m.v.Size(org)
	if err != nil {
		return fmt.Errorf("log size: %w", err)
	}
	if seq >= size {
		return store.ErrNotFound
	}
	if _, err := m.v.Get(r.Context(), org, seq); err != nil {
		return problem.Field("seq", "this event was removed by retention; its proof is gone with it")
	}
	err = m.d.DB.Write(r.Context(), func(tx *store.Tx) error {
		return audit.Record(tx, org, "log_export", strconv.FormatUint(seq, 10), audit.Read, nil, nil, fmt.Sprintf("proof of event %d", seq))
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vault-proof-org%d-event%d.ndjson"`, org, seq))
	if err := m.v.ExportEvent(r.Context(), org, seq, w); err != nil {
		m.d.Log.Error("event proof", "org", org, "seq", seq, "err", err)
	}
	return nil
}

// resultsColumns are the CSV columns of downloaded search results.
var resultsColumns = []string{"seq", "time", "received", "host", "app", "procid", "msgid", "facility", "severity", "source_id", "source", "message"}

// resultsExport downloads the events of a search (q, from, to, source, as on the search
// page), newest first, as CSV (format=csv) or JSON lines (format=jsonl, one event as the
// API's search shows it per line); at most 100,000 events. The download is recorded in the
// audit trail, as logs leave the installation.
func (m *Module) resultsExport(w http.ResponseWriter, r *http.Request) error {
	vals := r.URL.Query()
	format := vals.Get("format")
	if format == "" {
		format = "csv"
	}
	v := &problem.Invalid{}
	if format != "csv" && format != "jsonl" {
		v.Add("format", "must be csv or jsonl")
	}
	vals.Del("limit")
	vals.Del("cursor")
	sp, err := m.parseSearch(vals, 1)
	if inv, ok := problem.As[*problem.Invalid](err); ok {
		v.Fields = append(v.Fields, inv.Fields...)
	} else if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	names, err := m.sourceNames(r)
	if err != nil {
		return err
	}
	q := sp.query()
	q.Limit, q.Cursor = 1000, ""
	first, err := m.Search(r.Context(), q) // a bad query or a slow one is refused before any byte is sent
	if err != nil {
		return err
	}
	err = m.d.DB.Write(r.Context(), func(tx *store.Tx) error {
		return audit.Record(tx, org, "log_export", "", audit.Read, nil, nil,
			fmt.Sprintf("%s of query %q from %s to %s source %d", format, sp.Q, sp.From.Format(time.RFC3339), sp.To.Format(time.RFC3339), sp.Source))
	})
	if err != nil {
		return err
	}
	stamp := m.now().UTC().Format("20060102T150405Z")
	bw := bufio.NewWriter(w)
	var cw *csv.Writer
	var enc *json.Encoder
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vault-results-%s.csv"`, stamp))
		bw.WriteString("\xEF\xBB\xBF") // so that spreadsheet programs read the Chinese as UTF-8
		cw = csv.NewWriter(bw)
		if err := cw.Write(resultsColumns); err != nil {
			return err
		}
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vault-results-%s.jsonl"`, stamp))
		enc = json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
	}
	page, n := first, 0
	for {
		for i := range page.Events {
			if n++; n > maxResultRows {
				break
			}
			ev := &page.Events[i]
			ev.Raw = nil // the parsed fields, as the search shows them
			if cw != nil {
				err = cw.Write([]string{strconv.FormatUint(ev.Seq, 10), ev.Time.UTC().Format(time.RFC3339Nano), ev.Received.UTC().Format(time.RFC3339Nano),
					csvCell(ev.Host), csvCell(ev.App), csvCell(ev.ProcID), csvCell(ev.MsgID), strconv.Itoa(ev.Facility), strconv.Itoa(ev.Severity),
					strconv.FormatInt(ev.SourceID, 10), csvCell(names[ev.SourceID]), csvCell(ev.Message)})
			} else {
				err = enc.Encode(ev)
			}
			if err != nil {
				return nil // the client went away; nothing more to say
			}
		}
		if page.Next == "" || n > maxResultRows {
			break
		}
		q.Cursor = page.Next
		if page, err = m.Search(r.Context(), q); err != nil {
			m.d.Log.Error("results export", "org", org, "err", err)
			break // headers are gone; the file ends early
		}
	}
	if cw != nil {
		cw.Flush()
	}
	if err := bw.Flush(); err != nil {
		m.d.Log.Warn("results export", "org", org, "err", err)
	}
	return nil
}

// csvCell keeps a cell from being read as a formula by a spreadsheet (CSV injection).
func csvCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// sourceNames maps the organisation's source ids to their names.
func (m *Module) sourceNames(r *http.Request) (map[int64]string, error) {
	srcs, err := m.Sources(r.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(srcs))
	for _, s := range srcs {
		out[s.ID] = s.Name
	}
	return out, nil
}
