# METADATA
# title: Leaver still has access
# description: >-
#   A person marked terminated or on leave in a source of truth still has an enabled account
#   with console access, an active credential or a role binding more than leaver_sla_hours
#   hours after their end date (or at all, when no end date is recorded).
# custom:
#   id: PV-IDN-002
#   severity: critical
#   frameworks:
#     - HIPAA-164.308(a)(3)(ii)(C)
#     - SOC2-CC6.2
#     - SOC2-CC6.3
#   remediation:
#     action: disable_user
#     text: Disable the account and its credentials now; remove its bindings after the grace period.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.idn_leaver_access

import data.provost.lib

leaver_statuses := {"terminated", "leave"}

violation contains v if {
	statuses := leaver_statuses
	some x in input.items
	person := x.person
	statuses[person.status]
	p := x.principal
	p.disabled == false
	access := live_access(p)
	count(access) > 0
	past_sla(person)
	v := {
		"principal": p.id,
		"msg": sprintf("%s (%s, %s, end date %s) still has access through %s", [p.name, person.id, person.status, lib.date_of(person, "end_on"), concat(", ", sort(access))]),
		"evidence": {
			"person_id": person.id,
			"person_status": person.status,
			"end_date": lib.date_of(person, "end_on"),
			"sla_hours": lib.config.leaver_sla_hours,
			"access": sort(access),
		},
	}
}

past_sla(person) if lib.now_ns > person.end_ns + (lib.config.leaver_sla_hours * lib.hour_ns)

past_sla(person) if not person.end_ns

live_access(p) := ({"console" | p.console_access} | {sprintf("%s %s", [c.kind, c.id]) |
	some c in p.credentials
	c.kind != "mfa_device"
	c.status == "active"
}) | {sprintf("%d grant(s)", [count(p.grants)]) | count(p.grants) > 0}

cannot_evaluate contains lib.people_unknown(x) if {
	some x in lib.people_incomplete
	x.principal.person_id
	x.principal.disabled == false
	not leaver(x)
}

leaver(x) if leaver_statuses[x.person.status]
