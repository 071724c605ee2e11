package reports

import (
	_ "embed"
	"encoding/json"
	"io"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// JSON report schema: SchemaID names schema/report.v1.json, SchemaVersion is its major
// version. A change that removes or retypes a field is a new major version and a new file.
const (
	SchemaID      = "https://provost.dev/schema/report.v1.json"
	SchemaVersion = 1
)

//go:embed schema/report.v1.json
var reportSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the JSON report.
func JSONSchema() []byte { return append([]byte(nil), reportSchema...) }

// jsonReport is the JSON report document.
type jsonReport struct {
	Schema        string                `json:"$schema"`
	SchemaVersion int                   `json:"schema_version"`
	Title         string                `json:"title"`
	Generated     time.Time             `json:"generated"`
	Snapshot      SnapshotMeta          `json:"snapshot"`
	Previous      *SnapshotMeta         `json:"previous,omitempty"`
	Summary       Summary               `json:"summary"`
	Totals        Totals                `json:"totals"`
	Coverage      []inventory.Coverage  `json:"coverage"`
	Accounts      []inventory.Account   `json:"accounts"`
	Checks        []Check               `json:"checks"`
	Findings      []finding.Finding     `json:"findings"`
	Principals    []inventory.Principal `json:"principals"`
	People        []inventory.Person    `json:"people"`
	Drift         []drift.Event         `json:"drift"`
	Waivers       []Waiver              `json:"waivers"`
	History       []HistoryPoint        `json:"history"`
	KPIs          *KPIs                 `json:"kpis,omitempty"`
	Review        *Review               `json:"review,omitempty"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

func renderJSON(w io.Writer, v *view) error {
	doc := jsonReport{
		Schema:        SchemaID,
		SchemaVersion: SchemaVersion,
		Title:         v.title(),
		Generated:     v.Generated,
		Snapshot:      v.Snapshot,
		Summary:       v.summary,
		Totals:        v.Totals,
		Coverage:      orEmpty(v.Coverage),
		Accounts:      orEmpty(v.Accounts),
		Checks:        make([]Check, len(v.Checks)),
		Findings:      orEmpty(v.findings),
		Principals:    orEmpty(v.Principals),
		People:        orEmpty(v.People),
		Drift:         orEmpty(v.Drift),
		Waivers:       orEmpty(v.Waivers),
		History:       orEmpty(v.History),
		KPIs:          v.KPIs,
		Review:        v.Review,
	}
	if v.Previous.ID != "" {
		doc.Previous = &v.Previous
	}
	doc.Totals.ByProvider = orEmptyMap(doc.Totals.ByProvider)
	doc.Totals.ByKind = orEmptyMap(doc.Totals.ByKind)
	doc.Totals.ByAccount = orEmptyMap(doc.Totals.ByAccount)
	for i, c := range v.Checks {
		c.Frameworks = orEmpty(c.Frameworks)
		doc.Checks[i] = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
