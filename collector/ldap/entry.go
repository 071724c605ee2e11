package ldap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Principal attribute keys an LDAP source records (never a secret).
const (
	AttrUserAccountControl = "user_account_control" // AD: the decimal value
	AttrUACFlags           = "uac_flags"            // AD: "NORMAL_ACCOUNT|ACCOUNTDISABLE"
	AttrAccountExpires     = "account_expires"      // RFC 3339; AD accountExpires or the end date attribute
	AttrLocked             = "locked"               // "permanent" (administrative lock) or "lockout"
	AttrLockedSince        = "locked_since"         // RFC 3339, a temporary lockout's start
	AttrEmployeeID         = "employee_id"
	AttrDN                 = "dn"
)

// account is one user entry decoded.
type account struct {
	person    inventory.Person // ID is set; Manager still holds the manager's DN
	principal inventory.Principal
	managerDN string
	problems  []string // attribute values that could not be decoded
}

// decoder turns entries into accounts.
type decoder struct {
	source   string
	account  string // the principals' Account: the base DN
	flavor   Flavor
	attrs    Attributes
	statuses map[string]inventory.PersonStatus
	now      time.Time
}

// userAttributes lists what the user search asks for.
func (d *decoder) userAttributes() []string {
	a := d.attrs
	out := []string{"cn", "memberOf"}
	for _, n := range append([]string{a.EmployeeID, a.Email, a.Username, a.Name, a.Department, a.Title, a.Manager,
		a.Status, a.EndDate, a.ExternalID}, a.Aliases...) {
		if n != "" && !slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, n) }) {
			out = append(out, n)
		}
	}
	if d.flavor == FlavorAD {
		return append(out, "objectGUID", "userAccountControl", "accountExpires", "lastLogonTimestamp", "whenCreated",
			"pwdLastSet", "lockoutTime")
	}
	return append(out, "entryUUID", "createTimestamp", "pwdAccountLockedTime", "pwdChangedTime", "authTimestamp", "pwdLastSuccess")
}

// groupAttributes lists what the group search asks for.
func (d *decoder) groupAttributes() []string {
	if d.flavor == FlavorAD {
		return []string{"cn", "member", "memberOf", "objectGUID", "whenCreated", "description"}
	}
	return []string{"cn", "member", "uniqueMember", "memberUid", "memberOf", "entryUUID", "createTimestamp", "description"}
}

