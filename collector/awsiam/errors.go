package awsiam

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// Classify wraps err in a *collector.Error whose Kind says why an AWS call failed: the API
// error code first, then the HTTP status, then transport and context errors. It returns nil for
// nil and err itself when err is already classified.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var ce *collector.Error
	if errors.As(err, &ce) && ce.Kind != inventory.ErrNone {
		return err
	}
	return &collector.Error{Kind: kindOf(err), Err: err}
}

func kindOf(err error) inventory.ErrorKind {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return inventory.ErrTimeout
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if k := kindForCode(api.ErrorCode()); k != inventory.ErrNone {
			return k
		}
	}
	var qe ratelimit.QuotaExceededError
	if errors.As(err, &qe) {
		return inventory.ErrThrottled
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if k := kindForStatus(re.HTTPStatusCode()); k != inventory.ErrNone {
			return k
		}
	}
	var se *smithyhttp.RequestSendError
	var ne net.Error
	if errors.As(err, &se) || errors.As(err, &ne) {
		if ne != nil && ne.Timeout() {
			return inventory.ErrTimeout
		}
		return inventory.ErrUnavailable
	}
	return inventory.ErrUnknown
}

// kindForCode maps an AWS API error code to an error kind; ErrNone when the code is unknown.
func kindForCode(code string) inventory.ErrorKind {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
		"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "AuthFailure", "OptInRequired", "IncompleteSignature",
		"MissingAuthenticationToken", "RegionDisabledException":
		return inventory.ErrPermissionDenied
	case "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
		"PriorRequestNotComplete", "LimitExceeded", "LimitExceededException",
		"ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "EC2ThrottledException":
		return inventory.ErrThrottled
	case "ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalError",
		"InternalServerError", "InternalServerException", "ServiceFailure", "ServiceException",
		"RequestTimeout", "RequestTimeoutException":
		return inventory.ErrUnavailable
	case "NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException", "NotFound",
		"NotFoundException", "AWSOrganizationsNotInUseException", "AccountNotFoundException",
		"ReportNotPresent":
		return inventory.ErrNotFound
	case "ValidationError", "ValidationException", "InvalidInput", "InvalidInputException",
		"InvalidParameterValue", "InvalidParameterCombination", "InvalidParameter",
		"MissingParameter", "SerializationException", "InvalidAction", "InvalidQueryParameter":
		return inventory.ErrInvalid
	}
	if strings.HasPrefix(code, "Malformed") {
		return inventory.ErrInvalid
	}
	return inventory.ErrNone
}

func kindForStatus(status int) inventory.ErrorKind {
	switch {
	case status == 401 || status == 403:
		return inventory.ErrPermissionDenied
	case status == 404:
		return inventory.ErrNotFound
	case status == 429:
		return inventory.ErrThrottled
	case status >= 500:
		return inventory.ErrUnavailable
	case status == 400:
		return inventory.ErrInvalid
	}
	return inventory.ErrNone
}

// errorCode returns the AWS API error code in err's chain, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
