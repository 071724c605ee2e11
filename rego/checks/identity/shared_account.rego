# METADATA
# title: Shared or generic account
# description: >-
#   A user account whose name (for an email address, its local part) matches
#   generic_name_patterns (admin, shared*, test*, ...), or whose linking matched more than one
#   person: several people probably use it, so nobody is accountable for what it does.
#   Protected principals are exempt.
# custom:
#   id: PV-IDN-004
#   severity: medium
#   frameworks:
#     - HIPAA-164.312(a)(2)(i)
#     - SOC2-CC6.1
#   remediation:
#     action: review
#     text: Give each person their own account; keep shared break-glass accounts protected and audited.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.idn_shared_account

import data.provost.lib

# All patterns as one glob alternation, compiled once, matching a name or an email address by
# its local part: {admin,shared*,admin@*,shared*@*}.
generic_glob := concat("", [
	"{", concat(",", array.concat(
		lib.config.generic_name_patterns,
		[concat("", [p, "@*"]) | some p in lib.config.generic_name_patterns],
	)),
	"}",
])

violation contains v if {
	pattern := generic_glob
	some x in input.items
	p := x.principal
	name := lower(p.name)
	glob.match(pattern, null, name)
	p.disabled == false
	p.protected == false
	local := split(name, "@")[0]
	v := {
		"principal": p.id,
		"msg": sprintf("%s account %s looks generic (matches %s)", [p.provider, p.name, concat(", ", matching(local))]),
		"evidence": {"name": local, "patterns": matching(local)},
	}
}

matching(name) := sort([pattern |
	some pattern in lib.config.generic_name_patterns
	glob.match(pattern, null, name)
])

violation contains v if {
	some x in input.items
	p := x.principal
	p.link_rule == "ambiguous"
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("%s account %s matches more than one person", [p.provider, p.name]),
		"evidence": {"link_rule": "ambiguous"},
	}
}
