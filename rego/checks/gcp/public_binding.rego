# METADATA
# title: Public IAM binding
# description: >-
#   A role is bound to allUsers or allAuthenticatedUsers: anyone on the internet (or with any
#   Google account) holds it. Each binding is its own finding.
# custom:
#   id: PV-GCP-002
#   severity: critical
#   frameworks:
#     - CIS-GCP-5.1
#     - CIS-GCP-1.9
#     - HIPAA-164.312(a)(1)
#     - SOC2-CC6.1
#     - SOC2-CC6.6
#   remediation:
#     action: remove_binding
#     text: Remove the public member from the binding; grant the role to specific identities.
#   resource_kinds: ["gcp:group"]
package provost.checks.gcp_public_binding

import data.provost.lib

public_members := {"gcp:allUsers", "gcp:allAuthenticatedUsers"}

violation contains v if {
	members := public_members
	some x in input.items
	p := x.principal
	p.id in members
	some g in p.grants
	not startswith(g.via, "inherited:")
	v := {
		"principal": p.id,
		"qualifier": lib.binding(g),
		"msg": sprintf("%s is granted to %s", [lib.binding(g), trim_prefix(p.id, "gcp:")]),
		"evidence": {"role": g.what, "resource": g.where, "privilege": g.privilege},
	}
}

# A public member with no bindings seen in an incomplete scope may have more elsewhere.
cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.principal.id in public_members
	count([g | some g in x.principal.grants; not startswith(g.via, "inherited:")]) == 0
}
