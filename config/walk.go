package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2/unstable"
)

// The walker reads the document before go-toml decodes it. It records where every key is, so
// that later problems can name a line; expands ${ENV} references; and checks each value's type
// against the schema. A value that cannot be used is replaced in a copy of the document by a
// neutral one, so that decoding goes on and every problem is reported at once.

// origin records where a Config came from.
type origin struct {
	file string
	// lines maps key paths with array indices ("sources.aws[1].name") to the line that set them.
	lines map[string]int
}

// line returns the line of key, or of its nearest enclosing table that the file mentions.
func (o origin) line(key string) int {
	for key != "" {
		if l, ok := o.lines[key]; ok {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// edit replaces n bytes at off in the original document with text.
type edit struct {
	off, n int
	text   string
}

// lineIndex converts byte offsets to 1-based line and column numbers.
type lineIndex []int // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (x lineIndex) position(off int) (line, col int) {
	i := sort.Search(len(x), func(i int) bool { return x[i] > off }) - 1
	return i + 1, off - x[i] + 1
}

func (x lineIndex) offset(line, col int) int {
	if line < 1 || line > len(x) {
		return 0
	}
	return x[line-1] + max(col, 1) - 1
}

type walker struct {
	file   string
	data   []byte
	lines  lineIndex
	env    func(string) (string, bool)
	schema *schema

	seen   map[string]int // key path → line
	arrays map[string]int // array-of-tables path → tables so far
	edits  []edit
	errs   []*FieldError
}

func newWalker(file string, data []byte, env func(string) (string, bool)) *walker {
	return &walker{
		file:   file,
		data:   data,
		lines:  newLineIndex(data),
		env:    env,
		schema: configSchema(),
		seen:   map[string]int{},
		arrays: map[string]int{},
	}
}

// walk reads the whole document. A syntax error is returned alone: nothing after it can be
// trusted. Other problems accumulate in w.errs.
func (w *walker) walk() error {
	var p unstable.Parser
	p.Reset(w.data)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = w.header(e)
		case unstable.KeyValue:
			w.keyValue(table, e)
		}
	}
	if err := p.Error(); err != nil {
		var perr *unstable.ParserError
		if !errors.As(err, &perr) {
			return &FieldError{File: w.file, Msg: err.Error()}
		}
		fe := &FieldError{File: w.file, Msg: perr.Message}
		if off, ok := subsliceOffset(w.data, perr.Highlight); ok {
			fe.Line, fe.Column = w.lines.position(off)
		}
		return fe
	}
	return nil
}

func subsliceOffset(data, b []byte) (int, bool) {
	off := cap(data) - cap(b)
	if b == nil || off < 0 || off+len(b) > len(data) {
		return 0, false
	}
	return off, true
}

func (w *walker) lineOf(r unstable.Range) int {
	l, _ := w.lines.position(int(r.Offset))
	return l
}

func (w *walker) record(path string, line int) {
	if _, ok := w.seen[path]; !ok {
		w.seen[path] = line
	}
}

func keyParts(n *unstable.Node) (parts []string, first unstable.Range, last unstable.Range) {
	it := n.Key()
	for it.Next() {
		k := it.Node()
		if len(parts) == 0 {
			first = k.Raw
		}
		last = k.Raw
		parts = append(parts, string(k.Data))
	}
	return parts, first, last
}

// header returns the path of a [table] or [[array table]], with the index of the current element
// of every array of tables it passes through.
func (w *walker) header(e *unstable.Node) string {
	parts, first, _ := keyParts(e)
	line := w.lineOf(first)
	path := ""
	for i, k := range parts {
		path = joinKey(path, k)
		if i == len(parts)-1 && e.Kind == unstable.ArrayTable {
			n := w.arrays[path]
			w.arrays[path] = n + 1
			w.record(path, line)
			path = indexKey(path, n)
		} else if n, ok := w.arrays[path]; ok {
			path = indexKey(path, n-1)
		}
		w.record(path, line)
	}
	return path
}

