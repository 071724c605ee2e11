# METADATA
# title: Leaver still active after the SLA
# description: >-
#   Since the previous snapshot the linked person left the sources of truth or their status
#   changed to terminated, and this account still has console access, an active credential or a
#   grant more than leaver_sla_hours hours after their end date (or at all, when no end date is
#   recorded).
# custom:
#   id: PV-DRF-004
#   severity: critical
#   frameworks:
#     - HIPAA-164.308(a)(3)(ii)(C)
#     - SOC2-CC6.2
#   remediation:
#     action: disable_user
#     text: Disable the account and its credentials now; remove its bindings after the grace period.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.drift_leaver_still_active

import data.provost.lib

violation contains v if {
	some x in input.items
	some e in x.drift
	left(e)
	p := x.principal
	p.disabled == false
	access := live_access(p)
	count(access) > 0
	past_sla(x)
	v := {
		"principal": p.id,
		"msg": sprintf("%s left (%s since the last scan, end date %s) and %s still has access through %s", [e.person, e.kind, lib.date_of(object.get(x, "person", {}), "end_on"), p.name, concat(", ", sort(access))]),
		"evidence": {
			"person_id": e.person,
			"event": e.kind,
			"end_date": lib.date_of(object.get(x, "person", {}), "end_on"),
			"sla_hours": lib.config.leaver_sla_hours,
			"access": sort(access),
		},
	}
}

left(e) if e.kind == "person_left"

left(e) if {
	e.kind == "person_status_changed"
	e.after == "terminated"
}

past_sla(x) if lib.now_ns > x.person.end_ns + (lib.config.leaver_sla_hours * lib.hour_ns)

past_sla(x) if not x.person.end_ns

live_access(p) := ({"console" | p.console_access} | {sprintf("%s %s", [c.kind, c.id]) |
	some c in p.credentials
	c.kind != "mfa_device"
	c.status == "active"
}) | {sprintf("%d grant(s)", [count(p.grants)]) | count(p.grants) > 0}
