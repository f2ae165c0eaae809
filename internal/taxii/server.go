package taxii

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// codeSharing is the sharing group's collection.
const codeSharing = "sharing"

// coll is a collection as one requester sees it.
type coll struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Desc     string   `json:"description,omitempty"`
	Alias    string   `json:"alias,omitempty"`
	CanRead  bool     `json:"can_read"`
	CanWrite bool     `json:"can_write"`
	Media    []string `json:"media_types"`

	code  string
	group int64 // the sharing group's regulator
}

// collectionID derives a collection's identifier (§2: a version 4 UUID in form) from what
// names it, so that it is stable across restarts and the same for every member of a
// sharing group, and says nothing readable about the organisation.
func collectionID(name string) string {
	h := sha256.Sum256([]byte("ciiguard taxii collection\n" + name))
	var u uuid.UUID
	copy(u[:], h[:16])
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	return u.String()
}

// requester is who asks: the organisation and the role (a token's, which is never wider
// than its owner's).
func requester(r *http.Request) (*auth.Principal, error) {
	p := web.PrincipalFrom(r.Context())
	if p == nil {
		return nil, errors.New("no principal on an authorised route")
	}
	return p, nil
}

// group is the sharing group the context organisation belongs to: a regulator hosts its
// own; an operator belongs to the one of the protection-work department it named. ok is
// false when there is none.
func (m *Module) group(ctx context.Context, p *auth.Principal) (int64, bool, error) {
	switch p.Org.Kind {
	case auth.Regulator:
		return p.Org.ID, true, nil
	case auth.Operator:
		if m.subs == nil {
			return 0, false, nil
		}
		reg, err := m.subs.Regulator(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		return reg.ID, true, nil
	}
	return 0, false, nil
}

// collectionsFor lists the requester's collections in a stable order (§3.3).
func (m *Module) collectionsFor(r *http.Request) ([]coll, error) {
	p, err := requester(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	zh := web.RequestLang(r) == web.LangZH
	canRead, canWrite := auth.Allowed(p.Role, Read), auth.Allowed(p.Role, Write)
	var out []coll
	if p.Org.Kind == auth.Operator || p.Org.Kind == auth.Regulator {
		tcs, err := m.threat.ThreatCollections(ctx)
		if err != nil {
			return nil, err
		}
		for _, tc := range tcs {
			c := coll{ID: collectionID(fmt.Sprintf("org/%d/%s", p.Org.ID, tc.Code)), Alias: tc.Code, CanRead: canRead,
				CanWrite: canWrite && tc.Writable, Media: []string{MediaSTIX}, code: tc.Code}
			c.Title, c.Desc = tc.TitleEN, tc.TitleZH
			if zh {
				c.Title, c.Desc = tc.TitleZH, tc.TitleEN
			}
			out = append(out, c)
		}
	}
	g, ok, err := m.group(ctx, p)
	if err != nil {
		return nil, err
	}
	if ok {
		c := coll{ID: collectionID(fmt.Sprintf("sharing/%d", g)), Alias: codeSharing, CanRead: canRead, CanWrite: canWrite,
			Media: []string{MediaSTIX}, code: codeSharing, group: g,
			Title: "Sharing group of the protection-work department", Desc: "保护工作部门的共享群组：运营者与监管部门互相共享的情报与发现（按TLP控制范围）"}
		if zh {
			c.Title, c.Desc = "保护工作部门共享群组", "Objects shared between the operators of the department and the department, within their TLP marks"
		}
		out = append(out, c)
	}
	return out, nil
}

// find returns the requester's collection with the id (or alias) in the path; another
// organisation's is not found.
func (m *Module) find(r *http.Request) (coll, bool, error) {
	cs, err := m.collectionsFor(r)
	if err != nil {
		return coll{}, false, err
	}
	id := r.PathValue("id")
	for _, c := range cs {
		if c.ID == id || c.Alias == id {
			return c, true, nil
		}
	}
	return coll{}, false, nil
}

// exact reports whether the request's path is the route's own (segments after the API
// Root, without the trailing slash), not a longer path the "/"-ending pattern also takes.
func exact(r *http.Request, segments int) bool {
	p := r.URL.Path
	if !strings.HasSuffix(p, "/") {
		return false
	}
	rest, ok := strings.CutPrefix(p, APIRootPath)
	if !ok {
		return p == DiscoveryPath && segments == -1
	}
	rest = strings.TrimSuffix(rest, "/")
	n := 0
	if rest != "" {
		n = strings.Count(rest, "/") + 1
	}
	return n == segments
}

// notFound is the 404 of a path this server does not have.
func notFound(w http.ResponseWriter, r *http.Request) error {
	return fail(w, r, http.StatusNotFound, "", "no such TAXII endpoint (TAXII paths end in /)")
}

// negotiate answers 406 unless Accept names a media type the endpoint answers in.
func negotiate(w http.ResponseWriter, r *http.Request, stixToo bool) bool {
	if acceptable(r.Header.Get("Accept"), stixToo) {
		return true
	}
	_ = fail(w, r, http.StatusNotAcceptable, "Accept", "Accept must include "+MediaTAXII+" (TAXII 2.1 §1.6.8, §3.1)")
	return false
}

// discovery is GET /taxii2/ (§4.1).
func (m *Module) discovery(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, -1) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	return write(w, http.StatusOK, map[string]any{
		"title":       "ciiguard TAXII 2.1",
		"description": "Threat information of the CII regime: the regulator's notifications, operators' indicators and sightings, sharing groups. 关键信息基础设施威胁信息：监管部门预警通报、运营者情报与发现、共享群组。",
		"default":     APIRootPath,
		"api_roots":   []string{APIRootPath},
	})
}

// apiRoot is GET /taxii2/ciiguard/ (§4.2).
func (m *Module) apiRoot(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 0) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	return write(w, http.StatusOK, map[string]any{
		"title":              "ciiguard",
		"description":        "The collections of the requesting organisation and its sharing group. 请求方单位的情报集合及其共享群组。",
		"versions":           []string{MediaTAXII},
		"max_content_length": MaxContentLength,
	})
}

