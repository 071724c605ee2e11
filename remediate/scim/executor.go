package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/provost-dev/provost/remediate"
)

// Server is one configured SCIM source: its base URL (".../scim/v2") and bearer token.
type Server struct {
	URL   string
	Token string
}

// LogValue keeps the token out of logs.
func (s Server) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", s.URL), slog.String("token", "[redacted]"))
}

var _ slog.LogValuer = Server{}

// Executor acts on SCIM users of the configured sources, by source name.
type Executor struct {
	Sources map[string]Server
	HTTP    *http.Client // nil → http.DefaultClient
}

var _ remediate.Executor = (*Executor)(nil)

const patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// user splits "scim:<source>:<id>" and finds the source.
func (e *Executor) user(s remediate.Step) (Server, string, error) {
	rest, ok := strings.CutPrefix(s.Target.Principal, "scim:")
	src, id, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || id == "" {
		return Server{}, "", fmt.Errorf("principal %q is not scim:<source>:<id>", s.Target.Principal)
	}
	srv, ok := e.Sources[src]
	if !ok {
		return Server{}, "", fmt.Errorf("no scim source %q configured for %s", src, s.Target.Principal)
	}
	return srv, id, nil
}

func (e *Executor) do(ctx context.Context, srv Server, method, id string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	u := strings.TrimRight(srv.URL, "/") + "/Users/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	c := e.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: read body: %w", method, u, err)
	}
	return resp.StatusCode, b, nil
}

func statusErr(method, id string, code int, body []byte) error {
	return fmt.Errorf("%s user %s: status %d: %s", method, id, code, strings.TrimSpace(string(bytes.ToValidUTF8(body[:min(len(body), 300)], nil))))
}

// Check re-reads the user.
func (e *Executor) Check(ctx context.Context, s remediate.Step) (remediate.Live, error) {
	if s.Action == remediate.ActMark {
		return remediate.Live{Done: true, Detail: "scim users carry no mark; the mark is kept in the store"}, nil
	}
	if s.Action != remediate.ActDisableUser && s.Action != remediate.ActDeleteUser {
		return remediate.Live{}, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
	}
	srv, id, err := e.user(s)
	if err != nil {
		return remediate.Live{}, err
	}
	code, body, err := e.do(ctx, srv, http.MethodGet, id, nil)
	if err != nil {
		return remediate.Live{}, err
	}
	switch {
	case code == http.StatusNotFound:
		return remediate.Live{Done: true, Detail: "user " + id + " no longer exists"}, nil
	case code != http.StatusOK:
		return remediate.Live{}, statusErr("get", id, code, body)
	}
	var u struct {
		Active *bool `json:"active"`
	}
	if err := json.Unmarshal(body, &u); err != nil {
		return remediate.Live{}, fmt.Errorf("get user %s: decode: %w", id, err)
	}
	if s.Action == remediate.ActDisableUser {
		if u.Active != nil && !*u.Active {
			return remediate.Live{Done: true, Detail: "user " + id + " already inactive"}, nil
		}
		return remediate.Live{Holds: true, Detail: "set user " + id + " active=false"}, nil
	}
	return remediate.Live{Holds: true, Detail: "delete user " + id}, nil
}

func activePatch(active bool) any {
	return map[string]any{"schemas": []string{patchSchema}, "Operations": []map[string]any{{"op": "replace", "path": "active", "value": active}}}
}

// Do acts once; 404 is success.
func (e *Executor) Do(ctx context.Context, s remediate.Step, _ remediate.Live) (remediate.Undo, error) {
	srv, id, err := e.user(s)
	if err != nil {
		return nil, err
	}
	switch s.Action {
	case remediate.ActDisableUser:
		code, body, err := e.do(ctx, srv, http.MethodPatch, id, activePatch(false))
		if err != nil {
			return nil, err
		}
		if code != http.StatusOK && code != http.StatusNoContent && code != http.StatusNotFound {
			return nil, statusErr("patch", id, code, body)
		}
		return remediate.Undo{"id": id}, nil
	case remediate.ActDeleteUser:
		code, body, err := e.do(ctx, srv, http.MethodDelete, id, nil)
		if err != nil {
			return nil, err
		}
		if code != http.StatusNoContent && code != http.StatusOK && code != http.StatusNotFound {
			return nil, statusErr("delete", id, code, body)
		}
		return nil, nil
	}
	return nil, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// Undo re-activates a disabled user.
func (e *Executor) Undo(ctx context.Context, s remediate.Step, u remediate.Undo) error {
	if s.Action != remediate.ActDisableUser || u["id"] == "" {
		return fmt.Errorf("undo %s: %w", s.Action, remediate.ErrIrreversible)
	}
	srv, id, err := e.user(s)
	if err != nil {
		return err
	}
	code, body, err := e.do(ctx, srv, http.MethodPatch, id, activePatch(true))
	if err != nil {
		return err
	}
	if code != http.StatusOK && code != http.StatusNoContent {
		return statusErr("patch", id, code, body)
	}
	return nil
}
