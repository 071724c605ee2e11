package awsfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The base credentials used when Options leaves them empty.
const (
	DefaultAccessKeyID     = "AKIDPROVOSTSANDBOX"
	DefaultSecretAccessKey = "sandbox-secret"
	// DefaultBaseUserName is the IAM user the base credentials belong to.
	DefaultBaseUserName = "provost-sandbox"
)

// maxBody bounds request bodies; real AWS requests of the served operations are far smaller.
const maxBody = 8 << 20

// Options configure a Server. The zero value is usable.
type Options struct {
	Logger *slog.Logger     // nil discards
	Now    func() time.Time // nil → time.Now

	// AccessKeyID and SecretAccessKey are the base credentials: requests signed with them act in
	// the management account. Defaults DefaultAccessKeyID / DefaultSecretAccessKey. The fake
	// checks that requests are signed and with which key, not the signature itself.
	AccessKeyID, SecretAccessKey string
	// BaseUserName names the management-account IAM user behind the base credentials, as
	// GetCallerIdentity and AccessDenied messages show it. Default DefaultBaseUserName.
	BaseUserName string

	// ReportPolls is how many GenerateCredentialReport or GetCredentialReport calls after the
	// one that started a generation still find it in progress (0: the next call finds the
	// report ready).
	ReportPolls int
	// ReportDelay is how long (by Now) a generation takes at least.
	ReportDelay time.Duration
	// ReportLifetime is how long a generated report is served; after it GetCredentialReport
	// answers ReportExpired and GenerateCredentialReport starts a new one. Default 4h.
	ReportLifetime time.Duration
	// ReportRegenerateAfter is the age from which GenerateCredentialReport starts a new report;
	// before it, it answers COMPLETE without regenerating (AWS: 4 hours). Default and upper
	// bound ReportLifetime; a shorter value serves stale reports until they are regenerated.
	ReportRegenerateAfter time.Duration
	// ReportStaleWhileGenerating makes GetCredentialReport serve the previous report, while it
	// is within its lifetime, instead of ReportInProgress while a regeneration runs.
	ReportStaleWhileGenerating bool
}

var _ http.Handler = (*Server)(nil)

// Server is the fake AWS endpoint. All methods are safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time

	mu sync.RWMutex // guards w
	w  *world

	sessMu   sync.Mutex
	sessions map[string]*session
	sessSeq  int

	callMu      sync.Mutex
	calls       map[string]int
	callsByAcct map[string]map[string]int

	faultMu sync.Mutex
	faults  []*faultState

	reqSeq atomic.Uint64

	lifeMu sync.Mutex
	hs     *http.Server
	ln     net.Listener
	served chan struct{}
}

// New returns a Server with an empty organization; SetOrganization loads one.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.AccessKeyID = orDefault(opts.AccessKeyID, DefaultAccessKeyID)
	opts.SecretAccessKey = orDefault(opts.SecretAccessKey, DefaultSecretAccessKey)
	opts.BaseUserName = orDefault(opts.BaseUserName, DefaultBaseUserName)
	if opts.ReportLifetime <= 0 {
		opts.ReportLifetime = 4 * time.Hour
	}
	if opts.ReportRegenerateAfter <= 0 || opts.ReportRegenerateAfter > opts.ReportLifetime {
		opts.ReportRegenerateAfter = opts.ReportLifetime
	}
	s := &Server{
		opts:        opts,
		log:         opts.Logger.With("component", "awsfake"),
		now:         opts.Now,
		sessions:    make(map[string]*session),
		calls:       make(map[string]int),
		callsByAcct: make(map[string]map[string]int),
	}
	s.w = newWorld(normalizeOrg(nil, s.now()))
	return s
}

// Start listens on 127.0.0.1 on a free port and serves in the background until Close.
func (s *Server) Start() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.hs != nil {
		return errors.New("awsfake: already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("awsfake: listen: %w", err)
	}
	s.ln = ln
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "err", err)
		}
	}()
	return nil
}

// URL is the base endpoint ("http://127.0.0.1:port") to give every SDK client as BaseEndpoint;
// empty before Start.
func (s *Server) URL() string {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops the listener, closes open connections and waits for the serving goroutine.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.hs == nil {
		return nil
	}
	err := s.hs.Close()
	<-s.served
	s.hs, s.ln = nil, nil
	if err != nil {
		return fmt.Errorf("awsfake: close: %w", err)
	}
	return nil
}

// Handler returns the server as an http.Handler, e.g. for httptest.NewServer.
func (s *Server) Handler() http.Handler { return s }

