package remediate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// Action names a remediation. The names are the `remediation.action` keywords of the bundled
// checks' METADATA (docs/checks.md) where one exists.
type Action string

// The actions an executor may implement.
const (
	ActMark                  Action = "mark"                    // tag provost:marked-for (grace start)
	ActDeactivateAccessKey   Action = "deactivate_access_key"   // AWS: UpdateAccessKey Inactive
	ActDeleteAccessKey       Action = "delete_access_key"       // AWS: DeleteAccessKey
	ActRemoveConsoleLogin    Action = "remove_console_login"    // AWS: DeleteLoginProfile
	ActQuarantine            Action = "quarantine"              // AWS: deny-all inline policy
	ActRemoveFromGroup       Action = "remove_from_group"       // AWS: RemoveUserFromGroup
	ActDetachPolicy          Action = "detach_policy"           // AWS: detach managed / delete inline
	ActDeleteUser            Action = "delete_user"             // AWS, SCIM, directory
	ActRemoveBinding         Action = "remove_binding"          // GCP: setIamPolicy without the member
	ActDisableSAKey          Action = "disable_sa_key"          // GCP
	ActDisableServiceAccount Action = "disable_service_account" // GCP
	ActDisableUser           Action = "disable_user"            // SCIM active=false, LDAP/AD lock
)

// Actions lists every action a Rule may name.
var Actions = []Action{ActDeactivateAccessKey, ActDeleteAccessKey, ActRemoveConsoleLogin, ActQuarantine,
	ActRemoveFromGroup, ActDetachPolicy, ActDeleteUser, ActRemoveBinding, ActDisableSAKey,
	ActDisableServiceAccount, ActDisableUser}

// Valid reports whether a is a known action other than mark.
func (a Action) Valid() bool {
	for _, x := range Actions {
		if a == x {
			return true
		}
	}
	return false
}

// Phase is where a step is in the grace sequence.
type Phase string

// The phases.
const (
	PhaseMark   Phase = "mark"   // first sight: mark and notify, change nothing else
	PhaseAct    Phase = "act"    // the grace period passed and the violation still holds
	PhaseDelete Phase = "delete" // the second, longer period passed and deletion is configured
)

// Target is the one thing a step changes.
type Target struct {
	Provider  inventory.Provider      `json:"provider"`
	Account   string                  `json:"account"`
	Principal string                  `json:"principal"`
	Kind      inventory.PrincipalKind `json:"kind"`
	// Name is the native name the target API wants (an IAM user name, an email, a DN).
	Name string `json:"name"`
	// Credential is the credential's ID in the snapshot (an AWS slot "access_key_1", a GCP key
	// name); CredentialCreated and CredentialLastUsed are what the snapshot saw, so that the
	// executor can find the live key and refuse when it was used since.
	Credential         string    `json:"credential,omitempty"`
	CredentialCreated  time.Time `json:"credential_created,omitzero"`
	CredentialLastUsed time.Time `json:"credential_last_used,omitzero"`
	// Object is the group, policy or binding ("role member" for GCP) the step removes.
	Object string `json:"object,omitempty"`
	// Resource is the GCP resource whose IAM policy holds the binding, and Condition the
	// binding's CEL expression ("" for an unconditional binding): one binding at a time.
	Resource  string `json:"resource,omitempty"`
	Condition string `json:"condition,omitempty"`
}

// Step is one action on one target.
type Step struct {
	ID        string `json:"id"`
	FindingID string `json:"finding_id"`
	CheckID   string `json:"check_id"`
	Action    Action `json:"action"`
	Phase     Phase  `json:"phase"`
	Target    Target `json:"target"`
	// Automatic: the rule allows this step without a human, and the principal is inside the
	// rule's rollout scope.
	Automatic bool   `json:"automatic"`
	Reason    string `json:"reason"`
	// MarkedAt is when the grace period started (zero for a mark step).
	MarkedAt time.Time `json:"marked_at,omitzero"`
}

// StepID is the stable ID of an action on a finding in a phase and grace epoch: "a-" and 16
// hex digits. The epoch is the snapshot ID for a mark and the mark's time for the steps after
// it, so a plan made again under the same mark names the same steps (the journal recognises
// them and nothing acts twice), while a finding that was resolved and came back is marked and
// acted on afresh.
func StepID(findingID string, a Action, p Phase, epoch string) string {
	sum := sha256.Sum256([]byte(findingID + "\x00" + string(a) + "\x00" + string(p) + "\x00" + epoch))
	return "a-" + hex.EncodeToString(sum[:8])
}

// Live is what an executor read from the target just before acting.
type Live struct {
	// Holds: the violation still holds and the action would change something.
	Holds bool
	// Done: the target is already in the state the action wants (or already gone).
	Done bool
	// Detail says why, for the journal ("key AKIA… inactive", "used since the snapshot").
	Detail string
	// Native carries what Check resolved for Do (e.g. the live access key ID).
	Native map[string]string
}

// Undo is what reversing an applied step needs (e.g. {"access_key_id": "AKIA…"}). Empty for
// irreversible steps.
type Undo map[string]string

// Executor changes one kind of target. Implementations: remediate/awsiam, remediate/gcpiam,
// remediate/scim, remediate/ldap.
//
// Check only reads. Do acts once and must treat "already gone" as success (nil error). Undo
// reverses a step Do applied, from the data Do returned; it returns ErrIrreversible for steps
// that cannot be undone. All three honour ctx: when it is cancelled they return its error, and a
// Do that returns an error may or may not have reached the target (the journal resumes by
// calling Check again).
type Executor interface {
	Check(ctx context.Context, s Step) (Live, error)
	Do(ctx context.Context, s Step, l Live) (Undo, error)
	Undo(ctx context.Context, s Step, u Undo) error
}

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnsupported: the executor does not implement the step's action.
	ErrUnsupported = errors.New("unsupported action")
	// ErrIrreversible: the step cannot be undone.
	ErrIrreversible = errors.New("irreversible")
	// ErrGuard: a guard refused the whole run (the error says which and why).
	ErrGuard = errors.New("remediation refused")
	// ErrStalePlan: a newer snapshot exists than the one the plan was made from.
	ErrStalePlan = errors.New("stale plan")
)

// GuardError is a run-level refusal: which guard, and a message a human can act on.
type GuardError struct {
	Guard   string // "stale_plan", "roster_shrink", "cap_count", "cap_percent"
	Message string
}

func (e *GuardError) Error() string {
	return fmt.Sprintf("remediation refused by %s guard: %s", e.Guard, e.Message)
}

// Is makes errors.Is(err, ErrGuard) true, and ErrStalePlan for the stale-plan guard.
func (e *GuardError) Is(target error) bool {
	return target == ErrGuard || (target == ErrStalePlan && e.Guard == "stale_plan")
}
