package policy

import (
	"testing"
)

func TestParseFrameworkRef(t *testing.T) {
	tests := []struct {
		in      string
		want    FrameworkRef
		wantErr string
	}{
		{in: "CIS-AWS-1.4", want: FrameworkRef{"CIS-AWS", "1.4"}},
		{in: "CIS-AWS-1.22", want: FrameworkRef{"CIS-AWS", "1.22"}},
		{in: "CIS-AWS-2.1.4", want: FrameworkRef{"CIS-AWS", "2.1.4"}},
		{in: "CIS-AWS-1.23", wantErr: `framework reference "CIS-AWS-1.23": CIS Amazon Web Services Foundations Benchmark v3.0.0 has no section "1.23" (e.g. CIS-AWS-1.4)`},
		{in: "CIS-GCP-1.18", want: FrameworkRef{"CIS-GCP", "1.18"}},
		{in: "CIS-GCP-6.2.16", want: FrameworkRef{"CIS-GCP", "6.2.16"}},
		{in: "CIS-GCP-1.19", wantErr: `framework reference "CIS-GCP-1.19": CIS Google Cloud Platform Foundation Benchmark v3.0.0 has no section "1.19" (e.g. CIS-GCP-1.5)`},
		{in: "HIPAA-164.308(a)(3)(ii)(C)", want: FrameworkRef{"HIPAA", "164.308(a)(3)(ii)(C)"}},
		{in: "HIPAA-164.308(a)(3)", want: FrameworkRef{"HIPAA", "164.308(a)(3)"}},
		{in: "HIPAA-164.312(d)", want: FrameworkRef{"HIPAA", "164.312(d)"}},
		{in: "HIPAA-164.312", want: FrameworkRef{"HIPAA", "164.312"}},
		{in: "HIPAA-164.308(a)(3)(ii)(D)", wantErr: `framework reference "HIPAA-164.308(a)(3)(ii)(D)": HIPAA Security Rule, 45 CFR Part 164 Subpart C has no section "164.308(a)(3)(ii)(D)" (e.g. HIPAA-164.308(a)(3)(ii)(C))`},
		{in: "SOC2-CC6.1", want: FrameworkRef{"SOC2", "CC6.1"}},
		{in: "SOC2-CC6.8", want: FrameworkRef{"SOC2", "CC6.8"}},
		{in: "SOC2-CC6.9", wantErr: `framework reference "SOC2-CC6.9": SOC 2 Trust Services Criteria (2017) has no section "CC6.9" (e.g. SOC2-CC6.1)`},
		{in: "NIST-800-53-AC-2", want: FrameworkRef{"NIST-800-53", "AC-2"}},
		{in: "NIST-800-53-IA-2(1)", want: FrameworkRef{"NIST-800-53", "IA-2(1)"}},
		{in: "NIST-800-53-ZZ-2", wantErr: `framework reference "NIST-800-53-ZZ-2": "ZZ-2" is not a NIST-800-53 section (e.g. NIST-800-53-AC-2(3))`},
		{in: "CIS-1.4", wantErr: `framework reference "CIS-1.4": unknown framework; want one like NIST-800-53-AC-2(3), CIS-AWS-1.4, CIS-GCP-1.5, HIPAA-164.308(a)(3)(ii)(C), SOC2-CC6.1`},
		{in: "", wantErr: `framework reference "": unknown framework; want one like NIST-800-53-AC-2(3), CIS-AWS-1.4, CIS-GCP-1.5, HIPAA-164.308(a)(3)(ii)(C), SOC2-CC6.1`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFrameworkRef(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.in {
				t.Errorf("ParseFrameworkRef(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

// Every bundled check cites a CIS, HIPAA or SOC 2 reference; load already validated them.
func TestBundledChecksCiteKnownFrameworks(t *testing.T) {
	for _, c := range loadBundled(t).Checks() {
		if len(c.Frameworks) == 0 {
			t.Errorf("%s has no framework reference", c.ID)
		}
		for _, f := range c.Frameworks {
			if _, err := ParseFrameworkRef(f); err != nil {
				t.Errorf("%s: %v", c.ID, err)
			}
		}
	}
}
