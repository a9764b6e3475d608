package dynamostore

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/complaints"
	"attestation/internal/register"
)

// addGolden writes the golden items that do not exist yet. It never rewrites one: a golden item
// is data already stored in tables, and the code must keep reading it.
var addGolden = flag.Bool("golden.add", false, "write the missing testdata/golden items from the current code")

// goldenItem is one item shape: the domain value it holds, how the store encodes it, and how
// it reads it back.
type goldenItem struct {
	name   string // testdata/golden/<name>.json
	want   any
	encode func() (map[string]types.AttributeValue, error) // nil: a shape the store reads but no longer writes
	decode func(map[string]types.AttributeValue) (any, error)
}

// goldenAdded lists, by golden item, the string attributes the current code writes that the
// item, stored before they existed, lacks (an index a later change added), with the value it
// writes: the item gets them on its next write, and every other attribute must still be encoded
// exactly as stored.
var goldenAdded = map[string]map[string]string{
	// A filed case waits on the workflow: the deadline check's reconciliation finds it.
	"case_minimal": {"gsi2pk": "IDLE#3", "gsi2sk": "2026-03-02T04:30:15Z#C-0002"},
	// A notification not yet delivered waits in the due index's UNSENT partitions, where the
	// deadline check's redelivery finds it (issue 13, notice.Redelivery).
	"notification_staff": {"gsi2pk": "UNSENT#1", "gsi2sk": "2026-03-02T10:30:15Z#C-0001.4.1"},
}

// withoutDocuments is c as its case item alone holds it.
func withoutDocuments(c attestation.Case) attestation.Case {
	c.Documents = nil
	return c
}

// firstPut is the item of the first Put of items.
func firstPut(items []types.TransactWriteItem, err error) (map[string]types.AttributeValue, error) {
	if err != nil {
		return nil, err
	}
	return items[0].Put.Item, nil
}

// decodeAs unmarshals av into an I and answers get of it.
func decodeAs[I any](get func(I) any) func(map[string]types.AttributeValue) (any, error) {
	return func(av map[string]types.AttributeValue) (any, error) {
		var it I
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode %T: %w", it, err)
		}
		return get(it), nil
	}
}