func values(e *goldap.Entry, attr string) []string {
	if attr == "" {
		return nil
	}
	var out []string
	for _, v := range e.GetEqualFoldAttributeValues(attr) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func first(e *goldap.Entry, attr string) string {
	if vs := values(e, attr); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// user decodes one user entry.
func (d *decoder) user(e *goldap.Entry) account {
	a := account{}
	bad := func(attr string, err error) {
		a.problems = append(a.problems, fmt.Sprintf("%s: %s: %v", e.DN, attr, err))
	}
	attrs := map[string]string{AttrDN: e.DN}
	p := inventory.Principal{
		ID:       inventory.LDAPPrincipalID(e.DN),
		Provider: inventory.ProviderLDAP,
		Account:  d.account,
		Kind:     inventory.KindUser,
		Name:     first(e, d.attrs.Username),
		LinkRule: collector.RuleSource,
	}
	person := inventory.Person{
		Source:     d.source,
		EmployeeID: first(e, d.attrs.EmployeeID),
		Name:       first(e, d.attrs.Name),
		Department: first(e, d.attrs.Department),
		Title:      first(e, d.attrs.Title),
		ExternalID: first(e, d.attrs.ExternalID),
	}
	if person.Name == "" {
		person.Name = first(e, "cn")
	}
	if person.EmployeeID != "" {
		attrs[AttrEmployeeID] = person.EmployeeID
	}
	if person.ExternalID != "" {
		attrs[collector.AttrExternalID] = person.ExternalID
	}
	a.managerDN = first(e, d.attrs.Manager)

	// Emails: the mail values, then SMTP proxy addresses, primary first. Aliases: the username,
	// then the other alias attributes' values (userPrincipalName, ...), emails left out.
	isEmail := func(v string) bool {
		return slices.ContainsFunc(person.Emails, func(m string) bool { return strings.EqualFold(m, v) })
	}
	addEmail := func(v string) {
		if v != "" && !isEmail(v) {
			person.Emails = append(person.Emails, v)
		}
	}
	for _, m := range values(e, d.attrs.Email) {
		addEmail(m)
	}
	var primaries, secondaries, others []string
	for _, attr := range d.attrs.Aliases {
		for _, v := range values(e, attr) {
			if !strings.EqualFold(attr, "proxyAddresses") {
				others = append(others, v)
				continue
			}
			if addr, primary, err := ParseProxyAddress(v); err == nil {
				if primary {
					primaries = append(primaries, addr)
				} else {
					secondaries = append(secondaries, addr)
				}
			}
		}
	}
	for _, addr := range slices.Concat(primaries, secondaries) {
		addEmail(addr)
	}
	for _, v := range slices.Concat([]string{p.Name}, others) {
		if v != "" && !isEmail(v) && !slices.ContainsFunc(person.Aliases, func(a string) bool { return strings.EqualFold(a, v) }) {
			person.Aliases = append(person.Aliases, v)
		}
	}
	if len(person.Emails) > 0 {
		p.Email = person.Emails[0]
	}

	// Account state.
	disabled := false
	var expires time.Time
	if d.flavor == FlavorAD {
		if raw := e.GetEqualFoldRawAttributeValue("objectGUID"); len(raw) > 0 {
			if g, err := FormatGUID(raw); err == nil {
				p.NativeID = g
			} else {
				bad("objectGUID", err)
			}
		}
		if v := first(e, "userAccountControl"); v != "" {
			uac, err := ParseUAC(v)
			if err != nil {
				bad("userAccountControl", err)
			} else {
				attrs[AttrUserAccountControl] = strconv.FormatUint(uint64(uac), 10)
				if s := uac.String(); s != "" {
					attrs[AttrUACFlags] = s
				}
				disabled = uac.Disabled()
			}
		} else {
			bad("userAccountControl", fmt.Errorf("missing; cannot tell whether the account is enabled"))
		}
		if v := first(e, "accountExpires"); v != "" {
			if t, err := ParseFileTime(v); err != nil {
				bad("accountExpires", err)
			} else {
				expires = t
			}
		}
		if v := first(e, "lastLogonTimestamp"); v != "" {
			if t, err := ParseFileTime(v); err != nil {
				bad("lastLogonTimestamp", err)
			} else {
				p.LastActivity = t
			}
		}
		if v := first(e, "whenCreated"); v != "" {
			if t, err := ParseGeneralizedTime(v); err != nil {
				bad("whenCreated", err)
			} else {
				p.CreatedAt = t
			}
		}
		if v := first(e, "lockoutTime"); v != "" {
			if t, err := ParseFileTime(v); err != nil {
				bad("lockoutTime", err)
			} else if !t.IsZero() {
				attrs[AttrLocked] = "lockout"
				attrs[AttrLockedSince] = t.Format(time.RFC3339)
			}
		}
		if v := first(e, "pwdLastSet"); v != "" {
			// 0 means no password was ever set, or it must be changed at the next logon: its
			// age is unknown, so no credential is recorded.
			if t, err := ParseFileTime(v); err != nil {
				bad("pwdLastSet", err)
			} else if !t.IsZero() {
				p.Credentials = []inventory.Credential{{Kind: inventory.CredPassword, ID: "password", CreatedAt: t}}
			}
		}
	} else {
		p.NativeID = first(e, "entryUUID")
		if v := first(e, "createTimestamp"); v != "" {
			if t, err := ParseGeneralizedTime(v); err != nil {
				bad("createTimestamp", err)
			} else {
				p.CreatedAt = t
			}
		}
		if v := first(e, "pwdAccountLockedTime"); v != "" {
			if l, err := ParseLockedTime(v); err != nil {
				bad("pwdAccountLockedTime", err)
			} else if l.Permanent {
				attrs[AttrLocked] = "permanent"
				disabled = true
			} else {
				attrs[AttrLocked] = "lockout"
				attrs[AttrLockedSince] = l.Since.Format(time.RFC3339)
			}
		}
		for _, attr := range []string{"authTimestamp", "pwdLastSuccess"} {
			if v := first(e, attr); v != "" {
				if t, err := ParseGeneralizedTime(v); err != nil {
					bad(attr, err)
				} else if t.After(p.LastActivity) {
					p.LastActivity = t
				}
			}
		}
		if v := first(e, "pwdChangedTime"); v != "" {
			if t, err := ParseGeneralizedTime(v); err != nil {
				bad("pwdChangedTime", err)
			} else {
				p.Credentials = []inventory.Credential{{Kind: inventory.CredPassword, ID: "password", CreatedAt: t}}
			}
		}
	}
	if v := first(e, d.attrs.EndDate); v != "" {
		var t time.Time
		var err error
		if strings.EqualFold(d.attrs.EndDate, "shadowExpire") {
			t, err = ParseShadowExpire(v)
		} else {
			t, err = ParseGeneralizedTime(v)
		}
		if err != nil {
			bad(d.attrs.EndDate, err)
		} else if !t.IsZero() && (expires.IsZero() || t.Before(expires)) {
			expires = t
		}
	}
	expired := !expires.IsZero() && !d.now.Before(expires)
	if !expires.IsZero() {
		attrs[AttrAccountExpires] = expires.Format(time.RFC3339)
		person.EndDate = expires
	}
	p.Disabled = disabled || expired
	for i := range p.Credentials {
		p.Credentials[i].Status = inventory.CredActive
		if p.Disabled {
			p.Credentials[i].Status = inventory.CredInactive
		}
	}

	switch {
	case p.Disabled:
		person.Status = inventory.PersonTerminated
	default:
		person.Status = inventory.PersonActive
		if v := first(e, d.attrs.Status); v != "" {
			if s, ok := d.statuses[strings.ToLower(v)]; ok {
				person.Status = s
			}
		}
	}

	for _, g := range values(e, "memberOf") {
		p.Groups = append(p.Groups, inventory.LDAPPrincipalID(g))
	}
	key := person.EmployeeID
	if key == "" {
		key = p.NativeID
	}
	if key == "" {
		key = e.DN
	}
	person.ID = d.source + ":" + key
	p.PersonID = person.ID
	for k, v := range attrs {
		if !utf8.ValidString(v) {
			delete(attrs, k)
		}
	}
	p.Attributes = attrs
	a.person, a.principal = person, p
	return a
}

// group decodes one group entry. members are the DNs it lists (member, uniqueMember); uids
// are a posixGroup's memberUid usernames.
func (d *decoder) group(e *goldap.Entry) (p inventory.Principal, members, uids, problems []string) {
	p = inventory.Principal{
		ID:         inventory.LDAPPrincipalID(e.DN),
		Provider:   inventory.ProviderLDAP,
		Account:    d.account,
		Kind:       inventory.KindGroup,
		Name:       first(e, "cn"),
		Attributes: map[string]string{AttrDN: e.DN},
	}
	bad := func(attr string, err error) { problems = append(problems, fmt.Sprintf("%s: %s: %v", e.DN, attr, err)) }
	created := "createTimestamp"
	if d.flavor == FlavorAD {
		created = "whenCreated"
		if raw := e.GetEqualFoldRawAttributeValue("objectGUID"); len(raw) > 0 {
			if g, err := FormatGUID(raw); err == nil {
				p.NativeID = g
			} else {
				bad("objectGUID", err)
			}
		}
	} else {
		p.NativeID = first(e, "entryUUID")
	}
	if v := first(e, created); v != "" {
		if t, err := ParseGeneralizedTime(v); err == nil {
			p.CreatedAt = t
		} else {
			bad(created, err)
		}
	}
	for _, g := range values(e, "memberOf") {
		p.Groups = append(p.Groups, inventory.LDAPPrincipalID(g))
	}
	return p, slices.Concat(values(e, "member"), values(e, "uniqueMember")), values(e, "memberUid"), problems
}
