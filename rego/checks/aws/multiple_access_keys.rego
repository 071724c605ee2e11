# METADATA
# title: More than one active access key
# description: >-
#   An IAM user has both access key slots active. One key per user makes rotation and
#   attribution tractable.
# custom:
#   id: PV-AWS-008
#   severity: low
#   frameworks:
#     - CIS-AWS-1.13
#     - SOC2-CC6.1
#   remediation:
#     action: deactivate_access_key
#     text: Find which key is still in use and deactivate the other.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_multiple_access_keys

import data.provost.lib

violation contains v if {
	some k in lib.active_access_keys
	x := k.x
	some c2 in x.principal.credentials
	c2.kind == "access_key"
	c2.status == "active"
	k.c.id < c2.id
	v := {
		"principal": x.principal.id,
		"msg": sprintf("IAM user %s has more than one active access key", [x.principal.name]),
		"evidence": {"keys": sort([c.id | some c in x.principal.credentials; c.kind == "access_key"; c.status == "active"])},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	count([c | some c in x.principal.credentials; c.kind == "access_key"; c.status == "active"]) < 2
}
