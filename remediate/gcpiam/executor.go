package gcpiam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	crm "google.golang.org/api/cloudresourcemanager/v3"
	"google.golang.org/api/googleapi"
	iam "google.golang.org/api/iam/v1"

	"github.com/provost-dev/provost/remediate"
)

// DefaultMaxAttempts bounds the read-modify-write loop of a binding change.
const DefaultMaxAttempts = 5

// Executor acts on GCP IAM.
type Executor struct {
	CRM         *crm.Service
	IAM         *iam.Service
	MaxAttempts int // default DefaultMaxAttempts
}

var _ remediate.Executor = (*Executor)(nil)

func code(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// member turns "gcp:user:alice@corp.com" into the IAM member "user:alice@corp.com".
func member(principal string) string { return strings.TrimPrefix(principal, "gcp:") }

func saEmail(s remediate.Step) string {
	return strings.TrimPrefix(s.Target.Principal, "gcp:serviceAccount:")
}

func keyName(s remediate.Step) string {
	return "projects/-/serviceAccounts/" + saEmail(s) + "/keys/" + s.Target.Credential
}

func (e *Executor) getPolicy(ctx context.Context, resource string) (*crm.Policy, error) {
	req := &crm.GetIamPolicyRequest{Options: &crm.GetPolicyOptions{RequestedPolicyVersion: 3}}
	var p *crm.Policy
	var err error
	switch {
	case strings.HasPrefix(resource, "projects/"):
		p, err = e.CRM.Projects.GetIamPolicy(resource, req).Context(ctx).Do()
	case strings.HasPrefix(resource, "folders/"):
		p, err = e.CRM.Folders.GetIamPolicy(resource, req).Context(ctx).Do()
	case strings.HasPrefix(resource, "organizations/"):
		p, err = e.CRM.Organizations.GetIamPolicy(resource, req).Context(ctx).Do()
	default:
		return nil, fmt.Errorf("resource %q: want projects/, folders/ or organizations/: %w", resource, remediate.ErrUnsupported)
	}
	if err != nil {
		return nil, fmt.Errorf("get iam policy of %s: %w", resource, err)
	}
	return p, nil
}

func (e *Executor) setPolicy(ctx context.Context, resource string, p *crm.Policy) error {
	req := &crm.SetIamPolicyRequest{Policy: p}
	var err error
	switch {
	case strings.HasPrefix(resource, "projects/"):
		_, err = e.CRM.Projects.SetIamPolicy(resource, req).Context(ctx).Do()
	case strings.HasPrefix(resource, "folders/"):
		_, err = e.CRM.Folders.SetIamPolicy(resource, req).Context(ctx).Do()
	default:
		_, err = e.CRM.Organizations.SetIamPolicy(resource, req).Context(ctx).Do()
	}
	return err
}

func condOf(b *crm.Binding) string {
	if b.Condition == nil {
		return ""
	}
	return b.Condition.Expression
}

// bound reports whether m is in the binding of role under condition cond.
func bound(p *crm.Policy, role, cond, m string) bool {
	for _, b := range p.Bindings {
		if b.Role == role && condOf(b) == cond && slices.Contains(b.Members, m) {
			return true
		}
	}
	return false
}

// Check re-reads the live state.
func (e *Executor) Check(ctx context.Context, s remediate.Step) (remediate.Live, error) {
	switch s.Action {
	case remediate.ActMark:
		return remediate.Live{Done: true, Detail: "gcp principals carry no mark label; the mark is kept in the store"}, nil
	case remediate.ActRemoveBinding:
		p, err := e.getPolicy(ctx, s.Target.Resource)
		if code(err) == http.StatusNotFound {
			return remediate.Live{Done: true, Detail: s.Target.Resource + " no longer exists"}, nil
		}
		if err != nil {
			return remediate.Live{}, err
		}
		m := member(s.Target.Principal)
		if !bound(p, s.Target.Object, s.Target.Condition, m) {
			return remediate.Live{Done: true, Detail: m + " no longer holds " + s.Target.Object + " on " + s.Target.Resource}, nil
		}
		return remediate.Live{Holds: true, Detail: "remove " + m + " from " + s.Target.Object + " on " + s.Target.Resource}, nil
	case remediate.ActDisableSAKey:
		k, err := e.IAM.Projects.ServiceAccounts.Keys.Get(keyName(s)).Context(ctx).Do()
		if code(err) == http.StatusNotFound {
			return remediate.Live{Done: true, Detail: "key " + s.Target.Credential + " no longer exists"}, nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("get key %s: %w", keyName(s), err)
		}
		if k.Disabled {
			return remediate.Live{Done: true, Detail: "key " + s.Target.Credential + " already disabled"}, nil
		}
		return remediate.Live{Holds: true, Detail: "disable key " + s.Target.Credential + " of " + saEmail(s)}, nil
	case remediate.ActDisableServiceAccount:
		name := "projects/-/serviceAccounts/" + saEmail(s)
		sa, err := e.IAM.Projects.ServiceAccounts.Get(name).Context(ctx).Do()
		if code(err) == http.StatusNotFound {
			return remediate.Live{Done: true, Detail: saEmail(s) + " no longer exists"}, nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("get %s: %w", name, err)
		}
		if sa.Disabled {
			return remediate.Live{Done: true, Detail: saEmail(s) + " already disabled"}, nil
		}
		return remediate.Live{Holds: true, Detail: "disable " + saEmail(s)}, nil
	}
	return remediate.Live{}, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// editBinding runs the etag read-modify-write loop: read, change (false: nothing to change),
// write with the read etag, and on 409 read again.
func (e *Executor) editBinding(ctx context.Context, resource string, change func(*crm.Policy) bool) error {
	n := e.MaxAttempts
	if n <= 0 {
		n = DefaultMaxAttempts
	}
	var last error
	for range n {
		p, err := e.getPolicy(ctx, resource)
		if err != nil {
			return err
		}
		if !change(p) {
			return nil
		}
		p.Version = 3
		err = e.setPolicy(ctx, resource, p)
		if err == nil {
			return nil
		}
		if code(err) != http.StatusConflict {
			return fmt.Errorf("set iam policy of %s: %w", resource, err)
		}
		last = err
	}
	return fmt.Errorf("set iam policy of %s: still conflicting after %d attempts: %w", resource, n, last)
}

// Do acts once; "not found" is success.
func (e *Executor) Do(ctx context.Context, s remediate.Step, _ remediate.Live) (remediate.Undo, error) {
	switch s.Action {
	case remediate.ActRemoveBinding:
		m := member(s.Target.Principal)
		err := e.editBinding(ctx, s.Target.Resource, func(p *crm.Policy) bool {
			changed := false
			kept := p.Bindings[:0]
			for _, b := range p.Bindings {
				if b.Role == s.Target.Object && condOf(b) == s.Target.Condition {
					if i := slices.Index(b.Members, m); i >= 0 {
						b.Members = slices.Delete(b.Members, i, i+1)
						changed = true
					}
					if len(b.Members) == 0 {
						continue
					}
				}
				kept = append(kept, b)
			}
			p.Bindings = kept
			return changed
		})
		if code(err) == http.StatusNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return remediate.Undo{"member": m, "role": s.Target.Object, "resource": s.Target.Resource, "condition": s.Target.Condition}, nil
	case remediate.ActDisableSAKey:
		_, err := e.IAM.Projects.ServiceAccounts.Keys.Disable(keyName(s), &iam.DisableServiceAccountKeyRequest{}).Context(ctx).Do()
		if err != nil && code(err) != http.StatusNotFound {
			return nil, fmt.Errorf("disable key %s: %w", keyName(s), err)
		}
		return remediate.Undo{"key": keyName(s)}, nil
	case remediate.ActDisableServiceAccount:
		name := "projects/-/serviceAccounts/" + saEmail(s)
		_, err := e.IAM.Projects.ServiceAccounts.Disable(name, &iam.DisableServiceAccountRequest{}).Context(ctx).Do()
		if err != nil && code(err) != http.StatusNotFound {
			return nil, fmt.Errorf("disable %s: %w", name, err)
		}
		return remediate.Undo{"service_account": name}, nil
	}
	return nil, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// Undo reverses a step.
func (e *Executor) Undo(ctx context.Context, s remediate.Step, u remediate.Undo) error {
	switch s.Action {
	case remediate.ActRemoveBinding:
		if u["member"] == "" {
			return fmt.Errorf("undo %s: %w (no undo data)", s.Action, remediate.ErrIrreversible)
		}
		return e.editBinding(ctx, u["resource"], func(p *crm.Policy) bool {
			if bound(p, u["role"], u["condition"], u["member"]) {
				return false
			}
			for _, b := range p.Bindings {
				if b.Role == u["role"] && condOf(b) == u["condition"] {
					b.Members = append(b.Members, u["member"])
					return true
				}
			}
			nb := &crm.Binding{Role: u["role"], Members: []string{u["member"]}}
			if c := u["condition"]; c != "" {
				nb.Condition = &crm.Expr{Expression: c, Title: "restored by provost"}
			}
			p.Bindings = append(p.Bindings, nb)
			return true
		})
	case remediate.ActDisableSAKey:
		if _, err := e.IAM.Projects.ServiceAccounts.Keys.Enable(u["key"], &iam.EnableServiceAccountKeyRequest{}).Context(ctx).Do(); err != nil {
			return fmt.Errorf("enable key %s: %w", u["key"], err)
		}
		return nil
	case remediate.ActDisableServiceAccount:
		if _, err := e.IAM.Projects.ServiceAccounts.Enable(u["service_account"], &iam.EnableServiceAccountRequest{}).Context(ctx).Do(); err != nil {
			return fmt.Errorf("enable %s: %w", u["service_account"], err)
		}
		return nil
	}
	return fmt.Errorf("undo %s: %w", s.Action, remediate.ErrIrreversible)
}
