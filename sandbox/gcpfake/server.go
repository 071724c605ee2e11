package gcpfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now; used for synthesised timestamps
	// PageSize, when positive, caps every list page at this many items whatever the client asks
	// for. Real servers may return fewer items than requested; this exercises client paging.
	PageSize int
}

// Fault makes matching requests fail (or wait). Empty API, Method and Resource match anything.
type Fault struct {
	// API is the service: "cloudresourcemanager", "cloudasset", "iam", "policyanalyzer",
	// "cloudidentity".
	API string
	// Method is the discovery method ID without the API prefix, e.g. "projects.getIamPolicy",
	// "v1.searchAllIamPolicies", "projects.serviceAccounts.keys.list".
	Method string
	// Resource is the resource the call is about: "organizations/<n>", "folders/<n>",
	// "projects/<project ID>" (project numbers are mapped to IDs), "groups/<id>", "roles/<id>".
	Resource string
	// Status is the HTTP status to answer with: 400, 403, 404, 409, 429, 500 or 503. Zero with a
	// Delay only delays.
	Status  int
	Message string // default: the status's usual message
	// Times is how many matching requests fail; 0 means every one.
	Times int
	// AfterCalls lets this many matching requests through before the fault starts (e.g. to fail
	// in the middle of paging).
	AfterCalls int
	// Delay is added latency before answering (honours the request's context).
	Delay time.Duration
}

type faultState struct {
	Fault
	seen, fired int
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	logger   *slog.Logger
	now      func() time.Time
	pageSize int
	handler  http.Handler

	mu       sync.Mutex
	st       *state
	stateErr error
	calls    map[string]int
	perProj  map[string]map[string]int
	faults   []*faultState

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// New returns a server with an empty estate; call SetOrganization to fill it.
func New(opts Options) *Server {
	s := &Server{
		logger:   opts.Logger,
		now:      opts.Now,
		pageSize: opts.PageSize,
		calls:    map[string]int{},
		perProj:  map[string]map[string]int{},
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.logger = s.logger.With("component", "gcpfake")
	if s.now == nil {
		s.now = time.Now
	}
	st, _ := index(&Organization{})
	s.st = st
	s.handler = http.HandlerFunc(s.serve)
	return s
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("gcpfake: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("serve", "err", err)
		}
	}()
	return nil
}

// URL is the base URL for option.WithEndpoint, with a trailing slash.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String() + "/"
}

// Close stops a started server and waits for it.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.done
	s.srv = nil
	return err
}

// Handler serves the fake APIs (for httptest.NewServer).
func (s *Server) Handler() http.Handler { return s.handler }

// SetOrganization replaces the whole estate with a deep copy of org. An invalid estate (see
// Organization.Validate) makes every request fail with 500 and the validation error, so a broken
// fixture is loud rather than silently trimmed.
func (s *Server) SetOrganization(org *Organization) {
	st, err := index(org)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.logger.Error("invalid organization", "err", err)
		s.stateErr = fmt.Errorf("gcpfake: invalid organization: %w", err)
		return
	}
	st.created = s.now().UTC().Truncate(time.Second)
	s.st, s.stateErr = st, nil
}

// Calls returns the number of requests per "api.method" (e.g.
// "cloudresourcemanager.projects.getIamPolicy"), failed ones included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// CallsFor returns the per-method counts of requests about one project (by project ID).
func (s *Server) CallsFor(project string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := maps.Clone(s.perProj[project])
	if m == nil {
		m = map[string]int{}
	}
	return m
}

// ResetCalls zeroes the counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.perProj = map[string]map[string]int{}
}

// Inject adds a fault; the returned function removes it.
func (s *Server) Inject(f Fault) (remove func()) {
	fs := &faultState{Fault: f}
	s.mu.Lock()
	s.faults = append(s.faults, fs)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.faults {
			if x == fs {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				return
			}
		}
	}
}

// Policy returns the current policy on a resource ("projects/<ID or number>", "folders/<n>",
// "organizations/<n>"); an empty policy when none is set.
func (s *Server) Policy(resource string) Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	canon, ok := s.st.canonicalResource(resource)
	if !ok {
		return Policy{}
	}
	if p := s.st.policies[canon]; p != nil {
		return clonePolicy(*p)
	}
	return Policy{}
}

