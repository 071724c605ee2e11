package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/provost-dev/provost/collector/scim"
)

func Example() {
	// A one-user SCIM service standing in for an identity provider.
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,
			"Resources":[{"id":"00u1","userName":"ada@corp.example","active":false,
			"emails":[{"value":"ada@corp.example","primary":true}],
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1001"}}]}`)
	}))
	defer idp.Close()

	src, err := scim.New(scim.Options{Name: "okta", URL: idp.URL + "/scim/v2", Token: "token-from-env"})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Coverage[0].Status, res.Coverage[0].Counts["people"], "people")
	fmt.Println(res.People[0].ID, res.People[0].Status)
	fmt.Println(res.Principals[0].ID, "disabled:", res.Principals[0].Disabled, "person:", res.Principals[0].PersonID)
	// Output:
	// complete 1 people
	// okta:1001 terminated
	// scim:okta:00u1 disabled: true person: okta:1001
}
