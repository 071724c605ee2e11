package gcpiam

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/provost-dev/provost/inventory"
)

// MemberType is the kind of an IAM policy member, spelled as in the member string's prefix.
type MemberType string

// Member types an allow policy can name.
const (
	MemberUser                  MemberType = "user"
	MemberServiceAccount        MemberType = "serviceAccount"
	MemberGroup                 MemberType = "group"
	MemberDomain                MemberType = "domain"
	MemberAllUsers              MemberType = "allUsers"
	MemberAllAuthenticatedUsers MemberType = "allAuthenticatedUsers"
	MemberPrincipal             MemberType = "principal"    // principal://… (one federated identity)
	MemberPrincipalSet          MemberType = "principalSet" // principalSet://… (a set of identities)
	MemberProjectOwner          MemberType = "projectOwner" // convenience values on resource policies
	MemberProjectEditor         MemberType = "projectEditor"
	MemberProjectViewer         MemberType = "projectViewer"
)

// Member is one parsed IAM policy member.
type Member struct {
	Type MemberType
	// Email for user, serviceAccount and group members; the domain for domain members; the
	// project for projectOwner/Editor/Viewer; the whole URI for principal and principalSet.
	Value string
	// Deleted is set for "deleted:<type>:<email>?uid=<uid>" members: the identity was deleted
	// after it was bound. UID is the deleted identity's unique ID.
	Deleted bool
	UID     string
}

// ParseMember parses an IAM member string: user:, serviceAccount:, group:, domain:, allUsers,
// allAuthenticatedUsers, deleted:<type>:<email>?uid=<uid>, principal://…, principalSet://… and
// the projectOwner:/projectEditor:/projectViewer: convenience values. It rejects anything else
// with an error that quotes the member.
func ParseMember(s string) (Member, error) {
	bad := func(why string) (Member, error) {
		return Member{}, fmt.Errorf("invalid IAM member %q: %s", s, why)
	}
	if s == "" {
		return bad("empty")
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return bad("contains white space or control characters")
	}
	switch s {
	case string(MemberAllUsers):
		return Member{Type: MemberAllUsers}, nil
	case string(MemberAllAuthenticatedUsers):
		return Member{Type: MemberAllAuthenticatedUsers}, nil
	}
	for _, t := range []MemberType{MemberPrincipal, MemberPrincipalSet} {
		if rest, ok := strings.CutPrefix(s, string(t)+"://"); ok {
			host, path, _ := strings.Cut(rest, "/")
			if host == "" || path == "" {
				return bad("want " + string(t) + "://<service>/<path>")
			}
			return Member{Type: t, Value: s}, nil
		}
	}
	rest, deleted := strings.CutPrefix(s, "deleted:")
	typ, value, ok := strings.Cut(rest, ":")
	if !ok {
		return bad("want <type>:<value>, allUsers, allAuthenticatedUsers or principal://…")
	}
	m := Member{Type: MemberType(typ), Deleted: deleted}
	switch m.Type {
	case MemberUser, MemberServiceAccount, MemberGroup:
		email, uid, hasUID := strings.Cut(value, "?uid=")
		if deleted && (!hasUID || uid == "" || strings.ContainsAny(uid, "?&=")) {
			return bad("a deleted member needs ?uid=<unique ID>")
		}
		if !deleted && hasUID {
			return bad("?uid= is only valid on deleted: members")
		}
		if err := checkEmail(email); err != nil {
			return bad(err.Error())
		}
		m.Value, m.UID = email, uid
	case MemberDomain, MemberProjectOwner, MemberProjectEditor, MemberProjectViewer:
		if deleted {
			return bad("only user, serviceAccount and group members can be deleted:")
		}
		if value == "" || strings.ContainsAny(value, "@:/?") {
			return bad("want " + typ + ":<name>")
		}
		m.Value = value
	default:
		return bad("unknown member type " + fmt.Sprintf("%q", typ))
	}
	return m, nil
}

func checkEmail(e string) error {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(domain, "@:/?") || strings.ContainsAny(local, ":/?") {
		return fmt.Errorf("%q is not an email address", e)
	}
	return nil
}

// String reassembles the member string ParseMember accepts.
func (m Member) String() string {
	switch m.Type {
	case MemberAllUsers, MemberAllAuthenticatedUsers:
		return string(m.Type)
	case MemberPrincipal, MemberPrincipalSet:
		return m.Value
	}
	s := string(m.Type) + ":" + m.Value
	if m.Deleted {
		s = "deleted:" + s + "?uid=" + m.UID
	}
	return s
}

// PrincipalID is the member's stable inventory ID, following docs/inventory.md: emails and
// domains case-folded, "gcp:deleted:<member>" for deleted identities, the URI as is for
// workforce and workload identities.
func (m Member) PrincipalID() string {
	switch m.Type {
	case MemberAllUsers, MemberAllAuthenticatedUsers:
		return "gcp:" + string(m.Type)
	case MemberPrincipal, MemberPrincipalSet:
		return "gcp:" + m.Value
	}
	if m.Deleted {
		return "gcp:deleted:" + string(m.Type) + ":" + strings.ToLower(m.Value) + "?uid=" + m.UID
	}
	return inventory.GCPPrincipalID(string(m.Type), m.Value)
}

// Kind is the inventory kind of the member: one identity (user, service account, a single
// federated principal) or a set of identities (groups, domains, the public, principal sets).
func (m Member) Kind() inventory.PrincipalKind {
	switch m.Type {
	case MemberUser, MemberPrincipal:
		return inventory.KindUser
	case MemberServiceAccount:
		return inventory.KindServiceAccount
	}
	return inventory.KindGroup
}

// Email is the member's email address, case-folded, for user, service account and group members
// (deleted ones included); "" otherwise.
func (m Member) Email() string {
	switch m.Type {
	case MemberUser, MemberServiceAccount, MemberGroup:
		return strings.ToLower(m.Value)
	}
	return ""
}
