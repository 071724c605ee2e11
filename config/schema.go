package config

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// schema describes the keys a Config accepts, derived from its toml tags.
type schema struct {
	// types maps a key path without array indices ("sources.aws.role_name") to its Go type.
	types map[string]reflect.Type
	// children maps a table's key path ("" for the root) to its keys, sorted.
	children map[string][]string
}

var durationType = reflect.TypeFor[Duration]()

var configSchema = sync.OnceValue(func() *schema {
	s := &schema{types: map[string]reflect.Type{}, children: map[string][]string{}}
	s.add("", reflect.TypeFor[Config]())
	for _, c := range s.children {
		slices.Sort(c)
	}
	return s
})

func (s *schema) add(prefix string, t reflect.Type) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		path := joinKey(prefix, name)
		s.types[path] = f.Type
		s.children[prefix] = append(s.children[prefix], name)
		switch {
		case f.Type.Kind() == reflect.Struct:
			s.add(path, f.Type)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
			s.add(path, f.Type.Elem())
		}
	}
}

// leaves returns every key path that holds a value rather than a table, sorted.
func (s *schema) leaves() []string {
	var out []string
	for path, t := range s.types {
		if t.Kind() == reflect.Struct || (t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct) {
			continue
		}
		out = append(out, path)
	}
	slices.Sort(out)
	return out
}

// joinKey appends one key part to a dotted path, quoting the part when TOML would.
func joinKey(prefix, part string) string {
	if !isBareKey(part) {
		part = strconv.Quote(part)
	}
	if prefix == "" {
		return part
	}
	return prefix + "." + part
}

func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// formatKey writes a key given as parts, as joinKey would.
func formatKey(parts []string) string {
	path := ""
	for _, p := range parts {
		path = joinKey(path, p)
	}
	return path
}

// indexKey appends an array index to a path: "sources.aws" → "sources.aws[2]".
func indexKey(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// stripIndices removes array indices from a path: "sources.aws[2].name" → "sources.aws.name".
// Quoted parts are copied as they are.
func stripIndices(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(path) {
				b.WriteByte(c)
				i++
				c = path[i]
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			for i < len(path) && path[i] != ']' {
				i++
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// closest returns the candidate nearest to s by edit distance, if it is near enough to be a typo.
func closest(s string, candidates []string) (string, bool) {
	best, bestDist := "", len(s)/3+2
	for _, c := range candidates {
		d := editDistance(s, c)
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			d = 1 // "stale" for "stale_days"
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