// call is one routed request. Handlers run with s.mu held, so they may read and change st.
type call struct {
	api, method string
	resource    string // for faults
	project     string // project ID when the call is about one project, for CallsFor
	handle      handlerFunc
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Read the body first: net/http notices a client hanging up only once the body is consumed,
	// and a delayed request must end when its caller gives up.
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	st, stErr := s.st, s.stateErr
	c, rerr := route(st, r)
	if stErr != nil {
		s.mu.Unlock()
		writeError(w, http.StatusInternalServerError, stErr.Error())
		return
	}
	if rerr != nil {
		s.mu.Unlock()
		s.logger.Debug("unroutable request", "method", r.Method, "path", r.URL.Path, "err", rerr)
		var he *httpError
		if errors.As(rerr, &he) {
			writeError(w, he.code, he.msg)
			return
		}
		writeError(w, http.StatusNotFound, rerr.Error())
		return
	}
	key := c.api + "." + c.method
	s.calls[key]++
	if c.project != "" {
		m := s.perProj[c.project]
		if m == nil {
			m = map[string]int{}
			s.perProj[c.project] = m
		}
		m[key]++
	}
	f := s.matchFault(c)
	s.mu.Unlock()
	s.logger.Debug("request", "call", key, "resource", c.resource)

	if f != nil {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if f.Status != 0 {
			msg := f.Message
			if msg == "" {
				msg = defaultMessage(f.Status)
			}
			writeError(w, f.Status, msg)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != st { // the estate was replaced meanwhile: route again against the new one
		if c, err = route(s.st, r); err != nil {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
	}
	c.handle(s, w, r, s.st)
}

// matchFault returns a copy of the fault that fires for c, or nil. Called with s.mu held.
func (s *Server) matchFault(c *call) *Fault {
	for _, f := range s.faults {
		if (f.API != "" && f.API != c.api) || (f.Method != "" && f.Method != c.method) ||
			(f.Resource != "" && f.Resource != c.resource) {
			continue
		}
		f.seen++
		if f.seen <= f.AfterCalls {
			continue
		}
		if f.Times > 0 && f.fired >= f.Times {
			continue
		}
		f.fired++
		out := f.Fault
		return &out
	}
	return nil
}

type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func errorf(code int, format string, args ...any) error {
	return &httpError{code: code, msg: fmt.Sprintf(format, args...)}
}

// Google's canonical status names and the legacy "reason" per HTTP status.
var statusNames = map[int][2]string{
	http.StatusBadRequest:          {"INVALID_ARGUMENT", "badRequest"},
	http.StatusUnauthorized:        {"UNAUTHENTICATED", "authError"},
	http.StatusForbidden:           {"PERMISSION_DENIED", "forbidden"},
	http.StatusNotFound:            {"NOT_FOUND", "notFound"},
	http.StatusConflict:            {"ABORTED", "aborted"},
	http.StatusTooManyRequests:     {"RESOURCE_EXHAUSTED", "rateLimitExceeded"},
	http.StatusInternalServerError: {"INTERNAL", "backendError"},
	http.StatusNotImplemented:      {"UNIMPLEMENTED", "notImplemented"},
	http.StatusServiceUnavailable:  {"UNAVAILABLE", "backendError"},
}

func defaultMessage(code int) string {
	switch code {
	case http.StatusForbidden:
		return "The caller does not have permission"
	case http.StatusTooManyRequests:
		return "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'."
	case http.StatusServiceUnavailable:
		return "The service is currently unavailable."
	case http.StatusNotFound:
		return "Requested entity was not found."
	case http.StatusInternalServerError:
		return "Internal error encountered."
	}
	return http.StatusText(code)
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Status  string       `json:"status,omitempty"`
	Errors  []errorEntry `json:"errors,omitempty"`
}

type errorEntry struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	names := statusNames[code]
	body := errorBody{Error: errorDetail{Code: code, Message: msg, Status: names[0]}}
	if names[1] != "" {
		body.Error.Errors = []errorEntry{{Message: msg, Domain: "global", Reason: names[1]}}
	}
	writeJSONStatus(w, code, body)
}

func writeJSON(w http.ResponseWriter, v any) { writeJSONStatus(w, http.StatusOK, v) }

func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"encode response","status":"INTERNAL"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return errorf(http.StatusBadRequest, "read body: %v", err)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errorf(http.StatusBadRequest, "Invalid JSON payload received. %v", err)
	}
	return nil
}

// page selects [start,end) of total items for pageSize/pageToken and returns the next token.
func (s *Server) page(r *http.Request, total, defSize, maxSize int) (start, end int, next string, err error) {
	if s.pageSize > 0 {
		maxSize = min(maxSize, s.pageSize)
		defSize = min(defSize, s.pageSize)
	}
	q := r.URL.Query()
	size := defSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, "", errorf(http.StatusBadRequest, "Invalid value at 'page_size' (TYPE_INT32), %q", v)
		}
		if n > 0 {
			size = min(n, maxSize)
		}
	}
	if tok := q.Get("pageToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		off, ok := strings.CutPrefix(string(b), "o:")
		n, err2 := strconv.Atoi(off)
		if err != nil || !ok || err2 != nil || n < 0 || n > total {
			return 0, 0, "", errorf(http.StatusBadRequest, "Request contains an invalid argument: page token %q", tok)
		}
		start = n
	}
	end = min(start+size, total)
	if end < total {
		next = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
