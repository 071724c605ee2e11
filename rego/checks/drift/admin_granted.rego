# METADATA
# title: Admin granted since the last scan
# description: >-
#   A grant added since the previous snapshot raised the principal's highest privilege at its
#   scope to admin (a drift escalation event). Review that the change was approved.
# custom:
#   id: PV-DRF-001
#   severity: high
#   frameworks:
#     - SOC2-CC6.2
#     - SOC2-CC6.3
#     - HIPAA-164.308(a)(4)(ii)(C)
#   remediation:
#     action: review
#     text: Confirm the grant was approved; remove it if not.
#   resource_kinds: ["*:*"]
package provost.checks.drift_admin_granted

import data.provost.lib

violation contains v if {
	some x in input.items
	some e in x.drift
	escalation_to_admin(e)
	e.uncertain == false
	v := {
		"principal": x.principal.id,
		"qualifier": lib.binding(e.grant),
		"msg": sprintf("%s %s was granted admin through %s since the last scan (highest privilege there was %s)", [x.principal.kind, x.principal.name, lib.binding(e.grant), object.get(e, "before", "none")]),
		"evidence": {"grant": e.grant.what, "scope": e.grant.where, "via": e.grant.via, "before": object.get(e, "before", "none")},
	}
}

# The previous snapshot did not see the scope whole: the grant may have been there, unseen.
cannot_evaluate contains r if {
	some x in input.items
	some e in x.drift
	escalation_to_admin(e)
	e.uncertain == true
	r := object.union(lib.unknown(x, sprintf("admin grant %s may predate the last scan, which did not see its scope whole", [lib.binding(e.grant)])), {"qualifier": lib.binding(e.grant)})
}

escalation_to_admin(e) if {
	e.kind == "grant_added"
	e.escalation == true
	e.after == "admin"
}
