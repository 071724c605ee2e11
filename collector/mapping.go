package collector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxMappingFile bounds the mapping file read into memory.
const maxMappingFile = 64 << 20

// LoadMapping reads the explicit mapping file of the mapping rule (LinkOptions.Mapping): a JSON
// object whose keys are principal IDs or names and whose values are person IDs or emails,
//
//	{"arn:aws:iam::111122223333:user/deploy": "workday:E100", "ci-bot": "ada@corp.example"}
//
// Errors name the file and line: a file that is not one JSON object of strings, an empty key
// or value, or a key given twice (JSON would silently keep the last).
func LoadMapping(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMappingFile+1))
	if err != nil {
		return nil, fmt.Errorf("mapping file %s: %w", path, err)
	}
	if len(data) > maxMappingFile {
		return nil, fmt.Errorf("mapping file %s is larger than %d MiB", path, maxMappingFile>>20)
	}
	return ParseMapping(path, data)
}

// ParseMapping is LoadMapping for a document in memory; name is used in messages.
func ParseMapping(name string, data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	line := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte{'\n'}) }
	dec := json.NewDecoder(bytes.NewReader(data))
	fail := func(off int64, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line(off), fmt.Sprintf(format, args...))
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(se.Offset, "invalid JSON: %v", err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(int64(len(data)), "the JSON ends too early")
		}
		return fail(dec.InputOffset(), "invalid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax(err)
	}
	if tok != json.Delim('{') {
		return nil, fail(dec.InputOffset(), `want one JSON object mapping principal IDs or names to person IDs or emails, e.g. {"ci-bot": "ada@corp.example"}`)
	}
	out := map[string]string{}
	first := map[string]int{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key := kt.(string) // object keys are strings
		at := line(dec.InputOffset())
		vt, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		value, ok := vt.(string)
		if !ok {
			if d, isDelim := vt.(json.Delim); isDelim {
				return nil, fmt.Errorf("%s:%d: %q: want a person ID or email string, got %s", name, at, key, map[json.Delim]string{'{': "an object", '[': "an array"}[d])
			}
			return nil, fmt.Errorf("%s:%d: %q: want a person ID or email string, got %v", name, at, key, vt)
		}
		switch {
		case strings.TrimSpace(key) == "":
			return nil, fmt.Errorf("%s:%d: an empty principal ID or name", name, at)
		case strings.TrimSpace(value) == "":
			return nil, fmt.Errorf("%s:%d: %q maps to an empty person", name, at, key)
		}
		if l, dup := first[key]; dup {
			return nil, fmt.Errorf("%s:%d: %q is mapped twice (first on line %d)", name, at, key, l)
		}
		first[key] = at
		out[key] = strings.TrimSpace(value)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail(dec.InputOffset(), "unexpected data after the mapping object")
	}
	return out, nil
}
