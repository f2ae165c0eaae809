package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// SessionTTL is how long a browser session lasts after sign-in.
const SessionTTL = 12 * time.Hour

// Org is an organisation: an operator, a regulator or a supplier.
type Org struct {
	ID        int64     `json:"id"`
	Kind      OrgKind   `json:"kind"`
	NameZH    string    `json:"name_zh"`
	NameEN    string    `json:"name_en"`
	USCC      string    `json:"uscc"`
	CreatedAt time.Time `json:"created_at"`
}

// Name returns the organisation's name in lang ("zh-CN" or "en").
func (o Org) Name(lang string) string {
	if strings.HasPrefix(lang, "zh") && o.NameZH != "" {
		return o.NameZH
	}
	return o.NameEN
}

// User is a person who signs in.
type User struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Principal is who is making a request: a user through a browser session or an API token
// (whose role may be narrower than the user's).
type Principal struct {
	User      User
	Org       Org
	Role      Role   // the effective role: the user's, or the token's
	SessionID string // hashed session id, for a browser session
	CSRF      string // the session's CSRF token
	TokenID   int64  // for an API token
}

// Actor returns the audit actor for the principal.
func (p Principal) Actor() audit.Actor {
	label := p.User.Email + " (" + string(p.Role) + ")"
	if p.TokenID != 0 {
		label += " via token " + strconv.FormatInt(p.TokenID, 10)
	}
	return audit.Actor{UserID: p.User.ID, OrgID: p.Org.ID, Label: label}
}

// Service manages organisations, users, sessions and tokens.
type Service struct {
	db      *store.DB
	Limiter *Limiter
	shared  *sharedPairs // the per-pair limit every node on the store shares
	now     func() time.Time
}

// NewService returns the accounts service over db.
func NewService(db *store.DB) *Service {
	s := &Service{db: db, Limiter: NewLimiter(), now: time.Now}
	s.shared = &sharedPairs{db: db, now: func() time.Time { return s.Limiter.now() }}
	return s
}

// ValidateOrg checks an organisation's fields.
func ValidateOrg(o *Org) error {
	v := &problem.Invalid{}
	o.NameZH, o.NameEN, o.USCC = strings.TrimSpace(o.NameZH), strings.TrimSpace(o.NameEN), strings.TrimSpace(o.USCC)
	if _, ok := RolesByKind[o.Kind]; !ok {
		v.Add("kind", "must be one of operator, regulator, supplier, installation")
	}
	if o.NameZH == "" && o.NameEN == "" {
		v.Add("name_en", "a name is required in Chinese or English")
	}
	v.Text("name_zh", o.NameZH, false, 200)
	v.Text("name_en", o.NameEN, false, 200)
	if o.NameZH == "" {
		o.NameZH = o.NameEN
	}
	if o.NameEN == "" {
		o.NameEN = o.NameZH
	}
	return v.Err()
}

