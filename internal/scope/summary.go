package scope

import (
	"context"
)

// Summary is the inventory at a glance, for the dashboard.
type Summary struct {
	Total             int          `json:"total"`
	ByLevel           [6]int       `json:"by_level"` // index = MLPS level, 0 = not graded
	Identified        int          `json:"identified"`
	Candidates        int          `json:"candidates"`
	NoResponsible     int          `json:"no_responsible"`
	ReidentifyPending []System     `json:"reidentify_pending"` // major change reported, clock running
	Unfiled           int          `json:"unfiled"`            // level 2+ without a filing
	Levels            []LevelCount `json:"-"`
}

// LevelCount is one row of the by-level table.
type LevelCount struct {
	Level int
	Count int
}

// Summarize counts the organisation's inventory.
func (s *Service) Summarize(ctx context.Context) (Summary, error) {
	all, err := s.AllSystems(ctx)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	for _, sys := range all {
		sum.Total++
		if sys.MLPSLevel >= 0 && sys.MLPSLevel <= 5 {
			sum.ByLevel[sys.MLPSLevel]++
		}
		switch sys.CIIStatus {
		case CIIIdentified:
			sum.Identified++
			if sys.MajorChangeOn != "" {
				sum.ReidentifyPending = append(sum.ReidentifyPending, sys)
			}
		case CIICandidate:
			sum.Candidates++
		}
		if sys.ResponsiblePerson == "" {
			sum.NoResponsible++
		}
		if sys.MLPSLevel >= 2 && sys.FilingNumber == "" {
			sum.Unfiled++
		}
	}
	for l := 5; l >= 0; l-- {
		if sum.ByLevel[l] > 0 {
			sum.Levels = append(sum.Levels, LevelCount{Level: l, Count: sum.ByLevel[l]})
		}
	}
	return sum, nil
}
