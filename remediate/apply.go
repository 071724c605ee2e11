package remediate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// Journal is the part of the store remediation writes to (store.DB implements it). Values are
// opaque bytes (JSON of Entry and Mark). Reads return nil, nil for an absent key. Writes are
// durable when they return (a committed, fsynced bbolt transaction).
type Journal interface {
	JournalEntry(id string) ([]byte, error)
	PutJournalEntry(ctx context.Context, id string, v []byte) error
	EachJournalEntry(fn func(id string, v []byte) error) error
	PutMark(ctx context.Context, key string, v []byte) error
	DeleteMark(ctx context.Context, key string) error
	EachMark(fn func(key string, v []byte) error) error
}

// State is where a journalled step is.
type State string

// The journal states. Done, Skipped and Undone are final for Apply; Intent means the call may
// or may not have reached the target; Failed is retried by the next Apply.
const (
	StateIntent  State = "intent"
	StateDone    State = "done"
	StateSkipped State = "skipped"
	StateFailed  State = "failed"
	StateUndone  State = "undone"
)

// Entry is one step's journal record.
type Entry struct {
	Step     Step      `json:"step"`
	State    State     `json:"state"`
	Detail   string    `json:"detail,omitempty"`
	Error    string    `json:"error,omitempty"`
	IntentAt time.Time `json:"intent_at,omitzero"`
	ResultAt time.Time `json:"result_at,omitzero"`
	Undo     Undo      `json:"undo,omitempty"`
	UndoneAt time.Time `json:"undone_at,omitzero"`
	// Verified says whether the target showed the change when re-read right after acting;
	// VerifyDetail is what the re-read said. Cloud IAM is eventually consistent, so a change
	// not yet visible is recorded, not treated as a failure.
	Verified     bool   `json:"verified,omitempty"`
	VerifyDetail string `json:"verify_detail,omitempty"`
}

// Outcome is what Apply did with one step.
type Outcome struct {
	StepID string `json:"step_id"`
	State  State  `json:"state"` // for a dry run: "would_act", "done" or "skipped"
	Detail string `json:"detail,omitempty"`
	Error  string `json:"error,omitempty"`
}

// StateWouldAct is the outcome of a step a dry run would have acted on.
const StateWouldAct State = "would_act"

// Applier applies plans. Executors are chosen by the target's provider.
type Applier struct {
	Policy    *Policy
	Journal   Journal
	Executors map[inventory.Provider]Executor
	Now       func() time.Time
	Logger    *slog.Logger
	// DryRun reads the journal and the live targets but writes nothing anywhere.
	DryRun bool
	// AutomaticOnly applies only steps whose rule is automatic and in scope (the daemon), and
	// the steps whose IDs Approved holds (a human approved them, or the caller pre-approves
	// marks).
	AutomaticOnly bool
	Approved      map[string]bool
}

func (a *Applier) log() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger.With("component", "remediate")
}

func (a *Applier) now() time.Time {
	if a.Now == nil {
		return time.Now().UTC()
	}
	return a.Now().UTC()
}

// Apply runs the run-level guards, then each step in plan order. A guard refusal returns a
// *GuardError before anything is read from or written to a target. Step failures are journalled
// and reported in the outcomes; the returned error is then non-nil (the first failure) but
// the other steps still run. ctx cancellation stops between steps.
func (a *Applier) Apply(ctx context.Context, plan *Plan, facts RunFacts) ([]Outcome, error) {
	if err := CheckRun(a.Policy, plan, facts); err != nil {
		return nil, err
	}
	if !a.DryRun {
		for _, k := range plan.ClearMarks {
			if err := a.Journal.DeleteMark(ctx, k); err != nil {
				return nil, fmt.Errorf("clear mark %s: %w", k, err)
			}
		}
	}
	var out []Outcome
	var first error
	for _, s := range plan.Steps {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("apply plan of %s: %w", plan.SnapshotID, err)
		}
		if a.AutomaticOnly && !s.Automatic && !a.Approved[s.ID] {
			continue
		}
		o, err := a.step(ctx, s)
		out = append(out, o)
		if err != nil && first == nil {
			first = err
		}
	}
	return out, first
}

