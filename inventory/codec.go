package inventory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// The compact binary encoding of a Principal (format version 1):
//
//	version  1 byte: 1
//	flags    1 byte: 1 Disabled, 2 Console, 4 MFA, 8 ID omitted, 16 Name derived from the ID,
//	         32 Email derived from the ID, 64 Email derived from Name
//	ID       string (absent when the ID-omitted flag is set: the store keeps it in the key)
//	Provider, Account, Kind    strings
//	Name     string, absent when derived: the part of the ID after its last '/' or ':'
//	         ("arn:aws:iam::1:user/alice" → "alice")
//	Email    string, absent when derived from the ID (the part after its last ':', as in
//	         "gcp:user:alice@corp.com"); when derived from Name, the domain D of Email = Name@D
//	NativeID string
//	CreatedAt, LastActivity    times
//	Tags     count, then key/value strings in strictly increasing key order
//	Groups   count, then strings
//	Credentials count, then Kind, ID, Status strings, CreatedAt, LastUsed, ExpiresAt times, Managed string
//	Grants   count, then What, Where, Via, Privilege, Condition strings
//	Attributes count, then key/value strings in strictly increasing key order
//	PersonID, LinkRule strings
//
// Counts are uvarints. A string is a uvarint x: x even is a literal of x>>1 bytes that follow;
// x odd is entry x>>1 of a StringTable (only in records written with AppendPrincipalRecord).
// A time is a uvarint h: 0 is the zero time; h >= 2 holds v = h-2 = zigzag(unix seconds)<<1 | n,
// followed, when n is 1, by a uvarint of the nanoseconds (1..999999999); h = 1 escapes seconds
// beyond ±2^60 as a varint of seconds and a uvarint of nanoseconds. Whole seconds — what IAM APIs
// return — cost 5 bytes instead of the 9 of varint Unix nanoseconds, and every time.Time round-trips
// (decoded times are in UTC). Trailing bytes are an error.
//
// Decoded empty slices and maps are nil, whatever the encoded principal held.

const (
	codecVersion = 1

	flagDisabled      = 1 << 0
	flagConsole       = 1 << 1
	flagMFA           = 1 << 2
	flagNoID          = 1 << 3
	flagNameFromID    = 1 << 4
	flagEmailFromID   = 1 << 5
	flagEmailFromName = 1 << 6
	flagsKnown        = 1<<7 - 1

	nanosPerSecond = 1_000_000_000
)

// ErrMalformed is wrapped by the errors the decoders return for bytes that are not a valid
// encoding.
var ErrMalformed = errors.New("malformed principal encoding")

// AppendPrincipal appends the compact binary encoding of p to dst and returns the extended slice.
// It encodes p as it is (it does not normalize it); maps are written in key order, so equal
// principals encode to equal bytes.
func AppendPrincipal(dst []byte, p *Principal) []byte {
	var tb, ab [8]entry
	return appendPrincipal(dst, p, nil, false, sortedEntries(tb[:0], p.Tags), sortedEntries(ab[:0], p.Attributes))
}

// DecodePrincipal decodes one whole encoding written by AppendPrincipal into p, replacing all of
// p's fields. It returns an error wrapping ErrMalformed, and never panics, for any other input.
// Decoded strings share one allocation per record; decoded empty slices and maps are nil.
func DecodePrincipal(b []byte, p *Principal) error {
	d := decoder{s: string(b)}
	return d.principal(p, "", false)
}

// AppendPrincipalRecord appends the store's form of p's encoding to dst: p.ID is left out (the
// caller keeps it, e.g. as a key), groups, credentials and grants are written in canonical order
// (as Normalize would leave them, without modifying p), and every string of an internable field
// that t holds is written as a reference into t. t may be nil.
func AppendPrincipalRecord(dst []byte, p *Principal, t *StringTable) []byte {
	p = canonical(p)
	var tb, ab [8]entry
	return appendPrincipal(dst, p, t, true, sortedEntries(tb[:0], p.Tags), sortedEntries(ab[:0], p.Attributes))
}

// canonical returns p when its sets are in canonical order, else a normalized shallow copy.
func canonical(p *Principal) *Principal {
	groupsOK := true
	for i := 1; i < len(p.Groups); i++ {
		if p.Groups[i-1] >= p.Groups[i] {
			groupsOK = false
			break
		}
	}
	if groupsOK && slices.IsSortedFunc(p.Credentials, CompareCredential) && slices.IsSortedFunc(p.Grants, CompareGrant) {
		return p
	}
	q := *p
	q.Groups = slices.Clone(p.Groups)
	q.Credentials = slices.Clone(p.Credentials)
	q.Grants = slices.Clone(p.Grants)
	q.Normalize()
	return &q
}