// collections is GET …/collections/ (§5.1).
func (m *Module) collections(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 1) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	cs, err := m.collectionsFor(r)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return write(w, http.StatusOK, struct{}{}) // §5.1.1: the key is omitted when empty
	}
	return write(w, http.StatusOK, map[string]any{"collections": cs})
}

// collection is GET …/collections/{id}/ (§5.2).
func (m *Module) collection(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 2) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	c, ok, err := m.find(r)
	if err != nil {
		return err
	}
	if !ok {
		return fail(w, r, http.StatusNotFound, "id", "no such collection")
	}
	return write(w, http.StatusOK, c)
}

// readable resolves the collection of a read endpoint: 404 when there is none for the
// requester, 403 when it may not read it (§5.3, §5.4, §5.6).
func (m *Module) readable(w http.ResponseWriter, r *http.Request) (coll, bool, error) {
	c, ok, err := m.find(r)
	if err != nil {
		return coll{}, false, err
	}
	if !ok {
		return coll{}, false, fail(w, r, http.StatusNotFound, "id", "no such collection")
	}
	if !c.CanRead {
		return coll{}, false, fail(w, r, http.StatusForbidden, "id", "this collection is not readable for you")
	}
	return c, true, nil
}

// load returns the collection's objects the requester may read, sorted by date added.
func (m *Module) load(r *http.Request, c coll, from time.Time) ([]kernel.ThreatObject, error) {
	if c.code == codeSharing {
		p, err := requester(r)
		if err != nil {
			return nil, err
		}
		return m.sharedObjects(r.Context(), c.group, p.Org.ID, from)
	}
	objs, err := m.threat.ThreatObjects(r.Context(), c.code, from)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return objs, err
}

