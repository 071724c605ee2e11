package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Load reads the TOML file at path, expands ${NAME} references from the environment, decodes it
// onto Default() rejecting unknown keys, resolves relative paths against the file's directory
// and validates the result. Every error matches ErrConfig.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c, err := Parse(path, data, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	return c, nil
}

// Parse is Load for a document already in memory. name is used in error messages; lookupEnv
// resolves ${NAME} references (nil means os.LookupEnv). Relative paths are left as written.
func Parse(name string, data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	w := newWalker(name, data, lookupEnv)
	if err := w.walk(); err != nil {
		return nil, err
	}
	doc, position := w.rewritten()

	c := Default()
	c.origin = origin{file: name, lines: w.seen}
	errs := w.errs
	dec := toml.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	err := dec.Decode(c)
	var strict *toml.StrictMissingError
	var decErr *toml.DecodeError
	switch {
	case err == nil:
	case errors.As(err, &strict):
		// The rest of the document was decoded: report the unknown keys with everything else.
		for i := range strict.Errors {
			errs = append(errs, unknownKey(name, &strict.Errors[i], position))
		}
	case errors.As(err, &decErr):
		// Decoding stopped (a key defined twice, a table that is also a value, ...): what was
		// decoded cannot be validated.
		line, col := position(decErr.Position())
		key := formatKey(decErr.Key())
		msg := strings.TrimPrefix(decErr.Error(), "toml: ")
		if key != "" && !strings.Contains(msg, key) {
			msg = key + ": " + msg
		}
		return nil, joinErrors(append(errs, &FieldError{File: name, Line: line, Column: col, Key: key, Msg: msg}))
	default:
		return nil, joinErrors(append(errs, &FieldError{File: name, Msg: err.Error()}))
	}

	c.fillDefaults(w.seen)
	errs = append(errs, c.problems()...)
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	return c, nil
}

func unknownKey(file string, e *toml.DecodeError, position func(int, int) (int, int)) *FieldError {
	line, _ := position(e.Position())
	parts := e.Key()
	key := formatKey(parts)
	msg := fmt.Sprintf("unknown key %q", key)
	if len(parts) > 0 {
		valid := configSchema().children[formatKey(parts[:len(parts)-1])]
		if near, ok := closest(parts[len(parts)-1], valid); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		} else if len(valid) > 0 {
			msg += " (valid keys here: " + strings.Join(valid, ", ") + ")"
		}
	}
	return &FieldError{File: file, Line: line, Key: key, Msg: msg}
}

// fillDefaults gives each [[sources.*]] table the defaults of its type for the keys it leaves
// out; go-toml starts new array elements from zero values.
func (c *Config) fillDefaults(seen map[string]int) {
	fill := func(path string, elems reflect.Value, newDefault func() reflect.Value) {
		for i := range elems.Len() {
			elem, def := elems.Index(i), newDefault()
			prefix := indexKey(path, i)
			for j := range def.NumField() {
				name, _, _ := strings.Cut(def.Type().Field(j).Tag.Get("toml"), ",")
				if _, set := seen[joinKey(prefix, name)]; !set {
					elem.Field(j).Set(def.Field(j))
				}
			}
		}
	}
	fill("sources.aws", reflect.ValueOf(c.Sources.AWS), func() reflect.Value { return reflect.ValueOf(DefaultAWSSource()) })
	fill("sources.gcp", reflect.ValueOf(c.Sources.GCP), func() reflect.Value { return reflect.ValueOf(DefaultGCPSource()) })
	fill("sources.hrfile", reflect.ValueOf(c.Sources.HRFile), func() reflect.Value { return reflect.ValueOf(DefaultHRFileSource()) })
	fill("sources.ldap", reflect.ValueOf(c.Sources.LDAP), func() reflect.Value { return reflect.ValueOf(DefaultLDAPSource()) })
	fill("sources.scim", reflect.ValueOf(c.Sources.SCIM), func() reflect.Value { return reflect.ValueOf(DefaultSCIMSource()) })
}

// resolvePaths makes the file paths in c relative to dir, where the config file is.
func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) && !strings.Contains(*p, "://") {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.Store.Path)
	for i := range c.Sources.Static {
		abs(&c.Sources.Static[i].Path)
	}
	for i := range c.Sources.HRFile {
		abs(&c.Sources.HRFile[i].Path)
	}
	for i := range c.Sources.LDAP {
		abs(&c.Sources.LDAP[i].CAFile)
	}
	for i := range c.Sources.SCIM {
		abs(&c.Sources.SCIM[i].CAFile)
	}
	abs(&c.Linking.MappingFile)
	for i := range c.Policy.Dirs {
		abs(&c.Policy.Dirs[i])
	}
	for i := range c.Policy.Bundles {
		abs(&c.Policy.Bundles[i])
	}
	abs(&c.Policy.WaiversFile)
	abs(&c.Daemon.TLSCert)
	abs(&c.Daemon.TLSKey)
	abs(&c.Reports.Dir)
}
