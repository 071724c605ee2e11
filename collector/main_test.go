package collector

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine Run starts is waited for, including those of sources that time out or panic.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
