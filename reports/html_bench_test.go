package reports_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/reports"
)

// largeReport builds a report of n findings over n/3 principals in 50 AWS accounts and 20 GCP
// projects, with evidence on every finding, the fixture's check catalogue and a 30-point trend.
func largeReport(tb testing.TB, n int) *reports.Report {
	tb.Helper()
	snap := &inventory.Snapshot{ID: "snap-large", StartedAt: fixtureStart, FinishedAt: fixtureStart.Add(20 * time.Minute)}
	for a := range 50 {
		id := fmt.Sprintf("%012d", 100000000000+a)
		snap.Accounts = append(snap.Accounts, inventory.Account{ID: id, Provider: inventory.ProviderAWS, Kind: "account", Name: fmt.Sprintf("aws-account-%02d", a)})
		snap.Coverage = append(snap.Coverage, inventory.Coverage{Source: "aws", Provider: inventory.ProviderAWS, Scope: id, Status: inventory.CoverageComplete})
	}
	for p := range 20 {
		id := fmt.Sprintf("projects/proj-%02d", p)
		snap.Accounts = append(snap.Accounts, inventory.Account{ID: id, Provider: inventory.ProviderGCP, Kind: "project", Name: fmt.Sprintf("Project %02d", p)})
		snap.Coverage = append(snap.Coverage, inventory.Coverage{Source: "gcp", Provider: inventory.ProviderGCP, Scope: id, Status: inventory.CoverageComplete})
	}
	nPrincipals := max(n/3, 1)
	for i := range nPrincipals / 2 {
		snap.People = append(snap.People, inventory.Person{ID: fmt.Sprintf("hr:%d", i), Source: "hr", EmployeeID: fmt.Sprint(i),
			Emails: []string{fmt.Sprintf("person%d@corp.com", i)}, Name: fmt.Sprintf("Person %d", i), Title: "Engineer",
			Department: "Platform", Manager: fmt.Sprint(i / 10), Status: inventory.PersonActive})
	}
	for i := range nPrincipals {
		var p inventory.Principal
		if i%3 == 0 {
			acct := fmt.Sprintf("projects/proj-%02d", i%20)
			p = inventory.Principal{ID: fmt.Sprintf("gcp:user:user%d@corp.com", i), Provider: inventory.ProviderGCP, Account: acct,
				Kind: inventory.KindUser, Name: fmt.Sprintf("user%d@corp.com", i), Email: fmt.Sprintf("user%d@corp.com", i),
				Grants: []inventory.Grant{{What: "roles/editor", Where: acct, Via: "direct", Privilege: inventory.PrivilegeAdmin}}}
		} else {
			acct := fmt.Sprintf("%012d", 100000000000+i%50)
			p = inventory.Principal{ID: fmt.Sprintf("arn:aws:iam::%s:user/user%d", acct, i), Provider: inventory.ProviderAWS, Account: acct,
				Kind: inventory.KindUser, Name: fmt.Sprintf("user%d", i), Console: true, LastActivity: fixtureStart.AddDate(0, 0, -i%90),
				Credentials: []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: "active", CreatedAt: fixtureStart.AddDate(-1, 0, 0)}},
				Grants:      []inventory.Grant{{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: acct, Via: "direct", Privilege: inventory.PrivilegeRead}}}
		}
		if i%2 == 0 {
			p.PersonID, p.LinkRule = fmt.Sprintf("hr:%d", i/2), "email"
		}
		snap.Principals = append(snap.Principals, p)
	}
	statuses := []finding.Status{finding.StatusOpen, finding.StatusOpen, finding.StatusOpen, finding.StatusOpen, finding.StatusWaived, finding.StatusResolved, finding.StatusCannotEvaluate}
	fs := make([]finding.Finding, 0, n)
	for i := range n {
		c := fixtureChecks[i%len(fixtureChecks)]
		p := &snap.Principals[(i/len(fixtureChecks)*7+i)%nPrincipals]
		q := fmt.Sprintf("key-%d", i)
		f := finding.Finding{ID: finding.ID(c.ID, p.ID, q), CheckID: c.ID, Title: c.Title, Severity: c.Severity, Frameworks: c.Frameworks,
			Principal: p.ID, Account: p.Account, Provider: p.Provider, Qualifier: q,
			Message:     fmt.Sprintf("%s: %s in %s (%s)", c.Title, p.Name, p.Account, q),
			Evidence:    map[string]any{"credential": q, "age_days": i % 400, "last_used": "2025-04-01"},
			Remediation: c.Remediation, Status: statuses[i%len(statuses)], FirstSeen: fixtureStart.AddDate(0, 0, -i%120), LastSeen: fixtureStart}
		if f.Status == finding.StatusResolved {
			f.ResolvedAt = fixtureStart
		}
		fs = append(fs, f)
	}
	r, err := reports.FromSnapshot(snap, fs, fixtureGenerated)
	if err != nil {
		tb.Fatal(err)
	}
	r.Checks = fixtureChecks
	for d := range 30 {
		r.History = append(r.History, reports.HistoryPoint{Snapshot: fmt.Sprintf("s%d", d), At: fixtureStart.AddDate(0, 0, d-29),
			Open: reports.SeverityCounts{Critical: 9000 - d*10, High: 20000, Medium: 30000, Low: 10000}, Principals: nPrincipals, Score: 40 + float64(d)/2})
	}
	return r
}

