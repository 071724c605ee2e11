package reports

import (
	_ "embed"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// OCSF constants: the schema version the events follow and the Compliance Finding class.
const (
	OCSFVersion           = "1.3.0"
	ocsfCategoryFindings  = 2
	ocsfClassCompliance   = 2003
	ocsfActivityCreate    = 1
	ocsfActivityUpdate    = 2
	ocsfActivityClose     = 3
	ocsfStatusNew         = 1
	ocsfStatusSuppressed  = 3
	ocsfStatusResolved    = 4
	ocsfStatusOther       = 99
	ocsfCompliancePass    = 1
	ocsfComplianceWarning = 2
	ocsfComplianceFail    = 3
)

//go:embed schema/ocsf-compliance-finding.json
var ocsfSchema []byte

// OCSFSchema returns the JSON Schema (draft 2020-12) each OCSF line follows: the attributes of
// the Compliance Finding class (2003) that Provost writes, with OCSF 1.x's requirements.
func OCSFSchema() []byte { return append([]byte(nil), ocsfSchema...) }

type ocsfEvent struct {
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	// Time is when the finding was last evaluated, in milliseconds since the epoch.
	Time        int64            `json:"time"`
	Message     string           `json:"message"`
	Metadata    ocsfMetadata     `json:"metadata"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Compliance  ocsfCompliance   `json:"compliance"`
	Remediation *ocsfRemediation `json:"remediation,omitempty"`
	Resources   []ocsfResource   `json:"resources,omitempty"`
	Cloud       *ocsfCloud       `json:"cloud,omitempty"`
	Unmapped    map[string]any   `json:"unmapped,omitempty"`
}

type ocsfMetadata struct {
	Version        string      `json:"version"`
	Product        ocsfProduct `json:"product"`
	Profiles       []string    `json:"profiles,omitempty"`
	CorrelationUID string      `json:"correlation_uid,omitempty"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string       `json:"uid"`
	Title         string       `json:"title"`
	Desc          string       `json:"desc,omitempty"`
	Types         []string     `json:"types,omitempty"`
	FirstSeenTime int64        `json:"first_seen_time,omitempty"`
	LastSeenTime  int64        `json:"last_seen_time,omitempty"`
	Analytic      ocsfAnalytic `json:"analytic"`
}

type ocsfAnalytic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements,omitempty"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusDetail string   `json:"status_detail,omitempty"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

type ocsfResource struct {
	UID   string     `json:"uid"`
	Name  string     `json:"name,omitempty"`
	Type  string     `json:"type,omitempty"`
	Owner *ocsfUser  `json:"owner,omitempty"`
	Group *ocsfGroup `json:"group,omitempty"`
}

type ocsfUser struct {
	UID       string `json:"uid"`
	Name      string `json:"name,omitempty"`
	EmailAddr string `json:"email_addr,omitempty"`
}

type ocsfGroup struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Account  *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
}

func ocsfMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

var ocsfSeverityNames = map[finding.Severity]string{
	finding.SeverityInfo: "Informational", finding.SeverityLow: "Low", finding.SeverityMedium: "Medium",
	finding.SeverityHigh: "High", finding.SeverityCritical: "Critical",
}

// renderOCSF writes one OCSF Compliance Finding per line.
func renderOCSF(w io.Writer, v *view) error {
	enc := json.NewEncoder(w)
	for _, f := range v.findings {
		if err := enc.Encode(v.ocsfEvent(f)); err != nil {
			return err
		}
	}
	return nil
}

