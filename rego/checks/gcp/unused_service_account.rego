# METADATA
# title: Unused service account
# description: >-
#   An enabled service account last authenticated more than stale_days days ago, or never
#   authenticated and was created more than stale_days days ago (per Policy Analyzer activity).
# custom:
#   id: PV-GCP-008
#   severity: low
#   frameworks:
#     - SOC2-CC6.2
#     - HIPAA-164.308(a)(4)(ii)(C)
#   remediation:
#     action: disable_service_account
#     text: Disable the service account for the grace period, then delete it if nothing broke.
#   resource_kinds: ["gcp:service_account"]
package provost.checks.gcp_unused_service_account

import data.provost.lib

violation contains v if {
	cutoff := lib.stale_cutoff_ns
	some x in input.items
	p := x.principal
	p.last_activity_ns < cutoff
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("service account %s last authenticated on %s, more than %d days ago", [p.email, p.last_activity_on, lib.config.stale_days]),
		"evidence": {"last_used": p.last_activity_on, "threshold_days": lib.config.stale_days},
	}
}

violation contains v if {
	cutoff := lib.stale_cutoff_ns
	some x in input.items
	p := x.principal
	not p.last_activity_ns
	p.created_ns < cutoff
	x.coverage.scope.complete == true
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("service account %s never authenticated since it was created on %s", [p.email, p.created_on]),
		"evidence": {"last_used": "never", "created_at": p.created_on, "threshold_days": lib.config.stale_days},
	}
}

cannot_evaluate contains lib.unknown(x, "the service account has no creation or last-use time") if {
	some x in input.items
	not x.principal.last_activity_ns
	not x.principal.created_ns
	x.principal.disabled == false
	x.principal.protected == false
}

cannot_evaluate contains lib.scope_unknown(x) if {
	cutoff := lib.stale_cutoff_ns
	some x in lib.scope_incomplete
	not x.principal.last_activity_ns
	x.principal.created_ns < cutoff
	x.principal.disabled == false
	x.principal.protected == false
}
