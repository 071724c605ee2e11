package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/provost-dev/provost/finding"
	bundled "github.com/provost-dev/provost/rego"
)

const (
	checksPrefix = "data.provost.checks."
	// bundledPrefix names the embedded library's files in locations and errors.
	bundledPrefix = "bundled:"
)

// reservedPackages belong to the bundled library; user modules may not add to them.
var reservedPackages = []string{"data.provost.lib", "data.provost.lib.aws", "data.provost.lib.gcp", "data.provost.testing"}

// Options says where policies come from.
type Options struct {
	// Dirs are user policy files or directories: .rego modules (and _test.rego tests) plus
	// data.json / data.yaml documents, as `opa eval -d` reads them.
	Dirs []string
	// Bundles are OPA bundles, as directories or .tar.gz files. Signatures are not verified.
	Bundles []string
	// NoBundled leaves out Provost's bundled library.
	NoBundled bool
	// Logger receives load warnings and Rego print() output; nil discards.
	Logger *slog.Logger
}

// Problem is a check or module that could not be used: bad METADATA, a parse or compile error,
// a result shape that can never carry principal and msg, a clash with the bundled library.
// Evaluation reports each as a policy-error finding; the other checks still run.
type Problem struct {
	CheckID string `json:"check_id,omitempty"` // when the METADATA gave one
	Package string `json:"package,omitempty"`  // "provost.checks.x", when known
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// check is the check's METADATA when it parsed, so that its error finding keeps the
	// check's severity and frameworks.
	check *Check
}

func (p Problem) Error() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, p.Line)
	}
	if p.Package != "" {
		return fmt.Sprintf("%s: package %s: %s", loc, p.Package, p.Message)
	}
	return fmt.Sprintf("%s: %s", loc, p.Message)
}

// Library is a loaded, validated and compiled set of checks. It is immutable and safe for
// concurrent use; compile it once per run and evaluate many snapshots with it.
type Library struct {
	compiler *ast.Compiler
	checks   []*Check // sorted by ID
	problems []Problem
	// modules are the evaluation modules that compiled; tests the _test.rego modules, kept for
	// RunTests; data the user data documents.
	modules map[string]*ast.Module
	tests   map[string]*ast.Module
	data    map[string]any
	logger  *slog.Logger
}

// Checks returns the usable checks, sorted by ID.
func (l *Library) Checks() []*Check { return slices.Clone(l.checks) }

// Check returns the check with this ID.
func (l *Library) Check(id string) (*Check, bool) {
	i, ok := slices.BinarySearchFunc(l.checks, id, func(c *Check, id string) int { return strings.Compare(c.ID, id) })
	if !ok {
		return nil, false
	}
	return l.checks[i], true
}

// Problems returns what could not be loaded, in file order.
func (l *Library) Problems() []Problem { return slices.Clone(l.problems) }

// Err joins the problems into one error, nil when there are none; `provost policy test` and
// CI use it to fail on any broken check.
func (l *Library) Err() error {
	errs := make([]error, len(l.problems))
	for i, p := range l.problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Load reads the bundled library and the user's policies, validates every check's METADATA,
// and compiles what is valid with hardened capabilities. A check or helper module that fails
// becomes a Problem and is left out; Load itself fails only when a path cannot be read or
// when a compile error cannot be attributed to any module.
func Load(ctx context.Context, opts Options) (*Library, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "policy")
	ld := &libLoader{
		lib:         &Library{tests: map[string]*ast.Module{}, data: map[string]any{}, logger: logger},
		modules:     map[string]*ast.Module{},
		bundled:     map[string]bool{},
		bundledPkgs: map[string]bool{},
	}
	if !opts.NoBundled {
		if err := ld.addFS(bundled.FS(), bundledPrefix, true); err != nil {
			return nil, fmt.Errorf("load bundled library: %w", err)
		}
	}
	for _, dir := range opts.Dirs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := ld.addDir(dir); err != nil {
			return nil, err
		}
	}
	for _, b := range opts.Bundles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ld.addBundle(b)
	}
	if err := ld.build(); err != nil {
		return nil, err
	}
	return ld.lib, nil
}