func (a *Applier) step(ctx context.Context, s Step) (Outcome, error) {
	log := a.log().With("step", s.ID, "action", s.Action, "principal", s.Target.Principal)
	prev, err := a.entry(s.ID)
	if err != nil {
		return Outcome{StepID: s.ID, State: StateFailed, Error: err.Error()}, err
	}
	if prev != nil && (prev.State == StateDone || prev.State == StateSkipped || prev.State == StateUndone) {
		return Outcome{StepID: s.ID, State: prev.State, Detail: "journalled earlier: " + prev.Detail}, nil
	}
	fail := func(err error) (Outcome, error) {
		err = fmt.Errorf("step %s (%s on %s): %w", s.ID, s.Action, s.Target.Principal, err)
		log.Warn("remediation step failed", "err", err)
		if !a.DryRun {
			e := Entry{Step: s, State: StateFailed, Error: err.Error(), ResultAt: a.now()}
			if prev != nil {
				e.IntentAt = prev.IntentAt
			}
			if werr := a.put(ctx, e); werr != nil {
				err = errors.Join(err, werr)
			}
		}
		return Outcome{StepID: s.ID, State: StateFailed, Error: err.Error()}, err
	}
	ex := a.Executors[s.Target.Provider]
	if ex == nil {
		return fail(fmt.Errorf("no executor configured for provider %q", s.Target.Provider))
	}
	live, err := ex.Check(ctx, s)
	if err != nil {
		return fail(fmt.Errorf("re-read live state: %w", err))
	}
	if live.Done || !live.Holds {
		st := StateSkipped
		if live.Done {
			st = StateDone
		}
		if a.DryRun {
			return Outcome{StepID: s.ID, State: st, Detail: live.Detail}, nil
		}
		e := Entry{Step: s, State: st, Detail: live.Detail, ResultAt: a.now(), Undo: Undo(live.Native)}
		if prev != nil {
			e.IntentAt = prev.IntentAt
		}
		if err := a.finish(ctx, e); err != nil {
			return fail(err)
		}
		log.Info("remediation step needs no call", "state", st, "detail", live.Detail)
		return Outcome{StepID: s.ID, State: st, Detail: live.Detail}, nil
	}
	if a.DryRun {
		return Outcome{StepID: s.ID, State: StateWouldAct, Detail: live.Detail}, nil
	}
	intent := Entry{Step: s, State: StateIntent, Detail: live.Detail, IntentAt: a.now()}
	if err := a.put(ctx, intent); err != nil {
		return Outcome{StepID: s.ID, State: StateFailed, Error: err.Error()}, err
	}
	u, err := ex.Do(ctx, s, live)
	if err != nil {
		prev = &intent
		return fail(err)
	}
	done := intent
	done.State, done.ResultAt, done.Undo = StateDone, a.now(), u
	switch v, err := ex.Check(ctx, s); {
	case err != nil:
		done.VerifyDetail = "re-read after acting failed: " + err.Error()
	default:
		done.Verified, done.VerifyDetail = v.Done, v.Detail
	}
	if !done.Verified {
		log.Warn("remediation step not yet visible on the target", "detail", done.VerifyDetail)
	}
	if err := a.finish(ctx, done); err != nil {
		return Outcome{StepID: s.ID, State: StateFailed, Error: err.Error()}, err
	}
	log.Info("remediation step done", "detail", live.Detail)
	return Outcome{StepID: s.ID, State: StateDone, Detail: live.Detail}, nil
}

// finish journals a final entry and, for a mark, starts the grace period in the store.
func (a *Applier) finish(ctx context.Context, e Entry) error {
	if e.Step.Action == ActMark && e.State == StateDone {
		m := Mark{FindingID: e.Step.FindingID, Action: Action(e.Step.Target.Object), Principal: e.Step.Target.Principal, MarkedAt: e.ResultAt}
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode mark: %w", err)
		}
		if err := a.Journal.PutMark(ctx, MarkKey(m.FindingID, m.Action), b); err != nil {
			return fmt.Errorf("store mark: %w", err)
		}
	}
	return a.put(ctx, e)
}

func (a *Applier) entry(id string) (*Entry, error) {
	b, err := a.Journal.JournalEntry(id)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", id, err)
	}
	if b == nil {
		return nil, nil
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("decode journal %s: %w", id, err)
	}
	return &e, nil
}

func (a *Applier) put(ctx context.Context, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode journal %s: %w", e.Step.ID, err)
	}
	if err := a.Journal.PutJournalEntry(ctx, e.Step.ID, b); err != nil {
		return fmt.Errorf("write journal %s: %w", e.Step.ID, err)
	}
	return nil
}

// Undo reverses the done step stepID from its journalled undo data and journals it as undone.
func (a *Applier) Undo(ctx context.Context, stepID string) error {
	e, err := a.entry(stepID)
	if err != nil {
		return err
	}
	if e == nil {
		return fmt.Errorf("undo %s: no such step in the journal", stepID)
	}
	if e.State != StateDone {
		return fmt.Errorf("undo %s: step is %s, only a done step can be undone", stepID, e.State)
	}
	ex := a.Executors[e.Step.Target.Provider]
	if ex == nil {
		return fmt.Errorf("undo %s: no executor configured for provider %q", stepID, e.Step.Target.Provider)
	}
	if err := ex.Undo(ctx, e.Step, e.Undo); err != nil {
		return fmt.Errorf("undo %s (%s on %s): %w", stepID, e.Step.Action, e.Step.Target.Principal, err)
	}
	e.State, e.UndoneAt = StateUndone, a.now()
	return a.put(ctx, *e)
}

// Entries returns every journal entry, in step ID order.
func Entries(j Journal) ([]Entry, error) {
	var out []Entry
	err := j.EachJournalEntry(func(id string, v []byte) error {
		var e Entry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode journal %s: %w", id, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// Marks returns every stored grace mark by MarkKey, for MakePlan.
func Marks(j Journal) (map[string]Mark, error) {
	out := map[string]Mark{}
	err := j.EachMark(func(k string, v []byte) error {
		var m Mark
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("decode mark %s: %w", k, err)
		}
		out[k] = m
		return nil
	})
	return out, err
}
