package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// MaxObjects bounds the objects of one POST.
const MaxObjects = 10000

// EnvelopeError names what of a posted envelope could not be read.
type EnvelopeError struct {
	Field  string // "body", "objects", "objects[3]"
	Reason string
}

func (e *EnvelopeError) Error() string { return e.Field + ": " + e.Reason }

// ParseEnvelope reads a posted envelope (§3.7, §5.5: "clients MUST deliver all objects in
// a TAXII envelope"): a JSON object whose objects property is a list of JSON objects, each
// with a type and an id. Other envelope properties (more, next, custom ones) are ignored.
func ParseEnvelope(body []byte) ([]json.RawMessage, error) {
	var env map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil || env == nil {
		return nil, &EnvelopeError{"body", "is not a JSON object (a TAXII envelope)"}
	}
	if dec.More() {
		return nil, &EnvelopeError{"body", "has data after the envelope"}
	}
	raw, ok := env["objects"]
	if !ok {
		return nil, &EnvelopeError{"objects", "is missing: an envelope to add carries its objects in objects"}
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(raw, &objs); err != nil || objs == nil {
		return nil, &EnvelopeError{"objects", "must be a list of STIX objects"}
	}
	if len(objs) == 0 {
		return nil, &EnvelopeError{"objects", "is empty (TAXII 2.1 §2: lists have at least one value)"}
	}
	if len(objs) > MaxObjects {
		return nil, &EnvelopeError{"objects", fmt.Sprintf("holds %d objects, more than %d", len(objs), MaxObjects)}
	}
	for i, o := range objs {
		var head struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal(o, &head); err != nil {
			return nil, &EnvelopeError{fmt.Sprintf("objects[%d]", i), "is not a JSON object"}
		}
		if head.Type == "" || head.ID == "" {
			return nil, &EnvelopeError{fmt.Sprintf("objects[%d]", i), "has no type or no id"}
		}
	}
	return objs, nil
}

// statusDetail is §4.3.1's status-details.
type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// statusResource is §4.3.1's status.
type statusResource struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []statusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []statusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
}

// addObjects is POST …/collections/{id}/objects/ (§5.5). Objects are processed before the
// answer, so the status is complete at once; it is kept for GET …/status/{id}/ (§4.3).
func (m *Module) addObjects(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 3) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	if !contentOK(r.Header.Get("Content-Type")) {
		return fail(w, r, http.StatusUnsupportedMediaType, "Content-Type", "Content-Type must be "+MediaTAXII+" (TAXII 2.1 §5.5)")
	}
	c, ok, err := m.find(r)
	if err != nil {
		return err
	}
	if !ok {
		return fail(w, r, http.StatusNotFound, "id", "no such collection")
	}
	if !c.CanWrite {
		return fail(w, r, http.StatusForbidden, "id", "this collection is not writable for you")
	}
	body, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fail(w, r, http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("is larger than the API Root's max_content_length, %d bytes", MaxContentLength))
	}
	if err != nil {
		return fmt.Errorf("read the envelope: %w", err)
	}
	objs, err := ParseEnvelope(body)
	if err != nil {
		var ee *EnvelopeError
		if errors.As(err, &ee) {
			return fail(w, r, http.StatusUnprocessableEntity, ee.Field, ee.Error())
		}
		return err
	}
	p, err := requester(r)
	if err != nil {
		return err
	}
	now := m.now()
	st := statusResource{ID: uuid.NewString(), Status: "complete", RequestTimestamp: Timestamp(now), TotalCount: len(objs)}
	var results []kernel.ThreatAdded
	if c.code == codeSharing {
		results, err = m.share(r.Context(), c.group, p.Org.ID, objs, now)
	} else {
		results, err = m.threat.AddThreatObjects(r.Context(), c.code, objs)
	}
	if err != nil {
		return err
	}
	for _, res := range results {
		d := statusDetail{ID: res.ID, Version: res.Version, Message: res.Message}
		if res.OK {
			st.Successes = append(st.Successes, d)
		} else {
			st.Failures = append(st.Failures, d)
		}
	}
	st.SuccessCount, st.FailureCount = len(st.Successes), len(st.Failures)
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	err = m.db.WriteTenant(r.Context(), func(t *store.Tenant) error {
		_, err := t.Exec(`INSERT INTO taxii_status (org_id, id, body, created_at) VALUES ($1, $2, $3, $4)`, st.ID, string(b), now)
		return err
	})
	if err != nil {
		return fmt.Errorf("keep the status: %w", err)
	}
	return write(w, http.StatusAccepted, st)
}

// readableBy says whether member may read an object of TLP level tlp that poster put in
// the sharing group of regulator group.
func readableBy(tlp string, poster, member, group int64) bool {
	if member == poster || member == group {
		return true
	}
	switch tlp {
	case "", "clear", "green", "amber":
		return true
	}
	return false // amber+strict and red stay with the poster and the group's regulator
}

// heldMarkings is what the threat capability tells of the indicators an organisation
// holds (threat.Service implements it beside kernel.ThreatCollections): the TLP level each
// of ids is held under.
type heldMarkings interface {
	HeldTLP(ctx context.Context, ids []string) (map[string]string, error)
}

// laxer says whether TLP level posted ("" unmarked, read as clear) lets more people read
// than level held: TLP 2.0's levels in order, clear, green, amber, amber+strict, red.
func laxer(posted, held string) bool {
	p, err := stix.ParseTLP(posted)
	if posted == "" || err != nil {
		p = stix.TLPClear
	}
	h, err := stix.ParseTLP(held)
	return err == nil && p < h
}