type libLoader struct {
	lib         *Library
	modules     map[string]*ast.Module // evaluation modules by file name
	bundled     map[string]bool        // file names from the bundled library
	bundledPkgs map[string]bool        // packages the bundled library defines
}

func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: capabilities()}
}

func (ld *libLoader) problem(p Problem) { ld.lib.problems = append(ld.lib.problems, p) }

// addModule parses one .rego file; a parse error is a Problem, not a failure.
func (ld *libLoader) addModule(name string, src []byte, isBundled bool) {
	m, err := ast.ParseModuleWithOpts(name, string(src), parserOptions())
	if err != nil {
		for _, p := range astProblems(err, name) {
			ld.problem(p)
		}
		return
	}
	ld.addParsed(name, m, isBundled)
}

func (ld *libLoader) addParsed(name string, m *ast.Module, isBundled bool) {
	if strings.HasSuffix(name, "_test.rego") {
		ld.lib.tests[name] = m
		return
	}
	pkg := m.Package.Path.String()
	switch {
	case isBundled:
		ld.bundledPkgs[pkg] = true
	case slices.Contains(reservedPackages, pkg):
		ld.problem(Problem{Package: trimData(pkg), File: name, Line: m.Package.Location.Row,
			Message: "package is reserved by the bundled library; give your helpers their own package"})
		return
	case ld.bundledPkgs[pkg]:
		ld.problem(Problem{Package: trimData(pkg), File: name, Line: m.Package.Location.Row,
			Message: "package is defined by the bundled library; give your module its own package"})
		return
	}
	ld.modules[name] = m
	ld.bundled[name] = isBundled
}

func (ld *libLoader) addFS(fsys fs.FS, prefix string, isBundled bool) error {
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		ld.addModule(prefix+path, src, isBundled)
		return nil
	})
}

// addDir reads a user policy file or directory: .rego files one by one (so that one bad file
// spoils only itself) and data documents through OPA's loader.
func (ld *libLoader) addDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("policy directory: %w", err)
	}
	var regoFiles []string
	if info.IsDir() {
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".rego") {
				regoFiles = append(regoFiles, path)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read policy directory %s: %w", dir, err)
		}
	} else if strings.HasSuffix(dir, ".rego") {
		regoFiles = []string{dir}
	}
	for _, f := range regoFiles {
		src, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read policy: %w", err)
		}
		ld.addModule(f, src, false)
	}
	if !info.IsDir() && strings.HasSuffix(dir, ".rego") {
		return nil
	}
	res, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).Filtered([]string{dir}, func(_ string, fi fs.FileInfo, _ int) bool {
		return !fi.IsDir() && (strings.HasSuffix(fi.Name(), ".rego") || strings.HasPrefix(fi.Name(), "."))
	})
	if err != nil {
		return fmt.Errorf("read policy data in %s: %w", dir, err)
	}
	return ld.mergeData(dir, res.Documents)
}

func (ld *libLoader) addBundle(path string) {
	b, err := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		WithCapabilities(capabilities()).
		WithSkipBundleVerification(true).
		AsBundle(path)
	if err != nil {
		ld.problem(Problem{File: path, Message: fmt.Sprintf("read bundle: %v", err)})
		return
	}
	for _, mf := range b.Modules {
		name := mf.Path
		if !strings.HasPrefix(name, path) {
			name = path + ":" + mf.Path
		}
		ld.addParsed(name, mf.Parsed, false)
	}
	if err := ld.mergeData(path, b.Data); err != nil {
		ld.problem(Problem{File: path, Message: err.Error()})
	}
}

// mergeData adds user documents under data; data.provost is Provost's own.
func (ld *libLoader) mergeData(source string, docs map[string]any) error {
	for k, v := range docs {
		if k == "provost" {
			return fmt.Errorf("policy data in %s: data.provost is reserved (set thresholds in the config's policy section)", source)
		}
		if _, dup := ld.lib.data[k]; dup {
			return fmt.Errorf("policy data in %s: data.%s is defined twice", source, k)
		}
		ld.lib.data[k] = v
	}
	return nil
}

