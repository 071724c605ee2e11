package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/provost-dev/provost/finding"
)

// Waiver accepts a risk: findings of checks matching Check, for principals matching
// Principal (and qualifiers matching Qualifier, when set), become "waived" until Expires.
// Patterns are globs where "*" matches any run of characters ("/" and ":" included) and "?"
// one character.
type Waiver struct {
	Check     string    `json:"check"`
	Principal string    `json:"principal"`
	Qualifier string    `json:"qualifier,omitempty"`
	Reason    string    `json:"reason"`
	Owner     string    `json:"owner"`
	Expires   time.Time `json:"expires"`
	// Source says where the waiver was written ("waivers.toml:12"), for messages.
	Source string `json:"source,omitempty"`
}

// WaiverSpec is a waiver as written in TOML ([[waiver]] tables), before validation. Expires
// is a TOML date (valid through that day, UTC), a date-time, or a string holding either.
type WaiverSpec struct {
	Check     string `toml:"check"`
	Principal string `toml:"principal"`
	Qualifier string `toml:"qualifier"`
	Reason    string `toml:"reason"`
	Owner     string `toml:"owner"`
	Expires   any    `toml:"expires"`
}

// Waiver validates the spec; source names it in errors ("waivers.toml:12").
func (s WaiverSpec) Waiver(source string) (Waiver, error) {
	w := Waiver{Check: s.Check, Principal: s.Principal, Qualifier: s.Qualifier, Reason: s.Reason, Owner: s.Owner, Source: source}
	exp, err := waiverExpiry(s.Expires)
	if err != nil {
		return Waiver{}, fmt.Errorf("%s: waiver %s: expires: %w", source, s.Check, err)
	}
	w.Expires = exp
	if err := w.validate(); err != nil {
		return Waiver{}, err
	}
	return w, nil
}

func waiverExpiry(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, errors.New("missing: every waiver needs an expiry date such as 2026-03-31")
	case toml.LocalDate:
		return time.Date(v.Year, time.Month(v.Month), v.Day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1), nil
	case toml.LocalDateTime:
		return v.AsTime(time.UTC), nil
	case time.Time:
		return v.UTC(), nil
	case string:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), nil
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.AddDate(0, 0, 1), nil
		}
		return time.Time{}, fmt.Errorf("%q is not a date (2026-03-31) or RFC 3339 time", v)
	}
	return time.Time{}, fmt.Errorf("%v is not a date (2026-03-31) or RFC 3339 time", v)
}

func (w Waiver) validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"check", w.Check}, {"principal", w.Principal}, {"reason", w.Reason}, {"owner", w.Owner},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if w.Expires.IsZero() {
		missing = append(missing, "expires")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: waiver %s: missing %s (a waiver needs check, principal, reason, owner and expires)", w.Source, w.Check, strings.Join(missing, ", "))
	}
	return nil
}

