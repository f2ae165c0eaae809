package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"ciiguard/internal/problem"
)

// The languages of the UI. Every message key exists in both (a test enforces it).
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// Langs lists the UI languages in the order the switch shows them.
var Langs = []string{LangZH, LangEN}

var matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})

// MatchLang picks the UI language for an Accept-Language header.
func MatchLang(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return LangEN
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return LangEN
	}
	if idx == 1 {
		return LangZH
	}
	return LangEN
}

// NormLang maps a user-supplied language to a supported one, or "".
func NormLang(s string) string {
	switch strings.ToLower(s) {
	case "zh", "zh-cn", "zh-hans", "zh_cn":
		return LangZH
	case "en", "en-us", "en-gb":
		return LangEN
	}
	return ""
}

// Catalog holds the UI messages of every module in every language.
type Catalog struct {
	mu      sync.RWMutex
	msgs    map[string]map[string]string // lang -> key -> text
	reasons map[string]map[string]string // lang -> English reason format -> translated format
}

// NewCatalog returns an empty message catalog.
func NewCatalog() *Catalog {
	return &Catalog{msgs: map[string]map[string]string{}, reasons: map[string]map[string]string{}}
}

// LoadDir adds every messages/<lang>.json file found in fsys (one flat JSON object of
// key → text per language). A key defined twice is an error, so modules cannot silently
// overwrite each other's words.
func (c *Catalog) LoadDir(fsys fs.FS, dir string) error {
	for _, lang := range Langs {
		b, err := fs.ReadFile(fsys, dir+"/"+lang+".json")
		if err != nil {
			return fmt.Errorf("messages %s/%s.json: %w", dir, lang, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("messages %s/%s.json: %w", dir, lang, err)
		}
		if err := c.Add(lang, m); err != nil {
			return fmt.Errorf("messages %s/%s.json: %w", dir, lang, err)
		}
		if lang == LangEN {
			continue // reasons are written in English
		}
		name := dir + "/reasons." + lang + ".json"
		b, err = fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("messages %s: %w", name, err)
		}
		m = nil
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("messages %s: %w", name, err)
		}
		if err := c.addReasons(lang, m); err != nil {
			return fmt.Errorf("messages %s: %w", name, err)
		}
	}
	return nil
}

// addReasons adds translations of validation reasons (the English format → the same format
// in lang). Two modules may translate the same format, but only the same way.
func (c *Catalog) addReasons(lang string, m map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reasons[lang] == nil {
		c.reasons[lang] = map[string]string{}
	}
	for k, v := range m {
		if old, dup := c.reasons[lang][k]; dup && old != v {
			return fmt.Errorf("reason %q translated twice, differently", k)
		}
		c.reasons[lang][k] = v
	}
	return nil
}

// Reasons returns the translator of validation reasons into lang (nil for English).
func (c *Catalog) Reasons(lang string) problem.Translator {
	if lang == LangEN {
		return nil
	}
	return func(format string) (string, bool) {
		c.mu.RLock()
		defer c.mu.RUnlock()
		t, ok := c.reasons[lang][format]
		return t, ok
	}
}

// ReasonFormats lists the English reason formats translated into lang.
func (c *Catalog) ReasonFormats(lang string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.reasons[lang]))
	for k := range c.reasons[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Add adds messages for one language.
func (c *Catalog) Add(lang string, m map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.msgs[lang] == nil {
		c.msgs[lang] = map[string]string{}
	}
	for k, v := range m {
		if _, dup := c.msgs[lang][k]; dup {
			return fmt.Errorf("message key %q defined twice", k)
		}
		c.msgs[lang][k] = v
	}
	return nil
}

// T translates key into lang, formatting args with fmt verbs in the message. A missing key
// shows as the key itself in brackets, visible in the page and caught by the tests.
func (c *Catalog) T(lang, key string, args ...any) string {
	c.mu.RLock()
	msg, ok := c.msgs[lang][key]
	c.mu.RUnlock()
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.msgs[lang][key]
	return ok
}

// Missing lists keys present in one language and not in another, as "lang: key".
func (c *Catalog) Missing() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for _, a := range Langs {
		for k := range c.msgs[a] {
			for _, b := range Langs {
				if _, ok := c.msgs[b][k]; !ok {
					out = append(out, b+": "+k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// langCookie remembers the language choice of a visitor who is not signed in.
const langCookie = "ciiguard_lang"

// RequestLang picks the language for a request: the signed-in user's choice, then the
// language cookie, then Accept-Language.
func RequestLang(r *http.Request) string {
	if p := PrincipalFrom(r.Context()); p != nil && NormLang(p.User.Lang) != "" {
		return NormLang(p.User.Lang)
	}
	if c, err := r.Cookie(langCookie); err == nil && NormLang(c.Value) != "" {
		return NormLang(c.Value)
	}
	return MatchLang(r.Header.Get("Accept-Language"))
}
