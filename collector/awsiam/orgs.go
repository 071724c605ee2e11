package awsiam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/provost-dev/provost/inventory"
)

// orgAPI is what account discovery calls on Organizations.
type orgAPI interface {
	organizations.ListRootsAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
}

var _ orgAPI = (*organizations.Client)(nil)

// discoverOrganization walks the OU tree from each root and returns every account with its OU
// path (names from the root, e.g. ["Root", "Prod"]), sorted by ID. The walk costs two list
// calls per OU and, unlike ListAccounts, yields the path.
func discoverOrganization(ctx context.Context, client orgAPI) ([]inventory.Account, error) {
	var accounts []inventory.Account
	seen := map[string]bool{}
	var walk func(parentID string, path []string) error
	walk = func(parentID string, path []string) error {
		ap := organizations.NewListAccountsForParentPaginator(client, &organizations.ListAccountsForParentInput{ParentId: aws.String(parentID)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list accounts under %s: %w", parentID, Classify(err))
			}
			for _, a := range page.Accounts {
				id := aws.ToString(a.Id)
				if seen[id] {
					continue
				}
				seen[id] = true
				status := string(a.Status)
				if status == "" {
					status = string(a.State)
				}
				accounts = append(accounts, inventory.Account{
					ID:       id,
					Provider: inventory.ProviderAWS,
					Name:     aws.ToString(a.Name),
					Kind:     "account",
					Parent:   parentID,
					Path:     slices.Clone(path),
					Status:   status,
					Email:    aws.ToString(a.Email),
				})
			}
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(client, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
		for op.HasMorePages() {
			page, err := op.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list organizational units under %s: %w", parentID, Classify(err))
			}
			for _, ou := range page.OrganizationalUnits {
				child := append(slices.Clip(path), aws.ToString(ou.Name))
				if err := walk(aws.ToString(ou.Id), child); err != nil {
					return err
				}
			}
		}
		return nil
	}

	rp := organizations.NewListRootsPaginator(client, &organizations.ListRootsInput{})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list organization roots: %w", Classify(err))
		}
		for _, r := range page.Roots {
			name := aws.ToString(r.Name)
			if name == "" {
				name = "Root"
			}
			if err := walk(aws.ToString(r.Id), []string{name}); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(accounts, func(a, b inventory.Account) int { return strings.Compare(a.ID, b.ID) })
	return accounts, nil
}
