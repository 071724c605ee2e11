package reports_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/provost-dev/provost/reports"
)

// compileSchema compiles one of the package's published schemas, with formats asserted.
func compileSchema(t *testing.T, id string, schema []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatalf("schema %s: %v", id, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatalf("schema %s: %v", id, err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", id, err)
	}
	return sch
}

func instance(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// mutate decodes a JSON document, lets f change it, and encodes it again.
func mutate(t *testing.T, data []byte, f func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func render(t *testing.T, format reports.Format, r *reports.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := reports.Render(&b, format, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJSONSchema validates the JSON report of the fixture, and of an empty report, against
// schema/report.v1.json, and checks that the schema rejects documents that break it.
func TestJSONSchema(t *testing.T) {
	sch := compileSchema(t, reports.SchemaID, reports.JSONSchema())
	full := render(t, reports.FormatJSON, fixtureReport(t))
	empty := render(t, reports.FormatJSON, &reports.Report{})
	for name, doc := range map[string][]byte{"fixture": full, "empty report": empty} {
		if err := sch.Validate(instance(t, doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	finding0 := func(doc map[string]any) map[string]any { return doc["findings"].([]any)[0].(map[string]any) }
	bad := []struct {
		name   string
		change func(doc map[string]any)
		want   string // in the error
	}{
		{"unknown severity", func(d map[string]any) { finding0(d)["severity"] = "urgent" }, "/findings/0/severity"},
		{"unknown status", func(d map[string]any) { finding0(d)["status"] = "fixed" }, "/findings/0/status"},
		{"finding without id", func(d map[string]any) { delete(finding0(d), "id") }, "/findings/0"},
		{"extra top-level field", func(d map[string]any) { d["extra"] = true }, "extra"},
		{"other schema version", func(d map[string]any) { d["schema_version"] = 2 }, "/schema_version"},
		{"negative count", func(d map[string]any) { d["summary"].(map[string]any)["open"].(map[string]any)["high"] = -1 }, "/summary/open/high"},
		{"bad time", func(d map[string]any) { d["generated"] = "yesterday" }, "/generated"},
		{"missing findings", func(d map[string]any) { delete(d, "findings") }, "findings"},
		{"score above 100", func(d map[string]any) { d["summary"].(map[string]any)["score"] = 101 }, "/summary/score"},
		{"KPIs without leavers", func(d map[string]any) { delete(d["kpis"].(map[string]any), "leavers") }, "/kpis"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := sch.Validate(instance(t, mutate(t, full, c.change)))
			if err == nil {
				t.Fatal("the schema accepted it")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestOCSFSchema validates every OCSF line of the fixture against
// schema/ocsf-compliance-finding.json, and checks that the schema rejects lines that break
// OCSF's requirements.
func TestOCSFSchema(t *testing.T) {
	sch := compileSchema(t, "https://provost.dev/schema/ocsf-compliance-finding.json", reports.OCSFSchema())
	out := render(t, reports.FormatOCSF, fixtureReport(t))
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if len(lines) != 15 {
		t.Fatalf("%d lines, want one per finding (15)", len(lines))
	}
	activities := map[float64]int{}
	for i, l := range lines {
		if err := sch.Validate(instance(t, l)); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
		var ev map[string]any
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		activities[ev["activity_id"].(float64)]++
	}
	// 2 findings first seen in this run (create), 1 resolved (close), the rest updates.
	if activities[1] != 2 || activities[3] != 1 || activities[2] != 12 {
		t.Errorf("activities %v, want create 2, update 12, close 1", activities)
	}

	bad := []struct {
		name   string
		change func(ev map[string]any)
		want   string
	}{
		{"other class", func(e map[string]any) { e["class_uid"] = 2004 }, "/class_uid"},
		{"type_uid not class*100+activity", func(e map[string]any) { e["type_uid"] = 200303 }, "/type_uid"},
		{"no finding uid", func(e map[string]any) { delete(e["finding_info"].(map[string]any), "uid") }, "/finding_info"},
		{"no standards", func(e map[string]any) { delete(e["compliance"].(map[string]any), "standards") }, "/compliance"},
		{"no product vendor", func(e map[string]any) {
			delete(e["metadata"].(map[string]any)["product"].(map[string]any), "vendor_name")
		}, "/metadata/product"},
		{"cloud profile without cloud", func(e map[string]any) { delete(e, "cloud") }, "cloud"},
		{"time as a string", func(e map[string]any) { e["time"] = "2025-06-01" }, "/time"},
		{"severity out of range", func(e map[string]any) { e["severity_id"] = 7 }, "/severity_id"},
		{"schema version 2", func(e map[string]any) { e["metadata"].(map[string]any)["version"] = "2.0.0" }, "/metadata/version"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			err := sch.Validate(instance(t, mutate(t, lines[0], c.change)))
			if err == nil {
				t.Fatal("the schema accepted it")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}
