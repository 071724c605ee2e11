# METADATA
# title: Service account with an administrator role
# description: >-
#   A service account holds roles/owner, roles/editor, an ...admin role, or a custom role the
#   collector rated admin (setIamPolicy). Each binding is its own finding.
# custom:
#   id: PV-GCP-005
#   severity: high
#   frameworks:
#     - CIS-GCP-1.5
#     - HIPAA-164.308(a)(4)(ii)(B)
#     - SOC2-CC6.3
#   remediation:
#     action: remove_binding
#     text: Replace the binding with the narrowest predefined or custom role the workload needs.
#   resource_kinds: ["gcp:service_account"]
package provost.checks.gcp_sa_admin_role

import data.provost.lib
import data.provost.lib.gcp

violation contains v if {
	some x in input.items
	some g in x.principal.grants
	gcp.admin_role(g)
	not startswith(g.via, "inherited:")
	v := {
		"principal": x.principal.id,
		"qualifier": lib.binding(g),
		"msg": sprintf("service account %s holds %s", [x.principal.email, lib.binding(g)]),
		"evidence": {"role": g.what, "resource": g.where, "via": g.via},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not any_admin(x.principal)
}

any_admin(p) if {
	some g in p.grants
	gcp.admin_role(g)
}
