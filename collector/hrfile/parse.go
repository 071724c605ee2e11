package hrfile

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/provost-dev/provost/inventory"
)

// Roster is what an export holds.
type Roster struct {
	// People are the accepted rows, in file order.
	People []inventory.Person
	// Rows counts the data rows read, accepted or not (blank rows are not counted).
	Rows int
	// Problems are the rejected rows, in file order.
	Problems []Problem
}

// Problem is one rejected row.
type Problem struct {
	Line int    // where the row starts, 1-based
	Msg  string // every reason, "; "-separated
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// SyntaxError is a file whose structure cannot be read, so that no row can be trusted.
type SyntaxError struct {
	File string
	Line int // 0 when the problem is the file as a whole
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// ctxCheckEvery is how many rows are parsed between checks of the context.
const ctxCheckEvery = 4096

// Parse reads an export held in data; file names it in messages. Options are defaulted and
// validated as New does (Path is not needed). It returns an error — a *SyntaxError, an options
// error or ctx's error — only when the file cannot be read as a whole; rejected rows are
// Roster.Problems.
func Parse(ctx context.Context, data []byte, file string, opts Options) (*Roster, error) {
	opts.defaults()
	if err := opts.validate(false); err != nil {
		return nil, fmt.Errorf("hrfile options: %w", err)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, &SyntaxError{File: file, Msg: err.Error()}
	}
	p := &parser{ctx: ctx, file: file, opts: opts, now: opts.Now(), roster: &Roster{},
		ids: map[string]int{}, emails: map[string]int{}}
	switch opts.Format {
	case FormatJSON:
		err = p.parseJSON(text)
	default:
		err = p.parseCSV(text)
	}
	if err != nil {
		return nil, err
	}
	return p.roster, nil
}

// decodeText removes a byte-order mark, converting UTF-16 to UTF-8.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		body := data[2:]
		if len(body)%2 != 0 {
			return nil, errors.New("UTF-16 text has an odd number of bytes")
		}
		units := make([]uint16, len(body)/2)
		for i := range units {
			if data[0] == 0xFF {
				units[i] = uint16(body[2*i]) | uint16(body[2*i+1])<<8
			} else {
				units[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			}
		}
		return []byte(string(utf16.Decode(units))), nil
	}
	return data, nil
}

type parser struct {
	ctx    context.Context
	file   string
	opts   Options
	now    time.Time
	roster *Roster
	ids    map[string]int // folded employee ID → line
	emails map[string]int // folded email → line
}

// getter returns the values of one column of the current row: nil when the cell is empty.
type getter func(c column) ([]string, error)

func (p *parser) parseCSV(text []byte) error {
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = p.opts.Delimiter
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &SyntaxError{File: p.file, Msg: "the file is empty; want a header row and one row per person"}
	}
	if err != nil {
		return p.csvError(err)
	}
	index, err := p.headerIndex(header)
	if err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return p.csvError(err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(header) {
			p.roster.Rows++
			p.reject(line, fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header)))
			continue
		}
		get := func(c column) ([]string, error) {
			cell := rec[index[c.key]]
			if !utf8.ValidString(cell) {
				return nil, errors.New("is not valid UTF-8 (export the file as UTF-8)")
			}
			return splitList(cell, c.key, p.opts.ListSeparator), nil
		}
		if err := p.row(line, get); err != nil {
			return err
		}
	}
}

// csvError turns a structural CSV error into a SyntaxError with advice.
func (p *parser) csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &SyntaxError{File: p.file, Msg: err.Error()}
	}
	msg := fmt.Sprintf("column %d: %v", pe.Column, pe.Err)
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg += ` (a field containing a quote must be quoted as a whole, with inner quotes doubled: "say ""hi""")`
	case errors.Is(pe.Err, csv.ErrQuote):
		msg += fmt.Sprintf(" (the quoted field opened on line %d is never closed)", pe.StartLine)
	}
	return &SyntaxError{File: p.file, Line: pe.Line, Msg: msg}
}

// headerIndex finds each configured column in the header row.
func (p *parser) headerIndex(header []string) (map[string]int, error) {
	index := map[string]int{}
	var missing []string
	for _, c := range p.opts.Columns.fields() {
		i, err := findColumn(header, c.name)
		if err != nil {
			return nil, &SyntaxError{File: p.file, Line: 1, Msg: fmt.Sprintf("columns.%s: %v", c.key, err)}
		}
		if i < 0 {
			missing = append(missing, fmt.Sprintf("%q (columns.%s)", c.name, c.key))
			continue
		}
		index[c.key] = i
	}
	if len(missing) > 0 {
		return nil, &SyntaxError{File: p.file, Line: 1, Msg: fmt.Sprintf("the header has no column %s; it has %s",
			strings.Join(missing, ", "), quoteList(header))}
	}
	return index, nil
}