// DecodePrincipalRecord decodes a record written by AppendPrincipalRecord (or AppendPrincipal)
// into p, resolving string references in t. id is used as p.ID when the record leaves it out.
func DecodePrincipalRecord(b []byte, id string, t *StringTable, p *Principal) error {
	d := decoder{s: string(b), t: t}
	return d.principal(p, id, false)
}

// DecodePrincipalRecordString is DecodePrincipalRecord for a record held in a string: decoded
// strings are substrings of rec, with no copy.
func DecodePrincipalRecordString(rec, id string, t *StringTable, p *Principal) error {
	d := decoder{s: rec, t: t}
	return d.principal(p, id, false)
}

// A RecordDecoder decodes many records, reusing its slices and maps from one call to the next:
// the Principal returned by Decode is valid only until the next call. Strings are never reused.
type RecordDecoder struct {
	t      *StringTable
	p      Principal
	groups []string
	creds  []Credential
	grants []Grant
	tags   map[string]string
	attrs  map[string]string
}

// NewRecordDecoder returns a decoder that resolves string references in t (which may be nil).
func NewRecordDecoder(t *StringTable) *RecordDecoder { return &RecordDecoder{t: t} }

// Decode decodes one record into the decoder's Principal and returns it.
func (rd *RecordDecoder) Decode(b []byte, id string) (*Principal, error) {
	return rd.DecodeString(string(b), id)
}

// DecodeString is Decode for a record held in a string: decoded strings are substrings of rec.
func (rd *RecordDecoder) DecodeString(rec, id string) (*Principal, error) {
	d := decoder{s: rec, t: rd.t, rd: rd}
	if err := d.principal(&rd.p, id, true); err != nil {
		return nil, err
	}
	return &rd.p, nil
}

// EachInternable calls fn with every non-empty string of p that the record form may intern:
// provider, account, kind, the email domain when the email is the name at a domain, tag and
// attribute keys and values, groups, credential kind, status and managed, grant what, where, via,
// privilege and condition, and the link rule. Names, emails and IDs are never interned: they are
// nearly unique.
func EachInternable(p *Principal, fn func(string)) {
	emit := func(s string) {
		if s != "" {
			fn(s)
		}
	}
	emit(string(p.Provider))
	emit(p.Account)
	emit(string(p.Kind))
	if _, fromID := nameEmailFromID(p); !fromID {
		if d, ok := emailDomain(p.Name, p.Email); ok {
			emit(d)
		}
	}
	for k, v := range p.Tags {
		emit(k)
		emit(v)
	}
	for _, g := range p.Groups {
		emit(g)
	}
	for i := range p.Credentials {
		c := &p.Credentials[i]
		emit(string(c.Kind))
		emit(c.Status)
		emit(c.Managed)
	}
	for i := range p.Grants {
		g := &p.Grants[i]
		emit(g.What)
		emit(g.Where)
		emit(g.Via)
		emit(string(g.Privilege))
		emit(g.Condition)
	}
	for k, v := range p.Attributes {
		emit(k)
		emit(v)
	}
	emit(p.LinkRule)
}

// StringTable maps frequent strings to small integers so that records can refer to them. Entries
// are only ever appended; an ID, once given, names the same string forever. The zero value is an
// empty table. A StringTable is not safe for concurrent mutation; lookups may run concurrently
// when nothing adds.
type StringTable struct {
	strs  []string
	index map[string]uint32
}

// NewStringTable returns a table holding strs, with IDs in their order. It returns an error if a
// string repeats or is empty.
func NewStringTable(strs []string) (*StringTable, error) {
	t := &StringTable{strs: make([]string, 0, len(strs)), index: make(map[string]uint32, len(strs))}
	for i, s := range strs {
		if s == "" {
			return nil, fmt.Errorf("string table entry %d is empty", i)
		}
		if j, ok := t.index[s]; ok {
			return nil, fmt.Errorf("string table entries %d and %d are both %q", j, i, s)
		}
		t.Add(s)
	}
	return t, nil
}

// Len returns the number of entries.
func (t *StringTable) Len() int {
	if t == nil {
		return 0
	}
	return len(t.strs)
}

