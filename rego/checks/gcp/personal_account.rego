# METADATA
# title: Personal account in IAM bindings
# description: >-
#   A Google account outside the organization's domains (org_domains; subdomains count) holds
#   roles. Without org_domains configured the check cannot evaluate.
# custom:
#   id: PV-GCP-001
#   severity: high
#   frameworks:
#     - CIS-GCP-1.1
#     - HIPAA-164.312(a)(2)(i)
#     - SOC2-CC6.2
#   remediation:
#     action: remove_binding
#     text: Replace the personal account with the person's corporate identity, then remove its bindings.
#   resource_kinds: ["gcp:user"]
package provost.checks.gcp_personal_account

import data.provost.lib

violation contains v if {
	count(lib.config.org_domains) > 0
	domains := org_domains
	some x in input.items
	p := x.principal
	count(p.grants) > 0
	parts := split(p.email, "@")
	count(parts) == 2
	domain := lower(parts[1])
	not domains[domain]
	not org_subdomain(domain)
	v := {
		"principal": p.id,
		"msg": sprintf("%s is outside the organization's domains and holds %d role binding(s)", [p.email, count(p.grants)]),
		"evidence": {"domain": domain, "roles": sort({lib.binding(g) | some g in p.grants; not startswith(g.via, "inherited:")})},
	}
}

# Computed once per evaluation.
org_domains := {lower(o) | some o in lib.config.org_domains}

org_subdomain(d) if {
	some o in org_domains
	endswith(d, concat("", [".", o]))
}

cannot_evaluate contains lib.unknown(x, "org_domains is not configured") if {
	count(lib.config.org_domains) == 0
	some x in input.items
}

cannot_evaluate contains lib.unknown(x, "the user has no email address") if {
	count(lib.config.org_domains) > 0
	some x in input.items
	not contains(object.get(x.principal, "email", ""), "@")
}
