package daemon_test

import (
	"fmt"
	"time"

	"github.com/provost-dev/provost/daemon"
)

// Schedules are cron specs with an optional seconds field, or descriptors, read in a time zone.
func ExampleParseSchedules() {
	schedules, err := daemon.ParseSchedules([]string{"0 2 * * *", "30 0 */4 * * *", "@weekly"}, "Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	from := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
	for _, s := range schedules {
		fmt.Println(s.Next(from).UTC())
	}
	// Output:
	// 2026-03-19 01:00:00 +0000 UTC
	// 2026-03-18 11:00:30 +0000 UTC
	// 2026-03-21 23:00:00 +0000 UTC
}
