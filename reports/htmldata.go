package reports

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// jsonw appends compact JSON to a buffer. Strings are escaped as encoding/json does with HTML
// escaping on: <, > and & become \u003c, \u003e and \u0026, and U+2028 and U+2029 are escaped,
// so that the text can never close the script element it is embedded in.
type jsonw struct{ b []byte }

func (w *jsonw) raw(s string) { w.b = append(w.b, s...) }
func (w *jsonw) int(n int64)  { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonw) comma(i int) {
	if i > 0 {
		w.b = append(w.b, ',')
	}
}

func (w *jsonw) time(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, '0')
		return
	}
	w.int(t.Unix())
}

func (w *jsonw) bool(b bool) {
	if b {
		w.b = append(w.b, '1')
	} else {
		w.b = append(w.b, '0')
	}
}

func (w *jsonw) strs(ss []string) {
	w.b = append(w.b, '[')
	for i, s := range ss {
		w.comma(i)
		w.str(s)
	}
	w.b = append(w.b, ']')
}

const hexDigits = "0123456789abcdef"

func (w *jsonw) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b': // as encoding/json writes them since Go 1.22
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

// value writes any JSON value (evidence) with encoding/json, which escapes HTML too.
func (w *jsonw) value(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.b = append(w.b, data...)
	return nil
}

// Status codes of the embedded data, in the order report.js names them.
var statusCodes = map[finding.Status]int64{
	finding.StatusOpen: 0, finding.StatusWaived: 1, finding.StatusResolved: 2, finding.StatusError: 3, finding.StatusCannotEvaluate: 4,
}

// interner numbers strings in order of first use.
type interner struct {
	index map[string]int32
	order []string
}

func newInterner() *interner { return &interner{index: map[string]int32{}} }

func (in *interner) id(s string) int32 {
	if s == "" {
		return -1
	}
	if i, ok := in.index[s]; ok {
		return i
	}
	i := int32(len(in.order))
	in.index[s] = i
	in.order = append(in.order, s)
	return i
}

