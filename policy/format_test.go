package policy

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	bundled "github.com/provost-dev/provost/rego"
)

// TestBundledRegoIsFormatted keeps the library in `opa fmt` style (Rego v1).
func TestBundledRegoIsFormatted(t *testing.T) {
	fsys := bundled.FS()
	n := 0
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		n++
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		got, err := format.SourceWithOpts(path, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if diff := cmp.Diff(strings.Split(string(got), "\n"), strings.Split(string(src), "\n")); diff != "" {
			t.Errorf("rego/%s is not formatted (-opa fmt +file):\n%s", path, diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 58 {
		t.Errorf("only %d .rego files in the bundled library", n)
	}
}
