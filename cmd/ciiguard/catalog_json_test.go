package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// apiSchema compiles a schema of the obligations API's OpenAPI document, the one the API
// documents for its clients.
func apiSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../../internal/obligations/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "urn:ciiguard:obligations-openapi"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url + "#/components/schemas/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// goKeys returns the object keys under v that are not snake_case (Go field names such as
// "Kind", "Line", "Fine"), with their paths.
func goKeys(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !snakeCase.MatchString(k) {
				out = append(out, path+"."+k)
			}
			out = append(out, goKeys(e, path+"."+k)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, goKeys(e, path+"[]")...)
		}
	}
	return out
}

// TestCatalogJSONIsTheAPIShape: `catalog show --json` and `catalog list --json` print the
// obligations in the API's documented Obligation shape (the OpenAPI schema, which allows
// no other property), snake_case throughout, never Go field names or the YAML parser's
// nodes of the test facts. Obligations with a penalty, an attestation, a deadline and
// equivalents are among those checked.
func TestCatalogJSONIsTheAPIShape(t *testing.T) {
	schema := apiSchema(t, "Obligation")
	for _, id := range []string{"CSL-LOG-RETENTION", "CIIR-DR-BACKUP", "MLPS07-FILING-30-DAYS", "CSL-SECURITY-RESPONSIBLE-PERSON"} {
		out, _, err := cli(t, "", "catalog", "show", "--json", id)
		if err != nil {
			t.Fatalf("catalog show %s --json: %v", id, err)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatalf("catalog show %s --json: not JSON: %v", id, err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("catalog show %s --json is not the API's Obligation: %v", id, err)
		}
		if bad := goKeys(v, id); len(bad) > 0 {
			t.Errorf("catalog show %s --json has keys that are not snake_case: %v", id, bad)
		}
		var o struct {
			ID    string `json:"id"`
			Title struct{ Zh, En string }
		}
		if err := json.Unmarshal([]byte(out), &o); err != nil || o.ID != id || o.Title.Zh == "" {
			t.Errorf("catalog show %s --json: id %q, title %q (%v)", id, o.ID, o.Title.Zh, err)
		}
	}
	out, _, err := cli(t, "", "catalog", "list", "--instrument", "CSL", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Obligations []json.RawMessage `json:"obligations"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Obligations) == 0 {
		t.Fatalf("catalog list --json: %v, %d obligations", err, len(list.Obligations))
	}
	for _, raw := range list.Obligations {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
		if err := schema.Validate(v); err != nil {
			t.Errorf("catalog list --json item is not the API's Obligation: %v", err)
		}
		if bad := goKeys(v, "list"); len(bad) > 0 {
			t.Errorf("catalog list --json has keys that are not snake_case: %v", bad)
		}
	}
}