// CreateOrg adds an organisation.
func (s *Service) CreateOrg(ctx context.Context, o Org) (Org, error) {
	if err := ValidateOrg(&o); err != nil {
		return Org{}, err
	}
	o.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(`INSERT INTO orgs (kind, name_zh, name_en, uscc, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			string(o.Kind), o.NameZH, o.NameEN, o.USCC, o.CreatedAt).Scan(&o.ID); err != nil {
			return fmt.Errorf("insert organisation: %w", err)
		}
		return audit.Record(tx, o.ID, "org", strconv.FormatInt(o.ID, 10), audit.Create, nil, o, "")
	})
	return o, err
}

// GetOrg returns an organisation by id.
func (s *Service) GetOrg(ctx context.Context, id int64) (Org, error) {
	var o Org
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		o, err = getOrg(tx, id)
		return err
	})
	return o, err
}

func getOrg(tx *store.Tx, id int64) (Org, error) {
	var o Org
	var kind string
	err := tx.QueryRow(`SELECT id, kind, name_zh, name_en, uscc, created_at FROM orgs WHERE id = $1`, id).
		Scan(&o.ID, &kind, &o.NameZH, &o.NameEN, &o.USCC, &o.CreatedAt)
	o.Kind = OrgKind(kind)
	o.CreatedAt = o.CreatedAt.UTC()
	return o, store.Found(err)
}

// ListOrgs returns every organisation, optionally only those of one kind. It is for the
// CLI and for regulators' registry views, which apply their own rules on what to show.
func (s *Service) ListOrgs(ctx context.Context, kind OrgKind) ([]Org, error) {
	var out []Org
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, kind, name_zh, name_en, uscc, created_at FROM orgs WHERE $1 = '' OR kind = $1 ORDER BY id`, string(kind))
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var o Org
			var k string
			if err := rows.Scan(&o.ID, &k, &o.NameZH, &o.NameEN, &o.USCC, &o.CreatedAt); err != nil {
				return err
			}
			o.Kind = OrgKind(k)
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// NewUser is what it takes to add a user.
type NewUser struct {
	OrgID    int64
	Email    string
	Name     string
	Role     Role
	Password string
	// PasswordHash, when set, is the HashPassword of the password, computed before (the
	// demo's users share one, hashed once); Password is then not used.
	PasswordHash string
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func validEmail(v *problem.Invalid, email string) {
	if email == "" {
		v.Add("email", "is required")
		return
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !problem.TextOK(email, true, 254) {
		v.Add("email", "is not a valid e-mail address")
	}
}

// CreateUser adds a user to an organisation after checking the role fits the
// organisation's kind and the password policy.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	nu.Email = normEmail(nu.Email)
	nu.Name = strings.TrimSpace(nu.Name)
	v := &problem.Invalid{}
	validEmail(v, nu.Email)
	v.Text("name", nu.Name, true, 200)
	// The hash is computed before the transaction: argon2id takes a noticeable fraction of
	// a second, and SQLite's one writer would wait for it.
	hash := nu.PasswordHash
	if hash == "" {
		if err := CheckPasswordPolicy(nu.Password); err != nil {
			v.Add("password", "must be at least %d characters and at most 1024 bytes", MinPasswordLen)
		} else {
			var err error
			if hash, err = HashPassword(nu.Password); err != nil {
				return User{}, err
			}
		}
	}
	var u User
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		org, err := getOrg(tx, nu.OrgID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				v.Add("org", "organisation %d does not exist", nu.OrgID)
				return v
			}
			return err
		}
		if err := ValidRole(org.Kind, nu.Role); err != nil {
			v.Add("role", "%s", err.Error())
		}
		if err := v.Err(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE email = $1`, nu.Email).Scan(&n); err != nil {
			return fmt.Errorf("check e-mail: %w", err)
		}
		if n > 0 {
			return &problem.Conflict{Field: "email", Reason: "a user with this e-mail already exists"}
		}
		u = User{OrgID: org.ID, Email: nu.Email, Name: nu.Name, Role: nu.Role, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
		if err := tx.QueryRow(`INSERT INTO users (org_id, email, name, role, password_hash, disabled, lang, created_at) VALUES ($1, $2, $3, $4, $5, FALSE, '', $6) RETURNING id`,
			u.OrgID, u.Email, u.Name, string(u.Role), hash, u.CreatedAt).Scan(&u.ID); err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		return audit.Record(tx, u.OrgID, "user", strconv.FormatInt(u.ID, 10), audit.Create, nil, u, "")
	})
	return u, err
}

const userColumns = `id, org_id, email, name, role, disabled, lang, created_at`

func scanUser(scan func(...any) error) (User, error) {
	var u User
	var role string
	err := scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &u.Disabled, &u.Lang, &u.CreatedAt)
	u.Role = Role(role)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// UserByEmail finds a user in any organisation (for the CLI, which runs on the server).
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, normEmail(email)).Scan)
		return store.Found(err)
	})
	return u, err
}

// GetUser returns a user of the context's organisation; another organisation's user is
// store.ErrNotFound.
func (s *Service) GetUser(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		u, err = scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id = $2`, id).Scan)
		return err
	})
	return u, err
}

// UserChange is an update of a user by an administrator of its organisation; nil fields
// stay as they are.
type UserChange struct {
	Name     *string
	Role     *Role
	Disabled *bool
	Password *string
}

// UpdateUser changes a user of the context's organisation. Disabling a user also ends its
// sessions and revokes its API tokens.
func (s *Service) UpdateUser(ctx context.Context, id int64, ch UserChange) (User, error) {
	var after User
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := scanUser(t.QueryRow(`SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return err
		}
		if audit.ActorFrom(ctx).UserID == id {
			if err := selfChange(before, ch); err != nil {
				return err
			}
		}
		after, err = s.applyUserChange(tx, before, ch)
		return err
	})
	return after, err
}

// selfChange refuses what an administrator may not do to its own account: change its role
// (a demotion is for another administrator to decide, and a token must not promote its
// owner) or disable it (locking oneself out is almost always a slip).
func selfChange(before User, ch UserChange) error {
	v := &problem.Invalid{}
	if ch.Role != nil && *ch.Role != before.Role {
		v.Add("role", "you cannot change your own role; another administrator must")
	}
	if ch.Disabled != nil && *ch.Disabled && !before.Disabled {
		v.Add("disabled", "you cannot disable your own account; another administrator must")
	}
	return v.Err()
}

// UpdateUserByEmail is UpdateUser for the CLI, which acts on the server as the operator of
// the installation and names users by e-mail across organisations.
func (s *Service) UpdateUserByEmail(ctx context.Context, email string, ch UserChange) (User, error) {
	var after User
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		before, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE email = $1`, normEmail(email)).Scan)
		if err != nil {
			return store.Found(err)
		}
		after, err = s.applyUserChange(tx, before, ch)
		return err
	})
	return after, err
}

