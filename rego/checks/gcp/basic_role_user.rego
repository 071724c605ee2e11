# METADATA
# title: Basic role granted directly to a user
# description: >-
#   A user is bound directly (not through a group) to roles/owner, roles/editor or
#   roles/viewer, which are broad and hard to review. Each binding is its own finding.
# custom:
#   id: PV-GCP-007
#   severity: medium
#   frameworks:
#     - SOC2-CC6.3
#     - HIPAA-164.308(a)(4)(ii)(B)
#   remediation:
#     action: remove_binding
#     text: Grant predefined roles through a group instead of basic roles to individuals.
#   resource_kinds: ["gcp:user"]
package provost.checks.gcp_basic_role_user

import data.provost.lib
import data.provost.lib.gcp

violation contains v if {
	basic := gcp.basic_roles
	some x in input.items
	some g in x.principal.grants
	basic[g.what]
	g.via == "direct"
	v := {
		"principal": x.principal.id,
		"qualifier": lib.binding(g),
		"msg": sprintf("user %s is directly granted %s", [x.principal.email, lib.binding(g)]),
		"evidence": {"role": g.what, "resource": g.where},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not any_basic(x.principal)
}

any_basic(p) if {
	some g in p.grants
	gcp.basic_roles[g.what]
	g.via == "direct"
}
