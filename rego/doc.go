// Package rego holds Provost's bundled policy library: the Rego checks under checks/, their
// shared helpers under lib/, and their unit tests (_test.rego), embedded with embed.FS.
//
// The package has no Go logic and imports nothing but embed: package policy loads, validates,
// compiles and evaluates these files. README.md documents the input contract every check is
// written against; docs/checks.md is the generated catalogue.
package rego
