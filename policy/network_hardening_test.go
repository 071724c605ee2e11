package policy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestUserPolicyCannotReachNetwork loads user policies that try to reach the network (or the
// runtime environment, or randomness) from a check, from a helper package and from a
// _test.rego test, aimed at a live listener on loopback. Each offending module is a compile
// problem naming its file, line and the builtin; the listener is never contacted, neither by
// Load nor by RunTests; a clean check in the same directory still loads.
func TestUserPolicyCannotReachNetwork(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"exfiltrated": true}`))
	}))
	defer srv.Close()
	check := func(id, pkg, body string) string {
		return strings.Replace(goodMeta, "ACME-001", id, 1) + "package provost.checks." + pkg + "\n" + body
	}
	send := `http.send({"method": "GET", "url": "` + srv.URL + `"})`
	files := map[string]string{
		"ok.rego":         goodMeta + "package provost.checks.acme_demo\n" + goodBody,
		"send.rego":       check("ACME-101", "acme_send", "violation contains {\"principal\": x.principal.id, \"msg\": r.raw_body} if { some x in input.items; r := "+send+" }\n"),
		"lookup.rego":     check("ACME-102", "acme_lookup", "violation contains {\"principal\": x.principal.id, \"msg\": \"m\"} if { some x in input.items; count(net.lookup_ip_addr(\"example.com\")) > 0 }\n"),
		"runtime.rego":    check("ACME-103", "acme_runtime", "violation contains {\"principal\": x.principal.id, \"msg\": \"m\"} if { some x in input.items; opa.runtime().env.HOME }\n"),
		"sign.rego":       check("ACME-104", "acme_sign", "violation contains {\"principal\": x.principal.id, \"msg\": \"m\"} if { some x in input.items; providers.aws.sign_req({}, {}, 0) }\n"),
		"rand.rego":       check("ACME-105", "acme_rand", "violation contains {\"principal\": x.principal.id, \"msg\": \"m\"} if { some x in input.items; rand.intn(\"x\", 2) == 1 }\n"),
		"helper.rego":     "package acme.exfil\nleak(x) := r if { r := " + send + " }\n",
		"exfil_test.rego": "package acme.exfil_test\ntest_leak if { r := " + send + "; r.status_code == 200 }\n",
	}
	dir := writeFiles(t, files)
	ctx := context.Background()
	lib, err := Load(ctx, Options{Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range lib.Checks() {
		if !c.Bundled {
			ids = append(ids, c.ID)
		}
	}
	if diff := cmp.Diff([]string{"ACME-001"}, ids); diff != "" {
		t.Errorf("user checks loaded (-want +got):\n%s", diff)
	}
	probs := lib.Problems()
	for i := range probs {
		probs[i].File = strings.TrimPrefix(probs[i].File, dir+string(filepath.Separator))
	}
	want := []Problem{
		{Package: "acme.exfil", File: "helper.rego", Line: 2, Message: "compile: undefined function http.send"},
		{CheckID: "ACME-102", Package: "provost.checks.acme_lookup", File: "lookup.rego", Line: 9, Message: "compile: undefined function net.lookup_ip_addr"},
		{CheckID: "ACME-105", Package: "provost.checks.acme_rand", File: "rand.rego", Line: 9, Message: "compile: undefined function rand.intn"},
		{CheckID: "ACME-103", Package: "provost.checks.acme_runtime", File: "runtime.rego", Line: 9, Message: "compile: undefined function opa.runtime"},
		{CheckID: "ACME-101", Package: "provost.checks.acme_send", File: "send.rego", Line: 9, Message: "compile: undefined function http.send"},
		{CheckID: "ACME-104", Package: "provost.checks.acme_sign", File: "sign.rego", Line: 9, Message: "compile: undefined function providers.aws.sign_req"},
	}
	if diff := cmp.Diff(want, probs, cmpopts.IgnoreUnexported(Problem{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// A _test.rego test is compiled with the same capabilities: `provost policy test` refuses it.
	results, err := lib.RunTests(ctx, "acme")
	wantErr := "compile policy tests: 1 error occurred: " + filepath.Join(dir, "exfil_test.rego") + ":2: rego_type_error: undefined function http.send"
	if err == nil || err.Error() != wantErr || len(results) != 0 {
		t.Errorf("RunTests: %d results, error %v; want none and %q", len(results), err, wantErr)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the listener was contacted %d times", n)
	}
}
