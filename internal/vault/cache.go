package vault

import (
	"container/list"
	"sync"
)

// diskCache bounds the local disk used by sealed data that the object
// store also holds: whole segments written on this node and block frames
// fetched from the store. The least recently read goes first. Segments
// not yet uploaded and the segment being written are never in it.
type diskCache struct {
	limit int64

	mu    sync.Mutex
	used  int64
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheItem struct {
	key   string
	size  int64
	evict func() // removes the local copy
}

func newDiskCache(limit int64) *diskCache {
	return &diskCache{limit: limit, order: list.New(), items: map[string]*list.Element{}}
}

// add records a local copy and evicts the least recently used beyond the
// limit (never the one just added). A nil cache does nothing.
func (c *diskCache) add(key string, size int64, evict func()) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return
	}
	c.items[key] = c.order.PushFront(&cacheItem{key, size, evict})
	c.used += size
	var out []*cacheItem
	for c.used > c.limit && c.order.Len() > 1 {
		it := c.order.Remove(c.order.Back()).(*cacheItem)
		delete(c.items, it.key)
		c.used -= it.size
		out = append(out, it)
	}
	c.mu.Unlock()
	for _, it := range out {
		it.evict()
	}
}

// has reports whether key is cached, marking it used.
func (c *diskCache) has(key string) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if ok {
		c.order.MoveToFront(e)
	}
	return ok
}

func (c *diskCache) touch(key string) { c.has(key) }

// drop forgets key without calling its evict function.
func (c *diskCache) drop(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.used -= e.Value.(*cacheItem).size
		c.order.Remove(e)
		delete(c.items, key)
	}
}

// usage returns the bytes and entries held.
func (c *diskCache) usage() (int64, int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, len(c.items)
}
