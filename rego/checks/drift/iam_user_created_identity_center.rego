# METADATA
# title: IAM user created in an Identity Center account
# description: >-
#   An IAM user appeared since the previous snapshot in an AWS account whose access is managed
#   through IAM Identity Center (settings.uses_identity_center): someone bypassed the
#   organisation's single sign-on.
# custom:
#   id: PV-DRF-002
#   severity: high
#   frameworks:
#     - CIS-AWS-1.21
#     - SOC2-CC6.2
#   remediation:
#     action: disable_user
#     text: Find who created the user and why; replace it with an Identity Center assignment.
#   resource_kinds: ["aws:user"]
package provost.checks.drift_iam_user_created_identity_center

import data.provost.lib

violation contains v if {
	some x in input.items
	x.account.settings.uses_identity_center == 1
	x.principal.protected == false
	some e in x.drift
	e.kind == "principal_added"
	e.uncertain == false
	v := {
		"principal": x.principal.id,
		"msg": sprintf("IAM user %s was created since the last scan in account %s, which uses Identity Center", [x.principal.name, x.principal.account]),
		"evidence": {"uses_identity_center": 1, "created_on": lib.date_of(x.principal, "created_on")},
	}
}

cannot_evaluate contains r if {
	some x in input.items
	x.account.settings.uses_identity_center == 1
	x.principal.protected == false
	some e in x.drift
	e.kind == "principal_added"
	e.uncertain == true
	r := lib.unknown(x, sprintf("IAM user %s may predate the last scan, which did not see account %s whole", [x.principal.name, x.principal.account]))
}