// findColumn returns the index of name in header: an exact match, else the one match ignoring
// case and surrounding space; -1 when there is none.
func findColumn(header []string, name string) (int, error) {
	if i := slices.Index(header, name); i >= 0 {
		if j := slices.Index(header[i+1:], name); j >= 0 {
			return 0, fmt.Errorf("the header has column %q twice (fields %d and %d)", name, i+1, i+j+2)
		}
		return i, nil
	}
	found := -1
	for i, h := range header {
		if foldKey(h) == foldKey(name) {
			if found >= 0 {
				return 0, fmt.Errorf("the header has %q and %q, both matching %q", header[found], h, name)
			}
			found = i
		}
	}
	return found, nil
}

func (p *parser) parseJSON(text []byte) error {
	lines := &lineCounter{data: text}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	syntax := func(err error) error {
		var se *json.SyntaxError
		off := int(dec.InputOffset())
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &SyntaxError{File: p.file, Line: lines.at(len(text)), Msg: "the JSON ends too early"}
		}
		return &SyntaxError{File: p.file, Line: lines.at(off), Msg: "invalid JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return &SyntaxError{File: p.file, Msg: "the file is empty; want a JSON array of people"}
	}
	if err != nil {
		return syntax(err)
	}
	seen := map[string]bool{} // configured keys present in some record
	switch {
	case tok == json.Delim('[') && p.opts.Records == "":
		if err := p.jsonRecords(dec, lines, text, seen); err != nil {
			return err
		}
	case tok == json.Delim('{') && p.opts.Records != "":
		var keys []string
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return syntax(err)
			}
			key, _ := kt.(string)
			if key != p.opts.Records || found {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return syntax(err)
				}
				if bytes.HasPrefix(bytes.TrimSpace(skip), []byte("[")) {
					keys = append(keys, key)
				}
				continue
			}
			found = true
			at := lines.at(int(dec.InputOffset()))
			t, err := dec.Token()
			if err != nil {
				return syntax(err)
			}
			if t != json.Delim('[') {
				return &SyntaxError{File: p.file, Line: at, Msg: fmt.Sprintf("%q is not an array of people", key)}
			}
			if err := p.jsonRecords(dec, lines, text, seen); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing brace
			return syntax(err)
		}
		if !found {
			return &SyntaxError{File: p.file, Msg: fmt.Sprintf("the top-level object has no key %q (records); its array keys are %s",
				p.opts.Records, quoteList(keys))}
		}
	case tok == json.Delim('{'):
		return &SyntaxError{File: p.file, Line: 1, Msg: "the top-level value is an object; set records to the key of its array of people (e.g. \"Report_Entry\" or \"employees\")"}
	default:
		want := "an array of people"
		if p.opts.Records != "" {
			want = fmt.Sprintf("an object with an array of people under %q", p.opts.Records)
		}
		return &SyntaxError{File: p.file, Line: 1, Msg: "the top-level value is not " + want}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			return &SyntaxError{File: p.file, Line: lines.at(int(dec.InputOffset())), Msg: "unexpected data after the top-level value"}
		}
		return syntax(err)
	}
	// A column that no record has is a mapping mistake, as a missing CSV header column is.
	if p.roster.Rows > 0 {
		var missing []string
		for _, c := range p.opts.Columns.fields() {
			if !seen[c.key] {
				missing = append(missing, fmt.Sprintf("%q (columns.%s)", c.name, c.key))
			}
		}
		if len(missing) > 0 {
			return &SyntaxError{File: p.file, Msg: fmt.Sprintf("no record has the key %s", strings.Join(missing, ", "))}
		}
	}
	return nil
}

