# Shared helpers of the bundled checks. Everything here is a pure function of the evaluation
# item, data.provost.config and the evaluation time (the snapshot's collection time), so that
# re-evaluating an old snapshot gives the same answer.
#
# Performance note: checks run over batches of principals, once per principal per rule body.
# The bundled checks iterate the shared views below (computed once per batch) instead of
# re-scanning every item, test cheap selective facts first, use the *_on date twins
# of timestamps in messages (time.format and arithmetic on nanoseconds are slow), and call
# helper functions only to build results.
package provost.lib

config := data.provost.config

day_ns := 86400000000000

hour_ns := 3600000000000

# The evaluation time. Provost sets it to the snapshot's collection time; tests mock it with
# `with time.now_ns as ...`.
now_ns := time.now_ns()

# Cut-offs, computed once per evaluation: a timestamp before a cut-off is older than the
# threshold.
stale_cutoff_ns := now_ns - (config.stale_days * day_ns)

inactive_cutoff_ns := now_ns - (config.inactive_days * day_ns)

rotation_cutoff_ns := now_ns - (config.key_rotation_days * day_ns)

root_recent_cutoff_ns := now_ns - (config.root_recent_days * day_ns)

# Views of the batch, computed once per evaluation and shared by the checks.

# scope_incomplete lists the items whose scope was not seen whole (usually none).
scope_incomplete := [x | some x in input.items; x.coverage.scope.complete == false]

# people_incomplete lists the items evaluated while a source of truth was not read whole.
people_incomplete := [x | some x in input.items; x.coverage.people.complete == false]

# active_access_keys lists {"x": item, "c": credential} for every active AWS access key.
active_access_keys := [{"x": x, "c": c} |
	some x in input.items
	some c in x.principal.credentials
	c.kind == "access_key"
	c.status == "active"
]

# active_passwords lists {"x": item, "c": credential} for every enabled console password.
active_passwords := [{"x": x, "c": c} |
	some x in input.items
	some c in x.principal.credentials
	c.kind == "password"
	c.status == "active"
]

# user_sa_keys lists {"x": item, "c": credential} for every active user-managed GCP
# service-account key.
user_sa_keys := [{"x": x, "c": c} |
	some x in input.items
	some c in x.principal.credentials
	c.managed == "user"
	c.status == "active"
	c.kind == "sa_key"
]

# days_ago is the number of whole days from ns to the evaluation time. Arithmetic on
# nanosecond timestamps is slow in Rego; prefer dates in messages.
days_ago(ns) := floor((now_ns - ns) / day_ns)

# date renders a timestamp as YYYY-MM-DD; the input already carries these as *_on fields.
date(ns) := substring(time.format(ns), 0, 10)

# date_of is obj[field] (a date twin such as "created_on"), or "unknown" when absent.
date_of(obj, field) := object.get(obj, field, "unknown")

# unknown builds a "cannot evaluate" result: the check needed data the coverage says is missing.
unknown(x, why) := {
	"principal": x.principal.id,
	"msg": sprintf("cannot evaluate: %s", [why]),
	"evidence": {"scope_coverage": x.coverage.scope.status, "people_coverage": x.coverage.people.status},
}

scope_unknown(x) := unknown(x, sprintf("coverage of %s is %s", [x.principal.account, x.coverage.scope.status]))

people_unknown(x) := unknown(x, sprintf("sources of truth coverage is %s", [x.coverage.people.status]))

# binding names a grant for qualifiers and messages: "roles/editor on projects/p".
binding(g) := sprintf("%s on %s", [g.what, g.where])

# doc is the policy document a grant names, when the snapshot has it.
doc(id) := data.provost.policy_docs[id]