func goldenItems() []goldenItem {
	cases := &Store{table: "t"}
	compl := &Complaints{table: "t"}
	return []goldenItem{
		// Case items written before a case's documents got an item of their own: the documents
		// inline. They still read; the next write moves them out (case_apart, case_documents).
		{"case", goldenCase(), nil, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_attention", goldenAttentionCase(), nil, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_minimal", goldenMinimalCase(), nil, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_idle", goldenIdleCase(), nil, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_apart", withoutDocuments(goldenAttentionCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenAttentionCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_documents", goldenAttentionCase().Documents, func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toDocumentsItem(goldenAttentionCase()))
		}, decodeAs(func(it caseDocumentsItem) any { return mapSlice(it.Documents, storedDocument.domain) })},
		// A case handed back by the authority, stored with its documents inline (before they got
		// an item of their own); case_handed_back_apart is how it is written now.
		{"case_handed_back", goldenHandedBackCase(), nil, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_handed_back_apart", withoutDocuments(goldenHandedBackCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenHandedBackCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_grounds", withoutDocuments(goldenGroundsCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenGroundsCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_minimal_apart", goldenMinimalCase(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenMinimalCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_out_of_force", goldenOutOfForceCase(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenOutOfForceCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_survey_content", withSurveyContent(goldenMinimalCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(withSurveyContent(goldenMinimalCase())))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"methodology", attestation.Methodology{Version: "2026.1", Title: "Methodology of the survey", Text: "1. Scope.", SHA256: "ab12",
			PublishedAt: goldenAt(2, 9), PublishedBy: "user-2"}, func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toMethodologyItem(attestation.Methodology{Version: "2026.1", Title: "Methodology of the survey",
				Text: "1. Scope.", SHA256: "ab12", PublishedAt: goldenAt(2, 9), PublishedBy: "user-2"}))
		}, decodeAs(func(it methodologyItem) any { return it.domain() })},
		{"case_commission", withCommission(goldenMinimalCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(withCommission(goldenMinimalCase())))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"event", goldenEvent(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.eventPuts("C-0001", []attestation.Event{goldenEvent()}))
		}, decodeAs(func(it eventItem) any { return it.domain() })},
		{"event_grounds", goldenRefusalEvent(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.eventPuts("C-0001", []attestation.Event{goldenRefusalEvent()}))
		}, decodeAs(func(it eventItem) any { return it.domain() })},
		{"certificate", goldenCertificate(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toCertificateItem(goldenCertificate()))
		}, decodeAs(func(it certificateItem) any { return it.domain() })},
		// An entry written before each change notice got an item of its own: its notices inline,
		// whole. It still reads; the next write moves them out (entry_apart, change).
		{"entry", goldenEntry(), nil, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_apart", goldenEntryApart(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenEntryApart(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_receipt", goldenReceiptEntry(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenReceiptEntry(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_recall_application", goldenRecallApplicationEntry(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenRecallApplicationEntry(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"change", goldenChange(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toChangeItem(goldenEntry().Number, goldenChange()))
		}, decodeAs(func(it changeItem) any { return it.domain() })},
		{"change_commission", goldenCommissionChange(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toChangeItem(goldenEntry().Number, goldenCommissionChange()))
		}, decodeAs(func(it changeItem) any { return it.domain() })},
		{"entry_minimal", goldenMinimalEntry(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toEntryItem(goldenMinimalEntry()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_out_of_force", outOfForce(goldenEntryActDay()), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(outOfForce(goldenEntryActDay()), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_act_day", goldenEntryActDay(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenEntryActDay(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"revision", goldenRevision(), func() (map[string]types.AttributeValue, error) {
			items, err := cases.entryWrites(goldenEntry(), goldenRevision())
			if err != nil {
				return nil, err
			}
			return items[1].Put.Item, nil
		}, decodeAs(func(it revisionItem) any { return it.domain() })},
		{"object", goldenObject(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toObjectItem(goldenObject()))
		}, decodeAs(func(it objectItem) any { return it.domain() })},
		{"plan", goldenPlan(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toPlanItem(goldenPlan()))
		}, decodeAs(func(it planItem) any { return it.domain() })},
		{"complaint", goldenComplaint(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toComplaintItem(goldenComplaint()))
		}, decodeAs(func(it complaintItem) any { return it.domain() })},
		{"complaint_by_post", goldenPostComplaint(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toComplaintItem(goldenPostComplaint()))
		}, decodeAs(func(it complaintItem) any { return it.domain() })},
		{"complaint_event", goldenComplaintEvent(), func() (map[string]types.AttributeValue, error) {
			return firstPut(compl.eventPuts(goldenComplaint().ID, []complaints.Event{goldenComplaintEvent()}))
		}, decodeAs(func(it complaintEventItem) any { return it.domain() })},
		{"upload", goldenUpload(), func() (map[string]types.AttributeValue, error) { return toUploadItem(goldenUpload()) },
			func(av map[string]types.AttributeValue) (any, error) { return fromUploadItem(av) }},
		{"upload_term", goldenTermUpload(), func() (map[string]types.AttributeValue, error) { return toUploadItem(goldenTermUpload()) },
			func(av map[string]types.AttributeValue) (any, error) { return fromUploadItem(av) }},
		// A pending upload as stored before the sweep of expired uploads: with the table's TTL
		// (expiresAt), in no index. Read, no longer written.
		{"upload_pending", goldenPendingUpload(), nil, func(av map[string]types.AttributeValue) (any, error) { return fromUploadItem(av) }},
		// A pending upload as stored now: in the due index by the moment its declaration expires,
		// where the deadline check's sweep finds it; no TTL.
		{"upload_declared", goldenPendingUpload(), func() (map[string]types.AttributeValue, error) { return toUploadItem(goldenPendingUpload()) },
			func(av map[string]types.AttributeValue) (any, error) { return fromUploadItem(av) }},
		{"draft", goldenDraft(), func() (map[string]types.AttributeValue, error) { return toDraftItem(goldenDraft()) },
			decodeAs(func(it draftItem) any { return it.domain() })},
		{"draft_terms", goldenTermDraft(), func() (map[string]types.AttributeValue, error) { return toDraftItem(goldenTermDraft()) },
			decodeAs(func(it draftItem) any { return it.domain() })},
		{"draft_new", goldenNewDraft(), func() (map[string]types.AttributeValue, error) { return toDraftItem(goldenNewDraft()) },
			decodeAs(func(it draftItem) any { return it.domain() })},
	}
}