// jsonRecords reads the elements of the array whose '[' was just read, and its ']'.
func (p *parser) jsonRecords(dec *json.Decoder, lines *lineCounter, text []byte, seen map[string]bool) error {
	for dec.More() {
		start := skipSeparators(text, int(dec.InputOffset()))
		line := lines.at(start)
		var v any
		if err := dec.Decode(&v); err != nil {
			var se *json.SyntaxError
			off := start
			if errors.As(err, &se) {
				off = int(se.Offset)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				off = len(text)
			}
			return &SyntaxError{File: p.file, Line: lines.at(off), Msg: "invalid JSON: " + err.Error()}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			p.roster.Rows++
			p.reject(line, fmt.Sprintf("is %s; want an object with one person's fields", jsonKind(v)))
			continue
		}
		get := func(c column) ([]string, error) {
			val, ok := lookupJSON(obj, c.name)
			if !ok {
				return nil, nil
			}
			seen[c.key] = true
			return jsonStrings(val, c.key, p.opts.ListSeparator)
		}
		if len(obj) == 0 {
			continue // {} is JSON's blank row
		}
		if err := p.row(line, get); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return &SyntaxError{File: p.file, Line: lines.at(len(text)), Msg: "invalid JSON: " + err.Error()}
	}
	return nil
}

// lookupJSON finds key in obj: exactly, else ignoring case, else by walking "a.b" into nested
// objects.
func lookupJSON(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	best, found := "", false
	for k := range obj {
		if strings.EqualFold(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	if found {
		return obj[best], true
	}
	head, rest, ok := strings.Cut(key, ".")
	if !ok {
		return nil, false
	}
	inner, ok := lookupJSON(obj, head)
	if !ok {
		return nil, false
	}
	m, ok := inner.(map[string]any)
	if !ok {
		return nil, false
	}
	return lookupJSON(m, rest)
}

// jsonStrings turns a JSON value into a cell's values.
func jsonStrings(v any, key, sep string) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("is not valid UTF-8")
		}
		return splitList(v, key, sep), nil
	case json.Number:
		return []string{v.String()}, nil
	case bool:
		return []string{fmt.Sprint(v)}, nil
	case []any:
		var out []string
		for i, e := range v {
			switch e := e.(type) {
			case string:
				if s := strings.TrimSpace(e); s != "" {
					out = append(out, s)
				}
			case json.Number:
				out = append(out, e.String())
			case nil:
			default:
				return nil, fmt.Errorf("element %d is %s; want a string", i, jsonKind(e))
			}
		}
		return out, nil
	case map[string]any:
		return nil, fmt.Errorf("is an object; name one of its keys instead (e.g. %q)", key+"."+firstKey(v))
	}
	return nil, fmt.Errorf("is %s", jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func firstKey(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "id"
	}
	slices.Sort(keys)
	return keys[0]
}

