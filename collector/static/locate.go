package static

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// problem is the first value the strict decoder would reject, found by a token scan.
type problem struct {
	offset int
	msg    string
}

var timeType = reflect.TypeFor[time.Time]()

// frame is one open JSON object or array during the scan.
type frame struct {
	object bool
	typ    reflect.Type // Go type of the container's values; nil below an unknown field
	path   string
	index  int    // next array index
	key    string // last object key
}

// locate scans data with the Go types of inventory.Snapshot and returns the first unknown field,
// value of the wrong type or malformed time. encoding/json reports these without a position
// (or without array indices); the scan finds where they are.
func locate(data []byte) (problem, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	root := reflect.TypeFor[inventory.Snapshot]()
	expectKey := false
	for {
		start := skipSpace(data, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return problem{}, false
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
			continue
		}
		// Work out the Go type and path of this token.
		var typ reflect.Type
		var path string
		if len(stack) == 0 {
			typ, path = root, ""
		} else {
			top := &stack[len(stack)-1]
			if top.object && expectKey {
				key, _ := tok.(string)
				top.key = key
				expectKey = false
				if top.typ != nil && top.typ.Kind() == reflect.Struct {
					if _, ok := fieldType(top.typ, key); !ok {
						return problem{start, fmt.Sprintf("%s: unknown field %q", join(top.path, key), key)}, true
					}
				}
				continue
			}
			if top.object {
				path = join(top.path, top.key)
				typ = elemType(top.typ, top.key)
				expectKey = true
			} else {
				path = top.path + "[" + strconv.Itoa(top.index) + "]"
				typ = elemType(top.typ, "")
				top.index++
			}
		}
		for typ != nil && typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}

		if msg, bad := mismatch(typ, tok); bad {
			return problem{start, fmt.Sprintf("%s: %s", label(path), msg)}, true
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{object: d == '{', typ: typ, path: path})
			expectKey = d == '{'
		}
	}
}

// mismatch says why tok cannot be decoded into typ, if it cannot. nil types accept anything.
func mismatch(typ reflect.Type, tok json.Token) (string, bool) {
	if typ == nil || tok == nil { // null decodes into anything
		return "", false
	}
	want := describe(typ)
	got := ""
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' && (typ.Kind() == reflect.Struct && typ != timeType || typ.Kind() == reflect.Map) {
			return "", false
		}
		if v == '[' && typ.Kind() == reflect.Slice {
			return "", false
		}
		got = map[json.Delim]string{'{': "an object", '[': "an array"}[v]
	case string:
		if typ == timeType {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return fmt.Sprintf("%q is not a time; want RFC 3339, e.g. \"2026-03-14T09:30:00Z\"", v), true
			}
			return "", false
		}
		if typ.Kind() == reflect.String {
			return "", false
		}
		got = "a string"
	case bool:
		if typ.Kind() == reflect.Bool {
			return "", false
		}
		got = "a boolean"
	case json.Number:
		switch typ.Kind() {
		case reflect.Int, reflect.Int64, reflect.Int32:
			if _, err := v.Int64(); err == nil {
				return "", false
			}
		case reflect.Float64, reflect.Float32:
			return "", false
		}
		got = "the number " + v.String()
	}
	return fmt.Sprintf("want %s, got %s", want, got), true
}

func describe(t reflect.Type) string {
	switch {
	case t == timeType:
		return "an RFC 3339 time string"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int, t.Kind() == reflect.Int64, t.Kind() == reflect.Int32:
		return "an integer"
	case t.Kind() == reflect.Slice:
		return "an array"
	}
	return "an object"
}

// elemType returns the type of the value under key (objects) or of the elements (arrays).
func elemType(t reflect.Type, key string) reflect.Type {
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		ft, _ := fieldType(t, key)
		return ft
	case reflect.Map, reflect.Slice:
		return t.Elem()
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type (folded JSON names)

// fieldType finds a struct field by JSON name, case-insensitively as encoding/json does.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	cached, ok := fieldCache.Load(t)
	if !ok {
		m := map[string]reflect.Type{}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			m[strings.ToLower(name)] = f.Type
		}
		cached, _ = fieldCache.LoadOrStore(t, m)
	}
	ft, ok := cached.(map[string]reflect.Type)[strings.ToLower(key)]
	return ft, ok
}

// label names a path in messages; the root has none.
func label(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// skipSpace moves off past the whitespace, commas and colons between tokens.
func skipSpace(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}