// share adds objects to the sharing group of regulator group, posted by poster. Each is
// validated as STIX 2.1 (stix.Validate); an exact duplicate is a success (§5.5). An
// indicator the poster holds under a stricter TLP than the object is marked with (one it
// received as TLP:RED by name, re-marked GREEN) is refused: TLP travels with the
// information, not with the copy.
func (m *Module) share(ctx context.Context, group, poster int64, objs []json.RawMessage, now time.Time) ([]kernel.ThreatAdded, error) {
	out := make([]kernel.ThreatAdded, len(objs))
	type row struct {
		i    int
		o    kernel.ThreatObject
		body string
	}
	var rows []row
	for i, raw := range objs {
		o, err := objectOf(raw, now)
		out[i] = kernel.ThreatAdded{ID: o.ID, Version: o.Version}
		if err != nil {
			out[i].Message = err.Error()
			continue
		}
		if o.SpecVersion != stix.SpecVersion {
			out[i].Message = "spec_version must be 2.1"
			continue
		}
		obj, err := stix.Decode(raw)
		if err == nil {
			err = stix.Validate(obj)
		}
		if err != nil {
			out[i].Message = err.Error()
			continue
		}
		if poster == group && (o.TLP == "amber+strict" || o.TLP == "red") {
			out[i].Message = "a regulator's TLP:" + o.TLP + " object has no named recipients in a sharing group; send it to them directly"
			continue
		}
		rows = append(rows, row{i, o, string(o.JSON)})
	}
	if held, ok := m.threat.(heldMarkings); ok && len(rows) > 0 && poster != group {
		ids := make([]string, len(rows))
		for k, rw := range rows {
			ids[k] = rw.o.ID
		}
		levels, err := held.HeldTLP(ctx, ids)
		if err != nil {
			return nil, err
		}
		kept := rows[:0]
		for _, rw := range rows {
			if h, ok := levels[rw.o.ID]; ok && laxer(rw.o.TLP, h) {
				out[rw.i].Message = "is held marked TLP:" + h + "; it is not passed on under a laxer marking"
				continue
			}
			kept = append(kept, rw)
		}
		rows = kept
	}
	if len(rows) == 0 {
		return out, nil
	}
	added := 0
	err := m.db.Write(ctx, func(tx *store.Tx) error {
		for _, rw := range rows {
			var body string
			err := tx.QueryRow(`SELECT body FROM taxii_objects WHERE org_id = $1 AND stix_id = $2 AND version = $3`, group, rw.o.ID, rw.o.Version).Scan(&body)
			switch {
			case err == nil && body == rw.body:
				out[rw.i].OK, out[rw.i].Message = true, "already held"
				continue
			case err == nil:
				out[rw.i].Message = "another object with this id and version is already held"
				continue
			case !errors.Is(store.Found(err), store.ErrNotFound):
				return fmt.Errorf("read shared objects: %w", err)
			}
			if _, err := tx.Exec(`INSERT INTO taxii_objects (org_id, poster_id, stix_id, stix_type, version, spec_version, tlp, body, date_added) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				group, poster, rw.o.ID, rw.o.Type, rw.o.Version, rw.o.SpecVersion, rw.o.TLP, rw.body, now); err != nil {
				return fmt.Errorf("add a shared object: %w", err)
			}
			out[rw.i].OK = true
			added++
		}
		if added == 0 {
			return nil
		}
		note := fmt.Sprintf("%d objects to the sharing group of organisation %d", added, group)
		if err := audit.Record(tx, poster, "taxii_collection", "sharing/"+strconv.FormatInt(group, 10), "taxii_post", nil, nil, note); err != nil {
			return err
		}
		if poster == group {
			return nil
		}
		return audit.Record(tx, group, "taxii_collection", "sharing/"+strconv.FormatInt(group, 10), "taxii_receive", nil, nil,
			fmt.Sprintf("%d objects from organisation %d", added, poster))
	})
	return out, err
}

// sharedObjects are the objects of group's sharing collection that member may read.
func (m *Module) sharedObjects(ctx context.Context, group, member int64, from time.Time) ([]kernel.ThreatObject, error) {
	var out []kernel.ThreatObject
	err := m.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT poster_id, stix_id, stix_type, version, spec_version, tlp, body, date_added FROM taxii_objects
WHERE org_id = $1 AND date_added >= $2 ORDER BY date_added, stix_id, version`, group, from)
		if err != nil {
			return fmt.Errorf("list shared objects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var o kernel.ThreatObject
			var poster int64
			var body string
			if err := rows.Scan(&poster, &o.ID, &o.Type, &o.Version, &o.SpecVersion, &o.TLP, &body, &o.DateAdded); err != nil {
				return err
			}
			if !readableBy(o.TLP, poster, member, group) {
				continue
			}
			o.DateAdded = o.DateAdded.UTC()
			o.JSON = json.RawMessage(body)
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// objectOf reads what the server needs of a posted STIX object.
func objectOf(raw json.RawMessage, added time.Time) (kernel.ThreatObject, error) {
	var head struct {
		Type        string   `json:"type"`
		ID          string   `json:"id"`
		SpecVersion string   `json:"spec_version"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		Markings    []string `json:"object_marking_refs"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return kernel.ThreatObject{}, fmt.Errorf("is not a STIX object: %v", err)
	}
	o := kernel.ThreatObject{ID: head.ID, Type: head.Type, Version: head.Modified, SpecVersion: head.SpecVersion, DateAdded: added}
	if o.Version == "" {
		o.Version = head.Created
	}
	if o.Version == "" {
		o.Version = Timestamp(added) // an object without created or modified (an SCO): its date added (§3.4.1)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return o, fmt.Errorf("is not a STIX object: %v", err)
	}
	o.JSON = b.Bytes()
	if level, ok := stix.Strictest(head.Markings); ok {
		o.TLP = level.Value()
	}
	return o, nil
}
