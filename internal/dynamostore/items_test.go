package dynamostore

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"attestation/internal/attestation"
	"attestation/internal/complaints"
	"attestation/internal/objects"
	"attestation/internal/register"
)

// TestEveryDomainFieldIsStored fills every exported field of each stored domain type (nested
// ones too) with a value of its own, stores it through its item type and reads it back: a field
// added to a domain struct without a mapping in the items_*.go files is lost on the way and
// fails here, naming the field.
func TestEveryDomainFieldIsStored(t *testing.T) {
	for _, tc := range []struct {
		name string
		// skip names the fields deliberately not stored.
		skip      []string
		roundTrip func(t *testing.T, v any) any
		value     any
	}{
		{name: "attestation.Case", value: attestation.Case{}, roundTrip: func(t *testing.T, v any) any {
			// The case item and its documents item, as Get reads them together.
			c := fromItem(viaTable[caseItem](t, toItem(v.(attestation.Case))))
			c.Documents = mapSlice(viaTable[caseDocumentsItem](t, toDocumentsItem(v.(attestation.Case))).Documents, storedDocument.domain)
			return c
		}},
		{name: "attestation.Event", value: attestation.Event{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[eventItem](t, toEventItem("C-1", v.(attestation.Event))).domain()
		}},
		{name: "attestation.Certificate", value: attestation.Certificate{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[certificateItem](t, toCertificateItem(v.(attestation.Certificate))).domain()
		}},
		// The change notices' words are in their own items (joined on read); InlineChanges and
		// ChangedNotices say how the entry was read and what a write changes, never stored.
		{name: "register.Entry", value: register.Entry{}, skip: []string{"InlineChanges", "ChangedNotices"}, roundTrip: func(t *testing.T, v any) any {
			in := v.(register.Entry)
			e := viaTable[entryItem](t, toEntryItem(in)).Entry.domain()
			for i, c := range in.Changes {
				whole := viaTable[changeItem](t, toChangeItem(in.Number, c)).domain()
				joinWords(&e.Changes[i], whole)
			}
			return e
		}},
		{name: "register.ChangeNotice", value: register.ChangeNotice{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[changeItem](t, toChangeItem("N-1", v.(register.ChangeNotice))).domain()
		}},
		{name: "register.Revision", value: register.Revision{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[revisionItem](t, toRevisionItem("N-1", v.(register.Revision))).domain()
		}},
		{name: "objects.Object", value: objects.Object{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[objectItem](t, toObjectItem(v.(objects.Object))).domain()
		}},
		{name: "objects.Plan", value: objects.Plan{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[planItem](t, toPlanItem(v.(objects.Plan))).domain()
		}},
		{name: "complaints.Complaint", value: complaints.Complaint{}, skip: []string{"History"}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[complaintItem](t, toComplaintItem(v.(complaints.Complaint))).domain()
		}},
		{name: "complaints.Event", value: complaints.Event{}, roundTrip: func(t *testing.T, v any) any {
			return viaTable[complaintEventItem](t, toComplaintEventItem("K-1", v.(complaints.Event))).domain()
		}},
		{name: "attestation.Upload", value: attestation.Upload{}, roundTrip: func(t *testing.T, v any) any {
			av, err := toUploadItem(v.(attestation.Upload))
			if err != nil {
				t.Fatal(err)
			}
			u, err := fromUploadItem(av)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}},
		{name: "attestation.Draft", value: attestation.Draft{}, roundTrip: func(t *testing.T, v any) any {
			av, err := toDraftItem(v.(attestation.Draft))
			if err != nil {
				t.Fatal(err)
			}
			var it draftItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				t.Fatal(err)
			}
			return it.domain()
		}},
		{name: "attestation.DocumentRef", value: attestation.DocumentRef{}, roundTrip: func(t *testing.T, v any) any {
			av, err := attributevalue.Marshal(toStoredDocumentRef(v.(attestation.DocumentRef)))
			if err != nil {
				t.Fatal(err)
			}
			var s storedDocumentRef
			if err := attributevalue.Unmarshal(av, &s); err != nil {
				t.Fatal(err)
			}
			return s.domain()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reflect.TypeOf(tc.value).String(); got != tc.name {
				t.Fatalf("case %s holds a %s", tc.name, got)
			}
			p := reflect.New(reflect.TypeOf(tc.value))
			(&filler{}).fill(p.Elem())
			for _, f := range tc.skip {
				p.Elem().FieldByName(f).SetZero()
			}
			want := p.Elem().Interface()
			got := tc.roundTrip(t, want)
			for _, d := range differences(reflect.ValueOf(got), reflect.ValueOf(want), tc.name) {
				t.Errorf("%s is not stored: read back %s", d.path, d.got)
			}
		})
	}
}

