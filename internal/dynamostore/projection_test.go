package dynamostore

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/samtemplate"
)

// TestDueAndQueueIndexesProjectWhatTheirQueriesDecode: gsi2 (due) and gsi3 (queue, register,
// complaints by addressee) project INCLUDE, not ALL; their list holds every attribute of each
// item the store puts in them (a case with a step open, one idle, one needing attention, a
// register entry under watch, a complaint due), since every query of them decodes the item whole
// (but a pending upload's, whose query reads its key alone); and a case's documents item, most of
// a case's bytes, is in no index.
func TestDueAndQueueIndexesProjectWhatTheirQueriesDecode(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml", samtemplate.Names{Region: "us-east-1", AccountID: "123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	projected := map[string][]string{}
	for _, g := range tpl.Tables[0].GlobalSecondaryIndexes {
		if g.IndexName == IndexByDue || g.IndexName == IndexByRole {
			if g.Projection.ProjectionType != "INCLUDE" {
				t.Errorf("%s projects %s, want INCLUDE", g.IndexName, g.Projection.ProjectionType)
			}
			projected[g.IndexName] = g.Projection.NonKeyAttributes
		}
	}
	if len(projected) != 2 {
		t.Fatalf("template.yaml has no %s or %s: %v", IndexByDue, IndexByRole, projected)
	}
	items := map[string]any{
		"a case with a step open": toItem(goldenCase()), "a case waiting on the workflow": toItem(goldenIdleCase()),
		"a case needing attention": toItem(goldenAttentionCase()), "a register entry": toEntryItem(goldenEntryApart()),
		"a complaint": toComplaintItem(goldenComplaint()), "a service term's watch": toTermWatchItem(goldenTermCase()),
		"a notification": toNotificationItem(goldenNotification()),
	}
	for name, it := range items {
		av, err := attributevalue.MarshalMap(it)
		if err != nil {
			t.Fatal(err)
		}
		for index, include := range projected {
			if _, in := av[index+"pk"]; !in {
				continue
			}
			if pk := av[index+"pk"].(*types.AttributeValueMemberS).Value; strings.HasPrefix(pk, "UNSENT#") {
				continue // the redelivery's query decodes only the keys (Notices.Undelivered)
			}
			var missing []string
			for attr := range av {
				if attr == "pk" || attr == "sk" || len(attr) == 6 && attr[:3] == "gsi" || slices.Contains(include, attr) {
					continue
				}
				missing = append(missing, attr)
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s in %s: %v are not projected, and its queries decode them", name, index, missing)
			}
		}
	}
	// A pending upload is in the due index too, but the sweep's query reads only its key (pk):
	// nothing of it need be projected.
	up, err := toUploadItem(goldenPendingUpload())
	if err != nil {
		t.Fatal(err)
	}
	if _, in := up["gsi2pk"]; !in {
		t.Error("a pending upload is not in the due index: the sweep of expired uploads cannot find it")
	}
	docs, err := attributevalue.MarshalMap(toDocumentsItem(goldenCase()))
	if err != nil {
		t.Fatal(err)
	}
	for attr := range docs {
		if len(attr) == 6 && attr[:3] == "gsi" {
			t.Errorf("a case's documents item carries %s: it belongs in no index", attr)
		}
	}
}