// TestGoldenItems reads every golden item, written in the shape the table holds, into its
// domain value, and encodes the value again into the very same item: a renamed domain field
// cannot change what is stored or lose what was.
func TestGoldenItems(t *testing.T) {
	for _, g := range append(append(append(append(goldenItems(), goldenCallItems()...), goldenSignedItems()...), goldenNoticeItems()...), goldenPaperItems()...) {
		t.Run(g.name, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", g.name+".json")
			b, err := os.ReadFile(path)
			if errors.Is(err, os.ErrNotExist) && *addGolden {
				b = writeGolden(t, path, g)
			} else if err != nil {
				t.Fatal(err)
			}
			stored, err := parseItem(b)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.decode(stored)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range differences(reflect.ValueOf(got), reflect.ValueOf(g.want), g.name) {
				t.Errorf("%s: %s decodes to %s", path, d.path, d.got)
			}
			if g.encode == nil {
				return
			}
			again, err := g.encode()
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range goldenAdded[g.name] {
				if _, ok := stored[k]; ok {
					t.Errorf("%s already holds %s: drop it from goldenAdded", path, k)
				}
				if s, ok := again[k].(*types.AttributeValueMemberS); !ok || s.Value != v {
					t.Errorf("the code no longer writes %s=%s on %s: %v", k, v, path, again[k])
				}
				delete(again, k)
			}
			if !reflect.DeepEqual(again, stored) {
				a, err := avMapJSON(again)
				if err != nil {
					t.Fatal(err)
				}
				b, err := avMapJSON(stored)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range differences(reflect.ValueOf(a), reflect.ValueOf(b), "item") {
					t.Errorf("encoding the value again changes %s of %s: now %s", d.path, path, d.got)
				}
				if len(a) != len(b) {
					t.Errorf("encoding the value again gives %d attributes, %s has %d", len(a), path, len(b))
				}
			}
		})
	}
}

func writeGolden(t *testing.T, path string, g goldenItem) []byte {
	t.Helper()
	av, err := g.encode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := itemJSON(av)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
	return b
}

// TestGoldenFixturesAreFull checks that the full golden values set every exported field, nested
// ones too, so that their golden items hold every attribute the store writes.
func TestGoldenFixturesAreFull(t *testing.T) {
	// Complaint.History is filled by Get and never stored on the complaint.
	// Entry.ChangedNotices is set by register.Next for the write and never stored.
	unset := map[string]bool{"Complaint.History": true, "Entry.ChangedNotices": true,
		// The owner's receipt (§28, §42) came after entry.json was stored: goldenReceiptEntry
		// (entry_receipt.json) sets both.
		"Entry.AwaitingReceipt": true, "Entry.ReceivedAt": true,
		// The owner's recall application (§45(2)): goldenRecallApplicationEntry sets it.
		"Entry.RecallApplication": true,
		// A return's or refusal's grounds (standard §10) came after case.json and event.json:
		// goldenRefusalEvent (event_grounds.json) and goldenGroundsCase (case_grounds.json) set them.
		"Event.Grounds": true}
	if e := goldenReceiptEntry(); !e.AwaitingReceipt || e.ReceivedAt == nil {
		t.Error("goldenReceiptEntry sets no receipt")
	}
	// The full values: goldenTermCase is goldenCase with the members added after case.json was
	// stored (Attention, Term), here with the attention's hand-back, the signatures of issue 17
	// (golden_signed_test.go) and the grounds of a decision (standard §10); the entry has the act
	// days added after entry.json was stored; the draft the signatures and a document's term.
	full := goldenSignedCase()
	term := goldenTermCase()
	full.Attention, full.Term = goldenHandedBackCase().Attention, term.Term
	full.Paper, full.HandOvers = goldenPaperCase().Paper, goldenPaperCase().HandOvers // the paper channel (golden_paper_test.go)
	full.EditionOutOfForce = true                                                     // case_out_of_force (issue 16): added after case.json was stored
	full = withSurveyContent(full)                                                    // case_survey_content (issue 16): likewise
	full = withCommission(full)                                                       // case_commission (issue 16): likewise
	step := *full.OpenStep
	step.Reminded = term.OpenStep.Reminded
	// A paper case's step from the hand-over (case_paper_awaiting, case_paper_handed_over): added
	// after case.json was stored.
	step.AwaitsHandOver, step.HandedOverAt = true, goldenHandedOverCase().OpenStep.HandedOverAt
	full.OpenStep = &step
	dec := *full.LastDecision
	dec.Grounds = goldenGroundsCase().LastDecision.Grounds
	dec.Act = withSurveyContent(full).SurveyAct
	full.LastDecision = &dec
	// A paper case's certificate (entry_paper, entry_paper_recall_awaiting): added after entry.json.
	entry := withChangeCommission(outOfForce(withActDays(goldenSignedEntry())))
	entry.AtOffice = true
	paper := goldenPaperEntry()
	m, r := *paper.Monitoring, *paper.Recall
	r.ReturnAwaitsHandOver = true
	m.DueAt = goldenAt(28, 18)
	entry.Monitoring, entry.Recall = &m, &r
	for _, v := range []any{full, goldenSignedEvent(), goldenSignedCertificate(), entry, goldenRevision(), goldenObject(),
		goldenPlan(), withMark(goldenComplaint()), goldenComplaintEvent(), withUploadTerm(goldenSignedUpload()), paperDraft(withDocumentTerms(goldenSignedDraft()))} {
		for _, f := range zeroFields(reflect.ValueOf(v), reflect.TypeOf(v).Name()) {
			if !unset[f] {
				t.Errorf("%T: %s is not set", v, f)
			}
		}
	}
}

