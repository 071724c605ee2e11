package gcpfake

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// Wire shapes of Cloud Resource Manager v3 (field names as in its discovery document).

type orgJSON struct {
	Name                string `json:"name"`
	DisplayName         string `json:"displayName,omitempty"`
	DirectoryCustomerID string `json:"directoryCustomerId,omitempty"`
	State               string `json:"state"`
	CreateTime          string `json:"createTime,omitempty"`
	UpdateTime          string `json:"updateTime,omitempty"`
	Etag                string `json:"etag,omitempty"`
}

type folderJSON struct {
	Name        string `json:"name"`
	Parent      string `json:"parent"`
	DisplayName string `json:"displayName,omitempty"`
	State       string `json:"state"`
	CreateTime  string `json:"createTime,omitempty"`
	UpdateTime  string `json:"updateTime,omitempty"`
	Etag        string `json:"etag,omitempty"`
}

type projectJSON struct {
	Name        string            `json:"name"`
	Parent      string            `json:"parent,omitempty"`
	ProjectID   string            `json:"projectId"`
	State       string            `json:"state"`
	DisplayName string            `json:"displayName,omitempty"`
	CreateTime  string            `json:"createTime,omitempty"`
	UpdateTime  string            `json:"updateTime,omitempty"`
	Etag        string            `json:"etag,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

type policyJSON struct {
	Version  int           `json:"version,omitempty"`
	Bindings []bindingJSON `json:"bindings,omitempty"`
	Etag     string        `json:"etag,omitempty"`
}

type bindingJSON struct {
	Role      string    `json:"role"`
	Members   []string  `json:"members"`
	Condition *exprJSON `json:"condition,omitempty"`
}

type exprJSON struct {
	Expression  string `json:"expression"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Location    string `json:"location,omitempty"`
}

func smallEtag(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "W/\"" + hex.EncodeToString(sum[:6]) + "\""
}

func (st *state) orgJSON() orgJSON {
	o := &st.org
	t := formatTime(st.created)
	return orgJSON{
		Name: st.orgName, DisplayName: o.DisplayName, DirectoryCustomerID: o.CustomerID,
		State: "ACTIVE", CreateTime: t, UpdateTime: t, Etag: smallEtag(st.orgName),
	}
}

func (st *state) folderJSON(name string) folderJSON {
	f := st.folders[name]
	t := formatTime(st.created)
	return folderJSON{
		Name: name, Parent: f.Parent, DisplayName: f.DisplayName, State: "ACTIVE",
		CreateTime: t, UpdateTime: t, Etag: smallEtag(name),
	}
}

func (st *state) projectJSON(id string) projectJSON {
	p := st.projects[id]
	t := formatTime(st.created)
	return projectJSON{
		Name: "projects/" + strconv.FormatInt(p.Number, 10), Parent: p.Parent, ProjectID: p.ID,
		State: "ACTIVE", DisplayName: p.DisplayName, CreateTime: t, UpdateTime: t,
		Etag: smallEtag(p.ID), Labels: p.Labels,
	}
}

// denied is what Resource Manager answers for resources that do not exist or are not visible.
func denied(w http.ResponseWriter, name string) {
	writeError(w, http.StatusForbidden, "Permission denied on resource '"+name+"' (or it may not exist).")
}

func handleGetResource(s *Server, w http.ResponseWriter, _ *http.Request, st *state, name string) {
	canon, ok := st.canonicalResource(name)
	if !ok {
		denied(w, name)
		return
	}
	switch {
	case strings.HasPrefix(canon, "organizations/"):
		writeJSON(w, st.orgJSON())
	case strings.HasPrefix(canon, "folders/"):
		writeJSON(w, st.folderJSON(canon))
	default:
		writeJSON(w, st.projectJSON(strings.TrimPrefix(canon, "projects/")))
	}
}

func handleListFolders(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
	parent := r.URL.Query().Get("parent")
	if parent == "" {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: parent is required")
		return
	}
	canon, ok := st.canonicalResource(parent)
	if !ok || strings.HasPrefix(canon, "projects/") {
		denied(w, parent)
		return
	}
	writeFolders(s, w, r, st, st.childFolders[canon])
}

