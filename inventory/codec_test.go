package inventory

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func fullPrincipal() Principal {
	created := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	return Principal{
		ID:           "arn:aws:iam::123456789012:user/eng/alice",
		Provider:     ProviderAWS,
		Account:      "123456789012",
		Kind:         KindUser,
		Name:         "alice",
		Email:        "alice@corp.example",
		NativeID:     "AIDAEXAMPLEEXAMPLE01",
		CreatedAt:    created,
		LastActivity: time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600)),
		Disabled:     true,
		Console:      true,
		MFA:          true,
		Tags:         map[string]string{"team": "platform", "env": "prod", "owner": "team-lead@corp.example", "": "empty key"},
		Groups:       []string{"admins", "developers"},
		Credentials: []Credential{
			{Kind: CredAccessKey, ID: "AKIAEXAMPLE000000001", Status: CredActive, CreatedAt: created, LastUsed: created.Add(time.Hour)},
			{Kind: CredPassword, Status: CredActive, CreatedAt: created, ExpiresAt: created.AddDate(1, 0, 0)},
			{Kind: CredSAKey, ID: "k", Status: CredInactive, Managed: "user"},
		},
		Grants: []Grant{
			{What: "arn:aws:iam::aws:policy/AdministratorAccess", Where: "123456789012", Via: "direct", Privilege: PrivilegeAdmin},
			{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "*", Via: "group:admins", Privilege: PrivilegeRead, Condition: `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`},
		},
		Attributes: map[string]string{"path": "/eng/", "permissions_boundary": ""},
		PersonID:   "hr:E1001",
		LinkRule:   "email",
	}
}

func TestPrincipalRoundTrip(t *testing.T) {
	full := fullPrincipal()
	tests := []struct {
		name string
		in   Principal
		want *Principal // nil means "same as in"
	}{
		{name: "zero", in: Principal{}},
		{name: "full", in: full},
		{name: "id only", in: Principal{ID: "gcp:user:bob@corp.example"}},
		{
			name: "empty slices and maps decode as nil",
			in:   Principal{ID: "x", Tags: map[string]string{}, Groups: []string{}, Credentials: []Credential{}, Grants: []Grant{}, Attributes: map[string]string{}},
			want: &Principal{ID: "x"},
		},
		{
			name: "times at the edges",
			in: Principal{
				ID:           "t",
				CreatedAt:    time.Unix(0, 0),                          // the epoch is not the zero time
				LastActivity: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), // one nanosecond after the zero time
				Credentials: []Credential{
					{CreatedAt: time.Unix(-1, 999_999_999), LastUsed: time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), ExpiresAt: time.Unix(1<<62, 5)},
					{CreatedAt: time.Unix(math.MinInt64/2, 0), LastUsed: time.Unix(1<<61, 0), ExpiresAt: time.Unix(1<<60-1, 1)},
					{CreatedAt: time.Unix(-(1 << 60), 0), LastUsed: time.Unix(-(1<<60)-1, 0), ExpiresAt: time.Unix(math.MaxInt64-62135596800, 999_999_999)},
				},
			},
		},
		{
			name: "unicode and long strings",
			in:   Principal{ID: "ldap:cn=Zoë Ünïcode,ou=people", Name: string(make([]byte, 300)), Groups: []string{"", "é"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.in
			if tt.want != nil {
				want = *tt.want
			}
			b := AppendPrincipal([]byte("prefix"), &tt.in)
			if string(b[:6]) != "prefix" {
				t.Fatalf("AppendPrincipal did not append: %q", b[:6])
			}
			var got Principal
			if err := DecodePrincipal(b[6:], &got); err != nil {
				t.Fatalf("DecodePrincipal: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			for _, tm := range []time.Time{got.CreatedAt, got.LastActivity} {
				if !tm.IsZero() && tm.Location() != time.UTC {
					t.Errorf("decoded time %v is not in UTC", tm)
				}
			}
		})
	}
}

