# METADATA
# title: Password policy weaker than CIS
# description: >-
#   The account has no IAM password policy, or it requires fewer than password_min_length
#   characters (CIS: 14) or prevents reuse of fewer than password_reuse_prevention passwords
#   (CIS: 24). Account-level check: evaluated on the account's root principal, which carries
#   the account.
# custom:
#   id: PV-AWS-012
#   severity: medium
#   frameworks:
#     - CIS-AWS-1.8
#     - CIS-AWS-1.9
#     - HIPAA-164.308(a)(5)(ii)(D)
#     - SOC2-CC6.1
#   remediation:
#     action: set_password_policy
#     text: Set a password policy with minimum length 14 and reuse prevention 24.
#   resource_kinds: ["aws:root"]
package provost.checks.aws_password_policy

import data.provost.lib

violation contains v if {
	some x in input.items
	x.account.id
	not x.account.password_policy
	x.coverage.scope.complete == true
	v := {
		"principal": x.principal.id,
		"qualifier": "password_policy",
		"msg": sprintf("account %s has no IAM password policy", [x.account.id]),
		"evidence": {"password_policy": null},
	}
}

violation contains v if {
	some x in input.items
	pp := x.account.password_policy
	w := weaknesses(pp)
	count(w) > 0
	v := {
		"principal": x.principal.id,
		"qualifier": "password_policy",
		"msg": sprintf("account %s password policy is weaker than CIS: %s", [x.account.id, concat("; ", sort(w))]),
		"evidence": {"minimum_length": pp.minimum_length, "password_reuse_prevention": pp.password_reuse_prevention},
	}
}

weaknesses(pp) := {sprintf("minimum length %d < %d", [pp.minimum_length, lib.config.password_min_length]) |
	pp.minimum_length < lib.config.password_min_length
} | {sprintf("reuse prevention %d < %d", [pp.password_reuse_prevention, lib.config.password_reuse_prevention]) |
	pp.password_reuse_prevention < lib.config.password_reuse_prevention
}

cannot_evaluate contains lib.unknown(x, "the account's settings were not collected") if {
	some x in input.items
	not x.account.id
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.account.id
	not x.account.password_policy
}
