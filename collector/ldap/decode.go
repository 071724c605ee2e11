package ldap

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	// fileTimeUnixOffset is the seconds from 1601-01-01, where Windows FILETIME counts from in
	// 100 ns intervals, to 1970-01-01.
	fileTimeUnixOffset = 11_644_473_600
	// maxUnixSeconds is 9999-12-31T23:59:59Z: later FILETIMEs are garbage.
	maxUnixSeconds = 253_402_300_799
)

// ParseFileTime decodes an Active Directory FILETIME attribute (accountExpires,
// lastLogonTimestamp, pwdLastSet): 100-nanosecond intervals since 1601 as a decimal string.
// 0 and 9223372036854775807 mean "never" and give the zero time.
func ParseFileTime(s string) (time.Time, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a FILETIME (a decimal count of 100ns since 1601)", s)
	}
	if v == 0 || v == math.MaxInt64 {
		return time.Time{}, nil
	}
	if v < 0 {
		return time.Time{}, fmt.Errorf("%q is a negative FILETIME", s)
	}
	unix := v/10_000_000 - fileTimeUnixOffset
	if unix > maxUnixSeconds {
		return time.Time{}, fmt.Errorf("%q is beyond any plausible date", s)
	}
	return time.Unix(unix, (v%10_000_000)*100).UTC(), nil
}

// ParseGeneralizedTime decodes an LDAP GeneralizedTime (RFC 4517 §3.3.13):
// "YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|(+|-)HH[MM])", e.g. "20240102030405Z" or
// "20240102030405.0Z".
func ParseGeneralizedTime(s string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q is not a GeneralizedTime (e.g. 20240102030405Z)", s)
	}
	if len(s) < 11 {
		return bad()
	}
	digits := func(str string) (int, bool) {
		if str == "" {
			return 0, false
		}
		n := 0
		for _, c := range []byte(str) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[4:6])
	day, ok3 := digits(s[6:8])
	hour, ok4 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return bad()
	}
	rest := s[10:]
	minute, sec := 0, 0
	if len(rest) >= 2 {
		if m, ok := digits(rest[:2]); ok {
			minute, rest = m, rest[2:]
			if len(rest) >= 2 {
				if v, ok := digits(rest[:2]); ok {
					sec, rest = v, rest[2:]
				}
			}
		}
	}
	var frac time.Duration
	if rest != "" && (rest[0] == '.' || rest[0] == ',') {
		end := 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		f := rest[1:end]
		if f == "" || len(f) > 9 {
			return bad()
		}
		n, _ := digits(f)
		frac = time.Duration(n) * time.Duration(math.Pow10(9-len(f)))
		rest = rest[end:]
	}
	loc := time.UTC
	switch {
	case rest == "Z":
	case len(rest) == 3 || len(rest) == 5:
		if rest[0] != '+' && rest[0] != '-' {
			return bad()
		}
		oh, ok := digits(rest[1:3])
		om := 0
		if len(rest) == 5 {
			om, ok = digits(rest[3:5])
		}
		if !ok || oh > 23 || om > 59 {
			return bad()
		}
		off := oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return bad()
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return bad()
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc).Add(frac)
	if t.Day() != day && sec != 60 { // Feb 30 and the like
		return bad()
	}
	return t.UTC(), nil
}

// permanentLock is the pwdAccountLockedTime value with which an administrator locks an
// OpenLDAP account until it is unlocked (draft-behera-ldap-password-policy).
const permanentLock = "000001010000Z"

// Lock is the state pwdAccountLockedTime records.
type Lock struct {
	Permanent bool      // locked by an administrator: the account is disabled
	Since     time.Time // when a temporary lockout after failed binds began
}

// ParseLockedTime decodes OpenLDAP's pwdAccountLockedTime.
func ParseLockedTime(s string) (Lock, error) {
	if strings.TrimSpace(s) == permanentLock {
		return Lock{Permanent: true}, nil
	}
	t, err := ParseGeneralizedTime(strings.TrimSpace(s))
	if err != nil {
		return Lock{}, err
	}
	return Lock{Since: t}, nil
}

