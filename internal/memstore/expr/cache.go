package expr

import "sync"

// cacheSize bounds each cache of parsed expressions. Applications send the
// same few expression texts over and over, so a small cache serves nearly
// every request; a flood of distinct texts only evicts.
const cacheSize = 2048

type cacheEntry[T any] struct {
	tree T
	msg  string // the syntax or text-only validation error, without "Invalid <Kind>: "
}

// treeCache maps expression text to its syntax tree, before placeholder
// substitution, so the tree is the same for every request and is shared
// read-only. Eviction is first in, first out.
type treeCache[T any] struct {
	mu   sync.Mutex
	m    map[string]cacheEntry[T]
	ring []string
	next int
}

func (c *treeCache[T]) get(text string, parse func(string) (T, string)) (T, string) {
	c.mu.Lock()
	e, ok := c.m[text]
	c.mu.Unlock()
	if ok {
		return e.tree, e.msg
	}
	tree, msg := parse(text)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]cacheEntry[T], cacheSize)
		c.ring = make([]string, cacheSize)
	}
	if _, ok := c.m[text]; !ok {
		delete(c.m, c.ring[c.next]) // the oldest entry, once the ring is full
		c.ring[c.next] = text
		c.next = (c.next + 1) % cacheSize
		c.m[text] = cacheEntry[T]{tree: tree, msg: msg}
	}
	return tree, msg
}

var (
	conditionCache treeCache[cond]
	// Key conditions parse apart: they accept redundant parentheses.
	keyConditionCache treeCache[cond]
	updateCache       treeCache[[]section]
	projectionCache   treeCache[[]Path]
)
