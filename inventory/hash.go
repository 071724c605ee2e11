package inventory

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"time"
)

// Hash is the content address of a principal record.
type Hash [sha256.Size]byte

// Normalize puts the principal's sets in their canonical order (groups sorted without
// duplicates, credentials, grants) so that equal records compare and encode equally. It changes
// p in place.
func (p *Principal) Normalize() {
	slices.Sort(p.Groups)
	p.Groups = slices.Compact(p.Groups)
	slices.SortFunc(p.Credentials, CompareCredential)
	slices.SortFunc(p.Grants, CompareGrant)
}

// CompareCredential is the canonical order of a principal's credentials. Fields are compared
// only as far as needed (cmp.Or would evaluate every comparison): this runs for every
// principal written.
func CompareCredential(a, b Credential) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Status, b.Status); c != 0 {
		return c
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	if c := a.LastUsed.Compare(b.LastUsed); c != 0 {
		return c
	}
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	return strings.Compare(a.Managed, b.Managed)
}

// CompareGrant is the canonical order of a principal's grants.
func CompareGrant(a, b Grant) int {
	if c := strings.Compare(a.What, b.What); c != 0 {
		return c
	}
	if c := strings.Compare(a.Where, b.Where); c != 0 {
		return c
	}
	if c := strings.Compare(a.Via, b.Via); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Privilege), string(b.Privilege)); c != 0 {
		return c
	}
	return strings.Compare(a.Condition, b.Condition)
}

// ContentHash returns the canonical content hash of the principal: the same record gives the same
// hash whatever the order of its maps and sets, and any change of any field changes it. It does
// not modify p. To hash many principals, reuse a Hasher.
func (p *Principal) ContentHash() Hash {
	var h Hasher
	return h.Sum(p)
}

// Hasher computes ContentHash with buffers it reuses between calls: it serialises the canonical
// form of a principal (length-prefixed fields, so no two records share an encoding) into one
// buffer and hashes it with a single SHA-256 call. The zero value is ready; a Hasher is not safe
// for concurrent use.
type Hasher struct {
	buf []byte
	// tags and attrs hold the entries of the principal's maps in key order, worked out once
	// per principal for both the hash and the record.
	tags, attrs []entry
	// view is a canonical copy of a principal whose sets were not in canonical order.
	view   Principal
	groups []string
	creds  []Credential
	grants []Grant
}

// entry is one key/value pair of a principal's map.
type entry struct{ k, v string }

// Canonical returns p itself when its sets are in canonical order, else a copy with sorted sets
// that is valid until the Hasher's next call. p is never modified.
func (h *Hasher) Canonical(p *Principal) *Principal {
	groupsOK := true
	for i := 1; i < len(p.Groups); i++ {
		if p.Groups[i-1] >= p.Groups[i] {
			groupsOK = false
			break
		}
	}
	credsOK := len(p.Credentials) < 2 || slices.IsSortedFunc(p.Credentials, CompareCredential)
	grantsOK := len(p.Grants) < 2 || slices.IsSortedFunc(p.Grants, CompareGrant)
	if groupsOK && credsOK && grantsOK {
		return p
	}
	h.view = *p
	if !groupsOK {
		h.groups = append(h.groups[:0], p.Groups...)
		slices.Sort(h.groups)
		h.groups = slices.Compact(h.groups)
		h.view.Groups = h.groups
	}
	if !credsOK {
		h.creds = append(h.creds[:0], p.Credentials...)
		slices.SortFunc(h.creds, CompareCredential)
		h.view.Credentials = h.creds
	}
	if !grantsOK {
		h.grants = append(h.grants[:0], p.Grants...)
		slices.SortFunc(h.grants, CompareGrant)
		h.view.Grants = h.grants
	}
	return &h.view
}