// storePage cuts the page in the store when the threat capability can (kernel.ThreatPager:
// a collection with one version of each object), reading chunks after the position until
// limit objects pass the filter or the collection ends; paged is false when it cannot.
func (m *Module) storePage(r *http.Request, c coll, f Filter, limit int) (page []kernel.ThreatObject, more, paged bool, err error) {
	pager, ok := m.threat.(kernel.ThreatPager)
	if !ok || c.code == codeSharing {
		return nil, false, false, nil
	}
	var at time.Time
	var id string
	if f.Next != nil {
		at, id = f.Next.Added, f.Next.ID
	}
	// The store has applied added_after and next; the rest of the filter judges each
	// object on its own, as the collection holds one version of each.
	rest := f
	rest.AddedAfter, rest.Next = time.Time{}, nil
	for {
		chunk, ok, err := pager.ThreatObjectsPage(r.Context(), c.code, f.AddedAfter, at, id, limit+1)
		if errors.Is(err, store.ErrNotFound) {
			return nil, false, true, nil
		}
		if err != nil || !ok {
			return nil, false, ok, err
		}
		kept, _ := rest.Apply(chunk, len(chunk))
		page = append(page, kept...)
		if len(page) > limit {
			return page[:limit], true, true, nil
		}
		if len(chunk) < limit+1 {
			return page, false, true, nil
		}
		last := chunk[len(chunk)-1]
		at, id = last.DateAdded, last.ID
	}
}

// page runs a filtered, paged read of a collection (§3.4, §3.5): the objects of the page,
// whether more follow, and the headers of §3.2 set on w.
func (m *Module) page(w http.ResponseWriter, r *http.Request, match []string, id string) ([]kernel.ThreatObject, bool, bool, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, false, false, fail(w, r, http.StatusBadRequest, "query", "cannot be read: "+err.Error())
	}
	f, err := ParseFilter(q, match)
	if err != nil {
		var fe *FilterError
		if errors.As(err, &fe) {
			return nil, false, false, fail(w, r, http.StatusBadRequest, fe.Param, fe.Error())
		}
		return nil, false, false, err
	}
	if id != "" {
		f.IDs = []string{id}
	}
	c, ok, err := m.readable(w, r)
	if !ok {
		return nil, false, false, err
	}
	limit := m.maxPage
	if f.Limit > 0 && f.Limit < limit {
		limit = f.Limit
	}
	page, more, paged, err := m.storePage(r, c, f, limit)
	if err != nil {
		return nil, false, false, err
	}
	if !paged {
		objs, err := m.load(r, c, f.AddedAfter)
		if err != nil {
			return nil, false, false, err
		}
		page, more = f.Apply(objs, limit)
	}
	if len(page) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", Timestamp(page[0].DateAdded))
		w.Header().Set("X-TAXII-Date-Added-Last", Timestamp(page[len(page)-1].DateAdded))
	}
	return page, more, true, nil
}

// envelope is §3.7's resource as this server writes it.
type envelope struct {
	More    bool        `json:"more,omitempty"`
	Next    string      `json:"next,omitempty"`
	Objects []rawObject `json:"objects,omitempty"`
}

type rawObject []byte

func (o rawObject) MarshalJSON() ([]byte, error) { return o, nil }

func envelopeOf(page []kernel.ThreatObject, more bool) envelope {
	e := envelope{More: more}
	for _, o := range page {
		e.Objects = append(e.Objects, rawObject(o.JSON))
	}
	if more && len(page) > 0 {
		last := page[len(page)-1]
		e.Next = cursor{Added: last.DateAdded, ID: last.ID, Version: last.Version}.token()
	}
	return e
}

