package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// fromAddress returns a client whose connections come from the loopback address ip
// (127.0.0.0/8 is all loopback on Linux), so that a test can sign in from several
// "machines" without trusting any forwarded-for header.
func fromAddress(t *testing.T, env *apptest.Env, ip string) *apptest.Client {
	t.Helper()
	c := env.NewClient(t)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c.HTTP.Transport = &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}
	return c
}

var formToken = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signInForm fetches a sign-in form as a fresh browser at address ip and returns a
// function that posts it, answering the status code. Each answer sets a new form token, so
// a form is for one attempt.
func signInForm(t *testing.T, env *apptest.Env, ip string) func(email, password string) int {
	t.Helper()
	c := fromAddress(t, env, ip)
	_, body := c.Do("GET", "/login", nil, nil)
	m := formToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("sign-in page has no form token")
	}
	return func(email, password string) int {
		res, _ := c.Do("POST", "/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {password}, "next": {"/"}}, nil)
		return res.StatusCode
	}
}

// TestParallelSignInAttack, on each engine: the attack of issue 8 (parallel), and the
// audit of failed sign-ins (audited).
//
// parallel: the attack of issue 8: sixteen simultaneous sign-ins for one
// account from one address, fifteen wrong and the right one among them. However the
// requests interleave, no more than the free allowance may be checked (the right one may
// be among those, which is then a legitimate sign-in). Then, on a second account, fifteen
// simultaneous wrong passwords followed by the right one: inside the delay that follows,
// the right password must not sign in.
func TestParallelSignInAttack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		// The race is between checks that each take production's hashing time.
		env := apptest.StartOptions(t, d, apptest.Options{ProductionPasswordCost: true})
		t.Run("parallel", func(t *testing.T) { parallelAttack(t, env) })
		t.Run("audited", func(t *testing.T) { failuresAudited(t, env) })
	})
}

func parallelAttack(t *testing.T, env *apptest.Env) {
	burst := func(victim string, withRight bool) (codes map[int]int, right int) {
		forms := make([]func(string, string) int, 16)
		for i := range forms {
			forms[i] = signInForm(t, env, "127.0.0.1")
		}
		codes = map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range forms {
			if i == 15 && !withRight {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 15 {
					right = forms[i](victim, app.DemoPassword)
					return
				}
				code := forms[i](victim, "wrong-password-"+strings.Repeat("x", i))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return codes, right
	}

	codes, right := burst(demoEmail[auth.Analyst], true)
	checked := codes[http.StatusUnauthorized]
	if right == http.StatusSeeOther {
		checked++
	}
	if checked > auth.FreeFailures {
		t.Errorf("16 simultaneous sign-ins: %d passwords checked (wrong ones %v, right one %d); at most %d may be", checked, codes, right, auth.FreeFailures)
	}
	if codes[http.StatusUnauthorized]+codes[http.StatusTooManyRequests] != 15 || (right != http.StatusSeeOther && right != http.StatusTooManyRequests) {
		t.Errorf("answers: wrong ones %v, right one %d; want only 401 and 429, and 303 or 429", codes, right)
	}

	victim := demoEmail[auth.Auditor]
	codes, _ = burst(victim, false)
	if codes[http.StatusUnauthorized] > auth.FreeFailures {
		t.Errorf("15 simultaneous wrong passwords: %d checked (answers %v); at most %d may be", codes[http.StatusUnauthorized], codes, auth.FreeFailures)
	}
	if code := signInForm(t, env, "127.0.0.1")(victim, app.DemoPassword); code != http.StatusTooManyRequests {
		t.Fatalf("the right password right after 15 simultaneous failures: %d, want 429 (the delay)", code)
	}
}

// failuresAudited checks that a wrong password (known account) and an unknown account
// each leave a security event naming the account and address, never the password.
func failuresAudited(t *testing.T, env *apptest.Env) {
	const secret = "guessed-Password-7781"
	if code := signInForm(t, env, "127.0.0.4")(demoEmail[auth.Analyst], secret); code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", code)
	}
	if code := signInForm(t, env, "127.0.0.4")("nobody@nowhere.example", secret); code != http.StatusUnauthorized {
		t.Fatalf("unknown account: %d", code)
	}
	u, err := env.App.Auth.UserByEmail(context.Background(), demoEmail[auth.Analyst])
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		org                      int64
		entity, id, action, text string
	}
	var got []row
	err = env.App.DB.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT org_id, entity, entity_id, action, actor || ' ' || detail FROM audit_log WHERE action = 'signin_failed' AND detail LIKE '%127.0.0.4%' ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.org, &r.entity, &r.id, &r.action, &r.text); err != nil {
				return err
			}
			got = append(got, r)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("audit entries for 2 failed sign-ins: %+v", got)
	}
	if got[0].org != u.OrgID || got[0].entity != "user" || got[0].id != itoa(u.ID) {
		t.Errorf("known account's failure recorded as %+v, want org %d user %d", got[0], u.OrgID, u.ID)
	}
	for i, want := range []string{demoEmail[auth.Analyst], "nobody@nowhere.example"} {
		if !strings.Contains(got[i].text, want) || !strings.Contains(got[i].text, "127.0.0.4") {
			t.Errorf("entry %d %q does not name the account %s and the address", i, got[i].text, want)
		}
		if strings.Contains(got[i].text, secret) {
			t.Errorf("entry %d holds the password: %q", i, got[i].text)
		}
	}
}