func (s *Service) applyUserChange(tx *store.Tx, before User, ch UserChange) (User, error) {
	after := before
	v := &problem.Invalid{}
	if ch.Name != nil {
		after.Name = strings.TrimSpace(*ch.Name)
		v.Text("name", after.Name, true, 200)
	}
	if ch.Role != nil {
		org, err := getOrg(tx, before.OrgID)
		if err != nil {
			return after, err
		}
		if err := ValidRole(org.Kind, *ch.Role); err != nil {
			v.Add("role", "%s", err.Error())
		}
		after.Role = *ch.Role
	}
	if ch.Disabled != nil {
		after.Disabled = *ch.Disabled
	}
	if ch.Password != nil {
		if err := CheckPasswordPolicy(*ch.Password); err != nil {
			v.Add("password", "must be at least %d characters and at most 1024 bytes", MinPasswordLen)
		}
	}
	if err := v.Err(); err != nil {
		return after, err
	}
	if _, err := tx.Exec(`UPDATE users SET name = $1, role = $2, disabled = $3 WHERE id = $4`, after.Name, string(after.Role), after.Disabled, after.ID); err != nil {
		return after, fmt.Errorf("update user: %w", err)
	}
	detail := ""
	if ch.Password != nil {
		hash, err := HashPassword(*ch.Password)
		if err != nil {
			return after, err
		}
		if _, err := tx.Exec(`UPDATE users SET password_hash = $1 WHERE id = $2`, hash, after.ID); err != nil {
			return after, fmt.Errorf("set password: %w", err)
		}
		detail = "password changed"
	}
	if after.Disabled || ch.Password != nil || after.Role != before.Role {
		// A disabled user, a new password or a new role must not leave old sessions alive.
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = $1`, after.ID); err != nil {
			return after, fmt.Errorf("end sessions: %w", err)
		}
	}
	if err := audit.Record(tx, after.OrgID, "user", strconv.FormatInt(after.ID, 10), audit.Update, before, after, detail); err != nil {
		return after, err
	}
	// Tokens follow their owner: all go with a disabled user or a new password (the answer
	// to a suspected compromise, which may have minted them); a new role keeps only the
	// tokens whose role grants nothing the new role lacks. The use-time check in
	// TokenPrincipal refuses the rest anyway; revoking them here makes it visible and audited.
	switch {
	case after.Disabled:
		return after, s.revokeUserTokens(tx, after, nil, "owner disabled")
	case ch.Password != nil:
		return after, s.revokeUserTokens(tx, after, nil, "owner's password was reset")
	case after.Role != before.Role:
		why := fmt.Sprintf("owner's role changed from %s to %s", before.Role, after.Role)
		return after, s.revokeUserTokens(tx, after, func(r Role) bool { return Narrower(r, after.Role) }, why)
	}
	return after, nil
}

// SetLang remembers a user's language choice.
func (s *Service) SetLang(ctx context.Context, userID int64, lang string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE users SET lang = $1 WHERE id = $2`, lang, userID)
		return err
	})
}

// randomToken returns n random bytes, URL-safe encoded.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// ErrLoginFailed is the one answer to a wrong e-mail, wrong password or disabled user, so
// that a login form does not reveal which accounts exist.
var ErrLoginFailed = errors.New("e-mail or password is wrong, or the account is disabled")

