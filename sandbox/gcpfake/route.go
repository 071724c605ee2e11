package gcpfake

import (
	"net/http"
	"strings"
)

type handlerFunc = func(s *Server, w http.ResponseWriter, r *http.Request, st *state)

// route maps a request onto one API method. Paths follow the discovery documents' flatPath
// templates; custom verbs follow the last ':' of the last segment.
func route(st *state, r *http.Request) (*call, error) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	version, rest, _ := strings.Cut(p, "/")
	segs := strings.Split(rest, "/")
	verb := ""
	if last := segs[len(segs)-1]; strings.Contains(last, ":") {
		i := strings.LastIndexByte(last, ':')
		segs[len(segs)-1], verb = last[:i], last[i+1:]
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch version {
	case "v3":
		return routeCRM(st, segs, verb, get, post, r)
	case "v1":
		return routeV1(st, segs, verb, get, post)
	}
	return nil, errorf(http.StatusNotFound, "unknown path %s", r.URL.Path)
}

func notFound(segs []string, verb string) error {
	p := strings.Join(segs, "/")
	if verb != "" {
		p += ":" + verb
	}
	return errorf(http.StatusNotFound, "no such method for %q", p)
}

func routeCRM(st *state, segs []string, verb string, get, post bool, r *http.Request) (*call, error) {
	crm := func(method, resource, project string, h handlerFunc) (*call, error) {
		return &call{api: "cloudresourcemanager", method: method, resource: resource, project: project, handle: h}, nil
	}
	switch len(segs) {
	case 1:
		kind := segs[0]
		if kind != "folders" && kind != "projects" || !get {
			break
		}
		switch verb {
		case "":
			parent := r.URL.Query().Get("parent")
			res, _ := st.canonicalResource(parent)
			if res == "" {
				res = parent
			}
			if kind == "folders" {
				return crm("folders.list", res, "", handleListFolders)
			}
			return crm("projects.list", res, "", handleListProjects)
		case "search":
			if kind == "folders" {
				return crm("folders.search", "", "", handleSearchFolders)
			}
			return crm("projects.search", "", "", handleSearchProjects)
		}
	case 2:
		kind, id := segs[0], segs[1]
		name := kind + "/" + id
		res, project := name, ""
		if kind == "projects" {
			if canon, ok := st.canonicalResource(name); ok {
				res = canon
			}
			project = strings.TrimPrefix(res, "projects/")
		}
		var singular string
		switch kind {
		case "organizations":
			singular = "organizations"
		case "folders":
			singular = "folders"
		case "projects":
			singular = "projects"
		default:
			return nil, notFound(segs, verb)
		}
		switch {
		case get && verb == "":
			return crm(singular+".get", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleGetResource(s, w, r, st, name)
			})
		case post && verb == "getIamPolicy":
			return crm(singular+".getIamPolicy", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleGetIamPolicy(s, w, r, st, name)
			})
		case post && verb == "setIamPolicy":
			return crm(singular+".setIamPolicy", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleSetIamPolicy(s, w, r, st, name)
			})
		}
	}
	return nil, notFound(segs, verb)
}

