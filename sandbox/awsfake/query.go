package awsfake

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file holds the AWS Query protocol (IAM, STS): form parameters in, XML out.

var queryNamespace = map[string]string{
	svcIAM: "https://iam.amazonaws.com/doc/2010-05-08/",
	svcSTS: "https://sts.amazonaws.com/doc/2011-06-15/",
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 16<<20 {
		return // do not keep huge buffers alive
	}
	b.Reset()
	bufPool.Put(b)
}

// renderQuery writes <OpResponse><OpResult>…</OpResult><ResponseMetadata>… into buf.
func renderQuery(s *Server, req *request, h handler, x *acct, buf *bytes.Buffer) error {
	w := &xmlWriter{b: buf}
	buf.WriteString("<" + req.op + `Response xmlns="` + queryNamespace[req.service] + `">`)
	if !h.noResult {
		w.open(req.op + "Result")
	}
	if err := h.query(s, req, x, w); err != nil {
		return err
	}
	if !h.noResult {
		w.close(req.op + "Result")
	}
	w.open("ResponseMetadata")
	w.text("RequestId", req.id)
	w.close("ResponseMetadata")
	w.close(req.op + "Response")
	return nil
}

func writeQueryError(w http.ResponseWriter, req *request, e *apiError) {
	typ := "Sender"
	if e.status >= 500 {
		typ = "Receiver"
	}
	ns := queryNamespace[req.service]
	if ns == "" {
		ns = queryNamespace[svcIAM]
	}
	var b bytes.Buffer
	x := &xmlWriter{b: &b}
	b.WriteString(`<ErrorResponse xmlns="` + ns + `">`)
	x.open("Error")
	x.text("Type", typ)
	x.text("Code", e.code)
	x.text("Message", e.msg)
	x.close("Error")
	x.text("RequestId", req.id)
	x.close("ErrorResponse")
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(e.status)
	_, _ = w.Write(b.Bytes())
}

// xmlWriter appends XML to a buffer without reflection: GetAccountAuthorizationDetails pages
// for a large account are megabytes.
type xmlWriter struct{ b *bytes.Buffer }

func (w *xmlWriter) open(tag string) {
	w.b.WriteByte('<')
	w.b.WriteString(tag)
	w.b.WriteByte('>')
}

func (w *xmlWriter) close(tag string) {
	w.b.WriteString("</")
	w.b.WriteString(tag)
	w.b.WriteByte('>')
}

func (w *xmlWriter) empty(tag string) {
	w.b.WriteByte('<')
	w.b.WriteString(tag)
	w.b.WriteString("/>")
}

// text writes <tag>escaped v</tag>.
func (w *xmlWriter) text(tag, v string) {
	w.open(tag)
	w.escape(v)
	w.close(tag)
}

// opt writes <tag>v</tag> unless v is empty.
func (w *xmlWriter) opt(tag, v string) {
	if v != "" {
		w.text(tag, v)
	}
}

// time writes an ISO 8601 UTC timestamp unless t is zero.
func (w *xmlWriter) time(tag string, t time.Time) {
	if t.IsZero() {
		return
	}
	w.open(tag)
	var tmp [32]byte
	w.b.Write(t.UTC().AppendFormat(tmp[:0], "2006-01-02T15:04:05Z"))
	w.close(tag)
}

func (w *xmlWriter) bool(tag string, v bool) { w.text(tag, strconv.FormatBool(v)) }

func (w *xmlWriter) int(tag string, v int) {
	w.open(tag)
	var tmp [20]byte
	w.b.Write(strconv.AppendInt(tmp[:0], int64(v), 10))
	w.close(tag)
}

// doc writes a policy document the way IAM returns it: URL-encoded (RFC 3986) JSON.
func (w *xmlWriter) doc(tag, document string) {
	w.open(tag)
	writeURLEncoded(w.b, document)
	w.close(tag)
}

// tags writes a Tags list sorted by key; nothing when empty unless always is set.
func (w *xmlWriter) tags(m map[string]string, always bool) {
	if len(m) == 0 {
		if always {
			w.empty("Tags")
		}
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.open("Tags")
	for _, k := range keys {
		w.open("member")
		w.text("Key", k)
		w.text("Value", m[k])
		w.close("member")
	}
	w.close("Tags")
}

func (w *xmlWriter) escape(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' {
			_ = xml.EscapeText(w.b, []byte(s)) // writes to a bytes.Buffer never fail
			return
		}
	}
	w.b.WriteString(s)
}

const upperHex = "0123456789ABCDEF"

// writeURLEncoded percent-encodes every byte but the RFC 3986 unreserved characters, as IAM does
// for policy documents (so url.QueryUnescape and url.PathUnescape both decode it).
func writeURLEncoded(b *bytes.Buffer, s string) {
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
}

// Query parameter helpers.

func validationError(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

// param returns a required parameter; lowerName is the model's member name for the message.
func param(req *request, name string) (string, error) {
	v := req.form.Get(name)
	if v == "" {
		return "", validationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// listParam returns the members of a Query list parameter: Name.member.1, Name.member.2, ….
func listParam(req *request, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := req.form[name+".member."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// maxItems parses MaxItems: 1–1000, default 100.
func maxItems(req *request) (int, error) {
	v := req.form.Get("MaxItems")
	if v == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validationError("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a number", v)
	}
	if n < 1 {
		return 0, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
	}
	if n > 1000 {
		return 0, validationError("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", n)
	}
	return n, nil
}

// IAM paging markers resume by position in a name-sorted list: they carry the operation, a
// category (for GetAccountAuthorizationDetails: users, groups, roles, policies) and the folded
// name of the next item, so they survive concurrent deletions.

func encodeMarker(op string, cat int, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(op + "\x00" + strconv.Itoa(cat) + "\x00" + key))
}

// decodeMarker returns the category and key of the request's Marker (0, "" when absent).
func decodeMarker(req *request) (int, string, error) {
	m := req.form.Get("Marker")
	if m == "" {
		return 0, "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, "", validationError("Invalid Marker %q", m)
	}
	parts := strings.SplitN(string(raw), "\x00", 3)
	if len(parts) != 3 || parts[0] != req.op {
		return 0, "", validationError("Invalid Marker %q: it was not issued by %s", m, req.op)
	}
	cat, err := strconv.Atoi(parts[1])
	if err != nil || cat < 0 {
		return 0, "", validationError("Invalid Marker %q", m)
	}
	return cat, parts[2], nil
}

// page ends a list response with IsTruncated and, when truncated, Marker.
func (w *xmlWriter) page(op string, truncated bool, cat int, key string) {
	w.bool("IsTruncated", truncated)
	if truncated {
		w.text("Marker", encodeMarker(op, cat, key))
	}
}
