package daemon

import (
	"sync"

	"github.com/provost-dev/provost/finding"
)

// findingsCache keeps the decoded findings of the few snapshots the API was last asked about:
// decoding a large snapshot's findings costs far more than filtering them (see
// BenchmarkFindingsAPI). A snapshot's findings are written once, by its run; the cache is
// still cleared after every run in case retention deleted a snapshot.
type findingsCache struct {
	mu      sync.Mutex
	entries []cachedFindings // most recently used last
}

type cachedFindings struct {
	id string
	fs []finding.Finding
}

const findingsCacheSize = 4

func (c *findingsCache) get(id string) ([]finding.Finding, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.id == id {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.fs, true
		}
	}
	return nil, false
}

func (c *findingsCache) put(id string, fs []finding.Finding) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = append(c.entries, cachedFindings{id, fs})
	if len(c.entries) > findingsCacheSize {
		c.entries = c.entries[1:]
	}
}

func (c *findingsCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

// findings returns a snapshot's stored findings (store.ErrNoFindings when it has none), shared
// by callers: they must not modify the slice.
func (d *Daemon) findings(id string) ([]finding.Finding, error) {
	if fs, ok := d.cache.get(id); ok {
		return fs, nil
	}
	fs, err := d.db.Findings(id)
	if err != nil {
		return nil, err
	}
	d.cache.put(id, fs)
	return fs, nil
}