// ParseShadowExpire decodes shadowExpire (RFC 2307): days since 1970-01-01; a negative value
// (conventionally -1) means never and gives the zero time.
func ParseShadowExpire(s string) (time.Time, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a shadowExpire (days since 1970)", s)
	}
	if v < 0 {
		return time.Time{}, nil
	}
	if v > 1_000_000 {
		return time.Time{}, fmt.Errorf("%q is beyond any plausible date", s)
	}
	return time.Unix(v*86400, 0).UTC(), nil
}

// UAC is an Active Directory userAccountControl value.
type UAC uint32

// userAccountControl flags that matter for access reviews.
const (
	UACAccountDisable       UAC = 0x0002
	UACLockout              UAC = 0x0010
	UACPasswordNotRequired  UAC = 0x0020
	UACNormalAccount        UAC = 0x0200
	UACDontExpirePassword   UAC = 0x10000
	UACSmartcardRequired    UAC = 0x40000
	UACTrustedForDelegation UAC = 0x80000
	UACPasswordExpired      UAC = 0x800000
)

var uacNames = []struct {
	flag UAC
	name string
}{
	{UACAccountDisable, "ACCOUNTDISABLE"},
	{UACLockout, "LOCKOUT"},
	{UACPasswordNotRequired, "PASSWD_NOTREQD"},
	{UACNormalAccount, "NORMAL_ACCOUNT"},
	{UACDontExpirePassword, "DONT_EXPIRE_PASSWORD"},
	{UACSmartcardRequired, "SMARTCARD_REQUIRED"},
	{UACTrustedForDelegation, "TRUSTED_FOR_DELEGATION"},
	{UACPasswordExpired, "PASSWORD_EXPIRED"},
}

// ParseUAC decodes userAccountControl, a decimal 32-bit value (AD writes it signed, so
// negative values are accepted as their two's complement).
func ParseUAC(s string) (UAC, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
		return 0, fmt.Errorf("%q is not a userAccountControl value (a 32-bit decimal)", s)
	}
	return UAC(uint32(v)), nil
}

// Disabled reports the ACCOUNTDISABLE bit: 514 is a disabled normal account.
func (u UAC) Disabled() bool { return u&UACAccountDisable != 0 }

// Has reports whether every bit of f is set.
func (u UAC) Has(f UAC) bool { return u&f == f }

// String lists the flags Provost knows by name, e.g. "NORMAL_ACCOUNT|ACCOUNTDISABLE".
func (u UAC) String() string {
	var names []string
	for _, n := range uacNames {
		if u&n.flag != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "|")
}

// FormatGUID formats a 16-byte Active Directory objectGUID the way AD shows it: the first three
// fields little-endian, "3fa26a6a-fd31-4437-bde4-fe0786f1d0c7".
func FormatGUID(b []byte) (string, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("objectGUID has %d bytes, want 16", len(b))
	}
	var out [36]byte
	hex.Encode(out[0:8], binary.BigEndian.AppendUint32(nil, binary.LittleEndian.Uint32(b[0:4])))
	out[8] = '-'
	hex.Encode(out[9:13], binary.BigEndian.AppendUint16(nil, binary.LittleEndian.Uint16(b[4:6])))
	out[13] = '-'
	hex.Encode(out[14:18], binary.BigEndian.AppendUint16(nil, binary.LittleEndian.Uint16(b[6:8])))
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:]), nil
}

// errNotEmail marks a proxyAddresses value that is not an SMTP address.
var errNotEmail = errors.New("not an SMTP address")

// ParseProxyAddress returns the email of an Exchange proxyAddresses value: "SMTP:a@b" (the
// primary) or "smtp:a@b"; other address types (X500:, SIP:, ...) are errNotEmail.
func ParseProxyAddress(s string) (email string, primary bool, err error) {
	kind, addr, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(kind, "smtp") || !strings.Contains(addr, "@") {
		return "", false, errNotEmail
	}
	return strings.TrimSpace(addr), kind == "SMTP", nil
}