// withUploadTerm is u with the term of its document (standard §10), added after upload.json and
// upload_signed.json were stored (upload_term.json holds it).
func withUploadTerm(u attestation.Upload) attestation.Upload {
	u.ExpiresOn = goldenTermUpload().ExpiresOn
	return u
}

// goldenOutOfForceCase is a minimal case filed on a date its edition does not cover (the model
// mode of issue 16).
func goldenOutOfForceCase() attestation.Case {
	c := goldenMinimalCase()
	c.EditionOutOfForce = true
	return c
}

// withSurveyContent is c with acts that record the survey's content (§20, §22) and their three
// copies (§25, §35), which the cases stored before lack.
func withSurveyContent(c attestation.Case) attestation.Case {
	at := goldenAt(10, 0)
	act := func(n, d string) *attestation.ActDetails {
		return &attestation.ActDetails{Number: n, Date: d, MethodologyVersion: "2026.1",
			Components: []attestation.ActComponent{{Component: attestation.ComponentInitialData, Result: attestation.ResultCompliant, Finding: "complete"}},
			Copies:     []attestation.ActCopy{{For: attestation.CopySTS, HeldBy: "sts", ReceivedBy: "S. STS", ReceivedAt: &at}}}
	}
	c.SurveyAct, c.AdditionalSurveyAct = act("A-17", "2026-03-10"), act("A-18", "2026-03-12")
	return c
}

// withCommission is c with the attestation commission of its decision (Law Art. 51(6)).
func withCommission(c attestation.Case) attestation.Case {
	c.Commissions = []attestation.Commission{{Meeting: "2026-03-11", ProtocolNumber: "P-7", Step: "decision",
		Members: []attestation.CommissionMember{{Name: "S. Alibekov", Position: "Chairman", Role: attestation.MemberChair}}}}
	return c
}

// goldenCommissionChange is goldenChange decided on the protocol of the attestation commission
// (Law Art. 51(11)), added after change.json was stored.
func goldenCommissionChange() register.ChangeNotice {
	c := goldenChange()
	c.ID = "CH-2"
	c.Commission = &attestation.Commission{Meeting: "2026-03-21", ProtocolNumber: "P-11", Step: "change_decision",
		Members: []attestation.CommissionMember{{Name: "S. Alibekov", Position: "Chairman", Role: attestation.MemberChair}}}
	return c
}

// withChangeCommission is e with its change notices decided on the commission's protocol
// (change_commission.json), which the entries stored before lack.
func withChangeCommission(e register.Entry) register.Entry {
	e.Changes = []register.ChangeNotice{goldenCommissionChange()}
	return e
}

// outOfForce is e filed under an edition out of force (entry_out_of_force, issue 16), which the
// entries stored before lack.
func outOfForce(e register.Entry) register.Entry {
	e.EditionOutOfForce = true
	return e
}

// withMark is c with the registration mark of complaint_by_post (standard §11), which complaint.json,
// stored before marks were recorded, lacks.
func withMark(c complaints.Complaint) complaints.Complaint {
	p := goldenPostComplaint()
	c.Channel, c.IncomingNumber, c.RegisteredBy, c.RegisteredBySubject = p.Channel, p.IncomingNumber, p.RegisteredBy, p.RegisteredBySubject
	return c
}

// zeroFields lists the exported fields of v (a struct), recursively, that hold their zero value.
func zeroFields(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			out = append(out, zeroFields(v.Elem(), path)...)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			out = append(out, zeroFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out = append(out, zeroFields(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			return nil
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := v.Type().Name() + "." + f.Name
			if v.Field(i).IsZero() {
				out = append(out, p)
				continue
			}
			out = append(out, zeroFields(v.Field(i), p)...)
		}
	}
	return out
}
