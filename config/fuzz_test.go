package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(exampleFile); err == nil {
		f.Add(data)
	}
	for _, seed := range []string{
		"",
		"[log]\nlevel = \"${LEVEL}\"\n",
		"[[sources.aws]]\nname = \"a\"\nrol_name = 1\n[[sources.aws]]\n",
		"sources.aws = [{name = \"$$\", accounts = [1, \"x\"]}]\n",
		"[store]\nlock_timeout = \"${T}\"\nkeep_last = -1\n[policy.params.custom]\nx = [\"${LEVEL}\", {a = 1}]\n",
		"a = \"\"\"\nmulti\n${LEVEL}\"\"\"\n[log\n",
		"[sources]\naws = 5\ngcp = [1]\n[linking]\norder = [[\"x\"]]\n",
	} {
		f.Add([]byte(seed))
	}
	lookup := env(map[string]string{"LEVEL": "debug", "T": "1m"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("config.toml", data, lookup)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a config with error %v", err)
			}
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error does not match ErrConfig: %v", err)
			}
			lines := strings.Count(string(data), "\n") + 1
			for _, e := range unwrapAll(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("error %q is not a *FieldError", e)
				}
				if fe.Line < 0 || fe.Line > lines {
					t.Fatalf("error %q names line %d of a %d-line document", fe, fe.Line, lines)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
	})
}
