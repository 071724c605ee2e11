package awsfake

import (
	"net/http"
	"slices"
	"time"
)

// Fault makes matching requests fail or slow down. Empty Service, Operation and Account match
// any. Faults are checked in the order they were injected; each counts the matching requests it
// sees, and the first one due to fire decides the request's fate.
type Fault struct {
	Service   string // SigV4 scope service: iam, sts, organizations, sso, identitystore
	Operation string // e.g. "GetAccountAuthorizationDetails"
	Account   string // the account the request acts in

	// Code is the error to return, rendered in each protocol's own shape:
	//   "Throttling"          IAM/STS 400 Throttling; Organizations 429 TooManyRequestsException;
	//                         SSO admin and identity store 429 ThrottlingException
	//   "ServiceUnavailable"  503 ServiceUnavailable (JSON: ServiceUnavailableException)
	//   "InternalFailure"     500 InternalFailure (JSON: Organizations ServiceException, others
	//                         InternalServerException)
	//   "AccessDenied"        403 AccessDenied (JSON: AccessDeniedException), with AWS's message
	//   "ExpiredToken"        403 ExpiredToken (JSON: 400 ExpiredTokenException)
	// Any other code is returned as given, with IAM's status for it or 400. An empty Code only
	// applies Delay.
	Code string
	// Times limits the fault to the next Times matching requests (after AfterCalls); 0 = all.
	Times int
	// AfterCalls lets this many matching requests through before the fault starts firing.
	AfterCalls int
	// Delay is added before the response (or the error) of each request the fault fires on.
	Delay time.Duration
}

type faultState struct {
	Fault
	seen  int
	fired int
}

// Inject adds a fault and returns a function that removes it (safe to call more than once).
func (s *Server) Inject(f Fault) (remove func()) {
	st := &faultState{Fault: f}
	s.faultMu.Lock()
	s.faults = append(s.faults, st)
	s.faultMu.Unlock()
	return func() {
		s.faultMu.Lock()
		defer s.faultMu.Unlock()
		s.faults = slices.DeleteFunc(s.faults, func(x *faultState) bool { return x == st })
	}
}

// fault returns the fault that fires on req, if any, after updating every matching fault's count.
func (s *Server) fault(req *request) *Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	var chosen *Fault
	for _, f := range s.faults {
		if (f.Service != "" && f.Service != req.service) ||
			(f.Operation != "" && f.Operation != req.op) ||
			(f.Account != "" && f.Account != req.account) {
			continue
		}
		f.seen++
		if chosen != nil || f.seen <= f.AfterCalls || (f.Times > 0 && f.fired >= f.Times) {
			continue
		}
		f.fired++
		chosen = &f.Fault
	}
	if chosen == nil {
		return nil
	}
	c := *chosen
	return &c
}

// iamErrorStatus is IAM's HTTP status for its modeled error codes.
var iamErrorStatus = map[string]int{
	"ConcurrentModification":        409,
	"ReportExpired":                 410,
	"ReportNotPresent":              410,
	"ReportInProgress":              404,
	"DeleteConflict":                409,
	"EntityAlreadyExists":           409,
	"EntityTemporarilyUnmodifiable": 409,
	"InvalidInput":                  400,
	"LimitExceeded":                 409,
	"MalformedPolicyDocument":       400,
	"NoSuchEntity":                  404,
	"PolicyNotAttachable":           400,
	"ReportGenerationLimitExceeded": 409,
	"ServiceFailure":                500,
	"UnmodifiableEntity":            400,
	"InvalidClientTokenId":          403,
}

// faultError renders a fault code as the request's service would send it.
func faultError(req *request, code string) *apiError {
	switch code {
	case "Throttling":
		switch req.service {
		case svcOrganizations:
			return errorf(http.StatusTooManyRequests, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
		case svcSSO, svcIdentityStore:
			return errorf(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		}
		return errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
	case "ServiceUnavailable":
		if req.json {
			return errorf(http.StatusServiceUnavailable, "ServiceUnavailableException", "Service is unavailable. Please try again later.")
		}
		return errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Please try again later.")
	case "InternalFailure":
		switch req.service {
		case svcOrganizations:
			return errorf(http.StatusInternalServerError, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.")
		case svcSSO, svcIdentityStore:
			return errorf(http.StatusInternalServerError, "InternalServerException", "An internal failure occurred.")
		}
		return errorf(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
	case "AccessDenied":
		return accessDenied(req, "*")
	case "ExpiredToken":
		return expiredToken(req)
	}
	status, ok := iamErrorStatus[code]
	if !ok || req.json {
		status = http.StatusBadRequest
	}
	return errorf(status, code, "injected fault %s", code)
}