// String returns entry id.
func (t *StringTable) String(id uint32) (string, bool) {
	if t == nil || int(id) >= len(t.strs) {
		return "", false
	}
	return t.strs[id], true
}

// ID returns the ID of s, if the table holds it.
func (t *StringTable) ID(s string) (uint32, bool) {
	if t == nil {
		return 0, false
	}
	id, ok := t.index[s]
	return id, ok
}

// Add returns the ID of s, appending s if the table does not hold it yet. s must not be empty.
func (t *StringTable) Add(s string) uint32 {
	if id, ok := t.index[s]; ok {
		return id
	}
	if t.index == nil {
		t.index = make(map[string]uint32)
	}
	id := uint32(len(t.strs))
	t.strs = append(t.strs, s)
	t.index[s] = id
	return id
}

// Clone returns a copy that can be extended without changing t.
func (t *StringTable) Clone() *StringTable {
	if t == nil {
		return &StringTable{index: map[string]uint32{}}
	}
	return &StringTable{strs: slices.Clip(t.strs), index: maps.Clone(t.index)}
}

// Strings returns the entries in ID order. The caller must not modify the slice.
func (t *StringTable) Strings() []string {
	if t == nil {
		return nil
	}
	return slices.Clip(t.strs)
}

// idName is the part of a principal ID after its last '/' or ':', which is often its name.
func idName(id string) string { return id[strings.LastIndexAny(id, "/:")+1:] }

// idEmail is the part of a principal ID after its last ':', which is the email of GCP members.
func idEmail(id string) string { return id[strings.LastIndexByte(id, ':')+1:] }

// nameEmailFromID reports whether p's name and email can be derived from its ID.
func nameEmailFromID(p *Principal) (name, email bool) {
	return p.Name != "" && p.Name == idName(p.ID), p.Email != "" && p.Email == idEmail(p.ID)
}

// emailDomain returns D when email is name@D.
func emailDomain(name, email string) (string, bool) {
	if name == "" || len(email) < len(name)+2 || email[:len(name)] != name || email[len(name)] != '@' {
		return "", false
	}
	return email[len(name)+1:], true
}

// appendPrincipal appends p's encoding; tags and attrs are the entries of p.Tags and
// p.Attributes in key order (sortedEntries).
func appendPrincipal(dst []byte, p *Principal, t *StringTable, omitID bool, tags, attrs []entry) []byte {
	var h byte
	if p.Disabled {
		h |= flagDisabled
	}
	if p.Console {
		h |= flagConsole
	}
	if p.MFA {
		h |= flagMFA
	}
	if omitID {
		h |= flagNoID
	}
	nameFromID, emailFromID := nameEmailFromID(p)
	domain, emailFromName := emailDomain(p.Name, p.Email)
	switch {
	case emailFromID:
		h |= flagEmailFromID
	case emailFromName:
		h |= flagEmailFromName
	}
	if nameFromID {
		h |= flagNameFromID
	}
	dst = append(dst, codecVersion, h)
	if !omitID {
		dst = appendLiteral(dst, p.ID)
	}
	dst = appendString(dst, string(p.Provider), t)
	dst = appendString(dst, p.Account, t)
	dst = appendString(dst, string(p.Kind), t)
	if !nameFromID {
		dst = appendLiteral(dst, p.Name)
	}
	switch {
	case emailFromID:
	case emailFromName:
		dst = appendString(dst, domain, t)
	default:
		dst = appendLiteral(dst, p.Email)
	}
	dst = appendLiteral(dst, p.NativeID)
	dst = appendTime(dst, p.CreatedAt)
	dst = appendTime(dst, p.LastActivity)
	dst = appendEntries(dst, tags, t)
	dst = binary.AppendUvarint(dst, uint64(len(p.Groups)))
	for _, g := range p.Groups {
		dst = appendString(dst, g, t)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Credentials)))
	for i := range p.Credentials {
		c := &p.Credentials[i]
		dst = appendString(dst, string(c.Kind), t)
		dst = appendLiteral(dst, c.ID)
		dst = appendString(dst, c.Status, t)
		dst = appendTime(dst, c.CreatedAt)
		dst = appendTime(dst, c.LastUsed)
		dst = appendTime(dst, c.ExpiresAt)
		dst = appendString(dst, c.Managed, t)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Grants)))
	for i := range p.Grants {
		g := &p.Grants[i]
		dst = appendString(dst, g.What, t)
		dst = appendString(dst, g.Where, t)
		dst = appendString(dst, g.Via, t)
		dst = appendString(dst, string(g.Privilege), t)
		dst = appendString(dst, g.Condition, t)
	}
	dst = appendEntries(dst, attrs, t)
	dst = appendLiteral(dst, p.PersonID)
	dst = appendString(dst, p.LinkRule, t)
	return dst
}