func (w *walker) keyValue(table string, kv *unstable.Node) {
	parts, first, last := keyParts(kv)
	line := w.lineOf(first)
	path := table
	for _, k := range parts {
		path = joinKey(path, k)
		w.record(path, line)
	}
	// The value runs from after "key =" to the end of the expression.
	off := int(last.Offset + last.Length)
	end := int(kv.Raw.Offset + kv.Raw.Length)
	for off < end && (w.data[off] == ' ' || w.data[off] == '\t' || w.data[off] == '=') {
		off++
	}
	w.value(path, kv.Value(), edit{off: off, n: end - off}, line)
}

// value checks one value against the schema. span locates it in the document for replacement;
// line is where its key is.
func (w *walker) value(path string, v *unstable.Node, span edit, line int) {
	t, known := w.schema.types[stripIndices(path)]
	if !known {
		// Free-form tables take any value; other unknown keys are go-toml's to report.
		if w.underMap(path) {
			w.expandAll(path, v, line)
		}
		return
	}
	w.check(path, t, v, span, line)
}

// underMap reports whether path lies inside a free-form table such as policy.params.custom.
func (w *walker) underMap(path string) bool {
	key := stripIndices(path)
	for {
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			return false
		}
		key = key[:i]
		if t, ok := w.schema.types[key]; ok && t.Kind() == reflect.Map {
			return true
		}
	}
}

func (w *walker) check(path string, t reflect.Type, v *unstable.Node, span edit, line int) {
	if !accepts(t, v.Kind) {
		want, neutral := describe(t)
		w.fail(path, line, "%s: want %s, got %s", path, want, kindName(v.Kind))
		w.replace(span, neutral)
		return
	}
	switch {
	case t == durationType:
		s, changed, ok := w.expand(path, v, line)
		if !ok {
			w.replace(span, `"0s"`)
			return
		}
		if _, err := time.ParseDuration(s); err != nil {
			w.fail(path, line, "%s: %q is not a duration; want e.g. \"90s\", \"10m\" or \"1h30m\"", path, s)
			w.replace(span, `"0s"`)
			return
		}
		if changed {
			w.replace(span, quoteTOML(s))
		}
	case t.Kind() == reflect.String:
		if s, changed, ok := w.expand(path, v, line); ok && changed {
			w.replace(span, quoteTOML(s))
		}
	case t.Kind() == reflect.Slice:
		elem := t.Elem()
		bad := false
		it := v.Children()
		for i := 0; it.Next(); i++ {
			if c := it.Node(); !accepts(elem, c.Kind) {
				want, _ := describe(elem)
				w.fail(indexKey(path, i), w.nodeLine(c, line), "%s: want %s, got %s", indexKey(path, i), want, kindName(c.Kind))
				bad = true
			}
		}
		if bad {
			w.replace(span, "[]")
			return
		}
		it = v.Children()
		for i := 0; it.Next(); i++ {
			c := it.Node()
			w.check(indexKey(path, i), elem, c, edit{off: int(c.Raw.Offset), n: int(c.Raw.Length)}, w.nodeLine(c, line))
		}
	case t.Kind() == reflect.Struct:
		w.inlineTable(path, v, line)
	case t.Kind() == reflect.Map:
		w.expandAll(path, v, line)
	}
}

func (w *walker) nodeLine(n *unstable.Node, fallback int) int {
	if n.Raw.Length == 0 {
		return fallback
	}
	return w.lineOf(n.Raw)
}

func (w *walker) inlineTable(path string, v *unstable.Node, line int) {
	w.record(path, line)
	it := v.Children()
	for it.Next() {
		if kv := it.Node(); kv.Kind == unstable.KeyValue {
			w.keyValue(path, kv)
		}
	}
}

// expandAll expands references in every string under v, where the schema has nothing to say.
func (w *walker) expandAll(path string, v *unstable.Node, line int) {
	switch v.Kind {
	case unstable.String:
		if s, changed, ok := w.expand(path, v, line); ok && changed {
			w.replace(edit{off: int(v.Raw.Offset), n: int(v.Raw.Length)}, quoteTOML(s))
		}
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			c := it.Node()
			w.expandAll(indexKey(path, i), c, w.nodeLine(c, line))
		}
	case unstable.InlineTable:
		w.inlineTable(path, v, line)
	}
}

