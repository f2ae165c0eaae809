package obligations

import (
	"slices"
	"sync"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// Loading the embedded catalog (parsing its YAML, compiling every expression into CEL
// programs) costs about a tenth of a second of CPU, and every installation a process opens
// loads it: the server once, but a test binary that starts an installation per test
// dozens of times, and the command line once per command. A loaded catalog never
// changes (the rules engine is immutable and safe for concurrent use; organisations'
// policies are merged into new catalogs), so installations whose engines see the same
// fact sets share one.

// catalogKey is what a loaded catalog depends on besides the embedded files: the fact
// sets declared to its engine (by this installation's capabilities, and process-wide).
type catalogKey struct {
	declared   []rules.FactSet
	registered []rules.FactSet
}

func (k catalogKey) equal(o catalogKey) bool {
	return slices.Equal(k.declared, o.declared) && slices.Equal(k.registered, o.registered)
}

var loaded struct {
	mu      sync.Mutex
	entries []catalogEntry
}

type catalogEntry struct {
	key catalogKey
	cat *catalog.Catalog
}

// loadCatalog returns the embedded catalog with the fact sets decl declared to its engine,
// loading it on the first call with these sets.
func loadCatalog(decl []rules.FactSet) (*catalog.Catalog, error) {
	key := catalogKey{declared: slices.Clone(decl), registered: rules.RegisteredFacts()}
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	for _, e := range loaded.entries {
		if e.key.equal(key) {
			return e.cat, nil
		}
	}
	cat, err := catalog.Load(rules.WithFacts(decl...), rules.WithTimeout(EvaluationTimeout))
	if err != nil {
		return nil, err
	}
	loaded.entries = append(loaded.entries, catalogEntry{key, cat})
	return cat, nil
}
