package static

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Source reads one snapshot-shaped JSON file.
type Source struct {
	name string
	path string
	data []byte // set by FromData; nil means read path
}

var (
	_ collector.Source    = (*Source)(nil)
	_ collector.Describer = (*Source)(nil)
)

// New returns a source named name that reads the file at path on each Collect.
func New(name, path string) *Source { return &Source{name: name, path: path} }

// FromData returns a source named name that reads data, e.g. an embedded file; path names it in
// errors and coverage.
func FromData(name, path string, data []byte) *Source {
	return &Source{name: name, path: path, data: data}
}

// Name returns the configured name.
func (s *Source) Name() string { return s.name }

// Provider is static, the provider of the entry Collect records for a file without coverage. A
// file that cannot be read or checked fails Collect, and the runner labels its entry with this:
// the providers of the coverage a replayed file carries are not known until it is read.
func (s *Source) Provider() inventory.Provider { return inventory.ProviderStatic }

// Method is "file", as that entry records it.
func (s *Source) Method() string { return "file" }

// Collect reads and checks the file. Any problem fails the whole file: a replayed snapshot is
// either trusted whole or not at all.
func (s *Source) Collect(ctx context.Context) (*collector.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data := s.data
	if data == nil {
		var err error
		if data, err = os.ReadFile(s.path); err != nil {
			return nil, collector.Errorf(readKind(err), "read snapshot file: %w", err)
		}
	}
	snap, err := decode(s.path, data)
	if err != nil {
		return nil, collector.Errorf(inventory.ErrInvalid, "%w", err)
	}
	if err := check(s.path, snap); err != nil {
		return nil, collector.Errorf(inventory.ErrInvalid, "%w", err)
	}

	res := &collector.Result{
		Coverage:   snap.Coverage,
		Accounts:   snap.Accounts,
		Principals: snap.Principals,
		PolicyDocs: snap.PolicyDocs,
		People:     snap.People,
	}
	for i := range res.Coverage {
		res.Coverage[i].Source = s.name
	}
	if len(res.Coverage) == 0 {
		res.Coverage = []inventory.Coverage{{
			Source:   s.name,
			Provider: inventory.ProviderStatic,
			Scope:    "file:" + s.path,
			Status:   inventory.CoverageComplete,
			Method:   "file",
			Counts: map[string]int{
				"accounts":    len(res.Accounts),
				"principals":  len(res.Principals),
				"policy_docs": len(res.PolicyDocs),
				"people":      len(res.People),
			},
		}}
	}
	return res, nil
}

func readKind(err error) inventory.ErrorKind {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inventory.ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		return inventory.ErrPermissionDenied
	}
	return inventory.ErrUnknown
}

// decode reads data strictly into a snapshot. Errors name the file, the line and column where
// known, and the JSON path.
func decode(file string, data []byte) (*inventory.Snapshot, error) {
	var snap inventory.Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&snap)
	if err == nil {
		end := skipSpace(data, int(dec.InputOffset()))
		if _, terr := dec.Token(); terr != io.EOF {
			return nil, fmt.Errorf("%s: %s: unexpected data after the snapshot object", file, position(data, end))
		}
		return &snap, nil
	}

	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: empty file; want a JSON object", file)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("%s: %s: unexpected end of file", file, position(data, len(data)))
	case errors.As(err, &syntax):
		// Offset counts the bytes read, including the one that was wrong.
		return nil, fmt.Errorf("%s: %s: %s", file, position(data, int(syntax.Offset)-1), strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typeErr) && typeErr.Field != "":
		// The scan knows the path with array indices; the error only knows field names.
		if p, ok := locate(data); ok {
			return nil, fmt.Errorf("%s: %s: %s", file, position(data, p.offset), p.msg)
		}
		return nil, fmt.Errorf("%s: %s: %s: want %s, got JSON %s", file, position(data, int(typeErr.Offset)), typeErr.Field, typeErr.Type, typeErr.Value)
	}
	// Unknown fields and bad times carry no position: find them.
	if p, ok := locate(data); ok {
		return nil, fmt.Errorf("%s: %s: %s", file, position(data, p.offset), p.msg)
	}
	return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "json: "))
}