// htmlData is the JSON the page's script reads: tables of checks, accounts, providers, people
// and principals, and one compact row per finding that points into them (see report.js for
// the layout of each row).
func (v *view) htmlData() ([]byte, error) {
	checks, accounts, providers, people, principals := newInterner(), newInterner(), newInterner(), newInterner(), newInterner()
	checkInfo := map[string]*Check{}
	for i := range v.Checks {
		c := &v.Checks[i]
		if checks.id(c.ID); checkInfo[c.ID] == nil {
			checkInfo[c.ID] = c
		}
	}
	type refs struct{ check, principal, account, provider int32 }
	rows := make([]refs, len(v.findings))
	accountProvider := map[string]inventory.Provider{}
	principalFinding := map[string]*finding.Finding{}
	for i := range v.findings {
		f := &v.findings[i]
		if checkInfo[f.CheckID] == nil {
			checkInfo[f.CheckID] = &Check{ID: f.CheckID, Title: f.Title, Severity: f.Severity, Frameworks: f.Frameworks, Remediation: f.Remediation}
		}
		rows[i].check = checks.id(f.CheckID)
		if f.Principal != "" {
			if _, ok := principals.index[f.Principal]; !ok {
				principalFinding[f.Principal] = f
				if p := v.principals[f.Principal]; p != nil {
					accounts.id(p.Account)
					accountProvider[p.Account] = p.Provider
					providers.id(string(p.Provider))
					if p.PersonID != "" && v.people[p.PersonID] != nil {
						people.id(p.PersonID)
					}
				}
			}
		}
		rows[i].principal = principals.id(f.Principal)
		rows[i].account = accounts.id(f.Account)
		if _, ok := accountProvider[f.Account]; !ok {
			accountProvider[f.Account] = f.Provider
		}
		rows[i].provider = providers.id(string(f.Provider))
	}
	for _, id := range accounts.order {
		if a := v.accounts[id]; a != nil && a.Provider != "" {
			providers.id(string(a.Provider))
		} else {
			providers.id(string(accountProvider[id]))
		}
	}

	w := &jsonw{b: make([]byte, 0, 64<<10+len(v.findings)*220)}
	w.raw(`{"generated":`)
	w.time(v.Generated)
	w.raw(`,"statuses":["open","waived","resolved","error","cannot_evaluate"],"checks":[`)
	for i, id := range checks.order {
		c := checkInfo[id]
		w.comma(i)
		w.raw("[")
		w.str(c.ID)
		w.raw(",")
		w.str(c.Title)
		w.raw(",")
		w.int(int64(c.Severity))
		w.raw(",")
		w.strs(c.Frameworks)
		w.raw(",")
		w.str(c.Remediation.Text)
		w.raw(",")
		w.str(c.Remediation.Action)
		w.raw(",")
		w.str(c.Description)
		w.raw("]")
	}
	w.raw(`],"providers":`)
	w.strs(providers.order)
	w.raw(`,"accounts":[`)
	for i, id := range accounts.order {
		w.comma(i)
		w.raw("[")
		w.str(id)
		w.raw(",")
		w.str(v.accountName(id))
		w.raw(",")
		prov := accountProvider[id]
		if a := v.accounts[id]; a != nil && a.Provider != "" {
			prov = a.Provider
		}
		w.int(int64(providers.id(string(prov))))
		w.raw("]")
	}
	w.raw(`],"people":[`)
	dir := newDirectoryCached(v)
	for i, id := range people.order {
		p := v.people[id]
		w.comma(i)
		w.raw("[")
		w.str(p.ID)
		w.raw(",")
		w.str(p.Name)
		w.raw(",")
		email := ""
		if len(p.Emails) > 0 {
			email = p.Emails[0]
		}
		w.str(email)
		w.raw(",")
		w.str(string(p.Status))
		w.raw(",")
		w.str(p.Title)
		w.raw(",")
		w.str(p.Department)
		w.raw(",")
		manager := ""
		if m := dir.manager(p); m != nil {
			manager = m.Name
		}
		w.str(manager)
		w.raw(",")
		w.time(p.EndDate)
		w.raw(",")
		w.str(p.Source)
		w.raw("]")
	}
	w.raw(`],"principals":[`)
	for i, id := range principals.order {
		w.comma(i)
		p := v.principals[id]
		if p == nil {
			f := principalFinding[id]
			w.raw("[")
			w.str(id)
			w.raw(`,"","",`)
			w.int(int64(providers.id(string(f.Provider))))
			w.raw(",")
			w.int(int64(accounts.id(f.Account)))
			w.raw(`,-1,0,0,0,0,0,"",[],[],0,""]`)
			continue
		}
		w.raw("[")
		w.str(p.ID)
		w.raw(",")
		w.str(p.Name)
		w.raw(",")
		w.str(string(p.Kind))
		w.raw(",")
		w.int(int64(providers.id(string(p.Provider))))
		w.raw(",")
		w.int(int64(accounts.id(p.Account)))
		w.raw(",")
		person := int32(-1)
		if _, ok := people.index[p.PersonID]; ok {
			person = people.id(p.PersonID)
		}
		w.int(int64(person))
		w.raw(",")
		w.bool(p.MFA)
		w.raw(",")
		w.bool(p.Console)
		w.raw(",")
		w.bool(p.Disabled)
		w.raw(",")
		w.time(p.CreatedAt)
		w.raw(",")
		w.time(p.LastActivity)
		w.raw(",")
		w.str(p.LinkRule)
		w.raw(",[")
		for j, c := range p.Credentials {
			w.comma(j)
			w.raw("[")
			w.str(string(c.Kind))
			w.raw(",")
			w.str(c.ID)
			w.raw(",")
			w.str(c.Status)
			w.raw(",")
			w.time(c.CreatedAt)
			w.raw(",")
			w.time(c.LastUsed)
			w.raw(",")
			w.time(c.ExpiresAt)
			w.raw("]")
		}
		w.raw("],[")
		grants := p.Grants
		if len(grants) > htmlMaxGrants || !slices.IsSortedFunc(grants, byPrivilegeDesc) {
			grants = slices.Clone(grants)
			slices.SortStableFunc(grants, byPrivilegeDesc)
			grants = grants[:min(len(grants), htmlMaxGrants)]
		}
		for j, g := range grants {
			w.comma(j)
			w.raw("[")
			w.str(g.What)
			w.raw(",")
			w.str(g.Where)
			w.raw(",")
			w.str(g.Via)
			w.raw(",")
			w.str(string(g.Privilege))
			w.raw(",")
			w.str(g.Condition)
			w.raw("]")
		}
		w.raw("],")
		w.int(int64(len(p.Grants)))
		w.raw(",")
		w.str(p.Email)
		w.raw("]")
	}
	w.raw(`],"findings":[`)
	for i := range v.findings {
		f := &v.findings[i]
		r := rows[i]
		w.comma(i)
		w.raw("[")
		w.str(f.ID)
		for _, n := range []int32{r.check, r.principal, r.account, r.provider} {
			w.raw(",")
			w.int(int64(n))
		}
		w.raw(",")
		w.int(int64(f.Severity))
		w.raw(",")
		w.int(statusCodes[f.Status])
		w.raw(",")
		w.str(f.Qualifier)
		w.raw(",")
		w.str(f.Message)
		w.raw(",")
		w.time(f.FirstSeen)
		w.raw(",")
		w.time(f.LastSeen)
		w.raw(",")
		w.time(f.ResolvedAt)
		w.raw(",")
		if len(f.Evidence) > 0 {
			if err := w.value(f.Evidence); err != nil {
				return nil, err
			}
		} else {
			w.raw("0")
		}
		w.raw(",")
		if f.WaivedBy != "" || f.WaiverReason != "" {
			w.raw("[")
			w.str(f.WaivedBy)
			w.raw(",")
			w.str(f.WaiverReason)
			w.raw(",")
			w.time(f.WaiverExpires)
			w.raw("]")
		} else {
			w.raw("0")
		}
		w.raw("]")
	}
	w.raw("]}")
	return w.b, nil
}

func byPrivilegeDesc(a, b inventory.Grant) int { return b.Privilege.Rank() - a.Privilege.Rank() }