// expand resolves environment references in a string value. ok is false when a reference could
// not be resolved; the problem has then been recorded.
func (w *walker) expand(path string, v *unstable.Node, line int) (s string, changed, ok bool) {
	s = string(v.Data)
	if !strings.Contains(s, "$") {
		return s, false, true
	}
	out, err := expandEnv(s, w.env)
	if err != nil {
		w.fail(path, line, "%s: %v", path, err)
		return "", false, false
	}
	return out, out != s, true
}

func (w *walker) fail(key string, line int, format string, args ...any) {
	w.errs = append(w.errs, &FieldError{File: w.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (w *walker) replace(span edit, text string) {
	span.text = text
	w.edits = append(w.edits, span)
}

// rewritten returns the document with the edits applied, and a function that maps a line and
// column in it back to the original document.
func (w *walker) rewritten() ([]byte, func(line, col int) (int, int)) {
	if len(w.edits) == 0 {
		return w.data, func(line, col int) (int, int) { return line, col }
	}
	edits := slices.Clone(w.edits)
	slices.SortFunc(edits, func(a, b edit) int { return a.off - b.off })
	var out []byte
	prev := 0
	for _, e := range edits {
		out = append(out, w.data[prev:e.off]...)
		out = append(out, e.text...)
		prev = e.off + e.n
	}
	out = append(out, w.data[prev:]...)
	newLines := newLineIndex(out)
	return out, func(line, col int) (int, int) {
		off := newLines.offset(line, col)
		shift := 0
		for _, e := range edits {
			start := e.off + shift
			if off < start {
				break
			}
			if off < start+len(e.text) {
				return w.lines.position(e.off)
			}
			shift += len(e.text) - e.n
		}
		return w.lines.position(min(max(off-shift, 0), len(w.data)))
	}
}

// accepts reports whether a TOML value of kind k can be decoded into t.
func accepts(t reflect.Type, k unstable.Kind) bool {
	switch {
	case t == durationType:
		return k == unstable.String
	case t.Kind() == reflect.String:
		return k == unstable.String
	case t.Kind() == reflect.Bool:
		return k == unstable.Bool
	case t.Kind() == reflect.Int:
		return k == unstable.Integer
	case t.Kind() == reflect.Slice:
		return k == unstable.Array
	case t.Kind() == reflect.Struct, t.Kind() == reflect.Map:
		return k == unstable.InlineTable
	}
	return false
}

// describe names what a value of type t looks like, and gives a valid TOML value of that type.
func describe(t reflect.Type) (want, neutral string) {
	switch {
	case t == durationType:
		return `a duration such as "90s", "10m" or "1h30m"`, `"0s"`
	case t.Kind() == reflect.String:
		return "a string", `""`
	case t.Kind() == reflect.Bool:
		return "true or false", "false"
	case t.Kind() == reflect.Int:
		return "an integer", "0"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return "a list of tables", "[]"
	case t.Kind() == reflect.Slice:
		w, _ := describe(t.Elem())
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(w, "an "), "a ") + "s", "[]"
	}
	return "a table", "{}"
}

func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "a list"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date or time"
	}
	return k.String()
}

// expandEnv replaces ${NAME} with the variable's value and $$ with $. Any other $ is an error, so
// that a forgotten brace is caught rather than kept literally.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "$$"):
			b.WriteByte('$')
			s = s[2:]
		case strings.HasPrefix(s, "${"):
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return "", errors.New(`"${" has no closing "}"`)
			}
			name := s[2:end]
			if !validEnvName(name) {
				return "", fmt.Errorf("%q is not an environment variable name; want letters, digits and _, not starting with a digit", name)
			}
			v, ok := lookup(name)
			if !ok {
				return "", fmt.Errorf("environment variable %s is not set", name)
			}
			if !utf8.ValidString(v) {
				return "", fmt.Errorf("environment variable %s is not valid UTF-8", name)
			}
			b.WriteString(v)
			s = s[end+1:]
		default:
			return "", errors.New(`"$" must start "${NAME}" or be doubled as "$$"`)
		}
	}
}

func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// quoteTOML writes s as a TOML basic string.
func quoteTOML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
