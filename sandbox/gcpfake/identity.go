package gcpfake

import (
	"net/http"
	"strings"
)

// Wire shapes of Cloud Identity v1 groups.

type entityKeyJSON struct {
	ID        string `json:"id"`
	Namespace string `json:"namespace,omitempty"`
}

type membershipRoleJSON struct {
	Name string `json:"name"`
}

type membershipJSON struct {
	Name               string               `json:"name"`
	PreferredMemberKey entityKeyJSON        `json:"preferredMemberKey"`
	Roles              []membershipRoleJSON `json:"roles"`
	Type               string               `json:"type"`
	CreateTime         string               `json:"createTime,omitempty"`
	UpdateTime         string               `json:"updateTime,omitempty"`
}

type transitiveRoleJSON struct {
	Role string `json:"role"`
}

type memberRelationJSON struct {
	Member             string               `json:"member"`
	PreferredMemberKey []entityKeyJSON      `json:"preferredMemberKey"`
	RelationType       string               `json:"relationType"`
	Roles              []transitiveRoleJSON `json:"roles"`
}

func groupDenied(w http.ResponseWriter, name string) {
	writeError(w, http.StatusForbidden, "Error(2028): Permission denied for resource "+name+" (or it may not exist).")
}

func handleLookupGroup(s *Server, w http.ResponseWriter, r *http.Request, st *state) {
	key := r.URL.Query().Get("groupKey.id")
	if key == "" {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: groupKey.id is required")
		return
	}
	g := st.groups[strings.ToLower(key)]
	if g == nil {
		groupDenied(w, "groups:"+key)
		return
	}
	writeJSON(w, struct {
		Name string `json:"name"`
	}{"groups/" + g.ID})
}

func handleListMemberships(s *Server, w http.ResponseWriter, r *http.Request, st *state, groupID string) {
	g := st.groupByID[groupID]
	if g == nil {
		groupDenied(w, "groups/"+groupID)
		return
	}
	view := r.URL.Query().Get("view")
	def, maxSize := 200, 1000
	switch view {
	case "", "BASIC", "VIEW_UNSPECIFIED":
	case "FULL":
		def, maxSize = 50, 500
	default:
		writeError(w, http.StatusBadRequest, "Invalid value at 'view' ("+view+")")
		return
	}
	start, end, next, err := s.page(r, len(g.Members), def, maxSize)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Memberships   []membershipJSON `json:"memberships,omitempty"`
		NextPageToken string           `json:"nextPageToken,omitempty"`
	}{NextPageToken: next}
	t := formatTime(st.created)
	for _, m := range g.Members[start:end] {
		typ, email, _ := splitMember(m)
		out.Memberships = append(out.Memberships, membershipJSON{
			Name:               "groups/" + g.ID + "/memberships/" + hexID(strings.ToLower(email), 15),
			PreferredMemberKey: entityKeyJSON{ID: email},
			Roles:              []membershipRoleJSON{{Name: "MEMBER"}},
			Type:               typ, CreateTime: t, UpdateTime: t,
		})
	}
	writeJSON(w, out)
}

// handleSearchTransitive returns every direct and indirect member of a group. Users and service
// accounts are named "users/<id>", groups "groups/<id>".
func handleSearchTransitive(s *Server, w http.ResponseWriter, r *http.Request, st *state, groupID string) {
	root := st.groupByID[groupID]
	if root == nil {
		groupDenied(w, "groups/"+groupID)
		return
	}
	type rel struct {
		typ, email      string
		direct, indirec bool
	}
	var order []string
	rels := map[string]*rel{}
	visited := map[string]bool{strings.ToLower(root.Email): true}
	var walk func(g *Group, direct bool)
	walk = func(g *Group, direct bool) {
		for _, m := range g.Members {
			typ, email, _ := splitMember(m)
			k := strings.ToLower(email)
			x := rels[k]
			if x == nil {
				x = &rel{typ: typ, email: email}
				rels[k] = x
				order = append(order, k)
			}
			if direct {
				x.direct = true
			} else {
				x.indirec = true
			}
			if typ == "GROUP" && !visited[k] {
				visited[k] = true
				if nested := st.groups[k]; nested != nil {
					walk(nested, false)
				}
			}
		}
	}
	walk(root, true)
	start, end, next, err := s.page(r, len(order), 200, 1000)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Memberships   []memberRelationJSON `json:"memberships,omitempty"`
		NextPageToken string               `json:"nextPageToken,omitempty"`
	}{NextPageToken: next}
	for _, k := range order[start:end] {
		x := rels[k]
		member := "users/" + numericID(k, 21)
		if x.typ == "GROUP" {
			member = "groups/" + hexID(k, 15)
			if g := st.groups[k]; g != nil {
				member = "groups/" + g.ID
			}
		}
		relType := "DIRECT"
		switch {
		case x.direct && x.indirec:
			relType = "DIRECT_AND_INDIRECT"
		case x.indirec:
			relType = "INDIRECT"
		}
		out.Memberships = append(out.Memberships, memberRelationJSON{
			Member: member, PreferredMemberKey: []entityKeyJSON{{ID: x.email}},
			RelationType: relType, Roles: []transitiveRoleJSON{{Role: "MEMBER"}},
		})
	}
	writeJSON(w, out)
}