// Sum returns p's content hash (see Principal.ContentHash).
func (h *Hasher) Sum(p *Principal) Hash {
	p = h.Canonical(p)
	h.tags = sortedEntries(h.tags[:0], p.Tags)
	h.attrs = sortedEntries(h.attrs[:0], p.Attributes)
	return h.sum(p)
}

// AppendHashedRecord appends p's content hash (as Sum returns it) followed by p's record form
// (as AppendPrincipalRecord(dst, p, t) appends it) to dst and returns the extended slice. Doing
// both in one call puts p's sets in order and its maps' keys in order once, and encodes p while
// hashing has just brought its data into the cache. p is not modified.
func (h *Hasher) AppendHashedRecord(dst []byte, p *Principal, t *StringTable) []byte {
	p = h.Canonical(p)
	h.tags = sortedEntries(h.tags[:0], p.Tags)
	h.attrs = sortedEntries(h.attrs[:0], p.Attributes)
	sum := h.sum(p)
	dst = append(dst, sum[:]...)
	return appendPrincipal(dst, p, t, true, h.tags, h.attrs)
}

// sum hashes p, whose sets are in canonical order and whose maps' entries are h.tags and
// h.attrs.
func (h *Hasher) sum(p *Principal) Hash {
	h.buf = h.buf[:0]
	h.str(p.ID)
	h.str(string(p.Provider))
	h.str(p.Account)
	h.str(string(p.Kind))
	h.str(p.Name)
	h.str(p.Email)
	h.str(p.NativeID)
	h.time(p.CreatedAt)
	h.time(p.LastActivity)
	h.bool(p.Disabled)
	h.bool(p.Console)
	h.bool(p.MFA)
	h.entries(h.tags)
	h.int(len(p.Groups))
	for _, g := range p.Groups {
		h.str(g)
	}
	h.int(len(p.Credentials))
	for i := range p.Credentials {
		c := &p.Credentials[i]
		h.str(string(c.Kind))
		h.str(c.ID)
		h.str(c.Status)
		h.time(c.CreatedAt)
		h.time(c.LastUsed)
		h.time(c.ExpiresAt)
		h.str(c.Managed)
	}
	h.int(len(p.Grants))
	for i := range p.Grants {
		g := &p.Grants[i]
		h.str(g.What)
		h.str(g.Where)
		h.str(g.Via)
		h.str(string(g.Privilege))
		h.str(g.Condition)
	}
	h.entries(h.attrs)
	h.str(p.PersonID)
	h.str(p.LinkRule)
	return Hash(sha256.Sum256(h.buf))
}

func (h *Hasher) int(n int) { h.buf = binary.AppendUvarint(h.buf, uint64(n)) }

func (h *Hasher) str(s string) {
	h.int(len(s))
	h.buf = append(h.buf, s...)
}

func (h *Hasher) bool(b bool) {
	if b {
		h.int(1)
	} else {
		h.int(0)
	}
}

// time writes seconds and nanoseconds separately, so every representable time has its own
// encoding (UnixNano would wrap outside the years 1678–2262).
func (h *Hasher) time(t time.Time) {
	if t.IsZero() {
		h.int(0)
		return
	}
	h.int(1)
	h.buf = binary.AppendVarint(h.buf, t.Unix())
	h.int(t.Nanosecond())
}

func (h *Hasher) entries(es []entry) {
	h.int(len(es))
	for _, e := range es {
		h.str(e.k)
		h.str(e.v)
	}
}

// sortedEntries appends m's entries to dst in key order. Principals' maps hold a handful of
// entries, which an insertion sort orders faster than a general sort, and one entry or none
// needs no ordering at all.
func sortedEntries(dst []entry, m map[string]string) []entry {
	if len(m) == 0 {
		return dst
	}
	base := len(dst)
	for k, v := range m {
		dst = append(dst, entry{k, v})
	}
	es := dst[base:]
	if len(es) > 12 {
		slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.k, b.k) })
		return dst
	}
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].k < es[j-1].k; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return dst
}