func appendLiteral(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s))<<1)
	return append(dst, s...)
}

func appendString(dst []byte, s string, t *StringTable) []byte {
	if t != nil && s != "" {
		if id, ok := t.index[s]; ok {
			return binary.AppendUvarint(dst, uint64(id)<<1|1)
		}
	}
	return appendLiteral(dst, s)
}

func appendEntries(dst []byte, es []entry, t *StringTable) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(es)))
	for _, e := range es {
		dst = appendString(dst, e.k, t)
		dst = appendString(dst, e.v, t)
	}
	return dst
}

func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, 0)
	}
	s, ns := t.Unix(), uint64(t.Nanosecond())
	zz := uint64(s<<1) ^ uint64(s>>63)
	if zz >= 1<<61 {
		dst = append(dst, 1)
		dst = binary.AppendVarint(dst, s)
		return binary.AppendUvarint(dst, ns)
	}
	v := zz << 1
	if ns != 0 {
		v |= 1
	}
	dst = binary.AppendUvarint(dst, v+2)
	if ns != 0 {
		dst = binary.AppendUvarint(dst, ns)
	}
	return dst
}

// decoder reads one encoded principal held in a string, so that every decoded literal is a
// substring of it (one allocation per record, made by the caller).
type decoder struct {
	s   string
	off int
	t   *StringTable
	rd  *RecordDecoder
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, d.off)
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.off < len(d.s) && d.s[d.off] < 0x80 { // most are one byte
		d.off++
		return uint64(d.s[d.off-1])
	}
	var x uint64
	for i, shift := 0, uint(0); i < binary.MaxVarintLen64; i, shift = i+1, shift+7 {
		if d.off+i >= len(d.s) || d.err != nil {
			break
		}
		b := d.s[d.off+i]
		if i == binary.MaxVarintLen64-1 && b > 1 {
			break // overflows 64 bits
		}
		if b < 0x80 {
			d.off += i + 1
			return x | uint64(b)<<shift
		}
		x |= uint64(b&0x7f) << shift
	}
	d.fail("bad " + what)
	return 0
}

// count reads an element count; each element takes at least min bytes, which bounds what
// garbage can make us allocate.
func (d *decoder) count(what string, min int) int {
	n := d.uvarint(what)
	if d.err != nil {
		return 0
	}
	if n > uint64((len(d.s)-d.off)/min) {
		d.fail(what + " count too large")
		return 0
	}
	return int(n)
}