// viaTable marshals item as the store writes it and unmarshals it as the store reads it.
func viaTable[I any](t *testing.T, item I) I {
	t.Helper()
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		t.Fatal(err)
	}
	var back I
	if err := attributevalue.UnmarshalMap(av, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// filler sets every exported field of a value to a value no other field gets.
type filler struct{ n int }

func (f *filler) fill(v reflect.Value) {
	f.n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		f.fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		f.fill(k)
		f.fill(e)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(1_700_000_000+int64(f.n)*3600, int64(f.n)).UTC()))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	default:
		panic(fmt.Sprintf("filler: no value for a %s", v.Type()))
	}
}

type difference struct{ path, got string }

// differences lists the leaves where got and want differ, by their path from name.
func differences(got, want reflect.Value, path string) []difference {
	if reflect.DeepEqual(got.Interface(), want.Interface()) {
		return nil
	}
	switch want.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.Kind() == want.Kind() && !got.IsNil() && !want.IsNil() {
			return differences(got.Elem(), want.Elem(), path)
		}
	case reflect.Slice:
		if got.Type() == want.Type() && got.Len() == want.Len() {
			var out []difference
			for i := 0; i < want.Len(); i++ {
				out = append(out, differences(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
			}
			return out
		}
	case reflect.Map:
		if got.Type() == want.Type() && got.Len() == want.Len() {
			var out []difference
			for _, k := range want.MapKeys() {
				if g := got.MapIndex(k); g.IsValid() {
					out = append(out, differences(g, want.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
				} else {
					out = append(out, difference{fmt.Sprintf("%s[%v]", path, k), "nothing"})
				}
			}
			return out
		}
	case reflect.Struct:
		if got.Type() == want.Type() && want.Type() != reflect.TypeOf(time.Time{}) {
			var out []difference
			for i := 0; i < want.NumField(); i++ {
				if want.Type().Field(i).IsExported() {
					out = append(out, differences(got.Field(i), want.Field(i), path+"."+want.Type().Field(i).Name)...)
				}
			}
			return out
		}
	}
	return []difference{{path, fmt.Sprintf("%v", got.Interface())}}
}

// TestExpressionNamesAreStored checks that the attribute paths the store names in its condition,
// update, filter and projection expressions are attributes of its item types.
func TestExpressionNamesAreStored(t *testing.T) {
	paths := map[reflect.Type][][]string{
		reflect.TypeOf(caseItem{}): {{"version"}, {"case", "LastDecision", "Callback"}, {"case", "LastDecision", "Token"}},
		reflect.TypeOf(entryItem{}): {{"revision"}, {"status"}, {"ownerBin"}, {"objectSearch"}, {"entry"},
			{"entry", "OwnerIndividual"}},
		reflect.TypeOf(objectItem{}):    {{"object", "LifeCycleStage"}},
		reflect.TypeOf(planItem{}):      {{"revision"}},
		reflect.TypeOf(complaintItem{}): {{"version"}},
		reflect.TypeOf(uploadItem{}):    {{"state"}, {"upload", "State"}, {"pk"}, {"gsi2pk"}, {"gsi2sk"}},
		reflect.TypeOf(draftItem{}): {{"state"}, {"version"}, {"expiresAt"}, {"gsi1sk"}, {"draft", "Package", "Documents"},
			{"draft", "UpdatedAt"}, {"draft", "Version"}},
	}
	for _, f := range filedFields {
		paths[reflect.TypeOf(caseItem{})] = append(paths[reflect.TypeOf(caseItem{})], []string{"case", f})
	}
	for typ, list := range paths {
		for _, path := range list {
			if !hasAttribute(typ, path) {
				t.Errorf("%s has no attribute %v", typ, path)
			}
		}
	}
}

// hasAttribute reports whether the item type typ stores the attribute path (names as the
// dynamodbav tags give them; embedded structs are flattened, as the encoder does).
func hasAttribute(typ reflect.Type, path []string) bool {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
		typ = typ.Elem()
	}
	if len(path) == 0 {
		return true
	}
	if typ.Kind() != reflect.Struct {
		return false
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if f.Anonymous {
			if hasAttribute(f.Type, path) {
				return true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("dynamodbav"), ",")
		if name == path[0] {
			return hasAttribute(f.Type, path[1:])
		}
	}
	return false
}
