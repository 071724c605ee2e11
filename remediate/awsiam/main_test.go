package awsiam_test

import (
	"os"
	"testing"

	"github.com/provost-dev/provost/internal/testpeer"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	code := m.Run()
	testpeer.StopAll()
	os.Exit(code)
}
