package gcpfake

import "slices"

// PredefinedRoles returns the fake's catalogue of predefined roles: real role names and titles
// with abridged but representative permission lists (the real roles/owner has thousands). Roles
// not in the catalogue are 404 from roles.get, as a misspelt role would be.
func PredefinedRoles() []Role {
	roles := []Role{
		{Name: "roles/owner", Title: "Owner", Permissions: []string{
			"iam.roles.create", "iam.serviceAccountKeys.create", "iam.serviceAccounts.actAs",
			"resourcemanager.projects.delete", "resourcemanager.projects.get",
			"resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy",
			"storage.buckets.delete", "storage.objects.get",
		}},
		{Name: "roles/editor", Title: "Editor", Permissions: []string{
			"compute.instances.create", "compute.instances.delete", "iam.serviceAccountKeys.create",
			"iam.serviceAccounts.actAs", "resourcemanager.projects.get", "storage.buckets.create",
			"storage.objects.create", "storage.objects.get",
		}},
		{Name: "roles/viewer", Title: "Viewer", Permissions: []string{
			"compute.instances.get", "compute.instances.list", "iam.serviceAccounts.list",
			"resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy",
			"storage.buckets.list",
		}},
		{Name: "roles/browser", Title: "Browser", Permissions: []string{
			"resourcemanager.folders.get", "resourcemanager.folders.list",
			"resourcemanager.organizations.get", "resourcemanager.projects.get",
			"resourcemanager.projects.getIamPolicy", "resourcemanager.projects.list",
		}},
		{Name: "roles/resourcemanager.organizationAdmin", Title: "Organization Administrator", Permissions: []string{
			"resourcemanager.folders.list", "resourcemanager.organizations.get",
			"resourcemanager.organizations.getIamPolicy", "resourcemanager.organizations.setIamPolicy",
			"resourcemanager.projects.list",
		}},
		{Name: "roles/resourcemanager.folderAdmin", Title: "Folder Admin", Permissions: []string{
			"resourcemanager.folders.create", "resourcemanager.folders.delete",
			"resourcemanager.folders.get", "resourcemanager.folders.setIamPolicy",
		}},
		{Name: "roles/resourcemanager.projectIamAdmin", Title: "Project IAM Admin", Permissions: []string{
			"resourcemanager.projects.get", "resourcemanager.projects.getIamPolicy",
			"resourcemanager.projects.setIamPolicy",
		}},
		{Name: "roles/iam.securityAdmin", Title: "Security Admin", Permissions: []string{
			"iam.roles.get", "iam.roles.list", "iam.serviceAccounts.setIamPolicy",
			"resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy",
		}},
		{Name: "roles/iam.securityReviewer", Title: "Security Reviewer", Permissions: []string{
			"iam.roles.get", "iam.roles.list", "iam.serviceAccounts.getIamPolicy",
			"resourcemanager.projects.getIamPolicy",
		}},
		{Name: "roles/iam.serviceAccountAdmin", Title: "Service Account Admin", Permissions: []string{
			"iam.serviceAccounts.create", "iam.serviceAccounts.delete", "iam.serviceAccounts.disable",
			"iam.serviceAccounts.get", "iam.serviceAccounts.list", "iam.serviceAccounts.setIamPolicy",
		}},
		{Name: "roles/iam.serviceAccountUser", Title: "Service Account User", Permissions: []string{
			"iam.serviceAccounts.actAs", "iam.serviceAccounts.get", "iam.serviceAccounts.list",
		}},
		{Name: "roles/iam.serviceAccountTokenCreator", Title: "Service Account Token Creator", Permissions: []string{
			"iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken",
			"iam.serviceAccounts.implicitDelegation", "iam.serviceAccounts.signBlob",
			"iam.serviceAccounts.signJwt",
		}},
		{Name: "roles/iam.serviceAccountKeyAdmin", Title: "Service Account Key Admin", Permissions: []string{
			"iam.serviceAccountKeys.create", "iam.serviceAccountKeys.delete",
			"iam.serviceAccountKeys.disable", "iam.serviceAccountKeys.get", "iam.serviceAccountKeys.list",
		}},
		{Name: "roles/storage.admin", Title: "Storage Admin", Permissions: []string{
			"storage.buckets.create", "storage.buckets.delete", "storage.buckets.getIamPolicy",
			"storage.buckets.setIamPolicy", "storage.objects.delete", "storage.objects.get",
		}},
		{Name: "roles/storage.objectAdmin", Title: "Storage Object Admin", Permissions: []string{
			"storage.objects.create", "storage.objects.delete", "storage.objects.get",
			"storage.objects.list", "storage.objects.update",
		}},
		{Name: "roles/storage.objectCreator", Title: "Storage Object Creator", Permissions: []string{
			"storage.objects.create",
		}},
		{Name: "roles/storage.objectViewer", Title: "Storage Object Viewer", Permissions: []string{
			"storage.objects.get", "storage.objects.list",
		}},
		{Name: "roles/compute.admin", Title: "Compute Admin", Permissions: []string{
			"compute.instances.create", "compute.instances.delete", "compute.instances.setIamPolicy",
			"compute.instances.setMetadata", "compute.instances.get",
		}},
		{Name: "roles/compute.instanceAdmin.v1", Title: "Compute Instance Admin (v1)", Permissions: []string{
			"compute.instances.create", "compute.instances.delete", "compute.instances.get",
			"compute.instances.setMetadata", "compute.instances.start", "compute.instances.stop",
		}},
		{Name: "roles/compute.viewer", Title: "Compute Viewer", Permissions: []string{
			"compute.disks.list", "compute.instances.get", "compute.instances.list",
		}},
		{Name: "roles/bigquery.admin", Title: "BigQuery Admin", Permissions: []string{
			"bigquery.datasets.create", "bigquery.datasets.setIamPolicy", "bigquery.tables.delete",
			"bigquery.tables.getData",
		}},
		{Name: "roles/bigquery.dataEditor", Title: "BigQuery Data Editor", Permissions: []string{
			"bigquery.tables.create", "bigquery.tables.getData", "bigquery.tables.updateData",
		}},
		{Name: "roles/bigquery.dataViewer", Title: "BigQuery Data Viewer", Permissions: []string{
			"bigquery.datasets.get", "bigquery.tables.get", "bigquery.tables.getData",
			"bigquery.tables.list",
		}},
		{Name: "roles/bigquery.jobUser", Title: "BigQuery Job User", Permissions: []string{
			"bigquery.jobs.create", "resourcemanager.projects.get",
		}},
		{Name: "roles/logging.viewer", Title: "Logs Viewer", Permissions: []string{
			"logging.logEntries.list", "logging.logs.list", "logging.sinks.get",
		}},
		{Name: "roles/monitoring.viewer", Title: "Monitoring Viewer", Permissions: []string{
			"monitoring.dashboards.get", "monitoring.dashboards.list", "monitoring.timeSeries.list",
		}},
		{Name: "roles/pubsub.publisher", Title: "Pub/Sub Publisher", Permissions: []string{
			"pubsub.topics.publish",
		}},
		{Name: "roles/pubsub.subscriber", Title: "Pub/Sub Subscriber", Permissions: []string{
			"pubsub.snapshots.seek", "pubsub.subscriptions.consume", "pubsub.topics.attachSubscription",
		}},
		{Name: "roles/cloudsql.client", Title: "Cloud SQL Client", Permissions: []string{
			"cloudsql.instances.connect", "cloudsql.instances.get",
		}},
		{Name: "roles/secretmanager.secretAccessor", Title: "Secret Manager Secret Accessor", Permissions: []string{
			"secretmanager.versions.access",
		}},
		{Name: "roles/container.developer", Title: "Kubernetes Engine Developer", Permissions: []string{
			"container.clusters.get", "container.deployments.create", "container.pods.exec",
		}},
		{Name: "roles/run.invoker", Title: "Cloud Run Invoker", Permissions: []string{
			"run.routes.invoke",
		}},
	}
	for i := range roles {
		slices.Sort(roles[i].Permissions)
	}
	return roles
}