// SetOrganization replaces the whole state with a deep copy of org (nil empties it) and forgets
// credential reports. It does not validate: LoadOrganization does. Sessions from earlier
// AssumeRole calls stay valid while their account exists.
func (s *Server) SetOrganization(org *Organization) {
	w := newWorld(normalizeOrg(org, s.now()))
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

// LoadOrganization validates org and, when it is valid, replaces the state with it.
func (s *Server) LoadOrganization(org *Organization) error {
	if err := org.Validate(); err != nil {
		return err
	}
	s.SetOrganization(org)
	return nil
}

// Organization returns a deep copy of the current state, including the effect of write calls
// (and with every defaulted ID filled in).
func (s *Server) Organization() *Organization {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return cloneForExport(s.w.org)
}

// Calls returns how many requests each operation received, keyed "service:Operation" (service
// as in the SigV4 scope: iam, sts, organizations, sso, identitystore), over all accounts. Every
// signed request with an Action or X-Amz-Target is counted, including those that failed.
func (s *Server) Calls() map[string]int {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	return maps.Clone(s.calls)
}

// CallsFor is Calls restricted to requests that acted in one account.
func (s *Server) CallsFor(account string) map[string]int {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	out := maps.Clone(s.callsByAcct[account])
	if out == nil {
		out = map[string]int{}
	}
	return out
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	s.calls = make(map[string]int)
	s.callsByAcct = make(map[string]map[string]int)
}

func (s *Server) count(key, account string) {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	s.calls[key]++
	m := s.callsByAcct[account]
	if m == nil {
		m = make(map[string]int)
		s.callsByAcct[account] = m
	}
	m[key]++
}

// request is one decoded API call.
type request struct {
	ctx     context.Context
	id      string // request ID
	service string // SigV4 scope service
	op      string
	json    bool // JSON 1.1 protocol (else Query)
	account string
	who     caller
	form    url.Values // Query protocol parameters
	body    []byte     // JSON protocol body
}

// caller is who signed a request.
type caller struct {
	arn    string
	userID string
	// role is set for assumed-role sessions: role name, for role chaining rules.
	role string
}

// apiError is an error response. Handlers return it; ServeHTTP renders it per protocol.
type apiError struct {
	status int
	code   string
	msg    string
	fields map[string]string // extra JSON members (Reason, ResourceType, …)
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// Services by SigV4 credential scope and their JSON X-Amz-Target prefixes.
const (
	svcIAM           = "iam"
	svcSTS           = "sts"
	svcOrganizations = "organizations"
	svcSSO           = "sso"
	svcIdentityStore = "identitystore"
)

var jsonTargetPrefix = map[string]string{
	svcOrganizations: "AWSOrganizationsV20161128",
	svcSSO:           "SWBExternalService",
	svcIdentityStore: "AWSIdentityStore",
}

var queryVersion = map[string]string{
	svcIAM: "2010-05-08",
	svcSTS: "2011-06-15",
}

// ServeHTTP decodes, authenticates, counts, applies faults and dispatches one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{
		ctx:  r.Context(),
		id:   s.requestID(),
		json: r.Header.Get("X-Amz-Target") != "",
	}
	status := s.serve(w, r, req)
	s.log.Debug("request", "service", req.service, "op", req.op, "account", req.account,
		"status", status, "request_id", req.id)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, req *request) int {
	if r.Method != http.MethodPost {
		return s.writeError(w, req, errorf(http.StatusMethodNotAllowed, "InvalidAction", "only POST requests are served"))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return s.writeError(w, req, errorf(http.StatusBadRequest, "IncompleteBody", "read request body: %v", err))
	}
	if len(body) > maxBody {
		return s.writeError(w, req, errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body exceeds %d bytes", maxBody))
	}

	keyID, service, ok := parseAuthorization(r)
	if !ok {
		code := "MissingAuthenticationToken"
		if req.json {
			code = "MissingAuthenticationTokenException"
		}
		return s.writeError(w, req, errorf(http.StatusForbidden, code, "Request is missing Authentication Token"))
	}
	req.service = service

	if req.json {
		prefix, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		req.op = op
		if jsonTargetPrefix[service] != prefix {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "UnknownOperationException", "unknown target %s for service %s", r.Header.Get("X-Amz-Target"), service))
		}
		req.body = body
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "MalformedQueryString", "malformed form body: %v", err))
		}
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
		req.form = form
		req.op = form.Get("Action")
		version, known := queryVersion[service]
		if !known {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s: service %s is not served", req.op, service))
		}
		if req.op == "" {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "MissingAction", "Missing Action"))
		}
		if v := form.Get("Version"); v != version {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", req.op, v))
		}
	}

	account, who, aerr := s.authenticate(r, req, keyID)
	req.account, req.who = account, who
	s.count(req.service+":"+req.op, account)
	if aerr != nil {
		return s.writeError(w, req, aerr)
	}

	h, known := handlers[req.service][req.op]
	if !known {
		if req.json {
			return s.writeError(w, req, errorf(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", req.op))
		}
		return s.writeError(w, req, errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", req.op, queryVersion[req.service]))
	}

	if f := s.fault(req); f != nil {
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-req.ctx.Done():
				t.Stop()
				return 0 // the client went away
			}
		}
		if f.Code != "" {
			return s.writeError(w, req, faultError(req, f.Code))
		}
	}

	buf := getBuffer()
	defer putBuffer(buf)
	if err := s.dispatch(req, h, buf); err != nil {
		return s.writeError(w, req, err)
	}
	if req.json {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		w.Header().Set("Content-Type", "text/xml")
	}
	w.Header().Set("X-Amzn-RequestId", req.id)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes()) // a client that went away is not our error
	return http.StatusOK
}

