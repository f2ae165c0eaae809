package vault

import (
	"encoding/hex"
	"fmt"
	"time"
)

// purgeState is what survives of purged segments: their block ranges and
// time/source summary (for audit) and the few inner hashes needed so that
// checkpoints whose size falls inside a purged block still verify and
// still have consistency proofs.
type purgeState struct {
	Segments []purgedSegment   `json:"segments"`
	Nodes    map[string]string `json:"nodes,omitempty"` // "level/index" -> hex hash
}

type purgedSegment struct {
	First    uint64    `json:"first_block"`
	End      uint64    `json:"end_block"`
	Events   uint64    `json:"events"`
	MinTime  time.Time `json:"min_time"`
	MaxTime  time.Time `json:"max_time"`
	MaxRecv  time.Time `json:"max_received"`
	PurgedAt time.Time `json:"purged_at"`
}

func (p *purgeState) isPurged(block uint64) bool {
	for _, s := range p.Segments {
		if block >= s.First && block < s.End {
			return true
		}
	}
	return false
}

func (p *purgeState) endOf(block uint64) uint64 {
	for _, s := range p.Segments {
		if block >= s.First && block < s.End {
			return s.End
		}
	}
	return block + 1
}

func (p *purgeState) node(level uint, idx uint64) ([32]byte, bool) {
	s, ok := p.Nodes[fmt.Sprintf("%d/%d", level, idx)]
	if !ok {
		return [32]byte{}, false
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return [32]byte{}, false
	}
	return [32]byte(b), true
}
