package obligations

import (
	"context"
	"fmt"

	"ciiguard/internal/rules"
)

// SystemFactSource is implemented by a FactSource that can read the facts of some systems
// alone (the scope capability): the organisation facts, with those derived from all systems,
// and only the systems ids (a removed one is absent). An evaluation after one system's edit
// then reads one system, not the whole inventory.
type SystemFactSource interface {
	SystemFacts(ctx context.Context, ids []int64) (rules.Org, []rules.System, error)
}

// SystemFacts implements SystemFactSource when the inventory does; the contributors add
// their organisation facts as for Facts.
func (c contributedFacts) SystemFacts(ctx context.Context, ids []int64) (rules.Org, []rules.System, error) {
	src, ok := c.base.(SystemFactSource)
	if !ok {
		return rules.Org{}, nil, fmt.Errorf("facts of some systems: %T reads only whole inventories", c.base)
	}
	org, systems, err := src.SystemFacts(ctx, ids)
	if err != nil {
		return org, systems, err
	}
	for _, m := range c.more {
		if err := m.ContributeFacts(ctx, &org); err != nil {
			return org, systems, fmt.Errorf("facts from %T: %w", m, err)
		}
	}
	return org, systems, nil
}

// partialSource is the source of partial reads, nil when the facts cannot be read so.
func (s *Service) partialSource() SystemFactSource {
	if c, ok := s.facts.(contributedFacts); ok {
		if _, ok := c.base.(SystemFactSource); !ok {
			return nil
		}
	}
	src, _ := s.facts.(SystemFactSource)
	return src
}

// readFacts reads the organisation's facts and systems. With the memo of the last evaluation
// and the systems that alone changed since, it reads only those systems and takes the others
// from the memo: they are as the last evaluation read them, since every change of a system
// names it. Otherwise it reads everything.
// It also returns how many systems it read from the records.
func (s *Service) readFacts(ctx context.Context, old *memo, changed []int64) (rules.Org, []rules.System, int, error) {
	src := s.partialSource()
	if old == nil || changed == nil || src == nil {
		org, systems, err := s.facts.Facts(ctx)
		return org, systems, len(systems), err
	}
	org, read, err := src.SystemFacts(ctx, changed)
	if err != nil {
		return org, nil, 0, err
	}
	skip := make(map[int64]bool, len(changed))
	for _, id := range changed {
		skip[id] = true
	}
	systems := make([]rules.System, 0, len(old.systems)+len(read))
	for id, sys := range old.systems {
		if !skip[id] {
			systems = append(systems, sys)
		}
	}
	return org, append(systems, read...), len(read), nil
}