// build validates check packages and compiles, dropping whatever fails until the rest compiles.
func (ld *libLoader) build() error {
	checks := ld.collectChecks()
	for round := 0; ; round++ {
		if len(ld.modules) == 0 {
			break
		}
		c := newCompiler()
		c.Compile(ld.modules)
		if c.Failed() {
			if !ld.dropFailed(c.Errors, checks) {
				return fmt.Errorf("compile policies: %w", c.Errors)
			}
			continue
		}
		if ld.dropBadResultTypes(c, checks) {
			continue
		}
		ld.lib.compiler = c
		break
	}
	for pkg, ch := range checks {
		if ld.hasPackage(pkg) {
			ch.HasCannotEvaluate = len(ld.lib.compiler.GetRulesExact(ast.MustParseRef(pkg+".cannot_evaluate"))) > 0
			ld.lib.checks = append(ld.lib.checks, ch)
		}
	}
	slices.SortFunc(ld.lib.checks, compareChecks)
	ld.lib.modules = ld.modules
	slices.SortStableFunc(ld.lib.problems, func(a, b Problem) int {
		return strings.Compare(a.File, b.File)
	})
	if ld.lib.compiler == nil {
		ld.lib.compiler = newCompiler()
		ld.lib.compiler.Compile(map[string]*ast.Module{})
	}
	return nil
}

func (ld *libLoader) hasPackage(pkg string) bool {
	for _, m := range ld.modules {
		if m.Package.Path.String() == pkg {
			return true
		}
	}
	return false
}

