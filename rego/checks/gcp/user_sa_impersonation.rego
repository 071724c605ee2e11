# METADATA
# title: User can impersonate service accounts project-wide
# description: >-
#   A user holds Service Account User or Service Account Token Creator on an organization,
#   folder or project (directly or through a group), so they can act as every service account
#   in it. Each binding is its own finding.
# custom:
#   id: PV-GCP-006
#   severity: medium
#   frameworks:
#     - CIS-GCP-1.6
#     - SOC2-CC6.3
#   remediation:
#     action: remove_binding
#     text: Grant the role on the specific service accounts the user needs instead.
#   resource_kinds: ["gcp:user"]
package provost.checks.gcp_user_sa_impersonation

import data.provost.lib
import data.provost.lib.gcp

violation contains v if {
	roles := gcp.impersonation_roles
	some x in input.items
	some g in x.principal.grants
	roles[g.what]
	not startswith(g.via, "inherited:")
	gcp.resource_level(g.where)
	v := {
		"principal": x.principal.id,
		"qualifier": lib.binding(g),
		"msg": sprintf("user %s holds %s", [x.principal.email, lib.binding(g)]),
		"evidence": {"role": g.what, "resource": g.where, "via": g.via},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not any_impersonation(x.principal)
}

any_impersonation(p) if {
	some g in p.grants
	gcp.impersonation_roles[g.what]
}
