# GCP helpers: basic and administrator roles.
package provost.lib.gcp

import data.provost.lib

basic_roles := {"roles/owner", "roles/editor", "roles/viewer"}

impersonation_roles := {"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}

# admin_role holds for owner, editor, any "...admin"/"...Admin" role, and roles the collector
# computed as admin (custom roles with setIamPolicy permissions).
admin_role(g) if {
	g.what in {"roles/owner", "roles/editor"}
} else if {
	endswith(lower(g.what), "admin")
} else if {
	data.provost.policy_docs[g.what].privilege == "admin"
}

# resource_level holds for grants on the resource hierarchy itself (an organization, folder or
# project) rather than on one resource inside it.
resource_level(where) if regex.match(`^(organizations|folders|projects)/[^/]+$`, where)
