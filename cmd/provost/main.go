// Command provost audits who can get into your clouds, whether they still should, and with how
// much power. See the README and `provost --help`.
package main

import (
	"os"

	"github.com/provost-dev/provost/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
