package scim

import (
	"strings"
	"testing"

	"github.com/provost-dev/provost/inventory"
)

// FuzzDecodeUser: any bytes either fail to decode with an error or become a user whose person
// and principal are well formed; nothing panics.
func FuzzDecodeUser(f *testing.F) {
	f.Add([]byte(`{"id":"1","userName":"ada","active":true,"emails":[{"value":"a@b.c","primary":true},{"value":"A@B.C"}],` +
		`"name":{"formatted":"Ada"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E1","manager":{"value":"2"}},` +
		`"meta":{"created":"2026-01-02T03:04:05Z"},"groups":[{"value":"g"}]}`))
	f.Add([]byte(`{"id":"2","active":"False","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"1"},"userType":"LOA"}`))
	f.Add([]byte(`{"id":"3","meta":{"created":"yesterday"}}`))
	f.Add([]byte(`{"ID":"4","USERNAME":"x","Emails":[{"value":"x@y.z","primary":"true"}]}`))
	opts := Options{Name: "s", StatusAttribute: "userType", StatusValues: map[string]inventory.PersonStatus{"loa": inventory.PersonLeave}}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := DecodeUser(data)
		if err != nil {
			if u.ID != "" {
				t.Fatalf("DecodeUser failed (%v) but returned user %q", err, u.ID)
			}
			return
		}
		b := &builder{source: "s", account: "https://idp/scim/v2", opts: &opts}
		people, principals := b.build([]User{u}, nil)
		if len(people) != 1 || len(principals) != 1 {
			t.Fatalf("one user gave %d people and %d principals", len(people), len(principals))
		}
		p, pr := people[0], principals[0]
		if !strings.HasPrefix(p.ID, "s:") || pr.ID != inventory.SCIMPrincipalID("s", u.ID) || pr.PersonID != p.ID {
			t.Fatalf("bad IDs: person %q principal %q → %q", p.ID, pr.ID, pr.PersonID)
		}
		switch p.Status {
		case inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated:
		default:
			t.Fatalf("status %q", p.Status)
		}
		if pr.Disabled != (p.Status == inventory.PersonTerminated) {
			t.Fatalf("principal disabled %v but person %s", pr.Disabled, p.Status)
		}
		if pr.Email != "" && (len(p.Emails) == 0 || pr.Email != p.Emails[0]) {
			t.Fatalf("principal email %q is not the person's first email %v", pr.Email, p.Emails)
		}
	})
}
