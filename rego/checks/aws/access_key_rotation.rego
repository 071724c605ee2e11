# METADATA
# title: Access key not rotated
# description: >-
#   An active access key of an IAM user was created more than key_rotation_days days ago.
# custom:
#   id: PV-AWS-007
#   severity: medium
#   frameworks:
#     - CIS-AWS-1.14
#     - HIPAA-164.308(a)(5)(ii)(D)
#     - SOC2-CC6.1
#   remediation:
#     action: rotate_access_key
#     text: Create a new key, move its users to it, then deactivate and delete the old one.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_access_key_rotation

import data.provost.lib

violation contains v if {
	cutoff := lib.rotation_cutoff_ns
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	c.created_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("access key %s of %s was created on %s, more than %d days ago", [c.id, x.principal.name, c.created_on, lib.config.key_rotation_days]),
		"evidence": {"key": c.id, "created_at": c.created_on, "threshold_days": lib.config.key_rotation_days},
	}
}

cannot_evaluate contains r if {
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	not c.created_ns
	r := object.union(lib.unknown(x, sprintf("access key %s has no creation time", [c.id])), {"qualifier": c.id})
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not has_active_key(x.principal)
}

has_active_key(p) if {
	some c in p.credentials
	c.kind == "access_key"
	c.status == "active"
}
