package cli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/store"
)

func (a *app) newFindingsCommand() *cobra.Command {
	var snapshot, severity, check, principal, status, format string
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List the findings of a snapshot (default: the latest evaluated one)",
		Long: `findings lists the stored findings of a snapshot with their lifecycle: open, waived or
resolved, first seen and last seen. Filters combine: --severity keeps findings at or above a
severity, --check an exact check ID, --principal a glob ("*" matches anything, "/" included),
--status one status. --format csv writes one row per finding.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := format
			if f == "" {
				f = a.output
			}
			switch f {
			case "table", "json", "csv":
			default:
				return usageErr(fmt.Errorf("invalid --format %q: want table, json or csv", f))
			}
			var min finding.Severity
			if severity != "" {
				var err error
				if min, err = parseSeverity("--severity", severity); err != nil {
					return err
				}
			}
			if status != "" && !finding.Status(status).Valid() {
				return usageErr(fmt.Errorf("invalid --status %q: want open, waived, resolved, error or cannot_evaluate", status))
			}
			db, err := a.openStore(true)
			if err != nil {
				return err
			}
			defer db.Close()
			snapID, fs, err := a.loadFindings(db, snapshot)
			if err != nil {
				return err
			}
			if check != "" && !hasCheck(fs, check) {
				if !a.knownCheck(cmd, check) {
					return usageErr(fmt.Errorf("unknown check %q (see `provost policy catalog`)", check))
				}
			}
			var out []finding.Finding
			for _, x := range fs {
				switch {
				case min != 0 && !x.Severity.AtLeast(min):
				case check != "" && x.CheckID != check:
				case status != "" && string(x.Status) != status:
				case principal != "" && !globMatch(principal, x.Principal):
				default:
					out = append(out, x)
				}
			}
			switch f {
			case "json":
				if out == nil {
					out = []finding.Finding{}
				}
				return writeJSON(a.stdout, map[string]any{"snapshot": snapID, "findings": out})
			case "csv":
				w := csv.NewWriter(a.stdout)
				_ = w.Write([]string{"id", "check_id", "severity", "status", "principal", "qualifier", "account", "message", "first_seen", "last_seen", "resolved_at"})
				for _, x := range out {
					_ = w.Write([]string{x.ID, x.CheckID, x.Severity.String(), string(x.Status), csvCell(x.Principal), csvCell(x.Qualifier), x.Account, csvCell(x.Message), fmtTime(x.FirstSeen), fmtTime(x.LastSeen), fmtTime(x.ResolvedAt)})
				}
				w.Flush()
				return w.Error()
			}
			t := newTable(a.stdout, "SEVERITY", "STATUS", "CHECK", "PRINCIPAL", "QUALIFIER", "FIRST SEEN", "MESSAGE")
			for _, x := range out {
				t.row(x.Severity.String(), string(x.Status), x.CheckID, x.Principal, x.Qualifier, fmtTime(x.FirstSeen), x.Message)
			}
			if err := t.flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\n%d of %d findings in snapshot %s\n", len(out), len(fs), snapID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&snapshot, "snapshot", "", "snapshot ID, latest or previous (default: the latest evaluated)")
	fl.StringVar(&severity, "severity", "", "only findings at or above: info, low, medium, high, critical")
	fl.StringVar(&check, "check", "", "only this check ID")
	fl.StringVar(&principal, "principal", "", "only principals matching this glob")
	fl.StringVar(&status, "status", "", "only this status: open, waived, resolved, error, cannot_evaluate")
	fl.StringVar(&format, "format", "", "table, json or csv (default: --output)")
	return cmd
}

// knownCheck reports whether a check with this ID is loaded (bundled or configured).
func (a *app) knownCheck(cmd *cobra.Command, id string) bool {
	lib, _, err := a.loadPolicies(cmd.Context(), nil)
	if err != nil {
		return false
	}
	_, ok := lib.Check(id)
	return ok
}

func hasCheck(fs []finding.Finding, id string) bool {
	for _, f := range fs {
		if f.CheckID == id {
			return true
		}
	}
	return false
}

// loadFindings returns the findings of snapshot ref ("" → the latest evaluated snapshot).
func (a *app) loadFindings(db *store.DB, ref string) (string, []finding.Finding, error) {
	if ref == "" {
		m, fs, err := db.LatestFindings()
		if errors.Is(err, store.ErrNoFindings) {
			return "", nil, fmt.Errorf("no findings in %s yet: run `provost scan` first", db.Path())
		}
		return m.ID, fs, err
	}
	m, err := resolveSnapshot(db, ref)
	if err != nil {
		return "", nil, usageErr(err)
	}
	fs, err := db.Findings(m.ID)
	if errors.Is(err, store.ErrNoFindings) {
		return "", nil, fmt.Errorf("snapshot %s was never evaluated: it has no findings", m.ID)
	}
	return m.ID, fs, err
}

// globMatch matches s against a glob where "*" matches any run of characters ("/" included)
// and "?" one character.
func globMatch(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	// path.Match's "*" stops at "/": match segment by segment over the "*"-split parts.
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return len(s) == len(pattern) && matchQ(pattern, s, true)
	}
	if !matchQ(parts[0], s, true) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return len(s) >= len(p) && matchQ(p, s[len(s)-len(p):], true)
		}
		found := false
		for j := 0; j+len(p) <= len(s); j++ {
			if matchQ(p, s[j:j+len(p)], true) {
				s, found = s[j+len(p):], true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchQ matches p (with "?" wildcards) against the prefix of s of p's length (byte-wise).
func matchQ(p, s string, prefix bool) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != '?' && p[i] != s[i] {
			return false
		}
	}
	return prefix || len(s) == len(p)
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
