# METADATA
# title: Access key unused
# description: >-
#   An active access key of an IAM user has not been used for inactive_days days, or was never
#   used and was created more than inactive_days days ago. Each key slot is its own finding.
# custom:
#   id: PV-AWS-006
#   severity: medium
#   frameworks:
#     - CIS-AWS-1.12
#     - HIPAA-164.308(a)(3)(ii)(B)
#     - SOC2-CC6.2
#   remediation:
#     action: deactivate_access_key
#     text: Deactivate the key; delete it after the grace period if nobody complains.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_access_key_unused

import data.provost.lib

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	c.last_used_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("access key %s of %s last used on %s, more than %d days ago", [c.id, x.principal.name, c.last_used_on, lib.config.inactive_days]),
		"evidence": {"key": c.id, "last_used": c.last_used_on, "threshold_days": lib.config.inactive_days},
	}
}

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	not c.last_used_ns
	c.created_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("access key %s of %s was never used since it was created on %s, more than %d days ago", [c.id, x.principal.name, c.created_on, lib.config.inactive_days]),
		"evidence": {"key": c.id, "last_used": "never", "created_at": c.created_on, "threshold_days": lib.config.inactive_days},
	}
}

# A key with neither a last use nor a creation time cannot be judged.
cannot_evaluate contains r if {
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	not c.last_used_ns
	not c.created_ns
	r := object.union(lib.unknown(x, sprintf("access key %s has no creation or last-use time", [c.id])), {"qualifier": c.id})
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
