// Package config holds Provost's configuration: the Config type, its defaults, loading from one
// TOML file and validation.
//
// Loading is Default(), then the file decoded onto it with unknown keys rejected, then Validate.
// String values may reference the environment as ${NAME}; $$ is a literal $. Secrets such as an
// external ID belong in the environment, never in the file. Relative paths in a loaded file are
// resolved against the file's directory.
//
// Every problem is reported at once, each as a *FieldError naming the file, the line, the key and
// what would be valid; all errors match ErrConfig. Only a TOML syntax error stops early, since
// nothing after it can be trusted.
//
// Parsing has no side effects: it reads the file and the environment and touches nothing else.
// The package imports only the standard library and go-toml. Where a key names something another
// package defines (report formats, severities, remediation actions), this package keeps its own
// list, and a test beside that package's user checks the two agree.
package config
