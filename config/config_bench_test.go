package config

import (
	"os"
	"testing"
)

// BenchmarkParseExample measures loading the fully documented example configuration.
func BenchmarkParseExample(b *testing.B) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		b.Fatal(err)
	}
	lookup := env(map[string]string{"PROVOST_LDAP_PASSWORD": "pw", "PROVOST_SCIM_TOKEN": "tok"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("config.toml", data, lookup); err != nil {
			b.Fatal(err)
		}
	}
}
