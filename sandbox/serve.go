package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ServeOptions configure Serve.
type ServeOptions struct {
	Generate GenerateOptions
	// Dir receives the HR export, the mapping file and planted.json (see Endpoints.PlantedPath);
	// required.
	Dir string
	// ReadyFile, when set, receives the Endpoints as JSON (0600, replaced atomically) once the
	// fakes serve and again after each advance.
	ReadyFile string
	Logger    *slog.Logger
}

// Status is Serve's answer to every command: what is served now and what the last command
// cost.
type Status struct {
	Endpoints Endpoints `json:"endpoints"`
	// Calls counts the API calls the fakes answered since they started or last advanced.
	Calls int `json:"calls"`
	// GenerateSeconds is the time the last generation took (Generate, or Advance's
	// regeneration); LoadSeconds the time to load it into the fakes and write the files.
	GenerateSeconds float64 `json:"generate_seconds"`
	LoadSeconds     float64 `json:"load_seconds"`
	// Error is set when the command failed; the sandbox goes on serving what it served.
	Error string `json:"error,omitempty"`
}

// Serve generates an organisation, serves it with Start in this process and answers commands
// read one per line from in, each with one line of JSON (a Status) on out. The first line is
// written once the fakes serve, before any command is read. Commands:
//
//	advance [DAYS]  move the organisation on by DAYS (default 1) days, see Env.Advance
//	stats           report the calls answered since the start or the last advance
//
// An unknown command is answered with Status.Error set. Serve stops the fakes and returns nil
// when in ends (the parent closed it or died), and ctx.Err() when ctx is cancelled. It is
// meant for a child process that stands in for AWS and Google, so that a benchmark's audit
// process holds none of the fakes' memory.
func Serve(ctx context.Context, in io.Reader, out io.Writer, opts ServeOptions) error {
	if opts.Dir == "" {
		return errors.New("sandbox: serve: no directory")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return fmt.Errorf("sandbox: serve: %w", err)
	}
	t := time.Now()
	org := Generate(opts.Generate)
	st := Status{GenerateSeconds: time.Since(t).Seconds()}
	t = time.Now()
	env, err := Start(ctx, org, StartOptions{Dir: opts.Dir, Logger: opts.Logger})
	if err != nil {
		return err
	}
	defer env.Close()
	planted := filepath.Join(opts.Dir, "planted.json")
	publish := func() error {
		want := append(slices.Clone(env.Org.Planted), env.Org.Drift...)
		sortPlanted(want)
		if err := writeJSON(planted, want); err != nil {
			return fmt.Errorf("sandbox: serve: %w", err)
		}
		st.Endpoints = env.Endpoints()
		st.Endpoints.PlantedPath = planted
		if opts.ReadyFile == "" {
			return nil
		}
		tmp := opts.ReadyFile + ".tmp"
		if err := writeJSON(tmp, st.Endpoints); err != nil {
			return fmt.Errorf("sandbox: serve: %w", err)
		}
		if err := os.Rename(tmp, opts.ReadyFile); err != nil {
			return fmt.Errorf("sandbox: serve: %w", err)
		}
		return nil
	}
	if err := publish(); err != nil {
		return err
	}
	st.LoadSeconds = time.Since(t).Seconds()
	enc := json.NewEncoder(out)
	if err := enc.Encode(st); err != nil {
		return fmt.Errorf("sandbox: serve: %w", err)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		st.Error = ""
		cmd := strings.Fields(line)
		switch {
		case len(cmd) == 0:
			continue
		case cmd[0] == "advance" && len(cmd) <= 2:
			days := 1
			if len(cmd) == 2 {
				if days, err = strconv.Atoi(cmd[1]); err != nil || days < 1 {
					st.Error = fmt.Sprintf("advance %q: want a positive number of days", cmd[1])
					break
				}
			}
			t := time.Now()
			next := Advance(env.Org, days)
			st.GenerateSeconds = time.Since(t).Seconds()
			t = time.Now()
			if err := env.load(next); err != nil {
				st.Error = err.Error()
				break
			}
			if err := publish(); err != nil {
				st.Error = err.Error()
			}
			st.LoadSeconds = time.Since(t).Seconds()
		case cmd[0] == "stats" && len(cmd) == 1:
		default:
			st.Error = fmt.Sprintf("unknown command %q: want advance [DAYS] or stats", line)
		}
		st.Calls = env.calls()
		if err := enc.Encode(st); err != nil {
			return fmt.Errorf("sandbox: serve: %w", err)
		}
	}
}