// Login checks credentials under the sign-in limits and opens a session. It returns the
// session token for the cookie (only its hash is stored). The attempt is reserved before
// the password is hashed, so simultaneous attempts count together; a refused attempt is a
// *problem.TooMany, a full hashing queue ErrBusy, and a failed one ErrLoginFailed, recorded
// in the audit trail.
func (s *Service) Login(ctx context.Context, email, password, remote string) (string, Principal, error) {
	email = normEmail(email)
	att, slow, retry, slowTurn := s.Limiter.Reserve(email, remote)
	if att == nil {
		reason := "too many failed sign-ins for this account from this address; try again later"
		if slowTurn {
			reason = ErrSlowPath
		}
		return "", Principal{}, &problem.TooMany{Reason: reason, RetryAfter: int(retry.Seconds()) + 1}
	}
	defer att.Cancel() // gives the reservation back unless decided below
	// The same pair's count in the store, shared with the other nodes.
	sa, wait, err := s.shared.reserve(ctx, email, addrKey(remote))
	if err != nil {
		return "", Principal{}, err
	}
	if sa == nil {
		return "", Principal{}, &problem.TooMany{Reason: "too many failed sign-ins for this account from this address; try again later", RetryAfter: int(wait.Seconds()) + 1}
	}
	decided := false
	defer func() {
		if !decided {
			if err := sa.cancel(ctx); err != nil {
				slog.Default().Warn("sign-in limit: give a reservation back", "err", err)
			}
		}
	}()
	if slow > 0 {
		t := time.NewTimer(slow)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return "", Principal{}, fmt.Errorf("login: %w", ctx.Err())
		}
	}
	var hash string
	var u User
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var role string
		err := store.Found(tx.QueryRow(`SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email).
			Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &u.Disabled, &u.Lang, &u.CreatedAt, &hash))
		u.Role = Role(role)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", Principal{}, fmt.Errorf("login: %w", err)
	}
	known := err == nil
	if !known || u.Disabled {
		// Spend the same work as a real check so timing does not tell which accounts exist.
		hash = dummyHash()
	}
	switch err := CheckPassword(ctx, hash, password); {
	case errors.Is(err, ErrBusy):
		return "", Principal{}, err // not checked: the deferred Cancel gives the reservation back
	case ctx.Err() != nil:
		return "", Principal{}, fmt.Errorf("login: %w", ctx.Err())
	case err != nil || !known || u.Disabled:
		// A stored hash that cannot be read fails like a wrong password.
		att.Fail()
		decided = true
		if err := sa.fail(ctx); err != nil {
			return "", Principal{}, err
		}
		return "", Principal{}, s.recordFailure(ctx, u, known, email, remote)
	}
	att.Succeed()
	decided = true
	if err := sa.succeed(ctx); err != nil {
		return "", Principal{}, err
	}
	tok, err := randomToken(32)
	if err != nil {
		return "", Principal{}, err
	}
	csrf, err := randomToken(24)
	if err != nil {
		return "", Principal{}, err
	}
	now := s.now().UTC()
	var p Principal
	actx := audit.WithActor(ctx, audit.Actor{UserID: u.ID, OrgID: u.OrgID, Label: u.Email + " (" + string(u.Role) + ")"})
	err = s.db.Write(actx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO sessions (id, user_id, org_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashToken(tok), u.ID, u.OrgID, csrf, now, now.Add(SessionTTL)); err != nil {
			return fmt.Errorf("open session: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("clear expired sessions: %w", err)
		}
		org, err := getOrg(tx, u.OrgID)
		if err != nil {
			return err
		}
		p = Principal{User: u, Org: org, Role: u.Role, SessionID: hashToken(tok), CSRF: csrf}
		return audit.Record(tx, u.OrgID, "session", "", audit.Login, nil, nil, "from "+remote)
	})
	if err != nil {
		return "", Principal{}, err
	}
	return tok, p, nil
}

// dummyHash is verified against when the user does not exist, to equalise timing. It is
// made on first use: argon2id's 64 MiB would otherwise be spent at every start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("ciiguard-no-such-user-password")
	return h
})

// SessionPrincipal resolves a session cookie to its principal; an unknown, expired or
// disabled user's session is store.ErrNotFound.
func (s *Service) SessionPrincipal(ctx context.Context, tok string) (Principal, error) {
	var p Principal
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var expires time.Time
		var uid int64
		if err := tx.QueryRow(`SELECT user_id, csrf, expires_at FROM sessions WHERE id = $1`, hashToken(tok)).Scan(&uid, &p.CSRF, &expires); err != nil {
			return store.Found(err)
		}
		if s.now().After(expires) {
			return store.ErrNotFound
		}
		return s.fillPrincipal(tx, &p, uid)
	})
	if err != nil {
		return Principal{}, err
	}
	p.SessionID = hashToken(tok)
	p.Role = p.User.Role
	return p, nil
}

func (s *Service) fillPrincipal(tx *store.Tx, p *Principal, uid int64) error {
	u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE id = $1`, uid).Scan)
	if err != nil {
		return store.Found(err)
	}
	if u.Disabled {
		return store.ErrNotFound
	}
	org, err := getOrg(tx, u.OrgID)
	if err != nil {
		return err
	}
	p.User, p.Org = u, org
	return nil
}

// Logout deletes the session server-side, so the cookie is worthless even if kept.
func (s *Service) Logout(ctx context.Context, tok string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE id = $1`, hashToken(tok))
		return err
	})
}