// position turns a byte offset into "line:column", both 1-based.
func position(data []byte, off int) string {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return fmt.Sprintf("%d:%d", line, col)
}

var (
	principalKinds = []inventory.PrincipalKind{inventory.KindUser, inventory.KindServiceAccount, inventory.KindRole,
		inventory.KindGroup, inventory.KindRoot, inventory.KindSSOUser}
	personStatuses   = []inventory.PersonStatus{inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated}
	coverageStatuses = []inventory.CoverageStatus{inventory.CoverageComplete, inventory.CoveragePartial, inventory.CoverageFailed}
	credStatuses     = []string{inventory.CredActive, inventory.CredInactive, inventory.CredExpired}
	privileges       = []inventory.Privilege{inventory.PrivilegeNone, inventory.PrivilegeRead, inventory.PrivilegeWrite, inventory.PrivilegeAdmin}
)

// maxProblems caps how many record problems one error lists.
const maxProblems = 20

// check validates the records and returns every problem (up to maxProblems) at once.
func check(file string, s *inventory.Snapshot) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for i, c := range s.Coverage {
		if !slices.Contains(coverageStatuses, c.Status) {
			add("coverage[%d].status: %q is not valid; want complete, partial or failed", i, c.Status)
		}
	}
	for i, a := range s.Accounts {
		if a.ID == "" {
			add("accounts[%d].id: must be set", i)
		}
	}
	seen := map[string]int{}
	for i, p := range s.Principals {
		at := fmt.Sprintf("principals[%d]", i)
		if p.ID == "" {
			add("%s.id: must be set", at)
		} else if first, dup := seen[p.ID]; dup {
			add("%s.id: %q repeats principals[%d]", at, p.ID, first)
		} else {
			seen[p.ID] = i
		}
		if p.Provider == "" {
			add("%s.provider: must be set", at)
		}
		if !slices.Contains(principalKinds, p.Kind) {
			add("%s.kind: %q is not valid; want user, service_account, role, group, root or sso_user", at, p.Kind)
		}
		for j, c := range p.Credentials {
			if c.Kind == "" || c.ID == "" {
				add("%s.credentials[%d]: kind and id must be set", at, j)
			}
			if !slices.Contains(credStatuses, c.Status) {
				add("%s.credentials[%d].status: %q is not valid; want active, inactive or expired", at, j, c.Status)
			}
		}
		for j, g := range p.Grants {
			if g.What == "" || g.Where == "" || g.Via == "" {
				add("%s.grants[%d]: what, where and via must be set", at, j)
			}
			if !slices.Contains(privileges, g.Privilege) {
				add("%s.grants[%d].privilege: %q is not valid; want read, write, admin or none", at, j, g.Privilege)
			}
		}
	}
	for i, d := range s.PolicyDocs {
		if d.ID == "" {
			add("policy_docs[%d].id: must be set", i)
		}
		if !slices.Contains(privileges, d.Privilege) {
			add("policy_docs[%d].privilege: %q is not valid; want read, write, admin or none", i, d.Privilege)
		}
	}
	people := map[string]int{}
	for i, p := range s.People {
		if p.ID == "" {
			add("people[%d].id: must be set", i)
		} else if first, dup := people[p.ID]; dup {
			add("people[%d].id: %q repeats people[%d]", i, p.ID, first)
		} else {
			people[p.ID] = i
		}
		if !slices.Contains(personStatuses, p.Status) {
			add("people[%d].status: %q is not valid; want active, leave or terminated", i, p.Status)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	if len(problems) > maxProblems {
		problems = append(problems[:maxProblems], fmt.Sprintf("and %d more", len(problems)-maxProblems))
	}
	return fmt.Errorf("%s: %s", file, strings.Join(problems, "; "))
}