func (v *view) ocsfEvent(f finding.Finding) ocsfEvent {
	e := ocsfEvent{
		CategoryUID: ocsfCategoryFindings, CategoryName: "Findings",
		ClassUID: ocsfClassCompliance, ClassName: "Compliance Finding",
		SeverityID: int(f.Severity), Severity: ocsfSeverityNames[f.Severity],
		Message: f.Message,
		Metadata: ocsfMetadata{
			Version:        OCSFVersion,
			Product:        ocsfProduct{Name: "Provost", VendorName: "Provost", Version: v.Snapshot.ProvostVersion},
			CorrelationUID: v.Snapshot.ID,
		},
	}
	title := v.checkTitle(f.CheckID, f.Title)
	if title == "" {
		title = f.CheckID
	}
	e.FindingInfo = ocsfFindingInfo{
		UID: f.ID, Title: title, Desc: f.Message, Types: []string{f.CheckID},
		FirstSeenTime: ocsfMillis(f.FirstSeen), LastSeenTime: ocsfMillis(f.LastSeen),
		Analytic: ocsfAnalytic{UID: f.CheckID, Name: title, TypeID: 1, Type: "Rule"},
	}

	e.ActivityID, e.ActivityName = ocsfActivityUpdate, "Update"
	switch {
	case f.Status == finding.StatusResolved:
		e.ActivityID, e.ActivityName = ocsfActivityClose, "Close"
	case f.FirstSeen.IsZero() || f.FirstSeen.Equal(f.LastSeen):
		e.ActivityID, e.ActivityName = ocsfActivityCreate, "Create"
	}
	e.TypeUID = ocsfClassCompliance*100 + e.ActivityID
	e.TypeName = "Compliance Finding: " + e.ActivityName

	refs := f.Frameworks
	if len(refs) == 0 {
		if c := v.checks[f.CheckID]; c != nil {
			refs = c.Frameworks
		}
	}
	e.Compliance = ocsfCompliance{Control: f.CheckID, Standards: []string{}, Requirements: refs}
	for _, ref := range refs {
		_, title := frameworkOf(ref)
		if !slices.Contains(e.Compliance.Standards, title) {
			e.Compliance.Standards = append(e.Compliance.Standards, title)
		}
	}
	switch f.Status {
	case finding.StatusOpen:
		e.StatusID, e.Status = ocsfStatusNew, "New"
		e.Compliance.StatusID, e.Compliance.Status = ocsfComplianceFail, "Fail"
	case finding.StatusWaived:
		e.StatusID, e.Status = ocsfStatusSuppressed, "Suppressed"
		e.Compliance.StatusID, e.Compliance.Status = ocsfComplianceFail, "Fail"
		e.Compliance.StatusDetail = "waived by " + f.WaivedBy + ": " + f.WaiverReason
	case finding.StatusResolved:
		e.StatusID, e.Status = ocsfStatusResolved, "Resolved"
		e.Compliance.StatusID, e.Compliance.Status = ocsfCompliancePass, "Pass"
	case finding.StatusError:
		e.StatusID, e.Status = ocsfStatusOther, "Error"
		e.Compliance.StatusID, e.Compliance.Status = ocsfComplianceWarning, "Warning"
		e.Compliance.StatusDetail = "the check failed to run"
	case finding.StatusCannotEvaluate:
		e.StatusID, e.Status = ocsfStatusOther, "Cannot evaluate"
		e.Compliance.StatusID, e.Compliance.Status = ocsfComplianceWarning, "Warning"
		e.Compliance.StatusDetail = "the data the check needs was not collected"
	}

	at := f.LastSeen
	if f.Status == finding.StatusResolved && !f.ResolvedAt.IsZero() {
		at = f.ResolvedAt
	}
	for _, t := range []time.Time{v.Snapshot.StartedAt, v.Generated} {
		if at.IsZero() {
			at = t
		}
	}
	e.Time = ocsfMillis(at)

	if text := f.Remediation.Text; text != "" {
		e.Remediation = &ocsfRemediation{Desc: text}
	}
	if f.Principal != "" {
		res := ocsfResource{UID: f.Principal, Name: v.principalName(f.Principal)}
		if p := v.principals[f.Principal]; p != nil {
			res.Type = string(p.Provider) + ":" + string(p.Kind)
		}
		if person := v.personOf(f.Principal); person != nil {
			res.Owner = &ocsfUser{UID: person.ID, Name: person.Name}
			if len(person.Emails) > 0 {
				res.Owner.EmailAddr = person.Emails[0]
			}
		}
		if f.Account != "" {
			res.Group = &ocsfGroup{UID: f.Account, Name: v.accountName(f.Account)}
		}
		e.Resources = []ocsfResource{res}
	}
	switch f.Provider {
	case inventory.ProviderAWS, inventory.ProviderGCP:
		e.Metadata.Profiles = []string{"cloud"}
		e.Cloud = &ocsfCloud{Provider: strings.ToUpper(string(f.Provider))}
		if f.Account != "" {
			e.Cloud.Account = &ocsfAccount{UID: f.Account, Name: v.accountName(f.Account)}
		}
	}
	unmapped := map[string]any{}
	if f.Qualifier != "" {
		unmapped["qualifier"] = f.Qualifier
	}
	if len(f.Evidence) > 0 {
		unmapped["evidence"] = f.Evidence
	}
	if f.Remediation.Action != "" {
		unmapped["remediation_action"] = f.Remediation.Action
	}
	if f.Status == finding.StatusWaived && !f.WaiverExpires.IsZero() {
		unmapped["waiver_expires"] = f.WaiverExpires.UTC().Format(time.RFC3339)
	}
	unmapped["provost_status"] = string(f.Status)
	e.Unmapped = unmapped
	return e
}
