package vault

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

func timeFromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// nodeFunc returns the hash of the complete, aligned subtree at level
// covering leaves [idx<<level, (idx+1)<<level).
type nodeFunc func(level uint, idx uint64) ([32]byte, error)

// ErrPurged reports that a hash or event needed for an answer lies in a
// segment removed by retention and was not kept.
var ErrPurged = errors.New("vault: data purged by retention")

// largestPow2Below returns the largest power of two strictly less than n (n >= 2).
func largestPow2Below(n uint64) uint64 {
	return 1 << (bits.Len64(n-1) - 1)
}

// rangeHash computes the RFC 9162 Merkle tree hash of leaves [start, end).
// start is always aligned to the subtree the recursion is in, so a range
// whose length is a power of two is one stored or recomputable node.
func rangeHash(node nodeFunc, start, end uint64) ([32]byte, error) {
	n := end - start
	if n == 0 {
		return emptyRoot, nil
	}
	if n&(n-1) == 0 && start%n == 0 {
		lvl := uint(bits.TrailingZeros64(n))
		return node(lvl, start>>lvl)
	}
	k := largestPow2Below(n)
	l, err := rangeHash(node, start, start+k)
	if err != nil {
		return l, err
	}
	r, err := rangeHash(node, start+k, end)
	if err != nil {
		return r, err
	}
	return nodeHash(l, r), nil
}

// inclusionPath is PATH(m, D[start:end]) of RFC 9162 section 2.1.3.1.
func inclusionPath(node nodeFunc, m, start, end uint64) ([][]byte, error) {
	if end-start <= 1 {
		return nil, nil
	}
	k := largestPow2Below(end - start)
	var (
		sub  [][]byte
		sib  [32]byte
		err  error
		errS error
	)
	if m < start+k {
		sub, err = inclusionPath(node, m, start, start+k)
		sib, errS = rangeHash(node, start+k, end)
	} else {
		sub, err = inclusionPath(node, m, start+k, end)
		sib, errS = rangeHash(node, start, start+k)
	}
	if err = errors.Join(err, errS); err != nil {
		return nil, err
	}
	return append(sub, sib[:]), nil
}

// consistencyPath is SUBPROOF(m, D[start:end], b) of RFC 9162 section 2.1.4.1.
func consistencyPath(node nodeFunc, m, start, end uint64, b bool) ([][]byte, error) {
	if m == end {
		if b {
			return nil, nil
		}
		h, err := rangeHash(node, start, end)
		if err != nil {
			return nil, err
		}
		return [][]byte{h[:]}, nil
	}
	k := largestPow2Below(end - start)
	var (
		sub       [][]byte
		h         [32]byte
		err, errH error
	)
	if m <= start+k {
		sub, err = consistencyPath(node, m, start, start+k, b)
		h, errH = rangeHash(node, start+k, end)
	} else {
		sub, err = consistencyPath(node, m, start+k, end, false)
		h, errH = rangeHash(node, start, start+k)
	}
	if err = errors.Join(err, errH); err != nil {
		return nil, err
	}
	return append(sub, h[:]), nil
}

func inclusionProof(node nodeFunc, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("leaf %d is not in a tree of size %d", index, size)
	}
	return inclusionPath(node, index, 0, size)
}

func consistencyProof(node nodeFunc, a, b uint64) ([][]byte, error) {
	if a > b {
		return nil, fmt.Errorf("consistency from size %d to smaller size %d", a, b)
	}
	if a == 0 || a == b {
		return [][]byte{}, nil
	}
	return consistencyPath(node, a, 0, b, true)
}

// compactRange accumulates leaves (or aligned subtree roots) left to right
// and keeps only the roots of the maximal complete subtrees, so verify can
// recompute the tree root at any size in one pass with O(log n) memory.
type compactRange struct {
	size  uint64
	nodes []crNode
}

type crNode struct {
	level uint
	hash  [32]byte
}

// push appends a complete subtree of the given level; callers keep it aligned.
func (c *compactRange) push(level uint, h [32]byte) {
	c.nodes = append(c.nodes, crNode{level, h})
	c.size += 1 << level
	for n := len(c.nodes); n >= 2 && c.nodes[n-1].level == c.nodes[n-2].level; n = len(c.nodes) {
		merged := nodeHash(c.nodes[n-2].hash, c.nodes[n-1].hash)
		c.nodes = append(c.nodes[:n-2], crNode{c.nodes[n-1].level + 1, merged})
	}
}

// root folds the range into the RFC 9162 root of a tree of c.size leaves,
// with extra aligned nodes (in left-to-right order) appended after it.
func (c *compactRange) root(extra ...crNode) [32]byte {
	all := append(append([]crNode(nil), c.nodes...), extra...)
	if len(all) == 0 {
		return emptyRoot
	}
	h := all[len(all)-1].hash
	for i := len(all) - 2; i >= 0; i-- {
		h = nodeHash(all[i].hash, h)
	}
	return h
}

// denseLevels computes every level of the perfect subtree over leaves
// (len(leaves) must be a power of two): levels[0] is the leaves, the last
// level holds the subtree root.
func denseLevels(leaves [][32]byte) [][][32]byte {
	levels := [][][32]byte{leaves}
	for cur := leaves; len(cur) > 1; {
		next := make([][32]byte, len(cur)/2)
		for i := range next {
			next[i] = nodeHash(cur[2*i], cur[2*i+1])
		}
		levels = append(levels, next)
		cur = next
	}
	return levels
}

// partialNode returns the hash of the complete node (level, idx) from the
// leaves of a partial block that starts at leaf base. The node must lie
// entirely within the leaves.
func partialNode(leaves [][32]byte, base uint64, level uint, idx uint64) ([32]byte, error) {
	lo := idx<<level - base
	hi := lo + 1<<level
	if idx<<level < base || hi > uint64(len(leaves)) {
		return [32]byte{}, fmt.Errorf("node %d/%d is not complete in the tree", level, idx)
	}
	var rec func(lo, n uint64) [32]byte
	rec = func(lo, n uint64) [32]byte {
		if n == 1 {
			return leaves[lo]
		}
		return nodeHash(rec(lo, n/2), rec(lo+n/2, n/2))
	}
	return rec(lo, hi-lo), nil
}
