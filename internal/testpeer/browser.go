package testpeer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium tab for browser tests. It records console errors and
// assertions, uncaught exceptions, log entries of level error and JavaScript dialogs, so a test
// can assert that a page ran cleanly.
type Browser struct {
	// Ctx is the tab's chromedp context.
	Ctx  context.Context
	stop func()

	mu       sync.Mutex
	problems []string
}

// NewBrowser starts Debian's Chromium headless with the flags this machine needs (no sandbox as
// root, no background networking on a closed network) and a fresh profile; it stops when the
// test ends, or earlier with Close. A missing browser fails the test.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	exe := Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	)
	bctx, bcancel := chromedp.NewContext(actx)
	b := &Browser{Ctx: bctx, stop: func() { bcancel(); acancel(); cancel() }}
	t.Cleanup(b.Close)
	if err := chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.record("console.%s: %s", ev.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			b.record("exception at %s:%d: %s", d.URL, d.LineNumber, text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				b.record("log %s: %s", ev.Entry.Source, ev.Entry.Text)
			}
		case *page.EventJavascriptDialogOpening:
			b.record("dialog %s: %s", ev.Type, ev.Message)
		}
	}); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return b
}

// Close stops the browser; it is safe to call more than once.
func (b *Browser) Close() { b.stop() }

// Problems returns what the page reported so far: console errors, exceptions, error log
// entries and dialogs.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

func (b *Browser) record(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}
