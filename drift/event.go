package drift

import (
	"github.com/provost-dev/provost/inventory"
)

// Kind is what sort of change an Event records. Its value is the event's JSON name.
type Kind string

// Event kinds. Principal events carry Principal (and Person, the linked person); person events
// carry Person only; coverage events carry Source and Scope.
const (
	PrincipalAdded     Kind = "principal_added"
	PrincipalRemoved   Kind = "principal_removed"
	PrincipalNotSeen   Kind = "principal_not_seen" // missing, but its scope was not seen whole: not a removal
	PrincipalDisabled  Kind = "principal_disabled"
	PrincipalReenabled Kind = "principal_reenabled"

	CredentialCreated     Kind = "credential_created"
	CredentialDeleted     Kind = "credential_deleted"
	CredentialActivated   Kind = "credential_activated"
	CredentialDeactivated Kind = "credential_deactivated"

	MFAAdded       Kind = "mfa_added"
	MFARemoved     Kind = "mfa_removed"
	ConsoleAdded   Kind = "console_added"
	ConsoleRemoved Kind = "console_removed"

	GrantAdded   Kind = "grant_added"
	GrantRemoved Kind = "grant_removed"
	GroupAdded   Kind = "group_added"
	GroupRemoved Kind = "group_removed"

	PersonJoined        Kind = "person_joined"
	PersonLeft          Kind = "person_left"
	PersonNotSeen       Kind = "person_not_seen" // missing, but its source of truth was not seen whole
	PersonMoved         Kind = "person_moved"    // department, title or manager changed; Field says which
	PersonStatusChanged Kind = "person_status_changed"

	CoverageChanged Kind = "coverage_changed"
)

// Kinds returns every event kind, in the order events of one principal are listed.
func Kinds() []Kind {
	return []Kind{
		PrincipalAdded, PrincipalRemoved, PrincipalNotSeen, PrincipalDisabled, PrincipalReenabled,
		CredentialCreated, CredentialDeleted, CredentialActivated, CredentialDeactivated,
		MFAAdded, MFARemoved, ConsoleAdded, ConsoleRemoved,
		GrantAdded, GrantRemoved, GroupAdded, GroupRemoved,
		PersonJoined, PersonLeft, PersonNotSeen, PersonMoved, PersonStatusChanged,
		CoverageChanged,
	}
}

// Event is one change between two snapshots.
//
// Before and After hold the changed value as text: a status ("active" → "inactive"), a privilege
// level, a person's department. Empty means "none" or "not there".
type Event struct {
	Kind Kind `json:"kind"`

	// Principal events.
	Principal     string                  `json:"principal,omitempty"`
	PrincipalKind inventory.PrincipalKind `json:"principal_kind,omitempty"`
	Name          string                  `json:"name,omitempty"` // the principal's or person's name
	Account       string                  `json:"account,omitempty"`
	Provider      inventory.Provider      `json:"provider,omitempty"`
	// Person is the person the principal is linked to, or the subject of a person event.
	Person string `json:"person,omitempty"`

	// Source names the source of a person or coverage event; Scope the scope of a coverage
	// event or of a grant (its Where).
	Source string `json:"source,omitempty"`
	Scope  string `json:"scope,omitempty"`

	// Field is what changed inside the subject: a group ID, a credential ID, a person field
	// ("department", "title", "manager").
	Field      string                `json:"field,omitempty"`
	Credential *inventory.Credential `json:"credential,omitempty"`
	Grant      *inventory.Grant      `json:"grant,omitempty"`

	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`

	// Escalation marks a grant_added that raised the principal's highest privilege at the
	// grant's scope (Before and After hold that highest privilege).
	Escalation bool `json:"escalation,omitempty"`
	// Uncertain marks a gain (added, joined, granted, enabled …) seen against a previous
	// snapshot that did not see the scope (or source of truth) whole: it may have been there
	// already, unseen.
	Uncertain bool `json:"uncertain,omitempty"`

	Message string `json:"message"`
}

// ForPrincipal groups principal events by principal ID, keeping their order. It is what a check
// reads as input.drift: the events of one principal since the previous snapshot. Person and
// coverage events are left out; add ForPerson(events)[principal.PersonID] for a linked person's
// joins, moves and status changes.
func ForPrincipal(events []Event) map[string][]Event {
	out := map[string][]Event{}
	for _, e := range events {
		if e.Principal != "" {
			out[e.Principal] = append(out[e.Principal], e)
		}
	}
	return out
}

// ForPerson groups person events (joined, left, not seen, moved, status changed) by person ID,
// keeping their order. Principal events that merely name a linked person are left out.
func ForPerson(events []Event) map[string][]Event {
	out := map[string][]Event{}
	for _, e := range events {
		if e.Principal == "" && e.Person != "" {
			out[e.Person] = append(out[e.Person], e)
		}
	}
	return out
}
