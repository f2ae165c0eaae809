package taxii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// deleteMatch are the match fields §5.7 defines for a delete: the version (and the
// specification version of the object's versions).
var deleteMatch = []string{"version", "spec_version"}

// errNotPoster refuses a member's delete of an object another member posted.
var errNotPoster = errors.New("posted by another member of the group: only the organisation that posted it, or the group's regulator, deletes it")

// deleteObject is DELETE …/collections/{id}/objects/{object}/ (§5.7). It is offered where
// the requester can read and write (404 for a collection it does not have, 403 for one it
// may only read); in the sharing group an object is deleted by the organisation that
// posted it or by the group's regulator, who hosts the group (403 for anyone else, who can
// read it but not delete it). Without match[version] every version the requester can read
// goes; with it, those the filter selects (first, last, all or timestamps). The threat
// capability's own collections are 403: their indicators are revoked on the threat pages,
// where their hits are kept, not deleted over TAXII.
func (m *Module) deleteObject(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 4) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return fail(w, r, http.StatusBadRequest, "query", "cannot be read: "+err.Error())
	}
	for key := range q {
		if key != "match[version]" && key != "match[spec_version]" {
			return fail(w, r, http.StatusBadRequest, key, "is not a parameter of a delete (TAXII 2.1 §5.7: match[version] and match[spec_version] only)")
		}
	}
	f, err := ParseFilter(q, deleteMatch)
	if err != nil {
		var fe *FilterError
		if errors.As(err, &fe) {
			return fail(w, r, http.StatusBadRequest, fe.Param, fe.Error())
		}
		return err
	}
	c, ok, err := m.find(r)
	if err != nil {
		return err
	}
	if !ok {
		return fail(w, r, http.StatusNotFound, "id", "no such collection")
	}
	if !c.CanRead || !c.CanWrite {
		return fail(w, r, http.StatusForbidden, "id", "you may not delete from this collection")
	}
	p, err := requester(r)
	if err != nil {
		return err
	}
	id := r.PathValue("object")
	objs, err := m.load(r, c, time.Time{})
	if err != nil {
		return err
	}
	f.IDs = []string{id}
	if len(f.Versions) == 0 {
		f.Versions = []string{"all"}
	}
	if len(f.SpecVersions) == 0 {
		f.SpecVersions = []string{"2.0", "2.1"}
	}
	held := false
	for _, o := range objs {
		held = held || o.ID == id
	}
	if !held {
		return fail(w, r, http.StatusNotFound, "object", "the collection holds no object with this id")
	}
	if c.code != codeSharing {
		return fail(w, r, http.StatusForbidden, "object", "indicators of this collection are revoked on the threat pages, not deleted over TAXII")
	}
	chosen, _ := f.Apply(objs, len(objs))
	if len(chosen) == 0 {
		return fail(w, r, http.StatusNotFound, "match[version]", "no version of the object matches")
	}
	versions := make([]string, len(chosen))
	for i, o := range chosen {
		versions[i] = o.Version
	}
	switch err := m.deleteShared(r.Context(), c.group, p.Org.ID, id, versions); {
	case errors.Is(err, errNotPoster):
		return fail(w, r, http.StatusForbidden, "object", err.Error())
	case err != nil:
		return err
	}
	w.Header().Set("Content-Type", MediaTAXII)
	w.WriteHeader(http.StatusOK)
	return nil
}

// deleteShared deletes versions of object id from group's sharing collection for member,
// who must have posted each of them or be the group's regulator, and records it in both
// organisations' trails.
func (m *Module) deleteShared(ctx context.Context, group, member int64, id string, versions []string) error {
	return m.db.Write(ctx, func(tx *store.Tx) error {
		posters := map[int64]bool{}
		for _, v := range versions {
			var poster int64
			if err := tx.QueryRow(`SELECT poster_id FROM taxii_objects WHERE org_id = $1 AND stix_id = $2 AND version = $3`, group, id, v).Scan(&poster); err != nil {
				return fmt.Errorf("read a shared object: %w", err)
			}
			if poster != member && member != group {
				return errNotPoster
			}
			posters[poster] = true
			if _, err := tx.Exec(`DELETE FROM taxii_objects WHERE org_id = $1 AND stix_id = $2 AND version = $3`, group, id, v); err != nil {
				return fmt.Errorf("delete a shared object: %w", err)
			}
		}
		note := fmt.Sprintf("%s: %d versions deleted from the sharing group of organisation %d", id, len(versions), group)
		target := "sharing/" + strconv.FormatInt(group, 10)
		if err := audit.Record(tx, member, "taxii_collection", target, "taxii_delete", nil, nil, note); err != nil {
			return err
		}
		for poster := range posters {
			if poster == member {
				continue
			}
			if err := audit.Record(tx, poster, "taxii_collection", target, "taxii_delete", nil, nil, note+fmt.Sprintf(" by organisation %d", member)); err != nil {
				return err
			}
		}
		if member == group {
			return nil
		}
		return audit.Record(tx, group, "taxii_collection", target, "taxii_delete", nil, nil, note+fmt.Sprintf(" by organisation %d", member))
	})
}
