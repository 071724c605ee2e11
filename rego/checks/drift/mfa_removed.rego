# METADATA
# title: MFA removed
# description: >-
#   An enabled principal had MFA since the previous snapshot and has none now.
# custom:
#   id: PV-DRF-003
#   severity: high
#   frameworks:
#     - CIS-AWS-1.10
#     - SOC2-CC6.1
#     - HIPAA-164.312(d)
#   remediation:
#     action: enable_mfa
#     text: Ask the owner to enrol MFA again; disable console access until they do.
#   resource_kinds: ["*:*"]
package provost.checks.drift_mfa_removed

violation contains v if {
	some x in input.items
	some e in x.drift
	e.kind == "mfa_removed"
	x.principal.disabled == false
	v := {
		"principal": x.principal.id,
		"msg": sprintf("%s %s had MFA at the last scan and has none now", [x.principal.kind, x.principal.name]),
		"evidence": {"mfa": false, "console_access": x.principal.console_access},
	}
}
