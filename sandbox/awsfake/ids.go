package awsfake

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// UserARN returns the ARN of an IAM user; path is "/" or "/a/b/".
func UserARN(account, path, name string) string { return iamARN(account, "user", path, name) }

// GroupARN returns the ARN of an IAM group.
func GroupARN(account, path, name string) string { return iamARN(account, "group", path, name) }

// RoleARN returns the ARN of an IAM role.
func RoleARN(account, path, name string) string { return iamARN(account, "role", path, name) }

// PolicyARN returns the ARN of a customer-managed policy.
func PolicyARN(account, path, name string) string { return iamARN(account, "policy", path, name) }

// AWSManagedPolicyARN returns the ARN of an AWS managed policy, e.g.
// AWSManagedPolicyARN("/", "ReadOnlyAccess") = "arn:aws:iam::aws:policy/ReadOnlyAccess".
func AWSManagedPolicyARN(path, name string) string { return iamARN("aws", "policy", path, name) }

// RootMFASerial is the serial (ARN) of a root user's virtual MFA device, as the IAM console
// names it.
func RootMFASerial(account string) string {
	return "arn:aws:iam::" + account + ":mfa/root-account-mfa-device"
}

// isVirtualMFASerial reports whether an MFA serial number is a virtual device's ARN (hardware
// devices have plain serials, FIDO security keys u2f ARNs).
func isVirtualMFASerial(serial string) bool {
	return strings.HasPrefix(serial, "arn:") && strings.Contains(serial, ":mfa/")
}

// RootARN returns the ARN of an account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

func iamARN(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// policyNameFromARN returns the last path segment of a policy ARN.
func policyNameFromARN(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

var upperB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func digest(parts ...string) [32]byte {
	var stack [256]byte
	b := stack[:0]
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	return sha256.Sum256(b)
}

// uniqueID returns an IAM unique ID: a 4-letter prefix (AIDA, AGPA, AROA, ANPA) and 17
// characters of [A-Z2-7], derived from seed so that it is stable across SetOrganization calls.
func uniqueID(prefix string, seed ...string) string {
	d := digest(seed...)
	var enc [18]byte // 11 bytes encode to 18 characters
	upperB32.Encode(enc[:], d[:11])
	return prefix + string(enc[:17])
}

// lowerID returns n characters of [a-z2-7] derived from seed.
func lowerID(n int, seed ...string) string {
	d := digest(seed...)
	return strings.ToLower(upperB32.EncodeToString(d[:]))[:n]
}

// hexID returns n hex digits derived from seed.
func hexID(n int, seed ...string) string {
	d := digest(seed...)
	return hex.EncodeToString(d[:])[:n]
}

// uuidID returns a UUID-formatted ID derived from seed (the identity store's ID format).
func uuidID(seed ...string) string {
	h := hexID(32, seed...)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
