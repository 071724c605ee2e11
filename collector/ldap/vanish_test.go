package ldap_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
)

// brokenConn matches the ways the client reports a connection broken under it.
var brokenConn = regexp.MustCompile(`connection (reset by peer|refused|closed)|broken pipe|unexpected EOF`)

// TestOpenLDAPVanishesMidSearch puts a TCP proxy between the collector and slapd holding 45
// people and 3 groups, read 10 entries a page, and breaks the connection (RST) at points of the
// exchange: when accepted, just after the bind, part-way through the user pages, in the group
// search, and by the proxy (the server) going away. Each time the coverage is failed or partial
// with kind unavailable, never complete; the roster is not known (so the remediation guard
// reports it) rather than small; and against the complete snapshot before, the people not read
// are "not seen", none has left and no access is removed. After the proxy comes back the next
// collection equals the first.
func TestOpenLDAPVanishesMidSearch(t *testing.T) {
	srv := testpeer.LDAP(t)
	d := dialDir(t, srv.URL, srv.BindDN, srv.Password)
	const users, groups = 45, 3
	for i := range users {
		d.add(fmt.Sprintf("uid=user%02d,%s", i, srv.BaseDN), "objectClass: inetOrgPerson", fmt.Sprintf("uid: user%02d", i),
			fmt.Sprintf("cn: User %02d", i), "sn: User", fmt.Sprintf("mail: user%02d@corp.example", i), fmt.Sprintf("employeeNumber: E%03d", i))
	}
	for g := range groups {
		lines := []string{"objectClass: groupOfNames", fmt.Sprintf("cn: group%d", g)}
		for i := g; i < users; i += groups {
			lines = append(lines, fmt.Sprintf("member: uid=user%02d,%s", i, srv.BaseDN))
		}
		d.add(fmt.Sprintf("cn=group%d,%s", g, srv.BaseDN), lines...)
	}
	proxy := testpeer.NewFaultProxy(t, strings.TrimPrefix(srv.URL, "ldap://"))
	url := "ldap://" + proxy.Addr()
	now := func() time.Time { return fixedNow }
	src, err := ldap.New(ldap.Options{Name: "corp", URL: url, BindDN: srv.BindDN, BindPassword: srv.Password,
		BaseDN: srv.BaseDN, Flavor: ldap.FlavorOpenLDAP, Groups: true, PageSize: 10, Now: now, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run := func(t *testing.T) *inventory.Snapshot {
		t.Helper()
		snap, err := collector.Run(ctx, []collector.Source{src}, collector.RunOptions{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}

	full := run(t)
	total := proxy.Answered()
	wantFull := []collector.Roster{{Source: "corp", People: users, Status: inventory.CoverageComplete}}
	if diff := cmp.Diff(wantFull, collector.Rosters(full)); diff != "" || full.Coverage[0].Counts["groups"] != groups {
		t.Fatalf("undisturbed collection: rosters (-want +got):\n%s\ncoverage %+v", diff, full.Coverage)
	}
	userSearch := fmt.Sprintf("search users under %s with (objectClass=inetOrgPerson): ", srv.BaseDN)
	groupSearch := fmt.Sprintf("search groups under %s with (|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)): ", srv.BaseDN)

	// want says what a broken collection read: its status, users and groups, and how its
	// error starts (the transport's words after that vary with what the client read first,
	// the data or the reset).
	type want struct {
		status        inventory.CoverageStatus
		users, groups int // -1: some, fewer than all
		errPrefix     string
	}
	tests := []struct {
		name   string
		breaks func()
		want   want
	}{
		{"reset when accepted", func() { proxy.SetResets(testpeer.Reset{From: proxy.Conns() + 1}) },
			want{inventory.CoverageFailed, 0, 0, ""}},
		{"reset after the bind answer and 20 bytes of the first page", func() {
			proxy.SetResets(testpeer.Reset{From: proxy.Conns() + 1, AfterBytes: 14 + 20})
		}, want{inventory.CoverageFailed, 0, 0, userSearch}},
		{"reset part-way through the user pages", func() {
			proxy.SetResets(testpeer.Reset{From: proxy.Conns() + 1, AfterBytes: total * 4 / 10})
		}, want{inventory.CoveragePartial, -1, 0, "the user search stopped after {users} entries: " + userSearch}},
		{"reset in the group search", func() {
			proxy.SetResets(testpeer.Reset{From: proxy.Conns() + 1, AfterBytes: total - 1500}) // each group is about 1 KB
		}, want{inventory.CoveragePartial, users, -1, groupSearch}},
		{"the server goes away", proxy.Stop,
			want{inventory.CoverageFailed, 0, 0, fmt.Sprintf(`connect to %s: LDAP Result Code 200 "Network Error": dial tcp %s: connect: connection refused`, url, proxy.Addr())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.breaks()
			defer proxy.SetResets()
			snap := run(t)
			if len(snap.Coverage) != 1 {
				t.Fatalf("coverage %+v, want one entry", snap.Coverage)
			}
			c := snap.Coverage[0]
			nUsers, nGroups := c.Counts["users"], c.Counts["groups"]
			prefix := strings.ReplaceAll(tt.want.errPrefix, "{users}", fmt.Sprint(nUsers))
			if prefix == "" && c.Status == inventory.CoverageFailed {
				// Reset before the bind: the dial or the bind reads it.
				prefix = "connect to " + url + ": "
				if !strings.HasPrefix(c.Error, prefix) {
					prefix = "bind to " + url + " as " + srv.BindDN + ": "
				}
			}
			if c.Status != tt.want.status || c.ErrorKind != inventory.ErrUnavailable || !strings.HasPrefix(c.Error, prefix) ||
				!brokenConn.MatchString(c.Error) {
				t.Errorf("coverage %s/%s %q\nwant %s/unavailable, starting %q and saying how the connection broke", c.Status, c.ErrorKind, c.Error, tt.want.status, prefix)
			}
			count := func(what string, got, want, all int) {
				if (want >= 0 && got != want) || (want < 0 && (got <= 0 || got >= all)) {
					t.Errorf("%s read: %d, want %d (-1: some, fewer than %d)", what, got, want, all)
				}
			}
			count("users", nUsers, tt.want.users, users)
			count("groups", nGroups, tt.want.groups, groups)
			if len(snap.People) != nUsers || c.Counts["people"] != nUsers {
				t.Errorf("%d people (counted %d) from %d users", len(snap.People), c.Counts["people"], nUsers)
			}

			// The roster is not known: the remediation guard reports it instead of reading
			// the missing people as leavers.
			rosters := collector.Rosters(snap)
			if diff := cmp.Diff([]collector.Roster{{Source: "corp", People: nUsers, Status: tt.want.status}}, rosters); diff != "" {
				t.Errorf("rosters (-want +got):\n%s", diff)
			}
			wantShrink := []collector.RosterChange{{Source: "corp", Before: users, BeforeKnown: true, After: nUsers,
				Reason: "the roster is " + string(tt.want.status) + " in this snapshot"}}
			if diff := cmp.Diff(wantShrink, collector.RosterShrinks(collector.Rosters(full), rosters, 0.1)); diff != "" {
				t.Errorf("roster shrinks (-want +got):\n%s", diff)
			}
			for _, p := range snap.People {
				if p.Status != inventory.PersonActive {
					t.Errorf("person %s is %s", p.ID, p.Status)
				}
			}

			events, err := drift.Diff(full, snap)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[drift.Kind]int{}
			for _, e := range events {
				kinds[e.Kind]++
			}
			// Group memberships read before the group search broke are kept; the others are
			// unseen with the group.
			wantKinds := map[drift.Kind]int{drift.CoverageChanged: 1, drift.PersonNotSeen: users - nUsers,
				drift.PrincipalNotSeen: users - nUsers + groups - nGroups}
			if diff := cmp.Diff(wantKinds, kinds, cmpopts.IgnoreMapEntries(func(_ drift.Kind, n int) bool { return n == 0 })); diff != "" {
				t.Errorf("drift against the complete snapshot by kind (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("the server comes back", func(t *testing.T) {
		if err := proxy.Restart(); err != nil {
			t.Fatal(err)
		}
		snap := run(t)
		if diff := cmp.Diff(full, snap, cmpopts.IgnoreFields(inventory.Snapshot{}, "ID")); diff != "" {
			t.Errorf("collection after the restart differs from the first (-want +got):\n%s", diff)
		}
		if !slices.Equal(collector.Rosters(snap), wantFull) {
			t.Errorf("rosters after the restart: %+v", collector.Rosters(snap))
		}
	})
}