// splitList returns a cell's values: list columns split on sep, others one trimmed value; an
// empty cell gives nil.
func splitList(cell, key, sep string) []string {
	if key == "aliases" || key == "email" {
		var out []string
		for part := range strings.SplitSeq(cell, sep) {
			if s := strings.TrimSpace(part); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if s := strings.TrimSpace(cell); s != "" {
		return []string{s}
	}
	return nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row builds one person from a row and checks it against the rows before it.
func (p *parser) row(line int, get getter) error {
	p.roster.Rows++
	if p.roster.Rows%ctxCheckEvery == 0 {
		if err := p.ctx.Err(); err != nil {
			return fmt.Errorf("read %s: %w", p.file, err)
		}
	}
	b := rowBuilder{get: get}
	cols := p.opts.Columns
	person := inventory.Person{Source: p.opts.Name}
	person.EmployeeID = b.one(column{"employee_id", cols.EmployeeID})
	if person.EmployeeID == "" && !b.failed("employee_id") {
		b.problem("employee_id", "is empty; every person needs an employee ID")
	}
	if person.EmployeeID != "" {
		if err := checkToken(person.EmployeeID); err != nil {
			b.problem("employee_id", err.Error())
		}
	}
	for _, e := range b.list(column{"email", cols.Email}) {
		if !validEmail(e) {
			b.problem("email", fmt.Sprintf("%q is not an email address", e))
			continue
		}
		person.Emails = append(person.Emails, e)
	}
	for _, a := range b.list(column{"aliases", cols.Aliases}) {
		if strings.Contains(a, "@") && !validEmail(a) {
			b.problem("aliases", fmt.Sprintf("%q is not an email address", a))
			continue
		}
		if err := checkToken(a); err != nil {
			b.problem("aliases", fmt.Sprintf("%q %v", a, err))
			continue
		}
		person.Aliases = append(person.Aliases, a)
	}
	person.Name = b.one(column{"name", cols.Name})
	if person.Name == "" {
		person.Name = strings.TrimSpace(b.one(column{"first_name", cols.FirstName}) + " " + b.one(column{"last_name", cols.LastName}))
	}
	person.Department = b.one(column{"department", cols.Department})
	person.Title = b.one(column{"title", cols.Title})
	person.Manager = b.one(column{"manager", cols.Manager})
	person.ExternalID = b.one(column{"external_id", cols.ExternalID})
	person.StartDate = b.date(column{"start_date", cols.StartDate}, p.opts.DateLayouts)
	person.EndDate = b.date(column{"end_date", cols.EndDate}, p.opts.DateLayouts)

	status := b.one(column{"status", cols.Status})
	switch s, ok := p.opts.StatusValues[foldKey(status)]; {
	case status == "":
		person.Status = inventory.PersonActive
		if !person.EndDate.IsZero() && !p.now.Before(person.EndDate) {
			person.Status = inventory.PersonTerminated
		}
	case ok:
		person.Status = s
	default:
		b.problem("status", fmt.Sprintf("%q is not a known status; want one of %s (map others with status_values)",
			status, knownStatuses(p.opts.StatusValues)))
	}

	if len(b.problems) == 0 {
		p.checkDuplicates(line, &person, &b)
	}
	if len(b.problems) > 0 {
		p.reject(line, strings.Join(b.problems, "; "))
		return nil
	}
	person.ID = p.opts.Name + ":" + person.EmployeeID
	p.ids[foldKey(person.EmployeeID)] = line
	for _, e := range personEmails(&person) {
		p.emails[foldKey(e)] = line
	}
	p.roster.People = append(p.roster.People, person)
	return nil
}

// checkDuplicates rejects a person whose employee ID or email an earlier row already has.
func (p *parser) checkDuplicates(line int, person *inventory.Person, b *rowBuilder) {
	if first, ok := p.ids[foldKey(person.EmployeeID)]; ok {
		b.problem("employee_id", fmt.Sprintf("%q is a duplicate of line %d", person.EmployeeID, first))
	}
	mine := map[string]bool{}
	for _, e := range personEmails(person) {
		k := foldKey(e)
		if first, ok := p.emails[k]; ok && !mine[k] {
			b.problem("email", fmt.Sprintf("%q is a duplicate of line %d", e, first))
		}
		mine[k] = true
	}
}

// personEmails lists the emails a person is known by: emails and aliases that are emails.
func personEmails(p *inventory.Person) []string {
	out := slices.Clone(p.Emails)
	for _, a := range p.Aliases {
		if strings.Contains(a, "@") {
			out = append(out, a)
		}
	}
	return out
}

func (p *parser) reject(line int, msg string) {
	p.roster.Problems = append(p.roster.Problems, Problem{Line: line, Msg: msg})
}

// rowBuilder reads the cells of one row, collecting problems named by column.
type rowBuilder struct {
	get      getter
	problems []string
	bad      map[string]bool
}

func (b *rowBuilder) problem(key, msg string) {
	b.problems = append(b.problems, key+" "+msg)
	if b.bad == nil {
		b.bad = map[string]bool{}
	}
	b.bad[key] = true
}

func (b *rowBuilder) failed(key string) bool { return b.bad[key] }

func (b *rowBuilder) list(c column) []string {
	if c.name == "" {
		return nil
	}
	vals, err := b.get(c)
	if err != nil {
		b.problem(c.key, err.Error())
		return nil
	}
	return vals
}

func (b *rowBuilder) one(c column) string {
	vals := b.list(c)
	switch len(vals) {
	case 0:
		return ""
	case 1:
		if strings.ContainsFunc(vals[0], func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }) {
			b.problem(c.key, fmt.Sprintf("%q contains control characters", vals[0]))
			return ""
		}
		return vals[0]
	}
	b.problem(c.key, fmt.Sprintf("has %d values; want one", len(vals)))
	return ""
}

func (b *rowBuilder) date(c column, layouts []string) time.Time {
	s := b.one(c)
	if s == "" {
		return time.Time{}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	b.problem(c.key, fmt.Sprintf("%q is not a date; want the layout %s", s, strings.Join(layouts, " or ")))
	return time.Time{}
}

func knownStatuses(m map[string]inventory.PersonStatus) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// validEmail accepts local@domain.tld with no spaces or control characters.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// checkToken rejects identifiers with spaces or control characters.
func checkToken(s string) error {
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return errors.New("contains spaces or control characters")
	}
	return nil
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// skipSeparators returns the offset of the first byte at or after off that is not JSON
// whitespace or a comma: where the next array element starts.
func skipSeparators(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// lineCounter maps byte offsets to 1-based line numbers; offsets must not decrease between
// calls except to restart from zero.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(max(off, 0), len(c.data))
	if off < c.off {
		c.off, c.line = 0, 0
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line + 1
}
