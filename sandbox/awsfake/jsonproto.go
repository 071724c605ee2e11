package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file holds the AWS JSON 1.1 protocol (Organizations, SSO admin, identity store).

func writeJSONError(w http.ResponseWriter, e *apiError) {
	body := map[string]string{"__type": e.code, "Message": e.msg}
	for k, v := range e.fields {
		body[k] = v
	}
	b, _ := json.Marshal(body) // a map of strings always marshals
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// decodeJSON unmarshals the request body into v.
func decodeJSON(req *request, v any) error {
	if len(req.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(req.body, v); err != nil {
		return errorf(http.StatusBadRequest, "SerializationException", "cannot decode %s request: %v", req.op, err)
	}
	return nil
}

// epoch is a timestamp in the JSON protocols' default format: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixNano())/1e9, 'f', -1, 64), nil
}

// epochPtr returns nil for the zero time so that omitempty drops it.
func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

// jsonValidation returns the service's validation error.
func jsonValidation(req *request, format string, args ...any) *apiError {
	code := "ValidationException"
	if req.service == svcOrganizations {
		code = "InvalidInputException"
	}
	e := errorf(http.StatusBadRequest, code, format, args...)
	if req.service == svcOrganizations {
		e.fields = map[string]string{"Reason": "INVALID_INPUT"}
	}
	return e
}

// pageBounds applies MaxResults/NextToken paging to a list of n items: it returns the half-open
// range to serve and the next token ("" on the last page). Tokens carry the operation and offset.
func pageBounds(req *request, n int, maxResults *int, def, limit int, token *string) (int, int, *string, error) {
	size := def
	if maxResults != nil {
		size = *maxResults
		if size < 1 || size > limit {
			return 0, 0, nil, jsonValidation(req, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", size, limit)
		}
	}
	start := 0
	if token != nil && *token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*token)
		op, off, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok || op != req.op {
			return 0, 0, nil, jsonValidation(req, "Invalid NextToken %q", *token)
		}
		start, err = strconv.Atoi(off)
		if err != nil || start < 0 || start > n {
			return 0, 0, nil, jsonValidation(req, "Invalid NextToken %q", *token)
		}
	}
	end := min(start+size, n)
	if end >= n {
		return start, end, nil, nil
	}
	next := base64.RawURLEncoding.EncodeToString([]byte(req.op + ":" + strconv.Itoa(end)))
	return start, end, &next, nil
}

// listOut is a list response: the items under key, and NextToken only when there is a next page.
func listOut(key string, items any, next *string) map[string]any {
	out := map[string]any{key: items}
	if next != nil {
		out["NextToken"] = *next
	}
	return out
}