func TestPrincipalDerivedFields(t *testing.T) {
	tests := []struct {
		name      string
		p         Principal
		wantFlags byte
	}{
		{"aws user", Principal{ID: "arn:aws:iam::1:user/eng/alice", Name: "alice", Email: "alice@corp.example"}, flagNameFromID | flagEmailFromName},
		{"gcp user", Principal{ID: "gcp:user:alice@corp.example", Name: "Alice Smith", Email: "alice@corp.example"}, flagEmailFromID},
		{"gcp name and email both from the ID", Principal{ID: "gcp:user:alice@corp.example", Name: "alice@corp.example", Email: "alice@corp.example"}, flagNameFromID | flagEmailFromID},
		{"id without separators", Principal{ID: "alice", Name: "alice", Email: "alice@x"}, flagNameFromID | flagEmailFromName},
		{"name elsewhere in the id", Principal{ID: "arn:aws:iam::1:user/alice/ops", Name: "alice", Email: "bob@corp.example"}, 0},
		{"email without domain", Principal{ID: "u/alice", Name: "alice", Email: "alice@"}, flagNameFromID},
		{"email of another name", Principal{ID: "u/alice", Name: "alice", Email: "alicia@corp.example"}, flagNameFromID},
		{"empty name and email", Principal{ID: "u/"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendPrincipal(nil, &tt.p)
			if got := b[1]; got != tt.wantFlags {
				t.Errorf("flags = %#x, want %#x", got, tt.wantFlags)
			}
			var got Principal
			if err := DecodePrincipal(b, &got); err != nil {
				t.Fatalf("DecodePrincipal: %v", err)
			}
			if diff := cmp.Diff(tt.p, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			table := &StringTable{}
			EachInternable(&tt.p, func(s string) { table.Add(s) })
			var rec Principal
			if err := DecodePrincipalRecord(AppendPrincipalRecord(nil, &tt.p, table), tt.p.ID, table, &rec); err != nil {
				t.Fatalf("DecodePrincipalRecord: %v", err)
			}
			if diff := cmp.Diff(tt.p, rec); diff != "" {
				t.Errorf("record round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendPrincipalDeterministic(t *testing.T) {
	p := fullPrincipal()
	p.Tags = map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10"}
	first := AppendPrincipal(nil, &p)
	for range 20 {
		if got := AppendPrincipal(nil, &p); string(got) != string(first) {
			t.Fatalf("encoding changed between calls:\n%x\n%x", first, got)
		}
	}
}

func TestPrincipalRecordRoundTrip(t *testing.T) {
	p := fullPrincipal()
	table, err := NewStringTable([]string{"aws", "user", "123456789012", "admins", "direct", "active", "access_key", "arn:aws:iam::aws:policy/AdministratorAccess", "team", "platform", "email"})
	if err != nil {
		t.Fatal(err)
	}
	plain := AppendPrincipal(nil, &p)
	rec := AppendPrincipalRecord(nil, &p, table)
	if len(rec) >= len(plain)-len(p.ID) {
		t.Errorf("record form is %d bytes, plain form %d: interning saved nothing", len(rec), len(plain))
	}

	var got Principal
	if err := DecodePrincipalRecord(rec, p.ID, table, &got); err != nil {
		t.Fatalf("DecodePrincipalRecord: %v", err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("record round trip (-want +got):\n%s", diff)
	}

	// Records are written in canonical order; the caller's principal is left as it was.
	shuffled := fullPrincipal()
	shuffled.Groups = []string{"developers", "admins", "developers"}
	shuffled.Credentials = []Credential{shuffled.Credentials[2], shuffled.Credentials[0], shuffled.Credentials[1]}
	shuffled.Grants = []Grant{shuffled.Grants[1], shuffled.Grants[0]}
	before := fullPrincipal()
	before.Groups, before.Credentials, before.Grants = slices.Clone(shuffled.Groups), slices.Clone(shuffled.Credentials), slices.Clone(shuffled.Grants)
	var gotCanon Principal
	if err := DecodePrincipalRecord(AppendPrincipalRecord(nil, &shuffled, table), p.ID, table, &gotCanon); err != nil {
		t.Fatalf("DecodePrincipalRecord: %v", err)
	}
	wantCanon := fullPrincipal()
	wantCanon.Normalize()
	if diff := cmp.Diff(wantCanon, gotCanon); diff != "" {
		t.Errorf("record of an unnormalized principal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, shuffled); diff != "" {
		t.Errorf("AppendPrincipalRecord modified its argument (-before +after):\n%s", diff)
	}

	// The reusing decoder gives the same principal, record after record.
	rd := NewRecordDecoder(table)
	other := Principal{ID: "other", Tags: map[string]string{"x": "y"}}
	otherRec := AppendPrincipalRecord(nil, &other, table)
	for i := range 3 {
		got, err := rd.Decode(rec, p.ID)
		if err != nil {
			t.Fatalf("Decode %d: %v", i, err)
		}
		if diff := cmp.Diff(p, *got); diff != "" {
			t.Errorf("reused decode %d (-want +got):\n%s", i, diff)
		}
		got, err = rd.Decode(otherRec, "other")
		if err != nil {
			t.Fatalf("Decode other %d: %v", i, err)
		}
		if diff := cmp.Diff(other, *got); diff != "" {
			t.Errorf("reused decode other %d (-want +got):\n%s", i, diff)
		}
	}

	// The string forms decode the same, sharing the caller's string.
	var fromString Principal
	if err := DecodePrincipalRecordString(string(rec), p.ID, table, &fromString); err != nil {
		t.Fatalf("DecodePrincipalRecordString: %v", err)
	}
	if diff := cmp.Diff(p, fromString); diff != "" {
		t.Errorf("DecodePrincipalRecordString (-want +got):\n%s", diff)
	}
	if got, err := NewRecordDecoder(table).DecodeString(string(rec), p.ID); err != nil {
		t.Fatalf("DecodeString: %v", err)
	} else if diff := cmp.Diff(p, *got); diff != "" {
		t.Errorf("DecodeString (-want +got):\n%s", diff)
	}

	// A record with references cannot be read without its table, nor with a shorter one.
	if err := DecodePrincipal(rec, &got); !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodePrincipal of a record with references: err = %v, want ErrMalformed", err)
	}
	short, _ := NewStringTable([]string{"aws"})
	if err := DecodePrincipalRecord(rec, p.ID, short, &got); !errors.Is(err, ErrMalformed) {
		t.Errorf("decode with a short table: err = %v, want ErrMalformed", err)
	}
}

func TestStringTable(t *testing.T) {
	if _, err := NewStringTable([]string{"a", "b", "a"}); err == nil {
		t.Error("NewStringTable accepted a repeated string")
	}
	if _, err := NewStringTable([]string{"a", ""}); err == nil {
		t.Error("NewStringTable accepted an empty string")
	}
	tb, err := NewStringTable([]string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	c := tb.Clone()
	if id := c.Add("c"); id != 2 {
		t.Errorf("Add(c) = %d, want 2", id)
	}
	if id := c.Add("a"); id != 0 {
		t.Errorf("Add(a) = %d, want 0", id)
	}
	if diff := cmp.Diff([]string{"a", "b"}, tb.Strings()); diff != "" {
		t.Errorf("Clone shares storage with the original (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, c.Strings()); diff != "" {
		t.Errorf("clone entries (-want +got):\n%s", diff)
	}
	if s, ok := c.String(2); !ok || s != "c" {
		t.Errorf("String(2) = %q, %v", s, ok)
	}
	if _, ok := c.String(3); ok {
		t.Error("String(3) found an entry past the end")
	}
	var nilTable *StringTable
	if nilTable.Len() != 0 || nilTable.Strings() != nil {
		t.Error("nil table is not empty")
	}
}

func TestEachInternable(t *testing.T) {
	p := fullPrincipal()
	var got []string
	EachInternable(&p, func(s string) { got = append(got, s) })
	seen := map[string]bool{}
	for _, s := range got {
		if s == "" {
			t.Error("EachInternable emitted an empty string")
		}
		seen[s] = true
	}
	for _, s := range []string{"aws", "123456789012", "user", "team", "platform", "admins", "access_key", "active", "user",
		"arn:aws:iam::aws:policy/AdministratorAccess", "group:admins", "admin", "path", "/eng/", "email"} {
		if !seen[s] {
			t.Errorf("EachInternable did not emit %q", s)
		}
	}
	for _, s := range []string{p.ID, p.Name, p.Email, p.NativeID, p.PersonID, "AKIAEXAMPLE000000001"} {
		if seen[s] {
			t.Errorf("EachInternable emitted the near-unique %q", s)
		}
	}
}

func TestDecodePrincipalMalformed(t *testing.T) {
	full := fullPrincipal()
	valid := AppendPrincipal(nil, &full)
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown version", []byte{2, 0, 0}},
		{"version zero", []byte{0, 0, 0}},
		{"short", []byte{1}},
		{"unknown flag", append([]byte{1, 0x80}, AppendPrincipal(nil, &Principal{ID: "x"})[2:]...)},
		{"email from both", append([]byte{1, flagEmailFromID | flagEmailFromName}, AppendPrincipal(nil, &Principal{ID: "x"})[2:]...)},
		{"trailing byte", append(AppendPrincipal(nil, &Principal{ID: "x"}), 0)},
		{"string past end", []byte{1, 0, 20, 'a'}},
		{"bad varint", []byte{1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"huge count", append(prefixBeforeTags(), 0xff, 0xff, 0xff, 0xff, 0x0f)},
		{"unsorted tag keys", append(prefixBeforeTags(), 2, 2, 'b', 2, 'x', 2, 'a', 2, 'x')},
		{"duplicate tag keys", append(prefixBeforeTags(), 2, 2, 'a', 2, 'x', 2, 'a', 2, 'y')},
		{"reference without table", []byte{1, 0, 1}},
		{"nanoseconds flag without nanoseconds", timeRecord(3, 0)},
		{"nanoseconds out of range", timeRecord(3, 0x80, 0x94, 0xeb, 0xdc, 0x03)},
		{"wide time truncated", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{"wide time without nanoseconds", []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Principal
			if err := DecodePrincipal(tt.b, &p); !errors.Is(err, ErrMalformed) {
				t.Errorf("DecodePrincipal(%x) err = %v, want ErrMalformed", tt.b, err)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for n := range len(valid) {
			var p Principal
			if err := DecodePrincipal(valid[:n], &p); !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodePrincipal of the first %d of %d bytes: err = %v, want ErrMalformed", n, len(valid), err)
			}
		}
	})
}

// prefixBeforeTags is a valid encoding up to, not including, the tag count.
func prefixBeforeTags() []byte {
	b := []byte{1, 0}
	for range 7 { // ID, provider, account, kind, name, email, native ID
		b = append(b, 0)
	}
	return append(b, 0, 0) // two zero times
}

// timeRecord is a principal whose CreatedAt is the given bytes, the rest empty.
func timeRecord(timeBytes ...byte) []byte {
	b := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}
	b = append(b, timeBytes...)
	b = append(b, 0)             // last activity
	b = append(b, 0, 0, 0, 0, 0) // tags, groups, credentials, grants, attributes
	return append(b, 0, 0)       // person, link rule
}

func FuzzDecodePrincipal(f *testing.F) {
	full := fullPrincipal()
	f.Add(AppendPrincipal(nil, &full))
	f.Add(AppendPrincipal(nil, &Principal{}))
	f.Add(AppendPrincipal(nil, &Principal{ID: "x", CreatedAt: time.Unix(1<<62, 7)}))
	f.Add(timeRecord(3, 0x80, 0x94, 0xeb, 0xdc, 0x03))
	f.Add([]byte{1, flagNoID | flagNameFromID | flagEmailFromName, 3, 0})
	table, _ := NewStringTable([]string{"aws", "user", "123456789012", "admins", "direct", "active"})
	f.Add(AppendPrincipalRecord(nil, &full, table))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Principal
		if err := DecodePrincipal(b, &p); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
		} else {
			var again Principal
			if err := DecodePrincipal(AppendPrincipal(nil, &p), &again); err != nil {
				t.Fatalf("re-encoding a decoded principal does not decode: %v", err)
			}
			if diff := cmp.Diff(p, again); diff != "" {
				t.Fatalf("decode(encode(decode(b))) differs (-first +second):\n%s", diff)
			}
		}
		// The same bytes read as a record against a table never panic either.
		var r Principal
		if err := DecodePrincipalRecord(b, "id", table, &r); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("record error does not wrap ErrMalformed: %v", err)
		}
		if _, err := NewRecordDecoder(table).Decode(b, "id"); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("reusing decoder error does not wrap ErrMalformed: %v", err)
		}
	})
}
