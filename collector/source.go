package collector

import (
	"context"
	"errors"
	"fmt"

	"github.com/provost-dev/provost/inventory"
)

// Source collects identities from one system: a cloud, a directory or an HR export.
//
// Collect must honour ctx: when it is cancelled or its deadline passes, Collect returns promptly
// with ctx's error (the runner records the source as failed with kind "timeout"). Collect is
// read-only and idempotent; it never changes the system it reads.
//
// Partial failure is data, not an error: a source that could read some scopes and not others
// returns a Result whose Coverage marks each scope complete, partial or failed with an ErrorKind,
// and a nil error. Collect returns a non-nil error only when it could read nothing at all; the
// runner then records one failed Coverage entry for the source, classified with KindOf.
type Source interface {
	// Name is the source's configured name, unique within a config (e.g. "aws-prod").
	Name() string
	Collect(ctx context.Context) (*Result, error)
}

// Result is what one source saw.
type Result struct {
	Coverage   []inventory.Coverage
	Accounts   []inventory.Account
	Principals []inventory.Principal
	PolicyDocs []inventory.PolicyDoc
	People     []inventory.Person
}

// Error is an error with a classified kind. Sources wrap provider errors in it (see Errorf and
// Classify) so that Coverage can say why a scope was not seen.
type Error struct {
	Kind inventory.ErrorKind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind; the format follows fmt.Errorf and may wrap with %w.
func Errorf(kind inventory.ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// KindOf classifies err: the Kind of the outermost *Error in its chain, ErrTimeout for context
// deadlines and cancellation, ErrUnknown otherwise (ErrNone for nil).
func KindOf(err error) inventory.ErrorKind {
	if err == nil {
		return inventory.ErrNone
	}
	var ce *Error
	if errors.As(err, &ce) && ce.Kind != inventory.ErrNone {
		return ce.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return inventory.ErrTimeout
	}
	return inventory.ErrUnknown
}
