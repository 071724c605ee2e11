package ldap_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/internal/testpeer"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}

var fixedNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func clock() func() time.Time {
	t := fixedNow
	return func() time.Time { t = t.Add(time.Second); return t }
}

// dir is a seeding connection to a directory peer.
type dir struct {
	t    *testing.T
	conn *goldap.Conn
}

func dialDir(t *testing.T, url, bindDN, password string) *dir {
	t.Helper()
	conn, err := goldap.DialURL(url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Bind(bindDN, password); err != nil {
		t.Fatalf("bind %s: %v", bindDN, err)
	}
	return &dir{t: t, conn: conn}
}

// entry is "attr: value" lines, the LDIF way; an attribute may repeat.
func (d *dir) add(dn string, lines ...string) {
	d.t.Helper()
	req := goldap.NewAddRequest(dn, nil)
	attrs := map[string][]string{}
	var order []string
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			d.t.Fatalf("bad seed line %q", l)
		}
		if _, seen := attrs[k]; !seen {
			order = append(order, k)
		}
		attrs[k] = append(attrs[k], v)
	}
	for _, k := range order {
		req.Attribute(k, attrs[k])
	}
	if err := d.conn.Add(req); err != nil {
		d.t.Fatalf("add %s: %v", dn, err)
	}
}

func (d *dir) replace(dn, attr string, values ...string) {
	d.t.Helper()
	req := goldap.NewModifyRequest(dn, nil)
	req.Replace(attr, values)
	if err := d.conn.Modify(req); err != nil {
		d.t.Fatalf("modify %s %s: %v", dn, attr, err)
	}
}

// operational reads attributes the server sets itself (entryUUID, createTimestamp, objectGUID,
// whenCreated) so that tests can expect them exactly.
type operational struct {
	NativeID string
	Created  time.Time
}

func (d *dir) operational(dn string, ad bool) operational {
	d.t.Helper()
	attrs := []string{"entryUUID", "createTimestamp"}
	if ad {
		attrs = []string{"objectGUID", "whenCreated"}
	}
	res, err := d.conn.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", attrs, nil))
	if err != nil || len(res.Entries) != 1 {
		d.t.Fatalf("read %s: %v", dn, err)
	}
	e := res.Entries[0]
	var op operational
	var created string
	if ad {
		g, err := ldap.FormatGUID(e.GetRawAttributeValue("objectGUID"))
		if err != nil {
			d.t.Fatal(err)
		}
		op.NativeID, created = g, e.GetAttributeValue("whenCreated")
	} else {
		op.NativeID, created = e.GetAttributeValue("entryUUID"), e.GetAttributeValue("createTimestamp")
	}
	t, err := ldap.ParseGeneralizedTime(created)
	if err != nil {
		d.t.Fatal(err)
	}
	op.Created = t
	return op
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}
