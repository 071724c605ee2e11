package gcpfake

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Asset types of the resources whose policies the fake searches.
const (
	assetOrganization = "cloudresourcemanager.googleapis.com/Organization"
	assetFolder       = "cloudresourcemanager.googleapis.com/Folder"
	assetProject      = "cloudresourcemanager.googleapis.com/Project"
)

type iamPolicySearchResultJSON struct {
	Resource     string     `json:"resource"`
	AssetType    string     `json:"assetType"`
	Project      string     `json:"project,omitempty"`
	Folders      []string   `json:"folders,omitempty"`
	Organization string     `json:"organization,omitempty"`
	Policy       policyJSON `json:"policy"`
}

// handleSearchAllIamPolicies serves cloudasset v1 searchAllIamPolicies. Resource names follow the
// "search and analysis" format (projects by ID); the project field carries the project number.
func handleSearchAllIamPolicies(s *Server, w http.ResponseWriter, r *http.Request, st *state, scope string) {
	canon, ok := st.canonicalResource(scope)
	if !ok {
		writeError(w, http.StatusForbidden, "The caller does not have permission on scope "+scope)
		return
	}
	q := r.URL.Query()
	text, err := policyQuery(q.Get("query"))
	if err != nil {
		writeErr(w, err)
		return
	}
	types := q["assetTypes"]
	want := func(t string) bool { return len(types) == 0 || slices.Contains(types, t) }

	var results []iamPolicySearchResultJSON
	add := func(name, assetType string) {
		p := st.policies[name]
		if p == nil || !want(assetType) {
			return
		}
		pj := policyToJSON(p, 3)
		pj.Etag = ""
		if text != "" {
			pj.Bindings = slices.DeleteFunc(pj.Bindings, func(b bindingJSON) bool { return !bindingMatches(b, text) })
		}
		if len(pj.Bindings) == 0 {
			return
		}
		res := iamPolicySearchResultJSON{AssetType: assetType, Organization: st.orgName, Policy: pj}
		for _, a := range append([]string{name}, st.ancestors(name)...) {
			if strings.HasPrefix(a, "folders/") {
				res.Folders = append(res.Folders, a)
			}
		}
		if id, ok := strings.CutPrefix(name, "projects/"); ok {
			res.Resource = "//cloudresourcemanager.googleapis.com/projects/" + id
			res.Project = "projects/" + strconv.FormatInt(st.projects[id].Number, 10)
		} else {
			res.Resource = "//cloudresourcemanager.googleapis.com/" + name
		}
		results = append(results, res)
	}
	under := func(name string) bool {
		return name == canon || slices.Contains(st.ancestors(name), canon)
	}
	if canon == st.orgName {
		add(canon, assetOrganization)
	}
	for _, f := range st.folderOrder {
		if under(f) {
			add(f, assetFolder)
		}
	}
	for _, id := range st.projOrder {
		if under("projects/" + id) {
			add("projects/"+id, assetProject)
		}
	}
	start, end, next, err := s.page(r, len(results), 100, 500)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, struct {
		Results       []iamPolicySearchResultJSON `json:"results,omitempty"`
		NextPageToken string                      `json:"nextPageToken,omitempty"`
	}{results[start:end], next})
}

// policyQuery accepts an empty query or "policy:<text>" (case-insensitive substring of a role or
// member).
func policyQuery(q string) (string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil
	}
	if v, ok := strings.CutPrefix(q, "policy:"); ok && v != "" && !strings.Contains(v, " ") {
		return strings.ToLower(strings.Trim(v, `"`)), nil
	}
	return "", errorf(http.StatusBadRequest, "Request contains an invalid argument: the fake understands only policy:<text> queries, got %q", q)
}

func bindingMatches(b bindingJSON, text string) bool {
	if strings.Contains(strings.ToLower(b.Role), text) {
		return true
	}
	for _, m := range b.Members {
		if strings.Contains(strings.ToLower(m), text) {
			return true
		}
	}
	return false
}
