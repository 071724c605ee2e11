# METADATA
# title: Root user without MFA
# description: >-
#   The root user of an AWS account has no MFA device, per the credential report or the
#   account summary.
# custom:
#   id: PV-AWS-002
#   severity: critical
#   frameworks:
#     - CIS-AWS-1.5
#     - HIPAA-164.312(d)
#     - SOC2-CC6.1
#   remediation:
#     action: enable_mfa
#     text: Enable a hardware MFA device on the root user and store it under dual control.
#   resource_kinds: ["aws:root"]
package provost.checks.aws_root_mfa

import data.provost.lib

violation contains v if {
	some x in input.items
	x.principal.mfa == false
	evidenced(x)
	v := {
		"principal": x.principal.id,
		"msg": sprintf("root user of account %s has no MFA device", [x.principal.account]),
		"evidence": {"mfa": false, "AccountMFAEnabled": object.get(x, ["account", "settings", "AccountMFAEnabled"], null)},
	}
}

# MFA off is known when the scope was read whole, or the account summary says so.
evidenced(x) if x.coverage.scope.complete == true

evidenced(x) if x.account.settings.AccountMFAEnabled == 0

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in input.items
	x.principal.mfa == false
	not evidenced(x)
}
