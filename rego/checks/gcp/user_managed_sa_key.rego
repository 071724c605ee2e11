# METADATA
# title: User-managed service account key
# description: >-
#   A service account has an active user-managed key: a long-lived secret that can leave the
#   cloud. Each key is its own finding.
# custom:
#   id: PV-GCP-003
#   severity: medium
#   frameworks:
#     - CIS-GCP-1.4
#     - SOC2-CC6.1
#   remediation:
#     action: disable_sa_key
#     text: Use workload identity or impersonation instead; disable, then delete, the key.
#   resource_kinds: ["gcp:service_account"]
package provost.checks.gcp_user_managed_sa_key

import data.provost.lib

violation contains v if {
	some k in lib.user_sa_keys
	x := k.x
	c := k.c
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("service account %s has user-managed key %s (created %s)", [x.principal.email, c.id, lib.date_of(c, "created_on")]),
		"evidence": {"key": c.id, "created_at": lib.date_of(c, "created_on")},
	}
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
