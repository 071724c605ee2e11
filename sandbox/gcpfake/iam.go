package gcpfake

import (
	"net/http"
	"slices"
	"strings"
)

// Wire shapes of IAM v1.

type serviceAccountJSON struct {
	Name           string `json:"name"`
	ProjectID      string `json:"projectId"`
	UniqueID       string `json:"uniqueId"`
	Email          string `json:"email"`
	DisplayName    string `json:"displayName,omitempty"`
	Description    string `json:"description,omitempty"`
	Etag           string `json:"etag,omitempty"`
	Oauth2ClientID string `json:"oauth2ClientId,omitempty"`
	Disabled       bool   `json:"disabled,omitempty"`
}

type keyJSON struct {
	Name            string `json:"name"`
	ValidAfterTime  string `json:"validAfterTime,omitempty"`
	ValidBeforeTime string `json:"validBeforeTime,omitempty"`
	KeyAlgorithm    string `json:"keyAlgorithm"`
	KeyOrigin       string `json:"keyOrigin"`
	KeyType         string `json:"keyType"`
	Disabled        bool   `json:"disabled,omitempty"`
}

type roleJSON struct {
	Name                string   `json:"name"`
	Title               string   `json:"title,omitempty"`
	Description         string   `json:"description,omitempty"`
	IncludedPermissions []string `json:"includedPermissions,omitempty"`
	Stage               string   `json:"stage,omitempty"`
	Etag                string   `json:"etag,omitempty"`
	Deleted             bool     `json:"deleted,omitempty"`
}

func saJSON(projectID string, sa *ServiceAccount) serviceAccountJSON {
	return serviceAccountJSON{
		Name: "projects/" + projectID + "/serviceAccounts/" + sa.Email, ProjectID: projectID,
		UniqueID: sa.UniqueID, Email: sa.Email, DisplayName: sa.DisplayName,
		Description: sa.Description, Etag: "MDEwMjE5MjA=", Oauth2ClientID: sa.UniqueID,
		Disabled: sa.Disabled,
	}
}

func handleListServiceAccounts(s *Server, w http.ResponseWriter, r *http.Request, st *state, project string) {
	canon, ok := st.canonicalResource("projects/" + project)
	if !ok {
		denied(w, "projects/"+project)
		return
	}
	p := st.projects[strings.TrimPrefix(canon, "projects/")]
	start, end, next, err := s.page(r, len(p.ServiceAccounts), 20, 100)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Accounts      []serviceAccountJSON `json:"accounts,omitempty"`
		NextPageToken string               `json:"nextPageToken,omitempty"`
	}{NextPageToken: next}
	for i := start; i < end; i++ {
		out.Accounts = append(out.Accounts, saJSON(p.ID, &p.ServiceAccounts[i]))
	}
	writeJSON(w, out)
}

// findSA resolves projects/{project|-}/serviceAccounts/{email|uniqueId}. With "-" a missing
// account is 403, as the real API answers; otherwise 404.
func findSA(w http.ResponseWriter, st *state, project, account string) (*ServiceAccount, string, bool) {
	ref, ok := st.sas[strings.ToLower(account)]
	if ok && project != "-" {
		canon, found := st.canonicalResource("projects/" + project)
		ok = found && canon == "projects/"+ref.project
	}
	if !ok {
		name := "projects/" + project + "/serviceAccounts/" + account
		if project == "-" {
			denied(w, name)
		} else {
			writeError(w, http.StatusNotFound, "Unknown service account "+name)
		}
		return nil, "", false
	}
	return st.sa(ref), ref.project, true
}

func handleGetServiceAccount(s *Server, w http.ResponseWriter, _ *http.Request, st *state, project, account string) {
	sa, pid, ok := findSA(w, st, project, account)
	if !ok {
		return
	}
	writeJSON(w, saJSON(pid, sa))
}

func handleSetServiceAccountDisabled(s *Server, w http.ResponseWriter, _ *http.Request, st *state, project, account string, disabled bool) {
	sa, _, ok := findSA(w, st, project, account)
	if !ok {
		return
	}
	sa.Disabled = disabled
	writeJSON(w, struct{}{})
}

func keyToJSON(pid string, sa *ServiceAccount, k *Key) keyJSON {
	origin := "GOOGLE_PROVIDED"
	return keyJSON{
		Name:           "projects/" + pid + "/serviceAccounts/" + sa.Email + "/keys/" + k.ID,
		ValidAfterTime: formatTime(k.ValidAfter), ValidBeforeTime: formatTime(k.ValidBefore),
		KeyAlgorithm: "KEY_ALG_RSA_2048", KeyOrigin: origin, KeyType: string(k.Type),
		Disabled: k.Disabled,
	}
}

func handleListKeys(s *Server, w http.ResponseWriter, r *http.Request, st *state, project, account string) {
	sa, pid, ok := findSA(w, st, project, account)
	if !ok {
		return
	}
	types := r.URL.Query()["keyTypes"]
	for i, t := range types {
		if t != string(UserManaged) && t != string(SystemManaged) && t != "KEY_TYPE_UNSPECIFIED" {
			writeError(w, http.StatusBadRequest, "Invalid value at 'key_types' ("+t+")")
			return
		}
		if slices.Contains(types[:i], t) {
			writeError(w, http.StatusBadRequest, "Duplicate key type "+t)
			return
		}
	}
	out := struct {
		Keys []keyJSON `json:"keys,omitempty"`
	}{}
	for i := range sa.Keys {
		k := &sa.Keys[i]
		if len(types) > 0 && !slices.Contains(types, string(k.Type)) && !slices.Contains(types, "KEY_TYPE_UNSPECIFIED") {
			continue
		}
		out.Keys = append(out.Keys, keyToJSON(pid, sa, k))
	}
	writeJSON(w, out)
}

func findKey(w http.ResponseWriter, st *state, project, account, keyID string) (*ServiceAccount, *Key, string, bool) {
	sa, pid, ok := findSA(w, st, project, account)
	if !ok {
		return nil, nil, "", false
	}
	for i := range sa.Keys {
		if sa.Keys[i].ID == keyID {
			return sa, &sa.Keys[i], pid, true
		}
	}
	writeError(w, http.StatusNotFound, "Service account key "+keyID+" does not exist.")
	return nil, nil, "", false
}

func handleGetKey(s *Server, w http.ResponseWriter, _ *http.Request, st *state, project, account, keyID string) {
	sa, k, pid, ok := findKey(w, st, project, account, keyID)
	if !ok {
		return
	}
	writeJSON(w, keyToJSON(pid, sa, k))
}

func handleSetKeyDisabled(s *Server, w http.ResponseWriter, _ *http.Request, st *state, project, account, keyID string, disabled bool) {
	_, k, _, ok := findKey(w, st, project, account, keyID)
	if !ok {
		return
	}
	if k.Type == SystemManaged {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: system-managed keys cannot be disabled")
		return
	}
	k.Disabled = disabled
	writeJSON(w, struct{}{})
}

func handleGetRole(s *Server, w http.ResponseWriter, _ *http.Request, st *state, name string) {
	role, ok := st.roles[name]
	if !ok {
		writeError(w, http.StatusNotFound, "The role named "+name+" was not found.")
		return
	}
	stage := role.Stage
	if stage == "" {
		stage = "GA"
	}
	writeJSON(w, roleJSON{
		Name: role.Name, Title: role.Title, Description: role.Description,
		IncludedPermissions: role.Permissions, Stage: stage, Etag: "AA==", Deleted: role.Deleted,
	})
}
