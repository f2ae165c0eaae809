package threat_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
)

// c2 is the address the logs demo has the grid operator's core firewall talk to 92 days
// before the demo day: three events of one session, connection 381992 first (written here
// by hand from internal/logs/demo.go, the oracle of what the hunt must find).
const c2 = "198.51.100.23"

type hitJSON struct {
	ID        int64 `json:"id"`
	Indicator struct {
		ID     int64  `json:"id"`
		STIXID string `json:"stix_id"`
		Value  string `json:"value"`
		Source string `json:"source"`
	} `json:"indicator"`
	EventSeq uint64          `json:"event_seq"`
	Event    json.RawMessage `json:"event"`
	Proof    struct {
		Seq         uint64   `json:"seq"`
		TreeSize    uint64   `json:"tree_size"`
		Leaf        []byte   `json:"leaf"`
		Hashes      [][]byte `json:"hashes"`
		Root        []byte   `json:"root"`
		Checkpoint  string   `json:"checkpoint"`
		VerifierKey string   `json:"verifier_key"`
		Origin      string   `json:"origin"`
	} `json:"proof"`
	FirstSeen    time.Time `json:"first_seen"`
	LastSeen     time.Time `json:"last_seen"`
	Count        int       `json:"count"`
	IncidentID   *int64    `json:"incident_id"`
	IncidentPath string    `json:"incident_path"`
}

