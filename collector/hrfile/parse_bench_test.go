package hrfile

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A 100k-person export is a large company's HR file; users feel how long a scan spends on it.
func benchRoster(n int) (csvData, jsonData []byte) {
	var b strings.Builder
	b.WriteString("employee_id,email,aliases,name,department,title,manager,status,start_date,end_date\n")
	rows := make([]map[string]any, 0, n)
	for i := range n {
		status := []string{"Active", "Terminated", "LOA"}[i%3]
		fmt.Fprintf(&b, "E%06d,user%d@corp.example,u%d,\"Last%d, First%d\",Dept%d,Engineer,E%06d,%s,2020-01-02,\n",
			i, i, i, i, i, i%40, i/10, status)
		rows = append(rows, map[string]any{"employee_id": fmt.Sprintf("E%06d", i), "email": fmt.Sprintf("user%d@corp.example", i),
			"aliases": []string{fmt.Sprintf("u%d", i)}, "name": fmt.Sprintf("First%d Last%d", i, i), "department": "D",
			"title": "Engineer", "manager": fmt.Sprintf("E%06d", i/10), "status": status, "start_date": "2020-01-02", "end_date": nil})
	}
	j, _ := json.Marshal(rows)
	return []byte(b.String()), j
}

func BenchmarkParse(b *testing.B) {
	const n = 100_000
	csvData, jsonData := benchRoster(n)
	for _, bc := range []struct {
		name   string
		format Format
		data   []byte
	}{{"csv-100k", FormatCSV, csvData}, {"json-100k", FormatJSON, jsonData}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := testOptions(bc.format)
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := Parse(context.Background(), bc.data, "bench", opts)
				if err != nil || len(r.People) != n {
					b.Fatalf("Parse: %v (%d people)", err, len(r.People))
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "people/s")
		})
	}
}
