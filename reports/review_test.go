package reports_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// TestBuildReview: managers are found by employee ID and by email, service accounts go under
// their owner, human accounts without an owner form their own group, roles leave out grants
// inherited down the GCP hierarchy, and the last use is the latest of activity and credentials.
func TestBuildReview(t *testing.T) {
	rv := reports.BuildReview(fixtureSnapshot(), fixtureFindings(), fixtureGenerated)
	type row struct {
		Group, Reviewer, Person, Principal string
		Privilege                          inventory.Privilege
		Roles                              []string
		LastUsed                           string
		Findings                           int
	}
	var got []row
	for _, g := range rv.Groups {
		for _, p := range g.People {
			for _, a := range p.Access {
				lu := ""
				if !a.LastUsed.IsZero() {
					lu = a.LastUsed.Format("2006-01-02")
				}
				got = append(got, row{g.Kind, g.Reviewer.ID, p.Person.ID, a.Principal, a.Privilege, a.Roles, lu, a.OpenFindings})
			}
		}
	}
	want := []row{
		// Dave manages hr:2 (by employee ID "4") and hr:3 (by email "dave@corp.com"); names sort
		// "<script>…" before "=HYPERLINK…" before "Alice".
		{"manager", "hr:4", "hr:2", mallory, inventory.PrivilegeAdmin, []string{"Owner @ projects/web (admin)", "Viewer @ organizations/1 (read)"}, "2025-05-25", 1},
		{"manager", "hr:4", "hr:3", ssoCarol, inventory.PrivilegeAdmin, []string{"AdministratorAccess @ 222222222222 (admin)"}, "", 1},
		{"manager", "hr:4", "hr:1", aliceARN, inventory.PrivilegeAdmin, []string{"AdministratorAccess @ 111111111111 (admin)"}, "2025-05-30", 2},
		{"no_manager", "", "hr:4", ciSA, inventory.PrivilegeAdmin, []string{"Owner @ projects/web (admin)"}, "", 1},
		{"unowned", "", "", eveGmail, inventory.PrivilegeRead, []string{"Viewer @ projects/web (read)"}, "", 1},
		{"unowned", "", "", legacyARN, inventory.PrivilegeNone, []string{}, "", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("review rows (-want +got):\n%s", diff)
	}
	if rv.Snapshot != "snap-2025-06-01" || !rv.Generated.Equal(fixtureGenerated) {
		t.Errorf("review of %q at %s", rv.Snapshot, rv.Generated)
	}
	if g := rv.Groups[0].Reviewer; g.Name != hostileQuotes || g.Email != "dave@corp.com" || g.Title != "Head of Platform" {
		t.Errorf("reviewer = %+v", g)
	}
}

// TestSARIFStructure: rules are the checks, results the live findings (errors become tool
// notifications, resolved findings are left out), waived results carry an accepted
// suppression, and each location names the principal inside its account.
func TestSARIFStructure(t *testing.T) {
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Descriptor struct{ ID string } `json:"descriptor"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID       string `json:"ruleId"`
				RuleIndex    int    `json:"ruleIndex"`
				Kind         string `json:"kind"`
				Level        string `json:"level"`
				Suppressions []struct {
					Kind, Status string
				} `json:"suppressions"`
				Locations []struct {
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
						Kind               string `json:"kind"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				Fingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	out := render(t, reports.FormatSARIF, fixtureReport(t))
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q with %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if n := len(run.Tool.Driver.Rules); n != 17 { // 16 catalogue checks and PV-WAIVER-EXPIRED
		t.Errorf("%d rules, want 17", n)
	}
	if len(run.Results) != 13 { // 15 findings less one resolved and one policy error
		t.Errorf("%d results, want 13", len(run.Results))
	}
	if inv := run.Invocations[0]; inv.ExecutionSuccessful || len(inv.Notifications) != 1 || inv.Notifications[0].Descriptor.ID != "PV-CUSTOM-001" {
		t.Errorf("invocation = %+v, want unsuccessful with one notification for PV-CUSTOM-001", inv)
	}
	kinds := map[string]int{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result of %s points at rule %d (%s)", r.RuleID, r.RuleIndex, run.Tool.Driver.Rules[r.RuleIndex].ID)
		}
		if r.Fingerprints["provostFindingId/v1"] == "" {
			t.Errorf("result of %s has no finding ID fingerprint", r.RuleID)
		}
		kinds[r.Kind]++
		switch r.RuleID {
		case "PV-AWS-011":
			if len(r.Suppressions) != 1 || r.Suppressions[0].Kind != "external" || r.Suppressions[0].Status != "accepted" {
				t.Errorf("waived result suppressions = %+v", r.Suppressions)
			}
		case "PV-IDN-002":
			loc := r.Locations[0].LogicalLocations[0]
			if loc.FullyQualifiedName != "organizations/1/"+mallory || loc.Kind != "resource" || r.Level != "error" {
				t.Errorf("leaver result at %+v level %s", loc, r.Level)
			}
		}
	}
	if diff := cmp.Diff(map[string]int{"fail": 12, "open": 1}, kinds); diff != "" {
		t.Errorf("result kinds (-want +got):\n%s", diff)
	}
}

// TestJUnitStructure: one suite per check, one case per check × principal.
func TestJUnitStructure(t *testing.T) {
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Error   *struct{} `xml:"error"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	out := render(t, reports.FormatJUnit, fixtureReport(t))
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	// 17 checks: the 15 findings are 15 distinct check × principal pairs, and PV-AWS-003 and
	// PV-GCP-009 have no findings, so one passing case each. Failures are the 11 open pairs,
	// the error is PV-CUSTOM-001, the skipped are the waived and the cannot-evaluate one.
	if doc.Tests != 17 || doc.Failures != 11 || doc.Errors != 1 || doc.Skipped != 2 || len(doc.Suites) != 17 {
		t.Errorf("tests %d failures %d errors %d skipped %d suites %d; want 17 11 1 2 17", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, len(doc.Suites))
	}
	byName := map[string]int{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			byName[s.Name+" / "+c.Name]++
		}
	}
	for _, name := range []string{
		"PV-AWS-003 Root user used recently / all principals",
		"PV-IDN-004 Shared or generic account / " + scimEve + " (" + hostileMarkdown + ")",
		"PV-AWS-007 Access key not rotated / " + aliceARN + " (alice)",
	} {
		if byName[name] != 1 {
			t.Errorf("no test case %q", name)
		}
	}
	var b bytes.Buffer
	if err := xml.EscapeText(&b, []byte(hostileScript)); err != nil || !bytes.Contains(out, b.Bytes()) {
		t.Errorf("the leaver's owner name is not in the XML as escaped text %q", b.String())
	}
}
