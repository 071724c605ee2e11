package reports

import (
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/provost-dev/provost/finding"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool         `json:"tool"`
	Invocations       []sarifInvocation `json:"invocations"`
	AutomationDetails *sarifAutomation  `json:"automationDetails,omitempty"`
	Results           []sarifResult     `json:"results"`
	Properties        map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      *sarifText     `json:"fullDescription,omitempty"`
	Help                 *sarifText     `json:"help,omitempty"`
	DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	StartTimeUTC               string              `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string            `json:"level"`
	Message    sarifText         `json:"message"`
	Descriptor *sarifDescriptor  `json:"descriptor,omitempty"`
	Locations  []sarifLocation   `json:"locations,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`
}

type sarifDescriptor struct {
	ID string `json:"id"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// sarifLevel maps severities onto SARIF levels: critical and high are errors, medium a
// warning, low and info notes.
func sarifLevel(s finding.Severity) string {
	switch {
	case s >= finding.SeverityHigh:
		return "error"
	case s == finding.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score code scanning tools sort by.
func securitySeverity(s finding.Severity) string {
	switch s {
	case finding.SeverityCritical:
		return "9.5"
	case finding.SeverityHigh:
		return "8.0"
	case finding.SeverityMedium:
		return "5.5"
	case finding.SeverityLow:
		return "3.0"
	}
	return "0.0"
}

func sarifTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// renderSARIF writes one run: the checks are its rules, live findings its results (open as
// "fail", waived with an accepted external suppression, cannot-evaluate as "open") and errored
// checks tool execution notifications. Resolved findings are left out. A principal is a
// logical location ("resource") inside its account.
func renderSARIF(w io.Writer, v *view) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "Provost", Version: v.Snapshot.ProvostVersion,
			InformationURI: "https://github.com/provost-dev/provost", Rules: []sarifRule{}}},
		Results: []sarifResult{},
		Properties: map[string]any{
			"snapshot": v.Snapshot.ID, "policyVersion": v.Snapshot.PolicyVersion, "score": v.summary.Score,
		},
	}
	if v.Snapshot.ID != "" {
		run.AutomationDetails = &sarifAutomation{ID: "provost/" + v.Snapshot.ID}
	}
	inv := sarifInvocation{ExecutionSuccessful: v.summary.Statuses.Error == 0,
		StartTimeUTC: sarifTime(v.Snapshot.StartedAt), EndTimeUTC: sarifTime(v.Snapshot.FinishedAt)}

	ruleIndex := map[string]int{}
	addRule := func(id, title, desc string, sev finding.Severity, frameworks []string, rem finding.Remediation) {
		if _, ok := ruleIndex[id]; ok {
			return
		}
		r := sarifRule{ID: id, Name: id, ShortDescription: sarifText{Text: cmpOr(title, id)},
			DefaultConfiguration: sarifRuleConf{Level: sarifLevel(sev)},
			Properties: map[string]any{
				"security-severity": securitySeverity(sev), "severity": sev.String(),
				"tags": append([]string{"security", "identity"}, frameworks...),
			}}
		if desc != "" {
			r.FullDescription = &sarifText{Text: desc}
		}
		if rem.Text != "" {
			r.Help = &sarifText{Text: rem.Text}
		}
		ruleIndex[id] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r)
	}
	checks := slices.Clone(v.Checks)
	slices.SortFunc(checks, func(a, b Check) int { return compareRefs(a.ID, b.ID) })
	for _, c := range checks {
		addRule(c.ID, c.Title, c.Description, c.Severity, c.Frameworks, c.Remediation)
	}
	for _, f := range v.findings {
		addRule(f.CheckID, f.Title, "", f.Severity, f.Frameworks, f.Remediation)
	}

	for _, f := range v.findings {
		if f.Status == finding.StatusResolved {
			continue
		}
		loc := v.sarifLocation(f)
		if f.Status == finding.StatusError {
			n := sarifNotification{Level: "error", Message: sarifText{Text: f.Message}, Descriptor: &sarifDescriptor{ID: f.CheckID}}
			if len(loc.LogicalLocations) > 0 {
				n.Locations = []sarifLocation{loc}
			}
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
			continue
		}
		res := sarifResult{
			RuleID: f.CheckID, RuleIndex: ruleIndex[f.CheckID], Kind: "fail", Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: f.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"provostFindingId/v1": f.ID},
			Properties:          map[string]any{"status": string(f.Status), "severity": f.Severity.String()},
		}
		if len(loc.LogicalLocations) == 0 {
			res.Locations = []sarifLocation{}
		}
		if f.Qualifier != "" {
			res.Properties["qualifier"] = f.Qualifier
		}
		if !f.FirstSeen.IsZero() {
			res.Properties["firstSeen"] = sarifTime(f.FirstSeen)
			res.Properties["openDays"] = strconv.Itoa(int(f.OpenFor(v.Generated) / (24 * time.Hour)))
		}
		if len(f.Evidence) > 0 {
			res.Properties["evidence"] = f.Evidence
		}
		if person := v.personOf(f.Principal); person != nil {
			res.Properties["owner"] = person.Name
			res.Properties["ownerId"] = person.ID
		}
		switch f.Status {
		case finding.StatusWaived:
			res.Suppressions = []sarifSuppress{{Kind: "external", Status: "accepted",
				Justification: f.WaiverReason + " (owner " + f.WaivedBy + ", expires " + sarifTime(f.WaiverExpires) + ")"}}
		case finding.StatusCannotEvaluate:
			res.Kind, res.Level = "open", "none"
		}
		run.Results = append(run.Results, res)
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifLocation names the principal as a logical location inside its account.
func (v *view) sarifLocation(f finding.Finding) sarifLocation {
	var ls []sarifLogicalLocation
	switch {
	case f.Principal != "":
		fq := f.Principal
		if f.Account != "" {
			fq = f.Account + "/" + f.Principal
		}
		ls = append(ls, sarifLogicalLocation{Name: v.principalName(f.Principal), FullyQualifiedName: fq, Kind: "resource"})
	case f.Account != "":
		ls = append(ls, sarifLogicalLocation{Name: f.Account, FullyQualifiedName: f.Account, Kind: "namespace"})
	}
	return sarifLocation{LogicalLocations: ls}
}
