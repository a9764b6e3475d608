package apperr

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestEveryKindHasARowOfItsOwn(t *testing.T) {
	if len(Kinds) != len(table) {
		t.Fatalf("Kinds lists %d kinds, the table has %d rows", len(Kinds), len(table))
	}
	seenType := map[string]Kind{}
	seenWord := map[string]Kind{}
	for _, k := range Kinds {
		r := table[k]
		if r.word == "" || r.title == "" || r.slug == "" || r.step == "" || r.message == "" {
			t.Errorf("%v: incomplete row %+v", k, r)
		}
		if r.status < 400 || r.status > 599 {
			t.Errorf("%v: status %d is not an error status", k, r.status)
		}
		if (r.status >= 500) != (r.step == StepTransient) {
			t.Errorf("%v: status %d but step error %s: a 5xx is exactly what a task retries", k, r.status, r.step)
		}
		if o, dup := seenType[k.ProblemType()]; dup {
			t.Errorf("%v and %v share the problem type %s", k, o, k.ProblemType())
		}
		if o, dup := seenWord[r.word]; dup {
			t.Errorf("%v and %v share the word %q", k, o, r.word)
		}
		seenType[k.ProblemType()], seenWord[r.word] = k, k
	}
}

func TestKindOfFindsTheKindThroughWrapping(t *testing.T) {
	for _, k := range Kinds {
		t.Run(k.String(), func(t *testing.T) {
			wrappedKind := fmt.Errorf("put case c-1: %w", k)
			wrappedErr := fmt.Errorf("submit: %w", Errorf(k, "case", "case %s", "c-1"))
			for _, err := range []error{wrappedKind, wrappedErr} {
				if got := KindOf(err); got != k {
					t.Errorf("KindOf(%v) = %v, want %v", err, got, k)
				}
				if !errors.Is(err, k) {
					t.Errorf("errors.Is(%v, %v) = false", err, k)
				}
				for _, other := range Kinds {
					if other != k && errors.Is(err, other) {
						t.Errorf("errors.Is(%v, %v) = true", err, other)
					}
				}
			}
		})
	}
	if KindOf(errors.New("socket closed")) != Internal || KindOf(nil) != Internal {
		t.Error("an unclassified error is Internal")
	}
}

func TestErrorTextReadsAsTheWrappedSentinelDid(t *testing.T) {
	got := Errorf(NotFound, "draft", "draft %s", "d-1").Error()
	want := fmt.Errorf("draft %s: %w", "d-1", NotFound).Error()
	if got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := Hidden(NotFound, "case", "get s3://b/%s", "k").Error(), "get s3://b/k: not found"; got != want {
		t.Errorf("Hidden(...).Error() = %q, want %q", got, want)
	}
	if got := Wrap(errors.New("ConditionalCheckFailed"), Conflict, "case", "case c-1 changed").Error(); got != "case c-1 changed: conflict: ConditionalCheckFailed" {
		t.Errorf("Wrap(...).Error() = %q", got)
	}
}

func TestPublicNeverShowsTheCause(t *testing.T) {
	secret := errors.New("arn:aws:dynamodb:eu-central-1:123456789012:table/T ConditionalCheckFailedException")
	cases := []struct {
		name       string
		err        error
		wantKind   Kind
		wantDetail string
	}{
		{"a wrapped sentinel reads as its kind's message", fmt.Errorf("put case c-1: %w: %w", Conflict, secret), Conflict, table[Conflict].message},
		{"an error with a cause shows its message only", fmt.Errorf("update: %w", Wrap(secret, Conflict, "case", "case c-1 changed meanwhile")), Conflict, "case c-1 changed meanwhile"},
		{"a not-found error names its resource", fmt.Errorf("get: %w", Wrap(secret, NotFound, "draft", "draft d-1")), NotFound, "no such draft"},
		{"an adapter's hidden words never show", fmt.Errorf("load: %w", Hidden(Conflict, "", "put s3://secret-bucket/key")), Conflict, table[Conflict].message},
		{"an adapter's not-found names its resource", fmt.Errorf("load: %w", Hidden(NotFound, "case", "get s3://secret-bucket/key")), NotFound, "no such case"},
		{"an internal error shows the table's message", fmt.Errorf("get: %w", secret), Internal, table[Internal].message},
		{"an internal *Error shows the table's message, not its own", Wrap(secret, Internal, "", "decode case c-1"), Internal, table[Internal].message},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := PublicOf(c.err)
			if p.Kind != c.wantKind || p.Detail != c.wantDetail || p.Status != c.wantKind.HTTPStatus() || p.Type != c.wantKind.ProblemType() {
				t.Errorf("PublicOf = %+v, want kind %v detail %q", p, c.wantKind, c.wantDetail)
			}
			if strings.Contains(p.Detail+p.Title, "arn:") || strings.Contains(p.Detail, "Conditional") || strings.Contains(p.Detail, "secret") {
				t.Errorf("the public view leaks the cause: %+v", p)
			}
		})
	}
}

func TestRefusedCarriesItsProblems(t *testing.T) {
	ps := []Problem{{Field: "applicant.identityNumber", Rule: "Annex 2", Message: "12 digits"}}
	p := PublicOf(fmt.Errorf("submit d-1: %w", Refused("submission refused", "1 problem(s) stop this submission", ps)))
	if p.Status != 422 || p.Title != "submission refused" || len(p.Problems) != 1 || p.Problems[0] != ps[0] {
		t.Errorf("PublicOf(Refused) = %+v", p)
	}
}

// TestDocumentedTableIsTheTable: docs/errors.md gives each kind's row as the table has it.
func TestDocumentedTableIsTheTable(t *testing.T) {
	b, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 2 {
			rows[strings.TrimSpace(cells[1])] = line
		}
	}
	names := map[Kind]string{Internal: "Internal", Invalid: "Invalid", Unauthorized: "Unauthorized", Forbidden: "Forbidden",
		NotFound: "NotFound", Conflict: "Conflict", Closed: "Closed", TooLarge: "TooLarge",
		UnsupportedMediaType: "UnsupportedMediaType", Unprocessable: "Unprocessable", Rule: "Rule", Unavailable: "Unavailable"}
	for _, k := range Kinds {
		row, ok := rows[names[k]]
		if !ok {
			t.Errorf("docs/errors.md has no row for %s", names[k])
			continue
		}
		cells := strings.Split(row, "|")
		if got := strings.TrimSpace(cells[2]); got != strconv.Itoa(k.HTTPStatus()) {
			t.Errorf("%s: documented status %s, the table's %d", names[k], got, k.HTTPStatus())
		}
		if got := strings.Trim(strings.TrimSpace(cells[3]), "`"); ProblemTypeBase+got != k.ProblemType() {
			t.Errorf("%s: documented type %s, the table's %s", names[k], got, k.ProblemType())
		}
		if got := strings.TrimSpace(cells[4]); !strings.HasPrefix(got, "`"+k.StepError()+"`") {
			t.Errorf("%s: documented step error %s, the table's %s", names[k], got, k.StepError())
		}
	}
}