// objects is GET …/collections/{id}/objects/ (§5.4).
func (m *Module) objects(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 3) {
		return notFound(w, r)
	}
	if !negotiate(w, r, true) {
		return nil
	}
	page, more, ok, err := m.page(w, r, allMatch, "")
	if !ok {
		return err
	}
	return write(w, http.StatusOK, envelopeOf(page, more))
}

// object is GET …/collections/{id}/objects/{object}/ (§5.6): an envelope even for one
// object, since it may have several versions.
func (m *Module) object(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 4) {
		return notFound(w, r)
	}
	if !negotiate(w, r, true) {
		return nil
	}
	page, more, ok, err := m.page(w, r, objectMatch, r.PathValue("object"))
	if !ok {
		return err
	}
	if len(page) == 0 && !more {
		// §5.6 answers an empty envelope for no match; an id the collection never held is
		// a 404 like any missing resource, which the client can tell from a filter's miss
		// by asking without filters.
		if held, err := m.holds(r, r.PathValue("object")); err != nil || !held {
			if err != nil {
				return err
			}
			return fail(w, r, http.StatusNotFound, "object", "the collection holds no object with this id")
		}
	}
	return write(w, http.StatusOK, envelopeOf(page, more))
}

func (m *Module) holds(r *http.Request, id string) (bool, error) {
	c, ok, err := m.find(r)
	if err != nil || !ok {
		return false, err
	}
	objs, err := m.load(r, c, time.Time{})
	if err != nil {
		return false, err
	}
	for _, o := range objs {
		if o.ID == id {
			return true, nil
		}
	}
	return false, nil
}

// manifestRecord is §5.3.1's manifest-record.
type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

// manifest is GET …/collections/{id}/manifest/ (§5.3).
func (m *Module) manifest(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 3) {
		return notFound(w, r)
	}
	if !negotiate(w, r, true) {
		return nil
	}
	page, more, ok, err := m.page(w, r, allMatch, "")
	if !ok {
		return err
	}
	out := struct {
		More    bool             `json:"more,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}{More: more}
	for _, o := range page {
		out.Objects = append(out.Objects, manifestRecord{ID: o.ID, DateAdded: Timestamp(o.DateAdded), Version: o.Version, MediaType: MediaSTIX})
	}
	return write(w, http.StatusOK, out)
}

// versions is GET …/objects/{object}/versions/ (§5.8): every version of the object.
func (m *Module) versions(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 5) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	q := r.URL.Query()
	if q.Get("match[version]") == "" {
		q.Set("match[version]", "all")
		r.URL.RawQuery = q.Encode()
	}
	page, more, ok, err := m.page(w, r, []string{"spec_version", "version"}, r.PathValue("object"))
	if !ok {
		return err
	}
	if len(page) == 0 {
		return fail(w, r, http.StatusNotFound, "object", "the collection holds no object with this id")
	}
	out := struct {
		More     bool     `json:"more,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{More: more}
	for _, o := range page {
		out.Versions = append(out.Versions, o.Version)
	}
	return write(w, http.StatusOK, out)
}

// status is GET …/status/{status}/ (§4.3); another organisation's is not found.
func (m *Module) status(w http.ResponseWriter, r *http.Request) error {
	if !exact(r, 2) {
		return notFound(w, r)
	}
	if !negotiate(w, r, false) {
		return nil
	}
	id := r.PathValue("status")
	if _, err := uuid.Parse(id); err != nil {
		return fail(w, r, http.StatusNotFound, "status", "no such status")
	}
	var body string
	err := m.db.ReadTenant(r.Context(), func(t *store.Tenant) error {
		return t.QueryRow(`SELECT body FROM taxii_status WHERE org_id = $1 AND id = $2`, id).Scan(&body)
	})
	if errors.Is(store.Found(err), store.ErrNotFound) {
		return fail(w, r, http.StatusNotFound, "status", "no such status")
	}
	if err != nil {
		return fmt.Errorf("read status: %w", err)
	}
	w.Header().Set("Content-Type", MediaTAXII)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write([]byte(body))
	return err
}
