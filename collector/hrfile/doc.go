// Package hrfile is a Source that reads the roster of people from an HR export: a CSV file (a
// spreadsheet, BambooHR, a Workday report) or a JSON file (an array of objects, or an object
// holding one, such as Workday RaaS "Report_Entry" or BambooHR "employees").
//
// Columns (CSV header names, or JSON keys with "a.b" for nested objects) map onto the fields of
// inventory.Person; status values map onto active, leave and terminated. Person IDs are
// "<source name>:<employee ID>".
//
// Parsing is strict, because a roster that silently lost people turns their accounts into
// "orphans": a UTF-8 or UTF-16 byte-order mark is removed, quoted fields may hold delimiters and
// newlines, and every row is checked (employee ID present, emails well formed, status and dates
// known, no employee ID or email twice). A bad row is reported with its line number and left
// out, and the source's coverage becomes partial (kind invalid); a file that cannot be read or
// whose structure is broken (a missing column, an unterminated quote, no people at all) is a
// failed coverage. Neither ever panics or ends the process.
package hrfile
