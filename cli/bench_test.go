package cli

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBench(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"bench", "--scale", "300", "-o", "json"}, 0},
		{[]string{"bench", "--scale", "ten"}, 2},
		{[]string{"bench", "--scale", "0"}, 2},
	} {
		stdout, stderr, code := run(t, t.TempDir(), tc.args...)
		if code != tc.code {
			t.Fatalf("%v: exit %d, want %d; stderr: %s", tc.args, code, tc.code, stderr)
		}
		if code != 0 {
			continue
		}
		var got []struct {
			Scale        int                `json:"scale"`
			Principals   int                `json:"principals"`
			Stages       map[string]float64 `json:"stages_seconds"`
			PlantedFound bool               `json:"planted_found"`
			DBBytes      float64            `json:"db_bytes_per_principal"`
			Calls        float64            `json:"api_calls_per_1k_principals"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v: %v\n%s", tc.args, err, stdout)
		}
		if len(got) != 1 || got[0].Scale != 300 || !got[0].PlantedFound || got[0].Principals < 250 || got[0].DBBytes <= 0 || got[0].Calls <= 0 {
			t.Errorf("%v: got %+v", tc.args, got)
		}
		var stages []string
		for s := range got[0].Stages {
			stages = append(stages, s)
		}
		want := []string{"collect", "diff", "evaluate", "generate", "report", "seed", "store"}
		slices.Sort(stages)
		if diff := cmp.Diff(want, stages); diff != "" {
			t.Errorf("stages (-want +got):\n%s", diff)
		}
	}
}