// collectChecks validates each package under data.provost.checks and drops the invalid ones.
// It returns the valid checks by package path ("data.provost.checks.x").
func (ld *libLoader) collectChecks() map[string]*Check {
	byPkg := map[string][]string{} // package → file names, sorted
	for _, name := range slices.Sorted(maps.Keys(ld.modules)) {
		pkg := ld.modules[name].Package.Path.String()
		if strings.HasPrefix(pkg, checksPrefix) {
			byPkg[pkg] = append(byPkg[pkg], name)
		}
	}
	checks := map[string]*Check{}
	ids := map[string]*Check{}
	// Bundled packages first, so that a user check reusing a bundled ID is the one rejected.
	pkgs := slices.SortedFunc(maps.Keys(byPkg), func(a, b string) int {
		ab, bb := ld.bundled[byPkg[a][0]], ld.bundled[byPkg[b][0]]
		if ab != bb {
			if ab {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, pkg := range pkgs {
		files := byPkg[pkg]
		short := trimData(pkg)
		var ann *ast.Annotations
		annFile := files[0]
		var violation, unknownRule *ast.Rule
		for _, f := range files {
			m := ld.modules[f]
			for _, a := range m.Annotations {
				if a.Scope == "package" && ann == nil {
					ann, annFile = a, f
				}
			}
			for _, r := range m.Rules {
				switch r.Head.Name.String() {
				case "violation":
					violation = cmpRule(violation, r)
				case "cannot_evaluate":
					unknownRule = cmpRule(unknownRule, r)
				}
			}
		}
		line := ld.modules[annFile].Package.Location.Row
		reject := func(ch *Check, msg string) {
			p := Problem{Package: short, File: annFile, Line: line, Message: msg, check: ch}
			if ch != nil {
				p.CheckID = ch.ID
			}
			ld.problem(p)
			for _, f := range files {
				delete(ld.modules, f)
			}
		}
		ch, err := checkFromAnnotations(short, annFile, ann)
		if err != nil {
			reject(nil, err.Error())
			continue
		}
		ch.Bundled = ld.bundled[annFile]
		switch {
		case violation == nil:
			reject(ch, "no `violation` rule: a check yields `violation contains {\"principal\": ..., \"msg\": ...} if ...`")
			continue
		case violation.Head.RuleKind() != ast.MultiValue:
			reject(ch, fmt.Sprintf("line %d: `violation` must be a partial set (`violation contains v if ...`)", violation.Location.Row))
			continue
		case unknownRule != nil && unknownRule.Head.RuleKind() != ast.MultiValue:
			reject(ch, fmt.Sprintf("line %d: `cannot_evaluate` must be a partial set (`cannot_evaluate contains v if ...`)", unknownRule.Location.Row))
			continue
		}
		if prev, dup := ids[ch.ID]; dup {
			reject(ch, fmt.Sprintf("check ID %s is already used by %s (%s)", ch.ID, prev.Package, prev.File))
			continue
		}
		ids[ch.ID] = ch
		checks[pkg] = ch
	}
	return checks
}

func cmpRule(cur, r *ast.Rule) *ast.Rule {
	if cur == nil {
		return r
	}
	return cur
}

// dropFailed removes the modules (whole check packages) named by compile errors. It reports
// false when no error could be attributed, so that the caller does not loop forever.
func (ld *libLoader) dropFailed(errs ast.Errors, checks map[string]*Check) bool {
	dropped := false
	reported := map[string]bool{}
	for _, e := range errs {
		if e.Location == nil {
			continue
		}
		m, ok := ld.modules[e.Location.File]
		if !ok {
			continue
		}
		pkg := m.Package.Path.String()
		if ch, isCheck := checks[pkg]; isCheck {
			if !reported[pkg] {
				reported[pkg] = true
				ld.problem(Problem{CheckID: ch.ID, Package: trimData(pkg), File: e.Location.File, Line: e.Location.Row, Message: "compile: " + e.Message, check: ch})
			}
			for name, mm := range ld.modules {
				if mm.Package.Path.String() == pkg {
					delete(ld.modules, name)
				}
			}
			delete(checks, pkg)
		} else {
			ld.problem(Problem{Package: trimData(pkg), File: e.Location.File, Line: e.Location.Row, Message: "compile: " + e.Message})
			delete(ld.modules, e.Location.File)
		}
		dropped = true
	}
	return dropped
}

// dropBadResultTypes rejects checks whose results can never carry principal and msg.
func (ld *libLoader) dropBadResultTypes(c *ast.Compiler, checks map[string]*Check) bool {
	dropped := false
	for _, pkg := range slices.Sorted(maps.Keys(checks)) {
		ch := checks[pkg]
		for _, rule := range []string{"violation", "cannot_evaluate"} {
			ref := ast.MustParseRef(pkg + "." + rule)
			if len(c.GetRulesExact(ref)) == 0 {
				continue
			}
			if err := checkResultType(rule, c.TypeEnv.GetByRef(ref)); err != nil {
				ld.problem(Problem{CheckID: ch.ID, Package: ch.Package, File: ch.File, Message: err.Error(), check: ch})
				for name, m := range ld.modules {
					if m.Package.Path.String() == pkg {
						delete(ld.modules, name)
					}
				}
				delete(checks, pkg)
				dropped = true
				break
			}
		}
	}
	return dropped
}

func trimData(pkg string) string { return strings.TrimPrefix(pkg, "data.") }

// astProblems turns parse errors into problems.
func astProblems(err error, file string) []Problem {
	var errs ast.Errors
	if errors.As(err, &errs) {
		out := make([]Problem, 0, len(errs))
		for _, e := range errs {
			p := Problem{File: file, Message: "parse: " + e.Message}
			if e.Location != nil {
				p.Line = e.Location.Row
			}
			out = append(out, p)
		}
		return out
	}
	return []Problem{{File: file, Message: "parse: " + err.Error()}}
}

// newCompiler returns a compiler with Provost's hardened capabilities and print() enabled.
func newCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
}

// Finding reports the problem as a policy-error finding: the check's own ID, severity and
// frameworks when its METADATA parsed, PV-POLICY-ERROR (severity high) otherwise.
func (p Problem) Finding() finding.Finding {
	id := p.CheckID
	qualifier := "load:" + p.File
	sev := finding.SeverityHigh
	f := finding.Finding{Title: "Policy error"}
	if id == "" {
		id = finding.CheckPolicyError
		if p.Package != "" {
			qualifier = "load:" + p.Package
		}
	}
	if ch := p.check; ch != nil {
		sev, f.Title, f.Frameworks, f.Remediation = ch.Severity, ch.Title, ch.Frameworks, ch.Remediation
	}
	f.ID = finding.ID(id, "", qualifier)
	f.CheckID = id
	f.Severity = sev
	f.Qualifier = qualifier
	f.Message = "policy error: " + p.Error()
	f.Status = finding.StatusError
	f.Evidence = map[string]any{"file": p.File, "line": p.Line, "error": p.Message}
	return f
}
