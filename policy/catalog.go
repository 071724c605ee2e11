package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/provost-dev/provost/finding"
)

// Catalogue formats accepted by WriteCatalog.
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// WriteCatalog renders checks as a table (ID, severity, title, frameworks), JSON (the Check
// records) or Markdown (docs/checks.md: a summary table and one section per check).
func WriteCatalog(w io.Writer, checks []*Check, format string) error {
	switch format {
	case FormatTable:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\tAPPLIES TO\tFRAMEWORKS")
		for _, c := range checks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Title, strings.Join(c.ResourceKinds, ","), strings.Join(c.Frameworks, ","))
		}
		return tw.Flush()
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if checks == nil {
			checks = []*Check{}
		}
		return enc.Encode(checks)
	case FormatMarkdown:
		return writeMarkdown(w, checks)
	}
	return fmt.Errorf("catalog format %q: want table, json or markdown", format)
}

func sourcePath(file string) string {
	if rest, ok := strings.CutPrefix(file, bundledPrefix); ok {
		return "rego/" + rest
	}
	return file
}

func writeMarkdown(w io.Writer, checks []*Check) error {
	var b strings.Builder
	b.WriteString("# Provost checks\n\n")
	b.WriteString("<!-- Generated from the checks' METADATA by `go test ./policy -run TestChecksDoc -update`. Do not edit by hand. -->\n\n")
	fmt.Fprintf(&b, "%d checks. Each is one Rego package under `provost.checks`; its `# METADATA` gives the ID, severity, "+
		"framework references, suggested remediation and the principal kinds it applies to. "+
		"See [rego/README.md](../rego/README.md) for the input every check reads and how to write your own. "+
		"`provost policy catalog` prints this list for the checks actually loaded, your own included.\n\n", len(checks))
	b.WriteString("| ID | Severity | Title | Applies to | Frameworks |\n|---|---|---|---|---|\n")
	for _, c := range checks {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s |\n", c.ID, strings.ToLower(c.ID), c.Severity, mdEscape(c.Title),
			mdCode(c.ResourceKinds), mdEscape(strings.Join(c.Frameworks, ", ")))
	}
	for _, c := range checks {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n## %s: %s\n\n", strings.ToLower(c.ID), c.ID, mdEscape(c.Title))
		if c.Description != "" {
			b.WriteString(c.Description + "\n\n")
		}
		fmt.Fprintf(&b, "- **Severity:** %s\n", c.Severity)
		fmt.Fprintf(&b, "- **Applies to:** %s\n", mdCode(c.ResourceKinds))
		fmt.Fprintf(&b, "- **Frameworks:** %s\n", mdEscape(strings.Join(c.Frameworks, ", ")))
		if c.Remediation.Action != "" || c.Remediation.Text != "" {
			rem := mdEscape(c.Remediation.Text)
			if c.Remediation.Action != "" {
				rem = "`" + c.Remediation.Action + "`: " + rem
			}
			fmt.Fprintf(&b, "- **Remediation:** %s\n", strings.TrimSuffix(rem, ": "))
		}
		unknown := "no"
		if c.HasCannotEvaluate {
			unknown = "yes, when the data it needs is missing"
		}
		fmt.Fprintf(&b, "- **Reports \"cannot evaluate\":** %s\n", unknown)
		fmt.Fprintf(&b, "- **Source:** `%s` (package `%s`)\n", sourcePath(c.File), c.Package)
	}
	b.WriteString("\n## Findings the engine adds\n\n")
	fmt.Fprintf(&b, "- **%s**: a policy module that fails to parse or compile and whose check has no usable ID; "+
		"a check that fails to load or to evaluate reports an error finding under its own ID instead. "+
		"Status `error`; the other checks still run.\n", finding.CheckPolicyError)
	fmt.Fprintf(&b, "- **%s** (low): a waiver past its expiry. It no longer suppresses anything, and the findings it "+
		"covered are open again.\n", finding.CheckWaiverExpired)
	b.WriteString("\n## Framework references\n\n")
	b.WriteString("Every check cites at least one reference, validated when policies load:\n\n")
	names := FrameworkNames()
	for _, f := range frameworks {
		fmt.Fprintf(&b, "- `%s-…`: %s, e.g. `%s`\n", f.name, names[f.name], f.example)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func mdCode(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}
