package oversight_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// TestConcurrentAcceptance: the regulator's administrator and analyst accept the same
// filing at the same moment, several times over. Exactly one acceptance is recorded; every
// other request is a 409, whatever the engine's isolation. On PostgreSQL the test also
// forces the interleaving READ COMMITTED allows — two answers both past "is it accepted
// yet?" before either commits — by holding the audit trail's head row while they start.
func TestConcurrentAcceptance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		t.Parallel()
		env := apptest.Start(t, d)
		op := env.Login(t, "security@grid.demo")
		code, body := call(t, op, "PUT", "/api/v1/filings/regulator", map[string]any{"regulator_id": regulatorID(t, env)}, nil)
		mustStatus(t, "name the regulator", code, http.StatusOK, body)
		file := func(title string) int64 {
			var filed submission
			code, body := call(t, op, "POST", "/api/v1/filings", map[string]any{
				"kind": "change_report", "title_zh": title, "title_en": "Concurrent acceptance", "payload": json.RawMessage(`{"n":1}`)}, &filed)
			mustStatus(t, "file", code, http.StatusCreated, body)
			return filed.ID
		}
		clients := []*apptest.Client{env.Login(t, "admin@regulator.demo"), env.Login(t, "analyst@regulator.demo")}

		id := file("并发受理测试")
		acceptAtOnce(t, clients, id, 12, nil)
		oneAcceptance(t, clients[1], id)

		if d != store.Postgres {
			return // SQLite has one writer at a time: no interleaving to force
		}
		id = file("并发受理测试（交错）")
		ctx := context.Background()
		conn, err := env.App.DB.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		acceptAtOnce(t, clients, id, 2, func() {
			// Both answers are inside their transactions and waiting on a lock: the first on
			// the audit head this test holds, the second on it too or on the first's row.
			deadline := time.Now().Add(30 * time.Second)
			for {
				var n int
				if err := env.App.DB.SQL().QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
					t.Error(err)
					break
				}
				if n >= 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("the two answers never both waited on a lock (%d waiting)", n)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := tx.Rollback(); err != nil {
				t.Error(err)
			}
		})
		oneAcceptance(t, clients[1], id)
	})
}

// acceptAtOnce sends n acceptances of filing id, spread over the clients, all released at
// once; release (when not nil) runs once they are sent. Exactly one is 201, the rest 409.
func acceptAtOnce(t *testing.T, clients []*apptest.Client, id int64, n int, release func()) {
	t.Helper()
	path := "/api/v1/oversight/inbox/" + strconv.FormatInt(id, 10) + "/answers"
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		codes = map[int]int{}
		errs  []string
	)
	for i := range n {
		c := clients[i%len(clients)]
		req, err := http.NewRequest("POST", c.Base+path, strings.NewReader(`{"action":"accepted","note":"受理"}`))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range jsonHdr(c.CSRF) {
			req.Header.Set(k, v)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := c.HTTP.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err.Error())
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			codes[res.StatusCode]++
			if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusConflict {
				errs = append(errs, strconv.Itoa(res.StatusCode)+": "+string(b))
			}
		}()
	}
	close(start)
	if release != nil {
		release()
	}
	wg.Wait()
	if len(errs) > 0 || codes[http.StatusCreated] != 1 || codes[http.StatusConflict] != n-1 {
		t.Fatalf("%d concurrent acceptances answered %v (errors %v); want one 201 and %d × 409", n, codes, errs, n-1)
	}
}

// oneAcceptance checks that filing id holds exactly one acceptance.
func oneAcceptance(t *testing.T, c *apptest.Client, id int64) {
	t.Helper()
	var it submission
	code, body := call(t, c, "GET", "/api/v1/oversight/inbox/"+strconv.FormatInt(id, 10), nil, &it)
	mustStatus(t, "read the item", code, http.StatusOK, body)
	n := 0
	for _, a := range it.Answers {
		if a.Action == "accepted" {
			n++
		}
	}
	if n != 1 || it.State != "accepted" {
		t.Fatalf("filing %d holds %d acceptances, state %s; want one, accepted", id, n, it.State)
	}
}