func (d *decoder) str(what string) string {
	x := d.uvarint(what)
	if d.err != nil {
		return ""
	}
	if x&1 == 1 {
		id := x >> 1
		if d.t == nil {
			d.fail(what + ": string reference without a table")
			return ""
		}
		if id >= uint64(len(d.t.strs)) {
			d.fail(fmt.Sprintf("%s: string reference %d beyond table of %d", what, id, len(d.t.strs)))
			return ""
		}
		return d.t.strs[id]
	}
	n := x >> 1
	if n > uint64(len(d.s)-d.off) {
		d.fail(what + ": string runs past the end")
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) time(what string) time.Time {
	h := d.uvarint(what)
	if d.err != nil || h == 0 {
		return time.Time{}
	}
	var s int64
	var ns uint64
	if h == 1 {
		zz := d.uvarint(what)
		s = int64(zz>>1) ^ -int64(zz&1)
		ns = d.uvarint(what)
		if d.err == nil && ns >= nanosPerSecond {
			d.fail(what + " nanoseconds out of range")
		}
	} else {
		v := h - 2
		zz := v >> 1
		s = int64(zz>>1) ^ -int64(zz&1)
		if v&1 == 1 {
			ns = d.uvarint(what)
			if d.err == nil && (ns == 0 || ns >= nanosPerSecond) {
				d.fail(what + " nanoseconds out of range")
			}
		}
	}
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(s, int64(ns)).UTC()
}

// stringMap decodes a map into m (cleared and reused when not nil) and returns it, or nil when
// the map is empty.
func (d *decoder) stringMap(what string, m map[string]string) map[string]string {
	n := d.count(what, 2)
	if d.err != nil || n == 0 {
		return nil
	}
	if m == nil {
		m = make(map[string]string, n)
	} else {
		clear(m)
	}
	prev := ""
	for i := range n {
		k := d.str(what)
		v := d.str(what)
		if d.err != nil {
			return nil
		}
		if i > 0 && strings.Compare(k, prev) <= 0 {
			d.fail(what + " keys not in increasing order")
			return nil
		}
		m[k] = v
		prev = k
	}
	return m
}

func (d *decoder) principal(p *Principal, id string, reuse bool) error {
	if len(d.s) < 2 {
		d.fail("short record")
		return d.err
	}
	if d.s[0] != codecVersion {
		d.fail(fmt.Sprintf("unknown format version %d", d.s[0]))
		return d.err
	}
	h := d.s[1]
	d.off = 2
	if h&^flagsKnown != 0 || h&flagEmailFromID != 0 && h&flagEmailFromName != 0 {
		d.fail(fmt.Sprintf("bad flags %#x", h))
		return d.err
	}
	var q Principal
	if h&flagNoID == 0 {
		q.ID = d.str("id")
	} else {
		q.ID = id
	}
	q.Disabled = h&flagDisabled != 0
	q.Console = h&flagConsole != 0
	q.MFA = h&flagMFA != 0
	q.Provider = Provider(d.str("provider"))
	q.Account = d.str("account")
	q.Kind = PrincipalKind(d.str("kind"))
	if h&flagNameFromID != 0 {
		q.Name = idName(q.ID)
	} else {
		q.Name = d.str("name")
	}
	switch {
	case h&flagEmailFromID != 0:
		q.Email = idEmail(q.ID)
	case h&flagEmailFromName != 0:
		q.Email = q.Name + "@" + d.str("email domain")
	default:
		q.Email = d.str("email")
	}
	q.NativeID = d.str("native id")
	q.CreatedAt = d.time("created")
	q.LastActivity = d.time("last activity")

	var tags, attrs map[string]string
	var groups []string
	var creds []Credential
	var grants []Grant
	if reuse {
		tags, attrs = d.rd.tags, d.rd.attrs
		groups, creds, grants = d.rd.groups[:0], d.rd.creds[:0], d.rd.grants[:0]
	}

	q.Tags = d.stringMap("tags", tags)

	if n := d.count("groups", 1); n > 0 {
		if !reuse {
			groups = make([]string, 0, n)
		}
		for range n {
			groups = append(groups, d.str("group"))
		}
		q.Groups = groups
	}

	if n := d.count("credentials", 7); n > 0 {
		if !reuse {
			creds = make([]Credential, 0, n)
		}
		for range n {
			var c Credential
			c.Kind = CredentialKind(d.str("credential kind"))
			c.ID = d.str("credential id")
			c.Status = d.str("credential status")
			c.CreatedAt = d.time("credential created")
			c.LastUsed = d.time("credential last used")
			c.ExpiresAt = d.time("credential expires")
			c.Managed = d.str("credential managed")
			creds = append(creds, c)
		}
		q.Credentials = creds
	}

	if n := d.count("grants", 5); n > 0 {
		if !reuse {
			grants = make([]Grant, 0, n)
		}
		for range n {
			var g Grant
			g.What = d.str("grant what")
			g.Where = d.str("grant where")
			g.Via = d.str("grant via")
			g.Privilege = Privilege(d.str("grant privilege"))
			g.Condition = d.str("grant condition")
			grants = append(grants, g)
		}
		q.Grants = grants
	}

	q.Attributes = d.stringMap("attributes", attrs)
	q.PersonID = d.str("person id")
	q.LinkRule = d.str("link rule")
	if d.err == nil && d.off != len(d.s) {
		d.fail(fmt.Sprintf("%d trailing bytes", len(d.s)-d.off))
	}
	if d.err != nil {
		return d.err
	}
	if reuse {
		// Keep the grown storage for the next record, even when this one had none.
		if q.Tags != nil {
			d.rd.tags = q.Tags
		}
		if q.Attributes != nil {
			d.rd.attrs = q.Attributes
		}
		if cap(groups) > cap(d.rd.groups) {
			d.rd.groups = groups
		}
		if cap(creds) > cap(d.rd.creds) {
			d.rd.creds = creds
		}
		if cap(grants) > cap(d.rd.grants) {
			d.rd.grants = grants
		}
	}
	*p = q
	return nil
}
