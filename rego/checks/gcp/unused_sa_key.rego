# METADATA
# title: Unused service account key
# description: >-
#   An active user-managed service account key has not been used for inactive_days days, or was
#   never used and was created more than inactive_days days ago. Each key is its own finding.
# custom:
#   id: PV-GCP-009
#   severity: medium
#   frameworks:
#     - CIS-GCP-1.7
#     - SOC2-CC6.2
#   remediation:
#     action: disable_sa_key
#     text: Disable the key; delete it after the grace period if nothing broke.
#   resource_kinds: ["gcp:service_account"]
package provost.checks.gcp_unused_sa_key

import data.provost.lib

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	c.last_used_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("key %s of %s last used on %s, more than %d days ago", [c.id, x.principal.email, c.last_used_on, lib.config.inactive_days]),
		"evidence": {"key": c.id, "last_used": c.last_used_on, "threshold_days": lib.config.inactive_days},
	}
}

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	not c.last_used_ns
	c.created_ns < cutoff
	x.coverage.scope.complete == true
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("key %s of %s was never used since it was created on %s", [c.id, x.principal.email, c.created_on]),
		"evidence": {"key": c.id, "last_used": "never", "created_at": c.created_on, "threshold_days": lib.config.inactive_days},
	}
}

# A never-used key whose age is unknown, or an old one in an incomplete scope.
cannot_evaluate contains r if {
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	not c.last_used_ns
	not known_young(c)
	not never_used_violation(c, x)
	r := object.union(lib.unknown(x, sprintf("key %s has no usable last-use data", [c.id])), {"qualifier": c.id})
}

known_young(c) if c.created_ns >= lib.inactive_cutoff_ns

never_used_violation(c, x) if {
	c.created_ns < lib.inactive_cutoff_ns
	x.coverage.scope.complete == true
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