// countingWriter counts what is written.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkHTML100k renders the HTML report of 100k findings: ns/op is the render time,
// MB the file size.
func BenchmarkHTML100k(b *testing.B) {
	r := largeReport(b, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	var size int64
	for b.Loop() {
		w := &countingWriter{}
		if err := reports.Render(w, reports.FormatHTML, r); err != nil {
			b.Fatal(err)
		}
		size = w.n
	}
	b.ReportMetric(float64(size)/1e6, "MB")
}

// BenchmarkFormats100k renders the machine formats of the same report.
func BenchmarkFormats100k(b *testing.B) {
	r := largeReport(b, 100_000)
	for _, f := range []reports.Format{reports.FormatJSON, reports.FormatCSV, reports.FormatOCSF, reports.FormatSARIF, reports.FormatJUnit, reports.FormatMarkdown} {
		b.Run(string(f), func(b *testing.B) {
			var size int64
			for b.Loop() {
				w := &countingWriter{}
				if err := reports.Render(w, f, r); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

// BenchmarkHTMLInBrowser100k opens the 100k-finding report in headless Chromium and measures
// what a reader feels: load (navigation until the first page of rows), a search, a severity
// filter and a sort, each until the table shows the result.
func BenchmarkHTMLInBrowser100k(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "large.html")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := reports.Render(f, reports.FormatHTML, largeReport(b, 100_000)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	var load, search, filter, sortT time.Duration
	for b.Loop() {
		bp := newBrowserPage(b)
		start := time.Now()
		bp.must(b, chromedp.Navigate(fileURL(path)), chromedp.WaitVisible(chromedp.CSS("#f-body tr[data-finding]")))
		load += time.Since(start)

		all, err := chromedp.Run(bp.Ctx, chromedp.Evaluate[string](`document.getElementById("f-count").getAttribute("data-count")`))
		if err != nil {
			b.Fatal(err)
		}
		changed := chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("f-count").getAttribute("data-count") !== %q`, all), chromedp.WithPollingTimeout(30*time.Second))
		same := chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("f-count").getAttribute("data-count") === %q`, all), chromedp.WithPollingTimeout(30*time.Second))

		start = time.Now()
		bp.must(b, chromedp.Evaluate[chromedp.Void](`(function(){var e=document.getElementById("f-search");e.value="user4242";e.dispatchEvent(new Event("input"));})()`), changed)
		search += time.Since(start) - 120*time.Millisecond // less the input debounce
		bp.must(b, chromedp.Evaluate[chromedp.Void](`(function(){var e=document.getElementById("f-search");e.value="";e.dispatchEvent(new Event("input"));})()`), same)

		start = time.Now()
		bp.must(b, chromedp.Click(chromedp.CSS(`.chip[data-sev="critical"]`)), changed)
		filter += time.Since(start)

		start = time.Now()
		bp.must(b, chromedp.Click(chromedp.CSS(`th[data-sort="principal"] button`)),
			chromedp.Poll[chromedp.Void](`document.querySelector('th[data-sort="principal"]').getAttribute("aria-sort") === "ascending"`, chromedp.WithPollingTimeout(30*time.Second)))
		sortT += time.Since(start)
		bp.close()
	}
	n := float64(b.N)
	b.ReportMetric(float64(load.Milliseconds())/n, "load-ms")
	b.ReportMetric(float64(search.Milliseconds())/n, "search-ms")
	b.ReportMetric(float64(filter.Milliseconds())/n, "filter-ms")
	b.ReportMetric(float64(sortT.Milliseconds())/n, "sort-ms")
}
