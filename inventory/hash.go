package inventory

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"maps"
	"slices"
	"strings"
	"time"
)

// Hash is the content address of a principal record.
type Hash [sha256.Size]byte

// Normalize puts the principal's sets in their canonical order (groups, credentials, grants) so
// that equal records compare and encode equally. It changes p in place.
func (p *Principal) Normalize() {
	slices.Sort(p.Groups)
	p.Groups = slices.Compact(p.Groups)
	slices.SortFunc(p.Credentials, compareCredential)
	slices.SortFunc(p.Grants, compareGrant)
}

func compareCredential(a, b Credential) int {
	return cmp.Or(
		strings.Compare(string(a.Kind), string(b.Kind)),
		strings.Compare(a.ID, b.ID),
		strings.Compare(a.Status, b.Status),
		a.CreatedAt.Compare(b.CreatedAt),
		a.LastUsed.Compare(b.LastUsed),
		a.ExpiresAt.Compare(b.ExpiresAt),
		strings.Compare(a.Managed, b.Managed),
	)
}

func compareGrant(a, b Grant) int {
	return cmp.Or(
		strings.Compare(a.What, b.What),
		strings.Compare(a.Where, b.Where),
		strings.Compare(a.Via, b.Via),
		strings.Compare(string(a.Privilege), string(b.Privilege)),
		strings.Compare(a.Condition, b.Condition),
	)
}

// ContentHash returns the canonical content hash of the principal: the same record gives the same
// hash whatever the order of its maps and sets, and any change of any field changes it. It does
// not modify p.
func (p *Principal) ContentHash() Hash {
	h := hasher{h: sha256.New()}
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

	groups := p.Groups
	if !slices.IsSorted(groups) {
		groups = slices.Sorted(slices.Values(groups))
	}
	groups = slices.Compact(slices.Clone(groups))
	h.int(len(groups))
	for _, g := range groups {
		h.str(g)
	}

	creds := p.Credentials
	if !slices.IsSortedFunc(creds, compareCredential) {
		creds = slices.SortedFunc(slices.Values(creds), compareCredential)
	}
	h.int(len(creds))
	for _, c := range creds {
		h.str(string(c.Kind))
		h.str(c.ID)
		h.str(c.Status)
		h.time(c.CreatedAt)
		h.time(c.LastUsed)
		h.time(c.ExpiresAt)
		h.str(c.Managed)
	}

	grants := p.Grants
	if !slices.IsSortedFunc(grants, compareGrant) {
		grants = slices.SortedFunc(slices.Values(grants), compareGrant)
	}
	h.int(len(grants))
	for _, g := range grants {
		h.str(g.What)
		h.str(g.Where)
		h.str(g.Via)
		h.str(string(g.Privilege))
		h.str(g.Condition)
	}

	h.strMap(p.Attributes)
	h.str(p.PersonID)
	h.str(p.LinkRule)

	var out Hash
	h.h.Sum(out[:0])
	return out
}

// hasher writes length-prefixed fields so that no two different records share an encoding.
type hasher struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func (h *hasher) int(n int) {
	k := binary.PutUvarint(h.buf[:], uint64(n))
	h.h.Write(h.buf[:k])
}

func (h *hasher) str(s string) {
	h.int(len(s))
	h.h.Write([]byte(s))
}

func (h *hasher) bool(b bool) {
	if b {
		h.int(1)
	} else {
		h.int(0)
	}
}

func (h *hasher) time(t time.Time) {
	if t.IsZero() {
		h.int(0)
		return
	}
	h.int(1)
	k := binary.PutVarint(h.buf[:], t.UnixNano())
	h.h.Write(h.buf[:k])
}

func (h *hasher) strMap(m map[string]string) {
	h.int(len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		h.str(k)
		h.str(m[k])
	}
}
