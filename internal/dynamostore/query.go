package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// queryAll runs in page by page, decoding each item as an I and handing it to each, until the
// last page or until each answers false. what names the read in errors.
func queryAll[I any](ctx context.Context, db dynamodb.QueryAPIClient, what string, in *dynamodb.QueryInput, each func(I) bool) error {
	p := dynamodb.NewQueryPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, av := range page.Items {
			var it I
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return fmt.Errorf("%s: decode: %w", what, err)
			}
			if !each(it) {
				return nil
			}
		}
	}
	return nil
}
