package inventory

import (
	"fmt"
	"strings"
)

// GCPPrincipalID returns the stable ID of a GCP member, e.g. "gcp:user:alice@corp.com" or
// "gcp:serviceAccount:sa@p.iam.gserviceaccount.com". Emails are case-folded; GCP treats them
// case-insensitively.
func GCPPrincipalID(memberType, email string) string {
	return "gcp:" + memberType + ":" + strings.ToLower(email)
}

// LDAPPrincipalID returns the stable ID of a directory account from its distinguished name.
func LDAPPrincipalID(dn string) string { return "ldap:" + dn }

// SCIMPrincipalID returns the stable ID of a SCIM user of one configured source.
func SCIMPrincipalID(source, id string) string { return "scim:" + source + ":" + id }

// ARN is a parsed Amazon Resource Name: arn:partition:service:region:account:resource.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ParseARN splits an ARN into its parts. It rejects strings that are not ARNs.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, fmt.Errorf("invalid ARN %q: want arn:partition:service:region:account:resource", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// String reassembles the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}
