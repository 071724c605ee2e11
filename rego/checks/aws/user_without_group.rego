# METADATA
# title: IAM user in no group
# description: >-
#   An IAM user belongs to no group, so its permissions (if any) are managed one user at a time.
# custom:
#   id: PV-AWS-010
#   severity: low
#   frameworks:
#     - CIS-AWS-1.15
#     - SOC2-CC6.3
#   remediation:
#     action: review
#     text: Add the user to the group matching their role, or remove the user if unused.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_user_without_group

import data.provost.lib

violation contains v if {
	some x in input.items
	x.principal.groups == []
	x.coverage.scope.complete == true
	v := {
		"principal": x.principal.id,
		"msg": sprintf("IAM user %s is in no group", [x.principal.name]),
		"evidence": {"groups": 0, "direct_grants": count([g | some g in x.principal.grants; g.via == "direct"])},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.principal.groups == []
}
