package hrfile

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/provost-dev/provost/inventory"
)

// Format is the kind of file an export is.
type Format string

const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
)

// Columns names where each field of a person is found: a CSV header name, or a JSON key ("a.b"
// reaches into nested objects). Header names match exactly, or else ignoring case and
// surrounding space. An empty name means the export has no such field; EmployeeID is required.
type Columns struct {
	EmployeeID string
	Email      string
	// Aliases holds further emails and usernames, separated by Options.ListSeparator (a JSON
	// array of strings is accepted too).
	Aliases string
	// Name is the full name; when it is empty, FirstName and LastName are joined instead.
	Name       string
	FirstName  string
	LastName   string
	Department string
	Title      string
	// Manager is the manager's employee ID or email, as the export writes it.
	Manager    string
	Status     string
	StartDate  string
	EndDate    string
	ExternalID string
}

// DefaultColumns are the snake_case names of a plain export.
func DefaultColumns() Columns {
	return Columns{
		EmployeeID: "employee_id",
		Email:      "email",
		Aliases:    "aliases",
		Name:       "name",
		Department: "department",
		Title:      "title",
		Manager:    "manager",
		Status:     "status",
		StartDate:  "start_date",
		EndDate:    "end_date",
	}
}

// fields lists the configured columns with the option key that names them (for messages).
func (c Columns) fields() []column {
	all := []column{
		{"employee_id", c.EmployeeID}, {"email", c.Email}, {"aliases", c.Aliases}, {"name", c.Name},
		{"first_name", c.FirstName}, {"last_name", c.LastName}, {"department", c.Department},
		{"title", c.Title}, {"manager", c.Manager}, {"status", c.Status},
		{"start_date", c.StartDate}, {"end_date", c.EndDate}, {"external_id", c.ExternalID},
	}
	return slices.DeleteFunc(all, func(c column) bool { return c.name == "" })
}

type column struct{ key, name string }

// DefaultStatusValues are the status values every source understands; Options.StatusValues
// adds to them (and may override them). Matching ignores case and surrounding space.
func DefaultStatusValues() map[string]inventory.PersonStatus {
	return map[string]inventory.PersonStatus{
		"active":     inventory.PersonActive,
		"leave":      inventory.PersonLeave,
		"terminated": inventory.PersonTerminated,
	}
}

// DefaultDateLayouts are the date formats tried in order: ISO dates and RFC 3339 times.
var DefaultDateLayouts = []string{"2006-01-02", time.RFC3339}

// Options configure a Source.
type Options struct {
	// Name is the source's configured name; person IDs are "<Name>:<employee ID>".
	Name string
	// Path is the export file.
	Path string
	// Format is csv or json; empty means from the file extension (.csv, .tsv, .json).
	Format Format
	// Columns maps fields to columns; the zero value means DefaultColumns.
	Columns Columns
	// StatusValues maps the export's status values (e.g. "Terminated", "Inactive", "LOA") to a
	// person status, on top of DefaultStatusValues. An empty status cell means active, or
	// terminated once the end date has passed; a value not in the map rejects the row.
	StatusValues map[string]inventory.PersonStatus
	// Delimiter separates CSV fields; default ',' (';' for European spreadsheets, '\t' for .tsv).
	Delimiter rune
	// ListSeparator separates the values of a list cell (aliases); default ";".
	ListSeparator string
	// DateLayouts are the time layouts dates are parsed with; default DefaultDateLayouts.
	DateLayouts []string
	// Records is, for a JSON object at the top level, the key of its array of people (e.g.
	// "Report_Entry", "employees"). Empty means the file is a top-level array.
	Records string
	Logger  *slog.Logger
	// Now is the clock that decides whether an end date has passed; default time.Now.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Columns == (Columns{}) {
		o.Columns = DefaultColumns()
	}
	if o.Format == "" {
		switch strings.ToLower(filepath.Ext(o.Path)) {
		case ".json":
			o.Format = FormatJSON
		case ".tsv":
			o.Format = FormatCSV
			if o.Delimiter == 0 {
				o.Delimiter = '\t'
			}
		default:
			o.Format = FormatCSV
		}
	}
	if o.Delimiter == 0 {
		o.Delimiter = ','
	}
	if o.ListSeparator == "" {
		o.ListSeparator = ";"
	}
	if len(o.DateLayouts) == 0 {
		o.DateLayouts = DefaultDateLayouts
	}
	statuses := DefaultStatusValues()
	for k, v := range o.StatusValues {
		statuses[foldKey(k)] = v
	}
	o.StatusValues = statuses
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// validate checks options after defaults; every problem at once.
func (o *Options) validate(needPath bool) error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name must be set"))
	}
	if needPath && o.Path == "" {
		errs = append(errs, errors.New("path must be set to the HR export file"))
	}
	if o.Format != FormatCSV && o.Format != FormatJSON {
		errs = append(errs, fmt.Errorf("format %q is not valid; want csv or json", o.Format))
	}
	if o.Columns.EmployeeID == "" {
		errs = append(errs, errors.New("columns.employee_id must be set: every person needs an employee ID"))
	}
	if o.Columns.Email == "" && o.Columns.Aliases == "" {
		errs = append(errs, errors.New("columns.email or columns.aliases must be set: people without emails or usernames cannot be linked"))
	}
	if o.Delimiter == '"' || o.Delimiter == '\r' || o.Delimiter == '\n' || !utf8.ValidRune(o.Delimiter) || o.Delimiter == utf8.RuneError {
		errs = append(errs, fmt.Errorf("delimiter %q is not valid", o.Delimiter))
	}
	for _, c := range o.Columns.fields() {
		if strings.TrimSpace(c.name) == "" {
			errs = append(errs, fmt.Errorf("columns.%s is blank", c.key))
		}
	}
	for k, v := range o.StatusValues {
		switch v {
		case inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated:
		default:
			errs = append(errs, fmt.Errorf("status_values[%q] = %q is not valid; want active, leave or terminated", k, v))
		}
	}
	return errors.Join(errs...)
}

func foldKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
