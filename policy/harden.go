package policy

import (
	"log/slog"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// deniedBuiltins are left out of the capabilities: anything that reaches the network, reads
// the runtime environment, or is random. A policy calling one fails to compile.
var deniedBuiltins = map[string]bool{
	"http.send":              true,
	"opa.runtime":            true,
	"rand.intn":              true,
	"uuid.rfc4122":           true,
	"providers.aws.sign_req": true,
	"io.jwt.encode_sign":     true,
	"io.jwt.encode_sign_raw": true,
}

func denied(name string) bool { return deniedBuiltins[name] || strings.HasPrefix(name, "net.") }

var capabilities = sync.OnceValue(func() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if !denied(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{} // no host may be contacted, even by builtins added later
	return caps
})

// slogPrint routes Rego print() output to a logger at debug level, with its location.
type slogPrint struct{ logger *slog.Logger }

var _ print.Hook = slogPrint{}

func (h slogPrint) Print(ctx print.Context, msg string) error {
	loc := ""
	if ctx.Location != nil {
		loc = ctx.Location.String()
	}
	h.logger.Debug("rego print", "location", loc, "msg", msg)
	return nil
}
