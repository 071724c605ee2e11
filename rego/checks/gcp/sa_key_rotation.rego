# METADATA
# title: Service account key not rotated
# description: >-
#   An active user-managed service account key was created more than key_rotation_days days ago.
# custom:
#   id: PV-GCP-004
#   severity: medium
#   frameworks:
#     - CIS-GCP-1.7
#     - SOC2-CC6.1
#   remediation:
#     action: rotate_sa_key
#     text: Create a new key, move its users to it, then disable and delete the old one.
#   resource_kinds: ["gcp:service_account"]
package provost.checks.gcp_sa_key_rotation

import data.provost.lib

violation contains v if {
	cutoff := lib.rotation_cutoff_ns
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	c.created_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("key %s of %s was created on %s, more than %d days ago", [c.id, x.principal.email, c.created_on, lib.config.key_rotation_days]),
		"evidence": {"key": c.id, "created_at": c.created_on, "threshold_days": lib.config.key_rotation_days},
	}
}

cannot_evaluate contains r if {
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	not c.created_ns
	r := object.union(lib.unknown(x, sprintf("key %s has no creation time", [c.id])), {"qualifier": c.id})
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not has_user_key(x.principal)
}

has_user_key(p) if {
	some c in p.credentials
	c.managed == "user"
	c.status == "active"
	c.kind == "sa_key"
}