func routeV1(st *state, segs []string, verb string, get, post bool) (*call, error) {
	iam := func(method, resource, project string, h handlerFunc) (*call, error) {
		return &call{api: "iam", method: method, resource: resource, project: project, handle: h}, nil
	}
	projectOf := func(id string) (res, project string) {
		if canon, ok := st.canonicalResource("projects/" + id); ok {
			return canon, strings.TrimPrefix(canon, "projects/")
		}
		return "projects/" + id, id
	}
	n := len(segs)
	switch {
	case verb == "searchAllIamPolicies" && n == 2 && get:
		scope := segs[0] + "/" + segs[1]
		res, project := scope, ""
		if segs[0] == "projects" {
			res, project = projectOf(segs[1])
		}
		return &call{api: "cloudasset", method: "v1.searchAllIamPolicies", resource: res, project: project,
			handle: func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleSearchAllIamPolicies(s, w, r, st, scope)
			}}, nil

	case verb == "query" && n == 7 && get && segs[2] == "locations" && segs[4] == "activityTypes" && segs[6] == "activities":
		container := segs[0] + "/" + segs[1]
		res, project := container, ""
		if segs[0] == "projects" {
			res, project = projectOf(segs[1])
		}
		activityType := segs[5]
		return &call{api: "policyanalyzer", method: segs[0] + ".locations.activityTypes.activities.query",
			resource: res, project: project,
			handle: func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleQueryActivities(s, w, r, st, container, activityType)
			}}, nil

	case segs[0] == "groups":
		ci := func(method, resource string, h handlerFunc) (*call, error) {
			return &call{api: "cloudidentity", method: method, resource: resource, handle: h}, nil
		}
		switch {
		case n == 1 && get && verb == "lookup":
			return ci("groups.lookup", "", handleLookupGroup)
		case n == 3 && get && segs[2] == "memberships" && verb == "":
			group := "groups/" + segs[1]
			return ci("groups.memberships.list", group, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleListMemberships(s, w, r, st, segs[1])
			})
		case n == 3 && get && segs[2] == "memberships" && verb == "searchTransitiveMemberships":
			group := "groups/" + segs[1]
			return ci("groups.memberships.searchTransitiveMemberships", group, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleSearchTransitive(s, w, r, st, segs[1])
			})
		}

	case segs[0] == "roles" && n == 2 && get && verb == "":
		name := "roles/" + segs[1]
		return iam("roles.get", name, "", func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
			handleGetRole(s, w, r, st, name)
		})

	case n == 4 && get && verb == "" && segs[2] == "roles" && (segs[0] == "organizations" || segs[0] == "projects"):
		res, project := segs[0]+"/"+segs[1], ""
		name := strings.Join(segs, "/")
		if segs[0] == "projects" {
			res, project = projectOf(segs[1])
			name = res + "/roles/" + segs[3]
		}
		return iam(segs[0]+".roles.get", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
			handleGetRole(s, w, r, st, name)
		})

	case segs[0] == "projects" && n >= 3 && segs[2] == "serviceAccounts":
		res, project := projectOf(segs[1])
		if segs[1] == "-" && n >= 4 {
			if ref, ok := st.sas[strings.ToLower(segs[3])]; ok {
				res, project = "projects/"+ref.project, ref.project
			} else {
				res, project = "projects/-", ""
			}
		}
		switch {
		case n == 3 && get && verb == "":
			return iam("projects.serviceAccounts.list", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleListServiceAccounts(s, w, r, st, segs[1])
			})
		case n == 4 && get && verb == "":
			return iam("projects.serviceAccounts.get", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleGetServiceAccount(s, w, r, st, segs[1], segs[3])
			})
		case n == 4 && post && (verb == "disable" || verb == "enable"):
			return iam("projects.serviceAccounts."+verb, res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleSetServiceAccountDisabled(s, w, r, st, segs[1], segs[3], verb == "disable")
			})
		case n == 5 && get && verb == "" && segs[4] == "keys":
			return iam("projects.serviceAccounts.keys.list", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleListKeys(s, w, r, st, segs[1], segs[3])
			})
		case n == 6 && get && verb == "" && segs[4] == "keys":
			return iam("projects.serviceAccounts.keys.get", res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleGetKey(s, w, r, st, segs[1], segs[3], segs[5])
			})
		case n == 6 && post && (verb == "disable" || verb == "enable") && segs[4] == "keys":
			return iam("projects.serviceAccounts.keys."+verb, res, project, func(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
				handleSetKeyDisabled(s, w, r, st, segs[1], segs[3], segs[5], verb == "disable")
			})
		}
	}
	return nil, notFound(segs, verb)
}
