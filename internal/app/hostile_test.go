package app_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/frameworks"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// hostileStrings are the values of the security review that broke PostgreSQL or the
// JSON decoder: a NUL, 300 Chinese characters (600–900 bytes, past every byte limit),
// and null.
var hostileStrings = map[string]any{"nul": "a\x00b", "300 zh": strings.Repeat("网", 300), "null": nil}

// schemaFor resolves a $ref into the document's component schemas.
func schemaFor(doc map[string]any, s map[string]any) map[string]any {
	ref, _ := s["$ref"].(string)
	if ref == "" {
		return s
	}
	name := strings.TrimPrefix(ref, "#/components/schemas/")
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	out, _ := schemas[name].(map[string]any)
	return out
}

// plausible is a value of the property's type that validation is likely to accept, so
// that a hostile value in another field reaches as deep as it can.
func plausible(doc map[string]any, name string, s map[string]any) any {
	s = schemaFor(doc, s)
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		for _, v := range e {
			if v != "" {
				return v
			}
		}
	}
	switch s["type"] {
	case "integer", "number":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return false
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	switch {
	case s["format"] == "date-time":
		return "2026-01-01T00:00:00Z"
	case name == "email":
		return "hostile@grid.demo"
	case name == "password":
		return "a-long-enough-password"
	case strings.HasSuffix(name, "_on") || name == "go_live" || name == "last_mlps_test" || name == "last_self_inspection":
		return "2026-01-01"
	case name == "obligation_id":
		return frameworks.DemoMappings[0].ObligationID
	case name == "control_id":
		return "acm-1"
	case name == "role":
		return "analyst"
	}
	return "hostile-test"
}

// TestHostileStringsNeverGive5xx sends every JSON write endpoint of the OpenAPI document,
// for every property of its body in turn, each hostile string (the rest of the body kept
// plausible), plus bodies that are not objects, and every non-JSON write endpoint a NUL,
// invalid UTF-8 and 300 Chinese characters. No answer may be a 5xx.
func TestHostileStringsNeverGive5xx(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		c := env.Login(t, demoEmail[auth.Admin])
		res, body := c.Do("GET", "/api/openapi.json", nil, nil)
		var doc map[string]any
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &doc) != nil {
			t.Fatalf("openapi.json: %d", res.StatusCode)
		}
		var systems struct{ Systems []struct{ ID int64 } }
		_, body = c.Do("GET", "/api/v1/scope/systems", nil, nil)
		if json.Unmarshal([]byte(body), &systems) != nil || len(systems.Systems) == 0 {
			t.Fatalf("the demo has no systems: %.200s", body)
		}
		concretePath := func(p string) string {
			switch {
			case strings.HasPrefix(p, "/api/v1/scope/systems/"):
				p = strings.ReplaceAll(p, "{id}", fmt.Sprint(systems.Systems[0].ID))
			case strings.HasPrefix(p, "/api/v1/frameworks/"):
				p = strings.ReplaceAll(p, "{id}", frameworks.DemoFramework)
			}
			return strings.NewReplacer("{id}", "1", "{control}", "acm-1", "{obligation}", "x").Replace(p)
		}
		h := func(ct string) map[string]string {
			return map[string]string{"X-CSRF-Token": c.CSRF, "Content-Type": ct}
		}
		var sent int
		check := func(method, path, what string, code int, body string) {
			sent++
			if code >= 500 {
				t.Errorf("%s %s with %s: %d %.200s", method, path, what, code, body)
			}
		}
		paths, _ := doc["paths"].(map[string]any)
		keys := make([]string, 0, len(paths))
		for k := range paths {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, p := range keys {
			ops, _ := paths[p].(map[string]any)
			for method, raw := range ops {
				op, _ := raw.(map[string]any)
				rb, _ := op["requestBody"].(map[string]any)
				content, _ := rb["content"].(map[string]any)
				if len(content) == 0 {
					continue
				}
				m, path := strings.ToUpper(method), concretePath(p)
				if js, ok := content["application/json"].(map[string]any); ok && p != "/api/v1/frameworks/{id}" {
					schema := schemaFor(doc, js["schema"].(map[string]any))
					props, _ := schema["properties"].(map[string]any)
					for _, b := range []string{`null`, `[]`, `"x"`, "{\"name\":\"\xff\"}", `{"name":"a\u0000b"}`} {
						res, text := c.Do(m, path, nil, h("application/json"), b)
						check(m, path, "body "+b, res.StatusCode, text)
					}
					for name := range props {
						for label, v := range hostileStrings {
							body := map[string]any{}
							for n, s := range props {
								ps, _ := s.(map[string]any)
								body[n] = plausible(doc, n, ps)
							}
							body[name] = v
							if ps, _ := props[name].(map[string]any); schemaFor(doc, ps)["type"] == "array" && v != nil {
								body[name] = []any{v}
							}
							b, _ := json.Marshal(body)
							res, text := c.Do(m, path, nil, h("application/json"), string(b))
							check(m, path, fmt.Sprintf("%s = %s", name, label), res.StatusCode, text)
						}
					}
					continue
				}
				for ct := range content {
					for label, b := range map[string]string{"nul": "a\x00b", "invalid UTF-8": "a\xff\xfeb", "300 zh": strings.Repeat("网", 300)} {
						res, text := c.Do(m, path+"?name="+url.QueryEscape(b), nil, h(ct), b)
						check(m, path, ct+" "+label, res.StatusCode, text)
					}
				}
			}
		}
		if sent < 200 {
			t.Errorf("sent only %d hostile requests; is the OpenAPI walk finding the write endpoints?", sent)
		}
		t.Logf("%s: %d hostile requests", d, sent)
	})
}
