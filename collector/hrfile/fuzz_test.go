package hrfile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/provost-dev/provost/inventory"
)

// checkRoster holds the parser to its promises whatever the input: no panic, every row either
// a person or a problem, person IDs unique and well formed, problem lines in order and inside
// the file, statuses known.
func checkRoster(t *testing.T, data []byte, r *Roster, err error) {
	t.Helper()
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse error %v (%T) is not a *SyntaxError", err, err)
		}
		return
	}
	if got := len(r.People) + len(r.Problems); got != r.Rows {
		t.Fatalf("%d people + %d problems != %d rows", len(r.People), len(r.Problems), r.Rows)
	}
	lines := strings.Count(string(data), "\n") + 1
	prev := 0
	for _, p := range r.Problems {
		if p.Line < 1 || p.Line > lines || p.Line < prev || p.Msg == "" {
			t.Fatalf("problem %+v out of order or outside the file's %d lines", p, lines)
		}
		prev = p.Line
	}
	seen := map[string]bool{}
	for _, p := range r.People {
		if p.ID != "hr:"+p.EmployeeID || p.EmployeeID == "" || seen[strings.ToLower(p.EmployeeID)] {
			t.Fatalf("bad or duplicate person ID %q (employee %q)", p.ID, p.EmployeeID)
		}
		seen[strings.ToLower(p.EmployeeID)] = true
		switch p.Status {
		case inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated:
		default:
			t.Fatalf("person %s has status %q", p.ID, p.Status)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("employee_id,email,aliases,name,department,title,manager,status,start_date,end_date\n" +
		"E1,a@b.co,x;y@b.co,\"A, B\",D,T,E0,LOA,2020-01-01,\nE1,a@b.co,,,,,,,,\n"))
	f.Add([]byte("\uFEFFemployee_id,email,aliases,name,department,title,manager,status,start_date,end_date\r\n\"E\n2\",,,,,,,,,2026-01-01\r\n"))
	f.Add([]byte("\xFF\xFEe\x00,\x00"))
	f.Add([]byte("employee_id,email,aliases,name,department,title,manager,status,start_date,end_date\nE1,\"a@b.co"))
	opts := testOptions(FormatCSV)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(context.Background(), data, "f.csv", opts)
		checkRoster(t, data, r, err)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`[{"employee_id": 1, "email": "a@b.co", "aliases": ["x"], "name": "A", "department": null, "title": "T", "manager": "2", "status": "LOA", "start_date": "2020-01-01", "end_date": ""}]`))
	f.Add([]byte(`[{"employee_id": "1"}, 3, [], {"employee_id": "1", "email": {"a": 1}}]`))
	f.Add([]byte("[\n{\"employee_id\": \"1\"\n"))
	opts := testOptions(FormatJSON)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(context.Background(), data, "f.json", opts)
		checkRoster(t, data, r, err)
	})
}
