# METADATA
# title: IAM user in an account managed through Identity Center
# description: >-
#   An IAM user exists in an account that Identity Center assigns access to. People should
#   come in through Identity Center; long-lived IAM users bypass it. Protected principals
#   (break-glass users) are exempt.
# custom:
#   id: PV-AWS-013
#   severity: low
#   frameworks:
#     - CIS-AWS-1.21
#     - SOC2-CC6.2
#   remediation:
#     action: review
#     text: Move the user's access to an Identity Center permission set and remove the IAM user.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_iam_user_with_identity_center

import data.provost.lib

violation contains v if {
	some x in input.items
	x.account.settings.uses_identity_center == 1
	x.principal.protected == false
	v := {
		"principal": x.principal.id,
		"msg": sprintf("IAM user %s exists in account %s, which uses Identity Center", [x.principal.name, x.principal.account]),
		"evidence": {"uses_identity_center": 1},
	}
}

cannot_evaluate contains lib.unknown(x, "the account's settings were not collected") if {
	some x in input.items
	not x.account.id
	x.principal.protected == false
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.account.id
	not x.account.settings.uses_identity_center == 1
	x.principal.protected == false
}