// ValidateWaivers checks every waiver and reports all problems.
func ValidateWaivers(ws []Waiver) error {
	var errs []error
	for _, w := range ws {
		if err := w.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ParseWaivers reads a waivers file: [[waiver]] tables with check, principal, optional
// qualifier, reason, owner and expires. Unknown keys are rejected; errors name the file and
// line. name is used in messages and in each waiver's Source.
func ParseWaivers(r io.Reader, name string) ([]Waiver, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read waivers %s: %w", name, err)
	}
	var file struct {
		Waiver []WaiverSpec `toml:"waiver"`
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			if strings.Contains(de.Error(), "unknown field") {
				return nil, fmt.Errorf("%s:%d:%d: unknown key %q (known keys: check, principal, qualifier, reason, owner, expires)", name, row, col, strings.Join(de.Key(), "."))
			}
			return nil, fmt.Errorf("%s:%d:%d: %s", name, row, col, de.Error())
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lines := waiverLines(data)
	out := make([]Waiver, 0, len(file.Waiver))
	var errs []error
	for i, s := range file.Waiver {
		src := fmt.Sprintf("%s: waiver[%d]", name, i)
		if i < len(lines) {
			src = fmt.Sprintf("%s:%d", name, lines[i])
		}
		w, err := s.Waiver(src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, w)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// LoadWaivers reads a waivers file from disk.
func LoadWaivers(path string) ([]Waiver, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open waivers: %w", err)
	}
	defer f.Close()
	return ParseWaivers(f, path)
}

// waiverLines returns the line of each [[waiver]] header, in order.
func waiverLines(data []byte) []int {
	var p unstable.Parser
	p.Reset(data)
	var lines []int
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.ArrayTable {
			continue
		}
		it := e.Key()
		if !it.Next() {
			continue
		}
		k := it.Node()
		if string(k.Data) != "waiver" || it.Next() {
			continue
		}
		lines = append(lines, p.Shape(p.Range(k.Data)).Start.Line)
	}
	return lines
}

// ApplyWaivers marks open and cannot_evaluate findings matched by an unexpired waiver as
// waived (the first matching waiver wins) and adds one PV-WAIVER-EXPIRED finding per expired
// waiver; expired waivers suppress nothing. Error findings are never waived: a broken check is
// a blind spot, not a risk to accept. at is the evaluation time.
func ApplyWaivers(fs []finding.Finding, ws []Waiver, at time.Time) []finding.Finding {
	expiredMatches := markWaived(fs, ws, at)
	for j, w := range ws {
		if at.Before(w.Expires) {
			continue
		}
		q := w.Check + " " + w.Principal
		if w.Qualifier != "" {
			q += " " + w.Qualifier
		}
		fs = append(fs, finding.Finding{
			ID:        finding.ID(finding.CheckWaiverExpired, "", q),
			CheckID:   finding.CheckWaiverExpired,
			Title:     "Waiver expired",
			Severity:  finding.SeverityLow,
			Qualifier: q,
			Message: fmt.Sprintf("waiver for %s on %s (owner %s) expired at %s; it matches %d finding(s), open again unless another waiver covers them",
				w.Check, w.Principal, w.Owner, w.Expires.Format(time.RFC3339), expiredMatches[j]),
			Evidence: map[string]any{
				"check": w.Check, "principal": w.Principal, "qualifier": w.Qualifier, "owner": w.Owner,
				"reason": w.Reason, "expires": w.Expires.Format(time.RFC3339), "source": w.Source,
				"findings_matched": expiredMatches[j],
			},
			Remediation: finding.Remediation{Action: "review", Text: "Fix the findings, or renew the waiver with a new expiry and reason."},
			Status:      finding.StatusOpen,
		})
	}
	return fs
}

// markWaived waives the findings covered by an unexpired waiver (the first in ws wins), in
// place, and returns for each expired waiver how many findings it matches.
func markWaived(fs []finding.Finding, ws []Waiver, at time.Time) []int {
	expiredMatches := make([]int, len(ws))
	for i := range fs {
		f := &fs[i]
		if f.Status != finding.StatusOpen && f.Status != finding.StatusCannotEvaluate {
			continue
		}
		waived := false
		for j, w := range ws {
			if !w.matches(*f) {
				continue
			}
			if !at.Before(w.Expires) {
				expiredMatches[j]++
				continue
			}
			if !waived {
				f.Status = finding.StatusWaived
				f.WaivedBy, f.WaiverReason, f.WaiverExpires = w.Owner, w.Reason, w.Expires
				waived = true
			}
		}
	}
	return expiredMatches
}

func (w Waiver) matches(f finding.Finding) bool {
	return globMatch(w.Check, f.CheckID) && globMatch(w.Principal, f.Principal) &&
		(w.Qualifier == "" || globMatch(w.Qualifier, f.Qualifier))
}

// globMatch matches s against a pattern where "*" is any run of characters and "?" any one
// character. It runs in O(len(pattern)·len(s)) time without recursion.
func globMatch(pattern, s string) bool {
	p, n := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(n) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == n[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
