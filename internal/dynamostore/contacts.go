package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/apperr"
	"attestation/internal/notice"
)

// An organisation's contacts for its notifications (issue 13): `ORGCONTACT#<bin>` / `CONTACTS`.

var _ notice.ContactStore = (*Notices)(nil)

// contactsItem is an organisation's contacts as stored.
type contactsItem struct {
	keys
	Type      string    `dynamodbav:"type"` // "contacts"
	BIN       string    `dynamodbav:"bin"`
	Addresses []string  `dynamodbav:"addresses"`
	Language  string    `dynamodbav:"language"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
}

func contactsKey(bin string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORGCONTACT#" + bin},
		"sk": &types.AttributeValueMemberS{Value: "CONTACTS"}}
}

func toContactsItem(c notice.Contacts) contactsItem {
	addrs := c.Addresses
	if addrs == nil {
		addrs = []string{}
	}
	return contactsItem{keys: keys{PK: "ORGCONTACT#" + c.BIN, SK: "CONTACTS"}, Type: "contacts", BIN: c.BIN,
		Addresses: addrs, Language: string(c.Language), UpdatedAt: c.UpdatedAt.UTC()}
}

func (it contactsItem) domain() notice.Contacts {
	addrs := it.Addresses
	if addrs == nil {
		addrs = []string{}
	}
	return notice.Contacts{BIN: it.BIN, Addresses: addrs, Language: notice.Language(it.Language), UpdatedAt: it.UpdatedAt}
}

// Contacts reads an organisation's contacts.
func (s *Notices) Contacts(ctx context.Context, bin string) (notice.Contacts, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: contactsKey(bin), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return notice.Contacts{}, fmt.Errorf("contacts of an organisation: %w", err)
	}
	if out.Item == nil {
		return notice.Contacts{}, apperr.Hidden(apperr.NotFound, "contacts", "no contacts registered")
	}
	var it contactsItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return notice.Contacts{}, fmt.Errorf("decode contacts: %w", err)
	}
	return it.domain(), nil
}

// PutContacts replaces an organisation's contacts.
func (s *Notices) PutContacts(ctx context.Context, c notice.Contacts) error {
	av, err := attributevalue.MarshalMap(toContactsItem(c))
	if err != nil {
		return fmt.Errorf("encode contacts: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("put contacts: %w", err)
	}
	return nil
}
