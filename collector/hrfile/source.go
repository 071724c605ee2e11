package hrfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// MaxFileSize bounds the export read into memory: a larger file is a failed coverage.
const MaxFileSize = 512 << 20

// maxListedProblems is how many rejected rows a coverage message lists by line.
const maxListedProblems = 10

// Source reads one HR export file each time it collects.
type Source struct {
	opts Options
}

var (
	_ collector.Source    = (*Source)(nil)
	_ collector.Describer = (*Source)(nil)
)

// New returns a Source for opts; it fails when options are missing or invalid. The file is not
// read until Collect.
func New(opts Options) (*Source, error) {
	opts.defaults()
	if err := opts.validate(true); err != nil {
		return nil, fmt.Errorf("hrfile source %q: %w", opts.Name, err)
	}
	return &Source{opts: opts}, nil
}

// Name returns the configured source name.
func (s *Source) Name() string { return s.opts.Name }

// Provider is hr, the provider of the source's Coverage entry, so that the runner's entry for a
// Collect that failed outright (timed out, panicked) still names a source of truth.
func (s *Source) Provider() inventory.Provider { return inventory.ProviderHR }

// Method is the export's format, csv or json, as the source's Coverage entry records it.
func (s *Source) Method() string { return string(s.opts.Format) }

// Collect reads and parses the export. Its single Coverage entry, scope "file:<path>", records
// the roster size in Counts["people"], with "rows", "rejected" and a count per status. A file
// that cannot be read, is structurally broken or holds no accepted person is failed; rejected
// rows make it partial (kind invalid), listing them by line. Only ctx's error is returned.
func (s *Source) Collect(ctx context.Context) (*collector.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	log := s.opts.Logger.With("component", "hrfile", "source", s.opts.Name)
	started := s.opts.Now().UTC()
	cov := inventory.Coverage{
		Source:    s.opts.Name,
		Provider:  inventory.ProviderHR,
		Scope:     "file:" + s.opts.Path,
		Method:    string(s.opts.Format),
		StartedAt: started,
	}
	res := &collector.Result{}
	finish := func(status inventory.CoverageStatus, kind inventory.ErrorKind, msg string) *collector.Result {
		cov.Status, cov.ErrorKind, cov.Error = status, kind, msg
		cov.FinishedAt = s.opts.Now().UTC()
		res.Coverage = []inventory.Coverage{cov}
		return res
	}

	data, err := readFile(s.opts.Path)
	if err != nil {
		log.Warn("cannot read the HR export", "error", err)
		return finish(inventory.CoverageFailed, collector.KindOf(err), err.Error()), nil
	}
	opts := s.opts
	opts.Now = func() time.Time { return started } // one "now" for every row
	roster, err := Parse(ctx, data, s.opts.Path, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		log.Warn("cannot parse the HR export", "error", err)
		return finish(inventory.CoverageFailed, inventory.ErrInvalid, err.Error()), nil
	}

	res.People = roster.People
	cov.Counts = map[string]int{
		"people":   len(roster.People),
		"rows":     roster.Rows,
		"rejected": len(roster.Problems),
	}
	for _, p := range roster.People {
		cov.Counts[string(p.Status)]++
	}
	for _, p := range roster.Problems {
		log.Warn("rejected HR row", "file", s.opts.Path, "line", p.Line, "problem", p.Msg)
	}
	switch {
	case len(roster.People) == 0 && roster.Rows == 0:
		return finish(inventory.CoverageFailed, inventory.ErrInvalid,
			s.opts.Path+": the export has no people; an empty roster is taken as a failed export, not as nobody working here"), nil
	case len(roster.People) == 0:
		return finish(inventory.CoverageFailed, inventory.ErrInvalid, problemSummary(s.opts.Path, roster)), nil
	case len(roster.Problems) > 0:
		return finish(inventory.CoveragePartial, inventory.ErrInvalid, problemSummary(s.opts.Path, roster)), nil
	}
	return finish(inventory.CoverageComplete, inventory.ErrNone, ""), nil
}

// problemSummary says how many rows were rejected and why, by line.
func problemSummary(file string, r *Roster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d of %d rows rejected, so those people are missing from the roster: ", file, len(r.Problems), r.Rows)
	for i, p := range r.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "; and %d more", len(r.Problems)-maxListedProblems)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// readFile reads the export, classifying failures.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, classifyFS(fmt.Errorf("open HR export: %w", err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, classifyFS(fmt.Errorf("stat HR export: %w", err))
	}
	if st.IsDir() {
		return nil, collector.Errorf(inventory.ErrInvalid, "HR export %s is a directory; want a CSV or JSON file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, classifyFS(fmt.Errorf("read HR export %s: %w", path, err))
	}
	if len(data) > MaxFileSize {
		return nil, collector.Errorf(inventory.ErrInvalid, "HR export %s is larger than %d MiB", path, MaxFileSize>>20)
	}
	return data, nil
}

func classifyFS(err error) error {
	kind := inventory.ErrUnavailable
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = inventory.ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		kind = inventory.ErrPermissionDenied
	}
	return &collector.Error{Kind: kind, Err: err}
}
