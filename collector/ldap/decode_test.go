package ldap

import (
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
)

func TestParseFileTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"0", time.Time{}, ""},
		{"9223372036854775807", time.Time{}, ""},
		{"116444736000000000", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"133864704000000000", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC), ""},
		{" 133864704000000001 ", time.Date(2025, 3, 15, 0, 0, 0, 100, time.UTC), ""},
		{"-1", time.Time{}, `"-1" is a negative FILETIME`},
		{"abc", time.Time{}, `"abc" is not a FILETIME (a decimal count of 100ns since 1601)`},
		{"9223372036854775806", time.Time{}, `"9223372036854775806" is beyond any plausible date`},
	}
	for _, tt := range tests {
		got, err := ParseFileTime(tt.in)
		if msg := errString(err); msg != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("ParseFileTime(%q) = %v, %q; want %v, %q", tt.in, got, msg, tt.want, tt.wantErr)
		}
	}
}

func TestParseGeneralizedTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"20240102030405Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"20240102030405.0Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"20240102030405.123456Z", time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC), false},
		{"20240102030405,5Z", time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC), false},
		{"202401020304Z", time.Date(2024, 1, 2, 3, 4, 0, 0, time.UTC), false},
		{"2024010203Z", time.Date(2024, 1, 2, 3, 0, 0, 0, time.UTC), false},
		{"20240102030405+0130", time.Date(2024, 1, 2, 1, 34, 5, 0, time.UTC), false},
		{"20240102030405-05", time.Date(2024, 1, 2, 8, 4, 5, 0, time.UTC), false},
		{"20240230030405Z", time.Time{}, true},
		{"20241302030405Z", time.Time{}, true},
		{"20240102030405", time.Time{}, true},
		{"20240102030405.Z", time.Time{}, true},
		{"2024-01-02T03:04:05Z", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseGeneralizedTime(tt.in)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("ParseGeneralizedTime(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseUAC(t *testing.T) {
	tests := []struct {
		in       string
		disabled bool
		flags    string
		wantErr  bool
	}{
		{"512", false, "NORMAL_ACCOUNT", false},
		{"514", true, "ACCOUNTDISABLE|NORMAL_ACCOUNT", false},
		{"66048", false, "NORMAL_ACCOUNT|DONT_EXPIRE_PASSWORD", false},
		{"66082", true, "ACCOUNTDISABLE|PASSWD_NOTREQD|NORMAL_ACCOUNT|DONT_EXPIRE_PASSWORD", false},
		{"-2147483136", false, "NORMAL_ACCOUNT", false}, // 0x80000200 as AD's signed integer
		{"4294967296", false, "", true},
		{"x", false, "", true},
	}
	for _, tt := range tests {
		u, err := ParseUAC(tt.in)
		if (err != nil) != tt.wantErr || u.Disabled() != tt.disabled || u.String() != tt.flags {
			t.Errorf("ParseUAC(%q) = %d (%s, disabled %v), %v", tt.in, u, u, u.Disabled(), err)
		}
	}
}

func TestFormatGUID(t *testing.T) {
	// The objectGUID Samba returned for an account, base64 "amCiPzH9N0S95P4HhvHQxw==".
	raw := []byte{0x6a, 0x60, 0xa2, 0x3f, 0x31, 0xfd, 0x37, 0x44, 0xbd, 0xe4, 0xfe, 0x07, 0x86, 0xf1, 0xd0, 0xc7}
	got, err := FormatGUID(raw)
	if err != nil || got != "3fa2606a-fd31-4437-bde4-fe0786f1d0c7" {
		t.Errorf("FormatGUID = %q, %v", got, err)
	}
	if _, err := FormatGUID(raw[:15]); errString(err) != "objectGUID has 15 bytes, want 16" {
		t.Errorf("FormatGUID(15 bytes) error = %v", err)
	}
}

func TestParseLockedTimeAndShadowExpire(t *testing.T) {
	l, err := ParseLockedTime("000001010000Z")
	if diff := cmp.Diff(Lock{Permanent: true}, l); diff != "" || err != nil {
		t.Errorf("permanent lock (-want +got): %s %v", diff, err)
	}
	l, err = ParseLockedTime("20261130100000Z")
	if diff := cmp.Diff(Lock{Since: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}, l); diff != "" || err != nil {
		t.Errorf("lockout (-want +got): %s %v", diff, err)
	}
	if _, err := ParseLockedTime("soon"); err == nil {
		t.Error("ParseLockedTime accepted garbage")
	}
	for in, want := range map[string]time.Time{"-1": {}, "0": time.Unix(0, 0).UTC(), "20422": time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)} {
		got, err := ParseShadowExpire(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseShadowExpire(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseShadowExpire("99999999"); err == nil {
		t.Error("ParseShadowExpire accepted an absurd date")
	}
}

func TestParseProxyAddress(t *testing.T) {
	tests := []struct {
		in      string
		email   string
		primary bool
		ok      bool
	}{
		{"SMTP:ada@corp.example", "ada@corp.example", true, true},
		{"smtp:ada.l@corp.example", "ada.l@corp.example", false, true},
		{"X500:/o=corp/ou=x/cn=ada", "", false, false},
		{"sip:ada@corp.example", "", false, false},
		{"ada@corp.example", "", false, false},
	}
	for _, tt := range tests {
		email, primary, err := ParseProxyAddress(tt.in)
		if email != tt.email || primary != tt.primary || (err == nil) != tt.ok {
			t.Errorf("ParseProxyAddress(%q) = %q, %v, %v", tt.in, email, primary, err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestNormalizeDN(t *testing.T) {
	tests := map[string]string{
		"CN=Ada Lovelace, OU=People ,DC=Corp,DC=example": "cn=ada lovelace,ou=people,dc=corp,dc=example",
		"uid=ada,ou=people,dc=corp":                      "uid=ada,ou=people,dc=corp",
		`CN=Lovelace\, Ada,OU=People,DC=corp`:            `cn=lovelace\, ada,ou=people,dc=corp`,
		"cn=a+sn=b,dc=corp":                              "cn=a+sn=b,dc=corp",
		"not a dn":                                       "not a dn",
	}
	for in, want := range tests {
		if got := normalizeDN(in); got != want {
			t.Errorf("normalizeDN(%q) = %q, want %q", in, got, want)
		}
	}
	// The fast path and the parser agree on the DNs both can read.
	for _, dn := range []string{"CN=Ada Lovelace, OU=People ,DC=Corp,DC=example", "uid=ada,ou=people,dc=corp"} {
		parsed, err := goldap.ParseDN(dn)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := normalizeDN(dn), strings.ToLower(parsed.String()); got != want {
			t.Errorf("fast path %q, parser %q", got, want)
		}
	}
}
