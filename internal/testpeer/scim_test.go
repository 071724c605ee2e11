package testpeer

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func scimDo(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestSCIM(t *testing.T) {
	srv := SCIM(t)
	user := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ada",
		"emails": []map[string]any{{"value": "ada@corp.example", "type": "work", "primary": true}}}
	if code, body := scimDo(t, http.MethodPost, srv.URL+"/Users", srv.Token, user); code != http.StatusCreated {
		t.Fatalf("POST /Users = %d %v", code, body)
	}
	noMail := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "svc"}
	if code, body := scimDo(t, http.MethodPost, srv.URL+"/Users", srv.Token, noMail); code != http.StatusCreated {
		t.Fatalf("POST /Users = %d %v", code, body)
	}

	// A complex filter must skip users without emails instead of failing the request.
	code, body := scimDo(t, http.MethodGet, srv.URL+`/Users?filter=emails%5Btype%20eq%20%22work%22%5D`, srv.Token, nil)
	if code != http.StatusOK || body["totalResults"] != float64(1) {
		t.Fatalf("filtered GET /Users = %d %v, want one user", code, body)
	}

	code, body = scimDo(t, http.MethodGet, srv.URL+"/Users", srv.ExpiredToken, nil)
	want := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": "401", "detail": "The bearer token has expired"}
	if code != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d", code)
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("expired token body (-want +got):\n%s", diff)
	}

	// A second call hands out an empty server.
	srv = SCIM(t)
	code, body = scimDo(t, http.MethodGet, srv.URL+"/Users", srv.Token, nil)
	if code != http.StatusOK || body["totalResults"] != float64(0) {
		t.Fatalf("after reset GET /Users = %d %v, want no users", code, body)
	}
}
