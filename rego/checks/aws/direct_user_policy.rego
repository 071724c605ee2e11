# METADATA
# title: Policy attached directly to a user
# description: >-
#   An IAM user holds a managed or inline policy directly instead of through a group. Each
#   policy is its own finding.
# custom:
#   id: PV-AWS-009
#   severity: low
#   frameworks:
#     - CIS-AWS-1.15
#     - SOC2-CC6.3
#   remediation:
#     action: detach_user_policy
#     text: Put the user in a group that carries the policy, then detach it from the user.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_direct_user_policy

import data.provost.lib

violation contains v if {
	some x in input.items
	some g in x.principal.grants
	g.via == "direct"
	v := {
		"principal": x.principal.id,
		"qualifier": g.what,
		"msg": sprintf("policy %s is attached directly to IAM user %s", [g.what, x.principal.name]),
		"evidence": {"policy": g.what, "privilege": g.privilege},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not has_direct(x.principal)
}

has_direct(p) if {
	some g in p.grants
	g.via == "direct"
}