func handleSearchFolders(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
	parent, all, err := parentQuery(r.URL.Query().Get("query"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	names := st.folderOrder
	if !all {
		names = st.childFolders[parent]
	}
	writeFolders(s, w, r, st, names)
}

func writeFolders(s *Server, w http.ResponseWriter, r *http.Request, st *state, names []string) {
	start, end, next, err := s.page(r, len(names), 100, 1000)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Folders       []folderJSON `json:"folders,omitempty"`
		NextPageToken string       `json:"nextPageToken,omitempty"`
	}{NextPageToken: next}
	for _, n := range names[start:end] {
		out.Folders = append(out.Folders, st.folderJSON(n))
	}
	writeJSON(w, out)
}

func handleListProjects(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
	parent := r.URL.Query().Get("parent")
	if parent == "" {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: parent is required")
		return
	}
	canon, ok := st.canonicalResource(parent)
	if !ok || strings.HasPrefix(canon, "projects/") {
		denied(w, parent)
		return
	}
	writeProjects(s, w, r, st, st.childProjs[canon])
}

func handleSearchProjects(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
	parent, all, err := parentQuery(r.URL.Query().Get("query"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ids := st.projOrder
	if !all {
		ids = st.childProjs[parent]
	}
	writeProjects(s, w, r, st, ids)
}

func writeProjects(s *Server, w http.ResponseWriter, r *http.Request, st *state, ids []string) {
	start, end, next, err := s.page(r, len(ids), 100, 1000)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Projects      []projectJSON `json:"projects,omitempty"`
		NextPageToken string        `json:"nextPageToken,omitempty"`
	}{NextPageToken: next}
	for _, id := range ids[start:end] {
		out.Projects = append(out.Projects, st.projectJSON(id))
	}
	writeJSON(w, out)
}

// parentQuery understands the search queries the fake supports: "" (everything visible) and
// "parent=<name>" / "parent:<name>".
func parentQuery(q string) (parent string, all bool, err error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", true, nil
	}
	for _, op := range []string{"parent=", "parent:"} {
		if v, ok := strings.CutPrefix(q, op); ok && v != "" && !strings.ContainsAny(v, " *") {
			return strings.Trim(v, `"`), false, nil
		}
	}
	return "", false, errorf(http.StatusBadRequest, "Request contains an invalid argument: the fake understands only parent=<name> queries, got %q", q)
}

func writeErr(w http.ResponseWriter, err error) {
	if he, ok := err.(*httpError); ok {
		writeError(w, he.code, he.msg)
		return
	}
	writeError(w, http.StatusInternalServerError, err.Error())
}

// policyToJSON renders a stored policy as getIamPolicy would for requestedPolicyVersion v:
// version 3 when there are conditions; below 3 the conditional bindings are returned with
// "_withcond_" role names and no condition, as IAM does for old clients.
func policyToJSON(p *Policy, requested int) policyJSON {
	out := policyJSON{Version: 1}
	if p == nil {
		return out
	}
	out.Etag = p.Etag
	for _, b := range p.Bindings {
		jb := bindingJSON{Role: b.Role, Members: append([]string(nil), b.Members...)}
		if b.Condition != nil {
			if requested >= 3 {
				out.Version = 3
				jb.Condition = &exprJSON{Expression: b.Condition.Expression, Title: b.Condition.Title, Description: b.Condition.Description}
			} else {
				sum := sha256.Sum256([]byte(b.Condition.Expression))
				jb.Role = b.Role + "_withcond_" + hex.EncodeToString(sum[:10])
			}
		}
		out.Bindings = append(out.Bindings, jb)
	}
	return out
}

func handleGetIamPolicy(s *Server, w http.ResponseWriter, r *http.Request, st *state, name string) {
	var req struct {
		Options struct {
			RequestedPolicyVersion int `json:"requestedPolicyVersion"`
		} `json:"options"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	switch req.Options.RequestedPolicyVersion {
	case 0, 1, 3:
	default:
		writeError(w, http.StatusBadRequest, "Invalid requested policy version "+strconv.Itoa(req.Options.RequestedPolicyVersion)+"; valid versions are 0, 1 and 3")
		return
	}
	canon, ok := st.canonicalResource(name)
	if !ok {
		denied(w, name)
		return
	}
	p := st.policies[canon]
	if p == nil {
		// An empty policy still has an etag, so a first setIamPolicy can use it.
		p = &Policy{Etag: st.nextEtag()}
		st.policies[canon] = p
	}
	writeJSON(w, policyToJSON(p, req.Options.RequestedPolicyVersion))
}

func handleSetIamPolicy(s *Server, w http.ResponseWriter, r *http.Request, st *state, name string) {
	var req struct {
		Policy     *policyJSON `json:"policy"`
		UpdateMask string      `json:"updateMask"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	if req.Policy == nil {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: policy is required")
		return
	}
	canon, ok := st.canonicalResource(name)
	if !ok {
		denied(w, name)
		return
	}
	cur := st.policies[canon]
	if req.Policy.Etag != "" && (cur == nil || cur.Etag != req.Policy.Etag) {
		writeError(w, http.StatusConflict, "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
		return
	}
	np := Policy{}
	for _, b := range req.Policy.Bindings {
		if strings.Contains(b.Role, "_withcond_") {
			writeError(w, http.StatusBadRequest, "Request contains an invalid argument: role "+b.Role+" is a version 1 view of a conditional binding; use policy version 3")
			return
		}
		nb := Binding{Role: b.Role, Members: append([]string(nil), b.Members...)}
		if b.Condition != nil {
			if req.Policy.Version < 3 {
				writeError(w, http.StatusBadRequest, "Request contains an invalid argument: conditions require policy version 3")
				return
			}
			nb.Condition = &Condition{Title: b.Condition.Title, Description: b.Condition.Description, Expression: b.Condition.Expression}
		}
		np.Bindings = append(np.Bindings, nb)
	}
	if err := validatePolicy(np); err != nil {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: "+err.Error())
		return
	}
	np.Etag = st.nextEtag()
	st.policies[canon] = &np
	writeJSON(w, policyToJSON(&np, 3))
}
