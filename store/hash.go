package store

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// contentHasher computes inventory.Principal.ContentHash byte for byte, but serializes into one
// reused buffer and hashes it with a single SHA-256 call: ContentHash writes each field through
// the hash.Hash interface, which costs ~60 allocations and ~6.7µs per principal, the largest
// cost of writing a snapshot. It also hands out the canonical form it hashed, so that encoding
// does not sort again. TestContentHasherMatchesContentHash holds the two equal; if inventory's
// hasher is made allocation-free, the hashing part can go.
type contentHasher struct {
	buf  []byte
	keys []string
	// view is a canonical copy of a principal whose sets were not in canonical order.
	view   inventory.Principal
	groups []string
	creds  []inventory.Credential
	grants []inventory.Grant
}

// canonical returns p when its groups (sorted, no duplicates), credentials and grants are in
// inventory's canonical order, else a copy with sorted sets, valid until the next call.
func (h *contentHasher) canonical(p *inventory.Principal) *inventory.Principal {
	groupsOK := true
	for i := 1; i < len(p.Groups); i++ {
		if p.Groups[i-1] >= p.Groups[i] {
			groupsOK = false
			break
		}
	}
	credsOK := slices.IsSortedFunc(p.Credentials, compareCredential)
	grantsOK := slices.IsSortedFunc(p.Grants, compareGrant)
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
		slices.SortFunc(h.creds, compareCredential)
		h.view.Credentials = h.creds
	}
	if !grantsOK {
		h.grants = append(h.grants[:0], p.Grants...)
		slices.SortFunc(h.grants, compareGrant)
		h.view.Grants = h.grants
	}
	return &h.view
}

func (h *contentHasher) sum(p *inventory.Principal) inventory.Hash {
	p = h.canonical(p)
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
	h.strMap(p.Tags)
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
	h.strMap(p.Attributes)
	h.str(p.PersonID)
	h.str(p.LinkRule)
	return inventory.Hash(sha256.Sum256(h.buf))
}

func (h *contentHasher) int(n int) { h.buf = binary.AppendUvarint(h.buf, uint64(n)) }

func (h *contentHasher) str(s string) {
	h.int(len(s))
	h.buf = append(h.buf, s...)
}

func (h *contentHasher) bool(b bool) {
	if b {
		h.int(1)
	} else {
		h.int(0)
	}
}

func (h *contentHasher) time(t time.Time) {
	if t.IsZero() {
		h.int(0)
		return
	}
	h.int(1)
	h.buf = binary.AppendVarint(h.buf, t.UnixNano())
}

func (h *contentHasher) strMap(m map[string]string) {
	h.int(len(m))
	if len(m) == 0 {
		return
	}
	h.keys = h.keys[:0]
	for k := range m {
		h.keys = append(h.keys, k)
	}
	slices.Sort(h.keys)
	for _, k := range h.keys {
		h.str(k)
		h.str(m[k])
	}
}

// compareCredential and compareGrant are inventory's canonical orders (hash.go), comparing
// field by field only as far as needed.
func compareCredential(a, b inventory.Credential) int {
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

func compareGrant(a, b inventory.Grant) int {
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
