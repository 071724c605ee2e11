package config

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
)

// ErrConfig matches every error Load, Parse and Validate return, so that a command can tell a
// bad configuration (exit code 2) from a failed run.
var ErrConfig = errors.New("invalid configuration")

// FieldError is one problem in a configuration: where it is and what would be valid.
type FieldError struct {
	File   string // "" for a Config built in code
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Key    string // dotted key path, e.g. "sources.aws[0].role_name"; "" for syntax errors
	Msg    string // names the key and says what would be valid
}

// Error returns "file:line[:column]: msg", leaving out the parts that are unknown.
func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
	}
	if loc == "" {
		return e.Msg
	}
	return loc + ": " + e.Msg
}

// Is makes every FieldError match ErrConfig.
func (e *FieldError) Is(target error) bool { return target == ErrConfig }

// joinErrors orders problems by position (those without a line last, in the order found), keeps
// only the first problem per key and line (a value that failed to decode is not also reported as
// invalid), and joins them; nil when there are none.
func joinErrors(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	type keyLine struct {
		key  string
		line int
	}
	seen := make(map[keyLine]bool, len(errs))
	kept := make([]*FieldError, 0, len(errs))
	for _, e := range errs {
		if e.Key != "" {
			k := keyLine{e.Key, e.Line}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		kept = append(kept, e)
	}
	slices.SortStableFunc(kept, func(a, b *FieldError) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	out := make([]error, len(kept))
	for i, e := range kept {
		out[i] = e
	}
	return errors.Join(out...)
}
