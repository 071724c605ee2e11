package hrfile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

var fixedNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func testOptions(format Format) Options {
	return Options{
		Name:   "hr",
		Format: format,
		StatusValues: map[string]inventory.PersonStatus{
			"Terminated": inventory.PersonTerminated,
			"Inactive":   inventory.PersonTerminated,
			"LOA":        inventory.PersonLeave,
		},
		Now: func() time.Time { return fixedNow },
	}
}

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts func(*Options)
		want *Roster
	}{{
		name: "plain export with every field",
		in: "employee_id,email,aliases,name,department,title,manager,status,start_date,end_date\n" +
			"E100,ada@corp.example,ada;ada.l@corp.example,Ada Lovelace,Engineering,Staff Engineer,,Active,2020-01-06,\n" +
			"E200,bob@corp.example,,Bob Smith,Sales,Rep,E100,Terminated,2021-03-01,2026-10-31\n" +
			"E300,cy@corp.example,cy,Cy Young,Sales,Rep,E200,LOA,2022-05-02,\n",
		want: &Roster{Rows: 3, People: []inventory.Person{
			{ID: "hr:E100", Source: "hr", EmployeeID: "E100", Emails: []string{"ada@corp.example"},
				Aliases: []string{"ada", "ada.l@corp.example"}, Name: "Ada Lovelace", Department: "Engineering",
				Title: "Staff Engineer", Status: inventory.PersonActive, StartDate: date(2020, 1, 6)},
			{ID: "hr:E200", Source: "hr", EmployeeID: "E200", Emails: []string{"bob@corp.example"}, Name: "Bob Smith",
				Department: "Sales", Title: "Rep", Manager: "E100", Status: inventory.PersonTerminated,
				StartDate: date(2021, 3, 1), EndDate: date(2026, 10, 31)},
			{ID: "hr:E300", Source: "hr", EmployeeID: "E300", Emails: []string{"cy@corp.example"}, Aliases: []string{"cy"},
				Name: "Cy Young", Department: "Sales", Title: "Rep", Manager: "E200", Status: inventory.PersonLeave,
				StartDate: date(2022, 5, 2)},
		}},
	}, {
		name: "BOM, CRLF, quoted delimiters and embedded newlines, case-insensitive header",
		in: "\uFEFFEmployee_ID,Email,Name,Title,Status\r\n" +
			"E1,a@corp.example,\"Doe, Jane\",\"Head of \"\"Ops\"\"\",inactive\r\n" +
			"E2,b@corp.example,\"Multi\nLine\",x,\r\n" +
			"E3,c@corp.example,Carl,y,\r\n",
		opts: func(o *Options) {
			o.Columns = Columns{EmployeeID: "employee_id", Email: "email", Name: "name", Title: "title", Status: "status"}
		},
		want: &Roster{Rows: 3, People: []inventory.Person{
			{ID: "hr:E1", Source: "hr", EmployeeID: "E1", Emails: []string{"a@corp.example"}, Name: "Doe, Jane",
				Title: `Head of "Ops"`, Status: inventory.PersonTerminated},
			{ID: "hr:E2", Source: "hr", EmployeeID: "E2", Emails: []string{"b@corp.example"}, Name: "Multi\nLine",
				Title: "x", Status: inventory.PersonActive},
			{ID: "hr:E3", Source: "hr", EmployeeID: "E3", Emails: []string{"c@corp.example"}, Name: "Carl",
				Title: "y", Status: inventory.PersonActive},
		}},
	}, {
		name: "no status column: a passed end date means terminated",
		in: "id;mail;first;last;left\n" +
			"7;g@corp.example;Grace;Hopper;2026-11-30\n" +
			"8;h@corp.example;Hedy;Lamarr;2026-12-01\n" +
			";;;;\n" +
			"9;i@corp.example;Ida;;2026-12-01T08:00:00+01:00\n",
		opts: func(o *Options) {
			o.Delimiter = ';'
			o.Columns = Columns{EmployeeID: "id", Email: "mail", FirstName: "first", LastName: "last", EndDate: "left"}
		},
		want: &Roster{Rows: 3, People: []inventory.Person{
			{ID: "hr:7", Source: "hr", EmployeeID: "7", Emails: []string{"g@corp.example"}, Name: "Grace Hopper",
				Status: inventory.PersonTerminated, EndDate: date(2026, 11, 30)},
			{ID: "hr:8", Source: "hr", EmployeeID: "8", Emails: []string{"h@corp.example"}, Name: "Hedy Lamarr",
				Status: inventory.PersonActive, EndDate: date(2026, 12, 1)},
			{ID: "hr:9", Source: "hr", EmployeeID: "9", Emails: []string{"i@corp.example"}, Name: "Ida",
				Status: inventory.PersonActive, EndDate: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)},
		}},
	}, {
		name: "bad rows are rejected by line, the rest kept",
		in: "employee_id,email,aliases,name,status,end_date\n" +
			"E1,a@corp.example,,Ann,Active,\n" +
			"E2,not-an-email,,Ben,Active,\n" +
			",c@corp.example,,Cat,Active,\n" +
			"E4,d@corp.example,,\"Dan\nDanson\",Retired,\n" +
			"E5,e@corp.example,,Eve,Active,31/12/2026\n" +
			"e1,f@corp.example,,Fay,Active,\n" +
			"E7,g@corp.example,A@CORP.EXAMPLE,Gus,Active,\n" +
			"E8,h@corp.example,,Hal\n" +
			"E9,i@corp.example,has space,Ivy,Active,\n" +
			"E10,j@corp.example,,Jo,Active,\n",
		opts: func(o *Options) {
			o.Columns = Columns{EmployeeID: "employee_id", Email: "email", Aliases: "aliases", Name: "name", Status: "status", EndDate: "end_date"}
		},
		want: &Roster{Rows: 10,
			People: []inventory.Person{
				{ID: "hr:E1", Source: "hr", EmployeeID: "E1", Emails: []string{"a@corp.example"}, Name: "Ann", Status: inventory.PersonActive},
				{ID: "hr:E10", Source: "hr", EmployeeID: "E10", Emails: []string{"j@corp.example"}, Name: "Jo", Status: inventory.PersonActive},
			},
			Problems: []Problem{
				{Line: 3, Msg: `email "not-an-email" is not an email address`},
				{Line: 4, Msg: `employee_id is empty; every person needs an employee ID`},
				{Line: 5, Msg: `status "Retired" is not a known status; want one of active, inactive, leave, loa, terminated (map others with status_values)`},
				{Line: 7, Msg: `end_date "31/12/2026" is not a date; want the layout 2006-01-02 or 2006-01-02T15:04:05Z07:00`},
				{Line: 8, Msg: `employee_id "e1" is a duplicate of line 2`},
				{Line: 9, Msg: `email "A@CORP.EXAMPLE" is a duplicate of line 2`},
				{Line: 10, Msg: `has 4 fields, the header has 6`},
				{Line: 11, Msg: `aliases "has space" contains spaces or control characters`},
			},
		},
	}, {
		name: "invalid UTF-8 and control characters",
		in:   "employee_id,email,name\nE1,a@corp.example,\xff\xfe\nE2,b@corp.example,\"x\x00y\"\n",
		opts: func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email", Name: "name"} },
		want: &Roster{Rows: 2, Problems: []Problem{
			{Line: 2, Msg: "name is not valid UTF-8 (export the file as UTF-8)"},
			{Line: 3, Msg: `name "x\x00y" contains control characters`},
		}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(FormatCSV)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			got, err := Parse(context.Background(), []byte(tt.in), "people.csv", opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("roster (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts func(*Options)
		want *Roster
	}{{
		name: "top-level array with numbers, lists and nulls",
		in: `[
  {"employee_id": 100, "email": "ada@corp.example", "aliases": ["ada", "al@corp.example"], "name": "Ada", "status": "Active", "end_date": null},
  {"employee_id": "200", "email": "bob@corp.example", "aliases": "bob;bobby", "name": "Bob", "status": "terminated", "end_date": "2026-01-31", "extra": {"ignored": true}},
  {}
]`,
		opts: func(o *Options) {
			o.Columns = Columns{EmployeeID: "employee_id", Email: "email", Aliases: "aliases", Name: "name", Status: "status", EndDate: "end_date"}
		},
		want: &Roster{Rows: 2, People: []inventory.Person{
			{ID: "hr:100", Source: "hr", EmployeeID: "100", Emails: []string{"ada@corp.example"}, Aliases: []string{"ada", "al@corp.example"},
				Name: "Ada", Status: inventory.PersonActive},
			{ID: "hr:200", Source: "hr", EmployeeID: "200", Emails: []string{"bob@corp.example"}, Aliases: []string{"bob", "bobby"},
				Name: "Bob", Status: inventory.PersonTerminated, EndDate: date(2026, 1, 31)},
		}},
	}, {
		name: "Workday RaaS shape with nested manager and rejected elements",
		in: `{"Report_Entry": [
  {"Employee_ID": "W1", "Work_Email": "w1@corp.example", "Worker": "Wu One", "Manager": {"Employee_ID": "W0"}, "Worker_Status": "LOA"},
  "oops",
  {"Employee_ID": "W3", "Work_Email": "w3@corp.example", "Worker": ["a", "b"], "Manager": {"Employee_ID": "W1"}, "Worker_Status": "Active"},
  {"Employee_ID": "W4", "Work_Email": "w4@corp.example", "Worker": "Wu Four", "Manager": {"Employee_ID": "W1"}, "Worker_Status": {"x": 1}}
], "Report_Info": ["x"]}`,
		opts: func(o *Options) {
			o.Records = "Report_Entry"
			o.Columns = Columns{EmployeeID: "Employee_ID", Email: "Work_Email", Name: "Worker", Manager: "Manager.Employee_ID", Status: "Worker_Status"}
		},
		want: &Roster{Rows: 4,
			People: []inventory.Person{
				{ID: "hr:W1", Source: "hr", EmployeeID: "W1", Emails: []string{"w1@corp.example"}, Name: "Wu One", Manager: "W0", Status: inventory.PersonLeave},
			},
			Problems: []Problem{
				{Line: 3, Msg: "is a string; want an object with one person's fields"},
				{Line: 4, Msg: "name has 2 values; want one"},
				{Line: 5, Msg: `status is an object; name one of its keys instead (e.g. "status.x")`},
			},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(FormatJSON)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			got, err := Parse(context.Background(), []byte(tt.in), "people.json", opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("roster (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUTF16(t *testing.T) {
	text := "employee_id,email\r\nE1,ü@corp.example\r\n"
	units := utf16.Encode([]rune(text))
	le := []byte{0xFF, 0xFE}
	be := []byte{0xFE, 0xFF}
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	want := &Roster{Rows: 1, People: []inventory.Person{
		{ID: "hr:E1", Source: "hr", EmployeeID: "E1", Emails: []string{"ü@corp.example"}, Status: inventory.PersonActive},
	}}
	for name, data := range map[string][]byte{"little endian": le, "big endian": be} {
		t.Run(name, func(t *testing.T) {
			opts := testOptions(FormatCSV)
			opts.Columns = Columns{EmployeeID: "employee_id", Email: "email"}
			got, err := Parse(context.Background(), data, "people.csv", opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("roster (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     string
		opts   func(*Options)
		want   string
	}{
		{"empty CSV", FormatCSV, "", nil, "people.csv: the file is empty; want a header row and one row per person"},
		{"missing columns", FormatCSV, "employee_id,mail,name\nE1,a@b.c,A\n", nil,
			`people.csv:1: the header has no column "email" (columns.email), "aliases" (columns.aliases), "department" (columns.department), "title" (columns.title), "manager" (columns.manager), "status" (columns.status), "start_date" (columns.start_date), "end_date" (columns.end_date); it has "employee_id", "mail", "name"`},
		{"duplicate header", FormatCSV, "employee_id,email,email\n", func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.csv:1: columns.email: the header has column "email" twice (fields 2 and 3)`},
		{"header twice ignoring case", FormatCSV, "employee_id,Email,EMAIL\n", func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.csv:1: columns.email: the header has "Email" and "EMAIL", both matching "email"`},
		{"bare quote", FormatCSV, "employee_id,email\nE1,a@b.c\nE2,say \"hi\"@b.c\n", func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.csv:3: column 8: bare " in non-quoted-field (a field containing a quote must be quoted as a whole, with inner quotes doubled: "say ""hi""")`},
		{"unterminated quote", FormatCSV, "employee_id,email\nE1,\"a@b.c\nE2,b@b.c\n", func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.csv:3: column 10: extraneous or missing " in quoted-field (the quoted field opened on line 2 is never closed)`},
		{"empty JSON", FormatJSON, " ", nil, "people.json: the file is empty; want a JSON array of people"},
		{"JSON syntax error on line 3", FormatJSON, "[\n {\"employee_id\": \"E1\", \"email\": \"a@b.c\"},\n {\"employee_id\": \"E2\" \"email\": \"b@b.c\"}\n]",
			func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.json:3: invalid JSON: invalid character '"' after object key:value pair`},
		{"truncated JSON", FormatJSON, "[\n {\"employee_id\": \"E1\", \"email\": \"a@b.c\"},\n {\"employee_id\": \"E2\"",
			func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email"} },
			`people.json:3: invalid JSON: unexpected EOF`},
		{"object without records", FormatJSON, `{"employees": []}`, nil,
			`people.json:1: the top-level value is an object; set records to the key of its array of people (e.g. "Report_Entry" or "employees")`},
		{"records key missing", FormatJSON, `{"fields": [], "people": [], "n": 1}`, func(o *Options) { o.Records = "employees" },
			`people.json: the top-level object has no key "employees" (records); its array keys are "fields", "people"`},
		{"records not an array", FormatJSON, "{\n\"employees\": {}}", func(o *Options) { o.Records = "employees" },
			`people.json:2: "employees" is not an array of people`},
		{"scalar top level", FormatJSON, `"x"`, nil, `people.json:1: the top-level value is not an array of people`},
		{"trailing data", FormatJSON, "[]\n[]", nil, `people.json:2: unexpected data after the top-level value`},
		{"mapped key in no record", FormatJSON, `[{"employee_id": "E1", "e-mail": "a@b.c"}]`,
			func(o *Options) { o.Columns = Columns{EmployeeID: "employee_id", Email: "email", Title: "title"} },
			`people.json: no record has the key "email" (columns.email), "title" (columns.title)`},
		{"odd UTF-16", FormatCSV, "\xFF\xFEa", nil, "people.csv: UTF-16 text has an odd number of bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(tt.format)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			file := "people." + string(tt.format)
			_, err := Parse(context.Background(), []byte(tt.in), file, opts)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want a *SyntaxError", err)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseOptionErrors(t *testing.T) {
	opts := testOptions(FormatCSV)
	opts.Name = ""
	opts.Columns = Columns{Name: "n", Title: " "}
	opts.Delimiter = '"'
	opts.StatusValues = map[string]inventory.PersonStatus{"Gone": "departed"}
	_, err := Parse(context.Background(), []byte("x"), "f.csv", opts)
	want := strings.Join([]string{
		"hrfile options: name must be set",
		"columns.employee_id must be set: every person needs an employee ID",
		"columns.email or columns.aliases must be set: people without emails or usernames cannot be linked",
		`delimiter '"' is not valid`,
		"columns.title is blank",
		`status_values["gone"] = "departed" is not valid; want active, leave or terminated`,
	}, "\n")
	if err == nil {
		t.Fatal("Parse accepted invalid options")
	}
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

func TestParseHonoursContext(t *testing.T) {
	var b strings.Builder
	b.WriteString("employee_id,email\n")
	for i := range ctxCheckEvery + 1 {
		fmt.Fprintf(&b, "E%d,\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts := testOptions(FormatCSV)
	opts.Columns = Columns{EmployeeID: "employee_id", Email: "email"}
	_, err := Parse(ctx, []byte(b.String()), "big.csv", opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Parse error = %v, want context.Canceled", err)
	}
}
