package ldap

import (
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/inventory"
)

func FuzzParseFileTime(f *testing.F) {
	for _, s := range []string{"0", "9223372036854775807", "133864704000000000", "-5", "1e9", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFileTime(s)
		if err != nil && !got.IsZero() {
			t.Fatalf("error %v with time %v", err, got)
		}
		if err == nil && !got.IsZero() && (got.Year() < 1601 || got.Year() > 9999 || got.Location() != time.UTC) {
			t.Fatalf("ParseFileTime(%q) = %v", s, got)
		}
	})
}

func FuzzParseGeneralizedTime(f *testing.F) {
	for _, s := range []string{"20240102030405Z", "20240102030405.123Z", "2024010203-0530", "000001010000Z", "20240230000000Z", "99999999999999.9999999999Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseGeneralizedTime(s)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseGeneralizedTime(%q) is not UTC: %v", s, got)
		}
		// A value that parsed must describe the same instant when written back out.
		again, err := ParseGeneralizedTime(got.Format("20060102150405.999999999Z"))
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q → %v does not round-trip: %v %v", s, got, again, err)
		}
	})
}

func FuzzParseUAC(f *testing.F) {
	for _, s := range []string{"512", "514", "-2147483136", "4294967295", "4294967296", " 66048 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUAC(s)
		if err != nil {
			return
		}
		if u.Disabled() != (u&UACAccountDisable != 0) {
			t.Fatal("Disabled disagrees with the bit")
		}
		if got := u.String(); u&UACAccountDisable != 0 && !strings.Contains(got, "ACCOUNTDISABLE") {
			t.Fatalf("String() = %q lacks ACCOUNTDISABLE", got)
		}
	})
}

func FuzzFormatGUID(f *testing.F) {
	f.Add([]byte{0x6a, 0x60, 0xa2, 0x3f, 0x31, 0xfd, 0x37, 0x44, 0xbd, 0xe4, 0xfe, 0x07, 0x86, 0xf1, 0xd0, 0xc7})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := FormatGUID(b)
		if (err == nil) != (len(b) == 16) {
			t.Fatalf("FormatGUID(%d bytes) error %v", len(b), err)
		}
		if err == nil && (len(s) != 36 || strings.Count(s, "-") != 4) {
			t.Fatalf("FormatGUID = %q", s)
		}
	})
}

// FuzzDecodeEntry decodes user entries with arbitrary attribute values, as both flavors: it
// never panics, keeps the ID rules, and a person is terminated exactly when its account is
// disabled or expired.
func FuzzDecodeEntry(f *testing.F) {
	f.Add("E1", "ada@corp.example", "512", "0", "20240102030405.0Z", "SMTP:ada@corp.example", "000001010000Z", "20422", "LOA",
		[]byte{0x6a, 0x60, 0xa2, 0x3f, 0x31, 0xfd, 0x37, 0x44, 0xbd, 0xe4, 0xfe, 0x07, 0x86, 0xf1, 0xd0, 0xc7})
	f.Add("", "", "514", "133801632000000000", "garbage", "x500:foo", "20261130100000Z", "-1", "", []byte{1})
	f.Add("E\x00", "\xff", "x", "-1", "", "smtp:", "nope", "x", "active", []byte{})
	f.Fuzz(func(t *testing.T, emp, mail, uac, expires, created, proxy, locked, shadow, status string, guid []byte) {
		e := &goldap.Entry{DN: "cn=x,dc=corp", Attributes: []*goldap.EntryAttribute{
			{Name: "employeeID", Values: []string{emp}}, {Name: "employeeNumber", Values: []string{emp}},
			{Name: "mail", Values: []string{mail}}, {Name: "userAccountControl", Values: []string{uac}},
			{Name: "accountExpires", Values: []string{expires}}, {Name: "lastLogonTimestamp", Values: []string{expires}},
			{Name: "whenCreated", Values: []string{created}}, {Name: "createTimestamp", Values: []string{created}},
			{Name: "proxyAddresses", Values: []string{proxy}}, {Name: "pwdAccountLockedTime", Values: []string{locked}},
			{Name: "shadowExpire", Values: []string{shadow}}, {Name: "employeeType", Values: []string{status}},
			{Name: "objectGUID", Values: []string{string(guid)}, ByteValues: [][]byte{guid}},
			{Name: "entryUUID", Values: []string{string(guid)}}, {Name: "sAMAccountName", Values: []string{mail}},
			{Name: "uid", Values: []string{mail}}, {Name: "memberOf", Values: []string{created}},
		}}
		for _, flavor := range []Flavor{FlavorAD, FlavorOpenLDAP} {
			attrs := Defaults(flavor)
			attrs.Status = "employeeType"
			d := &decoder{source: "s", account: "dc=corp", flavor: flavor, attrs: attrs,
				statuses: map[string]inventory.PersonStatus{"loa": inventory.PersonLeave}, now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
			a := d.user(e)
			if a.principal.ID != "ldap:cn=x,dc=corp" || a.principal.PersonID != a.person.ID || !strings.HasPrefix(a.person.ID, "s:") || a.person.ID == "s:" {
				t.Fatalf("%s: IDs principal %q person %q → %q", flavor, a.principal.ID, a.person.ID, a.principal.PersonID)
			}
			if (a.person.Status == inventory.PersonTerminated) != a.principal.Disabled {
				t.Fatalf("%s: person %s but principal disabled=%v", flavor, a.person.Status, a.principal.Disabled)
			}
			for _, m := range a.person.Emails {
				if m == "" {
					t.Fatalf("%s: empty email", flavor)
				}
			}
		}
	})
}