// TestSignInUnderAttackNeverBlocksOthers runs, on one installation, the two cases where a
// lock-out would be denial of service.
//
// NAT: failures from one address must not lock the account's owner out from another, nor
// other users behind the attacker's address.
//
// Distributed guessing: one account guessed from many addresses goes on the slower path.
// Attempts from new addresses then run one at a time (a second one meanwhile is told, in
// the page's language, to retry in seconds), the owner's usual address is not slowed, and
// the owner at a new address still gets in.
func TestSignInUnderAttackNeverBlocksOthers(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	t.Run("nat", func(t *testing.T) {
		victim := demoEmail[auth.Analyst]
		last := 0
		for i := 0; i < auth.FreeFailures+3; i++ {
			last = signInForm(t, env, "127.0.0.2")(victim, "wrong-password-123")
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("attacker's attempt %d: %d, want 429", auth.FreeFailures+3, last)
		}
		if code := signInForm(t, env, "127.0.0.3")(victim, app.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("the account's owner from another address: %d, want 303 (signed in)", code)
		}
		// Another user behind the attacker's address (the same NAT) signs in too.
		if code := signInForm(t, env, "127.0.0.2")(demoEmail[auth.Auditor], app.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("another account from the attacker's address: %d, want 303", code)
		}
	})
	t.Run("distributed", func(t *testing.T) {
		victim := demoEmail[auth.SystemOwner]
		if code := signInForm(t, env, "127.0.0.9")(victim, app.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("owner's sign-in before the attack: %d", code)
		}
		for i := 0; i < auth.SlowAfter; i++ {
			ip := "127.0.1." + itoa(int64(1+i/auth.FreeFailures))
			if code := signInForm(t, env, ip)(victim, "wrong-password-123"); code != http.StatusUnauthorized {
				t.Fatalf("distributed failure %d from %s: %d, want 401", i+1, ip, code)
			}
		}
		slowForm, second := signInForm(t, env, "127.0.2.1"), fromAddress(t, env, "127.0.2.2")
		_, body := second.Do("GET", "/login", nil, map[string]string{"Accept-Language": "zh-CN"})
		tok := formToken.FindStringSubmatch(body)[1]
		started := make(chan struct{})
		slowCode := make(chan int, 1)
		go func() {
			close(started)
			slowCode <- slowForm(victim, "wrong-password-456")
		}()
		<-started
		time.Sleep(300 * time.Millisecond) // the first new address is now waiting its turn's delay
		res, page := second.Do("POST", "/login", url.Values{"_csrf": {tok}, "email": {victim}, "password": {"wrong-password-789"}}, map[string]string{"Accept-Language": "zh-CN"})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(page, "逐个核验") {
			t.Errorf("a second new address during a slow check: %d, Retry-After %q, want 429 saying (in Chinese) attempts are checked one at a time", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if code := <-slowCode; code != http.StatusUnauthorized {
			t.Errorf("the slow check itself: %d, want 401 (checked, wrong)", code)
		}
		if code := signInForm(t, env, "127.0.0.9")(victim, app.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("owner at the usual address during the attack: %d, want 303", code)
		}
		if code := signInForm(t, env, "127.0.2.3")(victim, app.DemoPassword); code != http.StatusSeeOther {
			t.Fatalf("owner at a new address during the attack: %d, want 303 (slower, not blocked)", code)
		}
	})
}
