package gcpiam_test

import (
	"testing"

	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/inventory"
)

func TestPermissionPrivilege(t *testing.T) {
	tests := []struct {
		perm string
		want inventory.Privilege
	}{
		{"resourcemanager.projects.setIamPolicy", inventory.PrivilegeAdmin},
		{"storage.buckets.setIamPolicy", inventory.PrivilegeAdmin},
		{"iam.serviceAccounts.actAs", inventory.PrivilegeAdmin},
		{"iam.serviceAccountKeys.create", inventory.PrivilegeAdmin},
		{"iam.serviceAccounts.getAccessToken", inventory.PrivilegeAdmin},
		{"iam.roles.update", inventory.PrivilegeAdmin},
		{"*", inventory.PrivilegeAdmin},
		{"resourcemanager.projects.get", inventory.PrivilegeRead},
		{"resourcemanager.projects.getIamPolicy", inventory.PrivilegeRead},
		{"compute.instances.list", inventory.PrivilegeRead},
		{"bigquery.tables.getData", inventory.PrivilegeRead},
		{"cloudasset.assets.searchAllIamPolicies", inventory.PrivilegeRead},
		{"policyanalyzer.serviceAccountLastAuthenticationActivities.query", inventory.PrivilegeRead},
		{"compute.instances.create", inventory.PrivilegeWrite},
		{"storage.objects.delete", inventory.PrivilegeWrite},
		{"secretmanager.versions.access", inventory.PrivilegeWrite},
		{"run.routes.invoke", inventory.PrivilegeWrite},
	}
	for _, tt := range tests {
		if got := gcpiam.PermissionPrivilege(tt.perm); got != tt.want {
			t.Errorf("PermissionPrivilege(%q) = %q, want %q", tt.perm, got, tt.want)
		}
	}
}

func TestRolePrivilege(t *testing.T) {
	tests := []struct {
		name  string
		perms []string
		known bool
		want  inventory.Privilege
	}{
		{"roles/owner", nil, false, inventory.PrivilegeAdmin},
		{"roles/editor", []string{"compute.instances.create"}, true, inventory.PrivilegeAdmin},
		{"roles/viewer", []string{"compute.instances.list"}, true, inventory.PrivilegeRead},
		{"roles/browser", nil, false, inventory.PrivilegeRead},
		{"roles/storage.admin", []string{"storage.objects.get"}, true, inventory.PrivilegeAdmin},
		{"roles/iam.securityAdmin", nil, false, inventory.PrivilegeAdmin},
		{"roles/compute.instanceAdmin.v1", nil, false, inventory.PrivilegeAdmin},
		{"roles/iam.serviceAccountUser", []string{"iam.serviceAccounts.actAs", "iam.serviceAccounts.get"}, true, inventory.PrivilegeAdmin},
		{"roles/storage.objectViewer", []string{"storage.objects.get", "storage.objects.list"}, true, inventory.PrivilegeRead},
		{"roles/storage.objectCreator", []string{"storage.objects.create"}, true, inventory.PrivilegeWrite},
		{"organizations/1/roles/auditor", []string{"resourcemanager.projects.get"}, true, inventory.PrivilegeRead},
		{"projects/p-123456/roles/rotator", []string{"iam.serviceAccountKeys.create"}, true, inventory.PrivilegeAdmin},
		{"projects/p-123456/roles/empty", nil, true, inventory.PrivilegeNone},
		// Unknown definitions: the name decides.
		{"roles/logging.viewer", nil, false, inventory.PrivilegeRead},
		{"roles/bigquery.metadataReader", nil, false, inventory.PrivilegeRead},
		{"roles/cloudbuild.builds.builder", nil, false, inventory.PrivilegeWrite},
		{"organizations/1/roles/custom", nil, false, inventory.PrivilegeWrite},
	}
	for _, tt := range tests {
		if got := gcpiam.RolePrivilege(tt.name, tt.perms, tt.known); got != tt.want {
			t.Errorf("RolePrivilege(%q, %v, %v) = %q, want %q", tt.name, tt.perms, tt.known, got, tt.want)
		}
	}
}
