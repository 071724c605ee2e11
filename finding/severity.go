package finding

import (
	"encoding"
	"fmt"
	"strings"
)

// Severity orders findings: info < low < medium < high < critical. The zero value is invalid.
type Severity int

// The severities, in rising order.
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"", "info", "low", "medium", "high", "critical"}

// Severities lists every valid severity, lowest first.
func Severities() []Severity {
	return []Severity{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
}

// String returns the lowercase name ("high"), or "invalid(n)" for values out of range.
func (s Severity) String() string {
	if s.Valid() {
		return severityNames[s]
	}
	return fmt.Sprintf("invalid(%d)", int(s))
}

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool { return s >= SeverityInfo && s <= SeverityCritical }

// AtLeast reports whether s is as severe as min or more (for --fail-on).
func (s Severity) AtLeast(min Severity) bool { return s >= min }

// ParseSeverity reads a severity name, case-insensitively and ignoring surrounding space.
func ParseSeverity(text string) (Severity, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	for i, n := range severityNames {
		if i > 0 && n == t {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("invalid severity %q: want one of info, low, medium, high, critical", text)
}

// MarshalText writes the name; it fails for an invalid severity so that bad data never reaches
// a report silently.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("marshal severity: %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

var (
	_ encoding.TextMarshaler   = Severity(0)
	_ encoding.TextUnmarshaler = (*Severity)(nil)
)
