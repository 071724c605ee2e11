package finding

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// Status is where a finding is in its lifecycle.
type Status string

// The statuses. Open, Waived, Error and CannotEvaluate are "live"; Resolved is closed.
const (
	StatusOpen           Status = "open"
	StatusWaived         Status = "waived"
	StatusResolved       Status = "resolved"
	StatusError          Status = "error"
	StatusCannotEvaluate Status = "cannot_evaluate"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusWaived, StatusResolved, StatusError, StatusCannotEvaluate:
		return true
	}
	return false
}

// Live reports whether the finding still stands (anything but resolved).
func (s Status) Live() bool { return s.Valid() && s != StatusResolved }

// MarshalJSON rejects invalid statuses.
func (s Status) MarshalJSON() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("marshal finding status: invalid %q", string(s))
	}
	return json.Marshal(string(s))
}

// UnmarshalJSON accepts only the known statuses.
func (s *Status) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("finding status: %w", err)
	}
	if !Status(v).Valid() {
		return fmt.Errorf("invalid finding status %q: want open, waived, resolved, error or cannot_evaluate", v)
	}
	*s = Status(v)
	return nil
}

var (
	_ json.Marshaler   = Status("")
	_ json.Unmarshaler = (*Status)(nil)
)

// Check IDs of findings the engine itself produces rather than a Rego check.
const (
	// CheckPolicyError is used for a policy module that fails to load or compile when the check
	// it belongs to has no usable ID.
	CheckPolicyError = "PV-POLICY-ERROR"
	// CheckWaiverExpired reports a waiver past its expiry: it no longer suppresses anything.
	CheckWaiverExpired = "PV-WAIVER-EXPIRED"
)

// Remediation is a check's suggested fix: a machine-readable action keyword (which the
// remediation planner maps to an executor) and text for humans.
type Remediation struct {
	Action string `json:"action,omitempty"`
	Text   string `json:"text,omitempty"`
}

// Finding is one problem a check found with one principal (and, when the check says so, one
// credential or binding of it: the qualifier).
type Finding struct {
	ID          string             `json:"id"`
	CheckID     string             `json:"check_id"`
	Title       string             `json:"title,omitempty"`
	Severity    Severity           `json:"severity"`
	Frameworks  []string           `json:"frameworks,omitempty"`
	Principal   string             `json:"principal,omitempty"`
	Account     string             `json:"account,omitempty"`
	Provider    inventory.Provider `json:"provider,omitempty"`
	Qualifier   string             `json:"qualifier,omitempty"`
	Message     string             `json:"message"`
	Evidence    map[string]any     `json:"evidence,omitempty"`
	Remediation Remediation        `json:"remediation,omitzero"`
	Status      Status             `json:"status"`
	FirstSeen   time.Time          `json:"first_seen,omitzero"`
	LastSeen    time.Time          `json:"last_seen,omitzero"`
	ResolvedAt  time.Time          `json:"resolved_at,omitzero"`
	// WaivedBy is the owner of the waiver that suppresses the finding; WaiverReason and
	// WaiverExpires say why and until when.
	WaivedBy      string    `json:"waived_by,omitempty"`
	WaiverReason  string    `json:"waiver_reason,omitempty"`
	WaiverExpires time.Time `json:"waiver_expires,omitzero"`
}

// ID returns the stable finding ID of a check, a principal and a qualifier: "f-" and 24 hex
// digits of a SHA-256 over the three length-prefixed fields.
func ID(checkID, principal, qualifier string) string {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	for _, s := range []string{checkID, principal, qualifier} {
		n := binary.PutUvarint(buf[:], uint64(len(s)))
		h.Write(buf[:n])
		h.Write([]byte(s))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return "f-" + hex.EncodeToString(sum[:12])
}

// OpenFor is how long the finding has stood at time at: from FirstSeen to at, or to ResolvedAt
// once resolved. It is zero when FirstSeen is unknown.
func (f Finding) OpenFor(at time.Time) time.Duration {
	if f.FirstSeen.IsZero() {
		return 0
	}
	end := at
	if f.Status == StatusResolved && !f.ResolvedAt.IsZero() {
		end = f.ResolvedAt
	}
	if end.Before(f.FirstSeen) {
		return 0
	}
	return end.Sub(f.FirstSeen)
}
