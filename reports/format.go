package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of Render.
type Format string

// The formats.
const (
	FormatHTML     Format = "html"     // the self-contained report for people
	FormatJSON     Format = "json"     // the whole report, schema/report.v1.json
	FormatCSV      Format = "csv"      // one row per finding
	FormatMarkdown Format = "markdown" // a summary for tickets and chat
	FormatOCSF     Format = "ocsf"     // OCSF Compliance Finding (class 2003), JSON Lines
	FormatSARIF    Format = "sarif"    // SARIF 2.1.0
	FormatJUnit    Format = "junit"    // JUnit XML, one test case per check × principal
	// FormatReviewHTML and FormatReviewCSV are the access review workbook (Report.Review).
	FormatReviewHTML Format = "review-html"
	FormatReviewCSV  Format = "review-csv"
)

// Formats lists every format, in the order help texts show them.
func Formats() []Format {
	return []Format{FormatHTML, FormatJSON, FormatCSV, FormatMarkdown, FormatOCSF, FormatSARIF, FormatJUnit, FormatReviewHTML, FormatReviewCSV}
}

// formatAliases are the other names ParseFormat accepts.
var formatAliases = map[string]Format{
	"md":         FormatMarkdown,
	"ocsf-jsonl": FormatOCSF,
	"jsonl":      FormatOCSF,
	"xml":        FormatJUnit,
	"review":     FormatReviewHTML,
}

// ParseFormat reads a format name, case-insensitively: html, json, csv, markdown (md), ocsf
// (jsonl), sarif, junit (xml), review-html (review) or review-csv.
func ParseFormat(s string) (Format, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if string(f) == t {
			return f, nil
		}
	}
	if f, ok := formatAliases[t]; ok {
		return f, nil
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown report format %q: want one of %s", s, strings.Join(names, ", "))
}

// Extension is the conventional file name suffix of the format.
func (f Format) Extension() string {
	switch f {
	case FormatHTML:
		return ".html"
	case FormatJSON:
		return ".json"
	case FormatCSV:
		return ".csv"
	case FormatMarkdown:
		return ".md"
	case FormatOCSF:
		return ".ocsf.jsonl"
	case FormatSARIF:
		return ".sarif"
	case FormatJUnit:
		return ".junit.xml"
	case FormatReviewHTML:
		return ".review.html"
	case FormatReviewCSV:
		return ".review.csv"
	}
	return ""
}

// ContentType is the format's media type, for HTTP responses.
func (f Format) ContentType() string {
	switch f {
	case FormatHTML, FormatReviewHTML:
		return "text/html; charset=utf-8"
	case FormatJSON:
		return "application/json"
	case FormatCSV, FormatReviewCSV:
		return "text/csv; charset=utf-8"
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatOCSF:
		return "application/x-ndjson"
	case FormatSARIF:
		return "application/sarif+json"
	case FormatJUnit:
		return "application/xml"
	}
	return "application/octet-stream"
}

// Render writes the report in one format. It validates the report first (an invalid severity or
// status, a finding without an ID) and fails naming the record, writing nothing. It does not
// modify r. The review formats need r.Review.
func Render(w io.Writer, format Format, r *Report) error {
	v, err := newView(r)
	if err != nil {
		return err
	}
	var render func(io.Writer, *view) error
	switch format {
	case FormatHTML:
		render = renderHTML
	case FormatJSON:
		render = renderJSON
	case FormatCSV:
		render = renderCSV
	case FormatMarkdown:
		render = renderMarkdown
	case FormatOCSF:
		render = renderOCSF
	case FormatSARIF:
		render = renderSARIF
	case FormatJUnit:
		render = renderJUnit
	case FormatReviewHTML:
		render = renderReviewHTML
	case FormatReviewCSV:
		render = renderReviewCSV
	default:
		_, err := ParseFormat(string(format))
		return fmt.Errorf("render: %w", err)
	}
	if (format == FormatReviewHTML || format == FormatReviewCSV) && r.Review == nil {
		return fmt.Errorf("render %s: the report has no review workbook (set Report.Review with BuildReview)", format)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := render(bw, v); err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	return nil
}
