package awsiam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

func apiErr(code string) error {
	return &smithy.OperationError{ServiceID: "IAM", OperationName: "GetAccountAuthorizationDetails",
		Err: &retry.MaxAttemptsError{Attempt: 3, Err: &smithy.GenericAPIError{Code: code, Message: "m"}}}
}

func statusErr(status int) error {
	return &smithy.OperationError{ServiceID: "IAM", OperationName: "GetAccountSummary",
		Err: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("deserialization failed")}}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want inventory.ErrorKind
	}{
		{"access denied", apiErr("AccessDenied"), inventory.ErrPermissionDenied},
		{"access denied exception", apiErr("AccessDeniedException"), inventory.ErrPermissionDenied},
		{"unauthorized operation", apiErr("UnauthorizedOperation"), inventory.ErrPermissionDenied},
		{"expired token", apiErr("ExpiredToken"), inventory.ErrPermissionDenied},
		{"invalid client token", apiErr("InvalidClientTokenId"), inventory.ErrPermissionDenied},
		{"throttling", apiErr("Throttling"), inventory.ErrThrottled},
		{"throttling exception", apiErr("ThrottlingException"), inventory.ErrThrottled},
		{"too many requests", apiErr("TooManyRequestsException"), inventory.ErrThrottled},
		{"request limit exceeded", apiErr("RequestLimitExceeded"), inventory.ErrThrottled},
		{"service unavailable", apiErr("ServiceUnavailable"), inventory.ErrUnavailable},
		{"internal failure", apiErr("InternalFailure"), inventory.ErrUnavailable},
		{"validation error", apiErr("ValidationError"), inventory.ErrInvalid},
		{"malformed policy", apiErr("MalformedPolicyDocument"), inventory.ErrInvalid},
		{"no such entity", apiErr("NoSuchEntity"), inventory.ErrNotFound},
		{"organizations not in use", apiErr("AWSOrganizationsNotInUseException"), inventory.ErrNotFound},
		{"unknown code, 503", &smithy.OperationError{Err: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: &smithy.GenericAPIError{Code: "Odd"}}}, inventory.ErrUnavailable},
		{"status 500", statusErr(500), inventory.ErrUnavailable},
		{"status 403", statusErr(403), inventory.ErrPermissionDenied},
		{"status 429", statusErr(429), inventory.ErrThrottled},
		{"status 404", statusErr(404), inventory.ErrNotFound},
		{"status 400", statusErr(400), inventory.ErrInvalid},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), inventory.ErrTimeout},
		{"cancelled", context.Canceled, inventory.ErrTimeout},
		{"retry quota", &smithy.OperationError{Err: ratelimit.QuotaExceededError{Available: 0, Requested: 5}}, inventory.ErrThrottled},
		{"connection refused", &smithy.OperationError{Err: &smithyhttp.RequestSendError{Err: errors.New("dial tcp: connection refused")}}, inventory.ErrUnavailable},
		{"plain error", errors.New("boom"), inventory.ErrUnknown},
		{"already classified", collector.Errorf(inventory.ErrInvalid, "bad report"), inventory.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if k := collector.KindOf(got); k != tt.want {
				t.Errorf("KindOf(Classify(%v)) = %q, want %q", tt.err, k, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Classify(%v) does not wrap the original error", tt.err)
			}
			if got.Error() != tt.err.Error() {
				t.Errorf("Classify changed the message: %q, want %q", got, tt.err)
			}
		})
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}