// TestRetroHuntToSharedSighting is issue 15's end-to-end path without TAXII: the
// regulator's analyst publishes a critical notification naming c2 to the energy sector; the
// grid operator's retro-hunt finds the three firewall events of three months ago; the hit
// carries an inclusion proof that transparency-dev/merkle verifies against a checkpoint the
// vault's key signed, and opened an incident raised to 较大 with its first-report clock; the
// operator acknowledges and answers, shares the sighting, and the regulator sees the
// sighting with the proof and the answer. Another operator and another regulator get 404 for
// each of these records.
func TestRetroHuntToSharedSighting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		an := env.Login(t, "analyst@regulator.demo")
		var pub struct {
			ID         int64 `json:"id"`
			Recipients int   `json:"recipients"`
			Indicators int   `json:"indicators"`
		}
		deadline := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
		code, body := call(t, an, "POST", "/api/v1/threat/notifications", map[string]any{
			"title_zh": "僵尸网络控制端预警", "title_en": "Botnet controller warning", "severity": "critical", "sectors": []string{"energy"},
			"actions": "阻断并排查", "deadline": deadline, "format": "list", "indicators": c2 + "\n"}, &pub)
		must(t, "publish", code, http.StatusCreated, body)
		if pub.Recipients != 1 || pub.Indicators != 1 {
			t.Fatalf("published to %d operators with %d indicators; want the grid operator (energy) only, 1 indicator", pub.Recipients, pub.Indicators)
		}

		op := env.Login(t, "security@grid.demo")
		var inbox struct {
			Items []struct {
				ID             int64  `json:"id"`
				NotificationID int64  `json:"notification_id"`
				State          string `json:"state"`
			}
		}
		code, body = call(t, op, "GET", "/api/v1/threat/inbox", nil, &inbox)
		must(t, "inbox", code, http.StatusOK, body)
		var inboxID int64
		for _, it := range inbox.Items {
			if it.NotificationID == pub.ID {
				inboxID = it.ID
			}
		}
		if inboxID == 0 {
			t.Fatalf("the grid operator's inbox lacks notification %d: %s", pub.ID, body)
		}
		h := waitHunt(t, op, "inbox:"+strconv.FormatInt(inboxID, 10))
		if h.State != "done" || h.Hits != 1 || h.Scanned != h.Total || h.Total < 3 {
			t.Fatalf("hunt %+v; want done, 1 hit, every event of the window scanned", h)
		}

		var hits struct{ Hits []hitJSON }
		code, body = call(t, op, "GET", "/api/v1/threat/hits", nil, &hits)
		must(t, "hits", code, http.StatusOK, body)
		var hit *hitJSON
		for i := range hits.Hits {
			if hits.Hits[i].Indicator.Source == "inbox:"+strconv.FormatInt(inboxID, 10) {
				hit = &hits.Hits[i]
			}
		}
		if hit == nil {
			t.Fatalf("no hit of the notification: %s", body)
		}
		ago := time.Since(hit.FirstSeen)
		if hit.Indicator.Value != c2 || hit.Count != 3 || ago < 91*24*time.Hour || ago > 93*24*time.Hour || hit.LastSeen.Sub(hit.FirstSeen) != 14*time.Minute {
			t.Fatalf("hit %s seen %d times from %s to %s; want %s, 3 times, 92 days ago over 14 minutes", hit.Indicator.Value, hit.Count, hit.FirstSeen, hit.LastSeen, c2)
		}
		var ev vault.Event
		if err := json.Unmarshal(hit.Event, &ev); err != nil || !strings.Contains(ev.Message, "connection 381992 for outside:"+c2) {
			t.Fatalf("first event %s (%v); want the session 381992's first line", hit.Event, err)
		}

		// The proof, checked with the vault's public key and transparency-dev/merkle only.
		p := hit.Proof
		size, root, err := vault.OpenCheckpoint([]byte(p.Checkpoint), p.VerifierKey, p.Origin)
		if err != nil || size != p.TreeSize || !bytes.Equal(root[:], p.Root) {
			t.Fatalf("checkpoint: size %d root %x (%v); the proof says %d %x", size, root, err, p.TreeSize, p.Root)
		}
		if !bytes.Equal(p.Leaf, vault.LeafData(&ev)) || p.Seq != hit.EventSeq {
			t.Fatalf("the proof's leaf is not the hit's event %d", hit.EventSeq)
		}
		hasher := rfc6962.DefaultHasher
		if err := proof.VerifyInclusion(hasher, p.Seq, p.TreeSize, hasher.HashLeaf(p.Leaf), p.Hashes, p.Root); err != nil {
			t.Fatalf("inclusion proof does not verify: %v", err)
		}
		bad := append([]byte(nil), p.Leaf...)
		bad[len(bad)-1] ^= 1
		if proof.VerifyInclusion(hasher, p.Seq, p.TreeSize, hasher.HashLeaf(bad), p.Hashes, p.Root) == nil {
			t.Fatal("a changed event verified")
		}

		// Issue 10 item 14: the hit's page writes the proof's tree size with separators.
		_, page := op.Do("GET", "/threat/hits/"+strconv.FormatInt(hit.ID, 10), nil, map[string]string{"Accept-Language": "zh-CN"})
		bare := strconv.FormatUint(p.TreeSize, 10)
		var grouped []byte
		for i := range bare {
			if i > 0 && (len(bare)-i)%3 == 0 {
				grouped = append(grouped, ',')
			}
			grouped = append(grouped, bare[i])
		}
		if p.TreeSize < 1000 || !strings.Contains(page, `id="tree-size">`+string(grouped)+`<`) {
			t.Errorf("the hit's page does not write the tree size %s as %s", bare, grouped)
		}

		// The incident, raised to 较大 by the critical notification, with its clock running.
		if hit.IncidentID == nil || hit.IncidentPath != "/incidents/"+strconv.FormatInt(*hit.IncidentID, 10) {
			t.Fatalf("hit opened no incident: %+v", hit)
		}
		var got struct {
			Incident incident `json:"incident"`
		}
		code, body = call(t, op, "GET", "/api/v1/incidents/"+strconv.FormatInt(*hit.IncidentID, 10), nil, &got)
		must(t, "incident", code, http.StatusOK, body)
		inc := got.Incident
		// IRM 2025 Art. 4: an operator whose incident touches no CII system reports to the
		// provincial cyberspace administration within 4 hours.
		if inc.Grade != "relatively_major" || len(inc.Clocks) != 1 || inc.Clocks[0].Kind != "first" || !inc.Clocks[0].Running ||
			inc.Clocks[0].Due.Sub(inc.DetectedAt.Truncate(time.Minute)) != 4*time.Hour {
			t.Fatalf("incident %s; want relatively_major with the first report's 4-hour clock running", body)
		}

		// The operator acknowledges (once) and answers.
		inboxPath := "/api/v1/threat/inbox/" + strconv.FormatInt(inboxID, 10)
		code, body = call(t, op, "POST", inboxPath+"/acknowledge", nil, nil)
		must(t, "acknowledge", code, http.StatusOK, body)
		code, body = call(t, op, "POST", inboxPath+"/acknowledge", nil, nil)
		must(t, "acknowledge again", code, http.StatusConflict, body)
		code, body = call(t, op, "POST", inboxPath+"/answer", map[string]string{"answer": "已在边界阻断该地址，排查出一台主机并隔离。"}, nil)
		must(t, "answer", code, http.StatusOK, body)

		// Another operator and another regulator see none of it.
		water := env.Login(t, waterOperator())
		hitPath := "/api/v1/threat/hits/" + strconv.FormatInt(hit.ID, 10)
		for _, path := range []string{hitPath, inboxPath} {
			code, body = call(t, water, "GET", path, nil, nil)
			must(t, "water reads "+path, code, http.StatusNotFound, body)
		}
		code, body = call(t, water, "POST", inboxPath+"/answer", map[string]string{"answer": "x"}, nil)
		must(t, "water answers the grid's notification", code, http.StatusNotFound, body)
		code, body = call(t, water, "POST", hitPath+"/share", nil, nil)
		must(t, "water shares the grid's hit", code, http.StatusNotFound, body)
		other := secondRegulator(t, env)
		code, body = call(t, other, "GET", "/api/v1/threat/notifications/"+strconv.FormatInt(pub.ID, 10), nil, nil)
		must(t, "another regulator reads the notification", code, http.StatusNotFound, body)

		// Shared back: a STIX sighting of the indicator with the proof attached.
		code, body = call(t, op, "POST", hitPath+"/share", nil, nil)
		must(t, "share", code, http.StatusCreated, body)
		code, body = call(t, op, "POST", hitPath+"/share", nil, nil)
		must(t, "share again", code, http.StatusConflict, body)

		var seen struct {
			Sightings []struct {
				OperatorID     int64           `json:"operator_id"`
				NotificationID *int64          `json:"notification_id"`
				IndicatorValue string          `json:"indicator_value"`
				Count          int             `json:"count"`
				Sighting       json.RawMessage `json:"sighting"`
			}
		}
		code, body = call(t, an, "GET", "/api/v1/threat/sightings", nil, &seen)
		must(t, "regulator's sightings", code, http.StatusOK, body)
		var sighting json.RawMessage
		for _, s := range seen.Sightings {
			if s.NotificationID != nil && *s.NotificationID == pub.ID && s.IndicatorValue == c2 && s.Count == 3 {
				sighting = s.Sighting
			}
		}
		if sighting == nil {
			t.Fatalf("the regulator does not see the sighting: %s", body)
		}
		var bundle struct {
			Objects []map[string]json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(sighting, &bundle); err != nil {
			t.Fatal(err)
		}
		var sg map[string]json.RawMessage
		for _, o := range bundle.Objects {
			if string(o["type"]) == `"sighting"` {
				sg = o
			}
		}
		var attached struct {
			LeafIndex uint64   `json:"leaf_index"`
			TreeSize  uint64   `json:"tree_size"`
			Leaf      string   `json:"leaf"`
			Path      []string `json:"audit_path"`
			Root      string   `json:"root_hash"`
		}
		if sg == nil || string(sg["sighting_of_ref"]) != strconv.Quote(hit.Indicator.STIXID) || json.Unmarshal(sg["x_ciiguard_inclusion_proof"], &attached) != nil {
			t.Fatalf("bundle %s has no sighting of %s with a proof", sighting, hit.Indicator.STIXID)
		}
		leaf, _ := base64.StdEncoding.DecodeString(attached.Leaf)
		rootB, _ := base64.StdEncoding.DecodeString(attached.Root)
		var path [][]byte
		for _, s := range attached.Path {
			b, _ := base64.StdEncoding.DecodeString(s)
			path = append(path, b)
		}
		if err := proof.VerifyInclusion(hasher, attached.LeafIndex, attached.TreeSize, hasher.HashLeaf(leaf), path, rootB); err != nil {
			t.Fatalf("the shared proof does not verify: %v", err)
		}

		var n struct {
			Responses []struct {
				OperatorID int64  `json:"operator_id"`
				State      string `json:"state"`
				Answer     string `json:"answer"`
			}
		}
		code, body = call(t, an, "GET", "/api/v1/threat/notifications/"+strconv.FormatInt(pub.ID, 10), nil, &n)
		must(t, "notification", code, http.StatusOK, body)
		if len(n.Responses) != 1 || n.Responses[0].State != "answered" || !strings.Contains(n.Responses[0].Answer, "隔离") {
			t.Fatalf("responses %s; want the grid operator answered", body)
		}
	})
}

// incident is what the test reads of an incident.
type incident struct {
	Grade      string    `json:"grade"`
	DetectedAt time.Time `json:"detected_at"`
	Clocks     []struct {
		Kind    string    `json:"kind"`
		Due     time.Time `json:"due"`
		Running bool      `json:"running"`
	} `json:"clocks"`
}