// dispatch runs the handler under the state lock and renders its response into buf.
func (s *Server) dispatch(req *request, h handler, buf *bytes.Buffer) error {
	if h.write {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	x := s.w.accounts[req.account]
	if x == nil {
		return invalidToken(req)
	}
	if req.json {
		out, err := h.json(s, req, x)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("encode %s response: %w", req.op, err)
		}
		return nil
	}
	return renderQuery(s, req, h, x, buf)
}

// handler serves one operation; exactly one of query and json is set.
type handler struct {
	write    bool // needs the write lock
	noResult bool // Query operations whose response has no <OpResult> element
	query    func(s *Server, req *request, x *acct, out *xmlWriter) error
	json     func(s *Server, req *request, x *acct) (any, error)
}

// handlers is the dispatch table: service → operation → handler.
var handlers = map[string]map[string]handler{
	svcIAM:           iamHandlers(),
	svcSTS:           stsHandlers(),
	svcOrganizations: organizationsHandlers(),
	svcSSO:           ssoHandlers(),
	svcIdentityStore: identityStoreHandlers(),
}

// parseAuthorization returns the access key ID and service of a SigV4-signed request, from the
// Authorization header or a presigned URL's X-Amz-Credential.
func parseAuthorization(r *http.Request) (keyID, service string, ok bool) {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		alg, rest, _ := strings.Cut(h, " ")
		if alg != "AWS4-HMAC-SHA256" {
			return "", "", false
		}
		for _, part := range strings.Split(rest, ",") {
			if v, found := strings.CutPrefix(strings.TrimSpace(part), "Credential="); found {
				cred = v
			}
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// <key>/<yyyymmdd>/<region>/<service>/aws4_request
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[3] == "" || parts[4] != "aws4_request" {
		return "", "", false
	}
	return parts[0], parts[3], true
}

// authenticate resolves the signing key to the account the request acts in.
func (s *Server) authenticate(r *http.Request, req *request, keyID string) (string, caller, *apiError) {
	if keyID == s.opts.AccessKeyID {
		s.mu.RLock()
		mgmt := s.w.org.ManagementAccount
		s.mu.RUnlock()
		return mgmt, caller{
			arn:    UserARN(mgmt, "/", s.opts.BaseUserName),
			userID: uniqueID("AIDA", mgmt, "user", s.opts.BaseUserName),
		}, nil
	}
	s.sessMu.Lock()
	sess := s.sessions[keyID]
	s.sessMu.Unlock()
	if sess == nil {
		return "", caller{}, invalidToken(req)
	}
	if r.Header.Get("X-Amz-Security-Token") != sess.token {
		return sess.account, caller{}, invalidToken(req)
	}
	if !s.now().Before(sess.expires) {
		return sess.account, caller{}, expiredToken(req)
	}
	return sess.account, sess.who, nil
}

func invalidToken(req *request) *apiError {
	if req.json {
		return errorf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	return errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func expiredToken(req *request) *apiError {
	if req.json {
		return errorf(http.StatusBadRequest, "ExpiredTokenException", "The security token included in the request is expired")
	}
	return errorf(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
}

// accessDenied is the message AWS gives when a principal lacks a permission.
func accessDenied(req *request, resource string) *apiError {
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s:%s on resource: %s", req.who.arn, req.service, req.op, resource)
	if req.json {
		return &apiError{status: http.StatusForbidden, code: "AccessDeniedException", msg: msg}
	}
	return &apiError{status: http.StatusForbidden, code: "AccessDenied", msg: msg}
}

// requestID returns a fresh UUID-shaped request ID.
func (s *Server) requestID() string {
	n := s.reqSeq.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(n>>32), uint16(n>>16), uint16(n)&0xfff, 0, n)
}

// writeError renders err in the request's protocol and returns the status.
func (s *Server) writeError(w http.ResponseWriter, req *request, err error) int {
	var ae *apiError
	if !errors.As(err, &ae) {
		s.log.Error("handler failed", "service", req.service, "op", req.op, "err", err)
		ae = &apiError{status: http.StatusInternalServerError, code: "InternalFailure", msg: "internal error"}
	}
	w.Header().Set("X-Amzn-RequestId", req.id)
	if req.json {
		writeJSONError(w, ae)
	} else {
		writeQueryError(w, req, ae)
	}
	return ae.status
}
