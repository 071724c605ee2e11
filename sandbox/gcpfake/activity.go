package gcpfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Activity types Policy Analyzer knows.
const (
	ActivityServiceAccountLastAuth    = "serviceAccountLastAuthentication"
	ActivityServiceAccountKeyLastAuth = "serviceAccountKeyLastAuthentication"
)

type activityJSON struct {
	FullResourceName  string                `json:"fullResourceName"`
	ActivityType      string                `json:"activityType"`
	ObservationPeriod observationPeriodJSON `json:"observationPeriod"`
	Activity          map[string]any        `json:"activity"`
}

type observationPeriodJSON struct {
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

// handleQueryActivities serves policyanalyzer v1 activities.query for a project. Each service
// account (or key) with a LastAuth gets one activity, shaped as in the Activity Analyzer docs.
func handleQueryActivities(s *Server, w http.ResponseWriter, r *http.Request, st *state, container, activityType string) {
	kind, _, _ := strings.Cut(container, "/")
	if kind != "projects" {
		writeError(w, http.StatusNotImplemented, "the fake serves activities only for projects")
		return
	}
	canon, ok := st.canonicalResource(container)
	if !ok {
		denied(w, container)
		return
	}
	if activityType != ActivityServiceAccountLastAuth && activityType != ActivityServiceAccountKeyLastAuth {
		writeError(w, http.StatusBadRequest, "Request contains an invalid argument: unsupported activity type "+activityType)
		return
	}
	filter, err := activityFilter(r.URL.Query().Get("filter"))
	if err != nil {
		writeErr(w, err)
		return
	}
	p := st.projects[strings.TrimPrefix(canon, "projects/")]
	num := strconv.FormatInt(p.Number, 10)
	end := s.now().UTC().Truncate(24 * time.Hour).Add(7 * time.Hour)
	period := observationPeriodJSON{StartTime: formatTime(end.AddDate(0, 0, -90)), EndTime: formatTime(end)}

	var acts []activityJSON
	for i := range p.ServiceAccounts {
		sa := &p.ServiceAccounts[i]
		saName := "//iam.googleapis.com/projects/" + p.ID + "/serviceAccounts/" + sa.Email
		ref := map[string]any{"fullResourceName": saName, "projectNumber": num, "serviceAccountId": sa.UniqueID}
		if activityType == ActivityServiceAccountLastAuth {
			if sa.LastAuth.IsZero() || (filter != "" && filter != saName) {
				continue
			}
			acts = append(acts, activityJSON{
				FullResourceName: saName, ActivityType: activityType, ObservationPeriod: period,
				Activity: map[string]any{"lastAuthenticatedTime": formatTime(sa.LastAuth), "serviceAccount": ref},
			})
			continue
		}
		for k := range sa.Keys {
			key := &sa.Keys[k]
			keyName := saName + "/keys/" + key.ID
			if key.LastAuth.IsZero() || (filter != "" && filter != keyName) {
				continue
			}
			keyRef := map[string]any{"fullResourceName": keyName, "projectNumber": num, "serviceAccountId": sa.UniqueID}
			acts = append(acts, activityJSON{
				FullResourceName: keyName, ActivityType: activityType, ObservationPeriod: period,
				Activity: map[string]any{"lastAuthenticatedTime": formatTime(key.LastAuth), "serviceAccountKey": keyRef},
			})
		}
	}
	start, stop, next, err := s.page(r, len(acts), 1000, 1000)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, struct {
		Activities    []activityJSON `json:"activities,omitempty"`
		NextPageToken string         `json:"nextPageToken,omitempty"`
	}{acts[start:stop], next})
}

// activityFilter accepts "" or activities.full_resource_name / activities.fullResourceName = "X".
func activityFilter(f string) (string, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return "", nil
	}
	for _, field := range []string{"activities.full_resource_name", "activities.fullResourceName"} {
		if rest, ok := strings.CutPrefix(f, field); ok {
			rest = strings.TrimSpace(rest)
			if v, ok := strings.CutPrefix(rest, "="); ok {
				v = strings.TrimSpace(v)
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					return v[1 : len(v)-1], nil
				}
			}
		}
	}
	return "", errorf(http.StatusBadRequest, "Request contains an invalid argument: unsupported filter %q", f)
}
