# METADATA
# title: Console user without MFA
# description: >-
#   An IAM user can sign in to the AWS console with a password but has no MFA device.
# custom:
#   id: PV-AWS-004
#   severity: high
#   frameworks:
#     - CIS-AWS-1.10
#     - HIPAA-164.312(d)
#     - SOC2-CC6.1
#   remediation:
#     action: remove_console_login
#     text: Require the user to register an MFA device, or remove the console password.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_console_mfa

import data.provost.lib

violation contains v if {
	some x in input.items
	x.principal.console_access == true
	x.principal.mfa == false
	x.coverage.scope.complete == true
	v := {
		"principal": x.principal.id,
		"msg": sprintf("IAM user %s has console access without MFA", [x.principal.name]),
		"evidence": {"console_access": true, "mfa": false},
	}
}

# Without the credential report both console access and MFA may be missing.
cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.principal.mfa == false
}
