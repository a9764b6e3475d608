package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/signing"
	"attestation/internal/wiring"
	"attestation/internal/wiring/kmskey"
)

// issued walks a case to its certificate (§14-§28) and returns the case's path and the number.
func issued(t *testing.T, name string) (*path, string) {
	t.Helper()
	p := toSurvey(t, application(t, name, false))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	n, _ := v["certificate"].(string)
	if n == "" {
		t.Fatalf("§28: no certificate number on the case: %v", v)
	}
	return p, n
}

func recordsBucket(t *testing.T) string {
	t.Helper()
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			return b.Name
		}
	}
	t.Fatal("template.yaml has no Object Lock bucket")
	return ""
}

func registerKey(t *testing.T) []byte {
	t.Helper()
	fn, _ := stack.Template.Function("IssueCertificateFunction")
	cfg, err := wiring.LoadConfig(func(k string) (string, bool) { v, ok := fn.Env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	signer, err := kmskey.Signer(localstack.AWSConfig(stack.MotoURL), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signer.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestCertificateIssuedIntoTheRegisterPar28Par29 follows a certificate from the decision to the
// register: the Annex 7 PDF and the act under Object Lock, pinned by version and SHA-256 in a
// signed register entry; the PDF's text holds every field of the form and both tables in each
// language; the pinned version cannot be deleted or overwritten; a tampered entry fails
// verification.
func TestCertificateIssuedIntoTheRegisterPar28Par29(t *testing.T) {
	ctx := context.Background()
	p, number := issued(t, "Реестр разрешений — Рұқсаттар тізілімі")
	store := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	e, err := store.Entry(ctx, number)
	if err != nil {
		t.Fatalf("§29: certificate %s is not in the register: %v", number, err)
	}
	t.Run("§29 the entry holds the object, owner, developer, act and certificate", func(t *testing.T) {
		// Revision 1 enters the certificate (§28, §29); revision 2 records the owner's receipt, from
		// which the monitoring year runs (§28, §42).
		if e.Status != register.Valid || e.CaseID != p.id || e.ObjectName != "Реестр разрешений — Рұқсаттар тізілімі" ||
			e.OwnerName != "Digital Services LLP" || e.OwnerBIN != "120540001238" || e.Developer != "Digital Services LLP" || e.Revision != 2 {
			t.Fatalf("entry %+v", e)
		}
		if !strings.HasPrefix(e.Act.Number, "AKT-SUR-") || e.Act.Document.SHA256 == "" || e.Act.Document.VersionID == "" {
			t.Errorf("act %+v", e.Act)
		}
		if e.Monitoring == nil {
			t.Error("§42: a state body's system is due to connect to monitoring")
		}
	})
	bucket := recordsBucket(t)
	get := func(d register.Document) []byte {
		out, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &d.Key, VersionId: &d.VersionID})
		if err != nil {
			t.Fatalf("get %s@%s: %v", d.Key, d.VersionID, err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != d.SHA256 {
			t.Fatalf("%s: stored bytes do not match the register's SHA-256", d.Key)
		}
		return b
	}
	pdf := get(e.Certificate)
	get(e.Act.Document)

	t.Run("Annex 7 every field and both tables in Kazakh, Russian and English", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("pdftotext (poppler-utils) is missing")
			}
			t.Skip("pdftotext (poppler-utils) is not installed")
		}
		path := filepath.Join(t.TempDir(), "certificate.pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := squeezeSpace(string(out))
		pages := strings.Split(string(out), "\f")
		third := len(pages) / 3
		langs := map[string]string{"kk": strings.Join(pages[:third], "\f"), "ru": strings.Join(pages[third:2*third], "\f"), "en": strings.Join(pages[2*third:], "\f")}
		terms := certificateTerms()
		for lang, part := range langs {
			part = squeezeSpace(part)
			want := []string{number, "Digital Services LLP", "120540001238", e.Act.Number, "Әлібеков Серік Қанатұлы",
				// Table 1 (Annex 5 without IP addresses) and Table 2 (Annex 6)
				"Dell PowerEdge R750", "INV-0001", "KZ.7500.01.2023", "Ubuntu Server", "24.04 LTS", "Canonical"}
			for _, pr := range terms["prohibitions"].([]map[string]string) {
				want = append(want, pr[lang])
			}
			for _, nc := range terms["notifiableChanges"].([]map[string]string) {
				want = append(want, nc[lang])
			}
			want = append(want, terms["chairman"].(map[string]any)["position"].(map[string]string)[lang])
			for _, w := range want {
				if !strings.Contains(part, squeezeSpace(w)) {
					t.Errorf("%s: %q is not in the certificate's text", lang, w)
				}
			}
			if strings.Contains(part, "10.10.1.11") {
				t.Errorf("%s: Table 1 prints IP addresses, which Annex 7 leaves out", lang)
			}
		}
		if !strings.Contains(text, squeezeSpace("Рұқсаттар тізілімі")) {
			t.Error("the Kazakh letters of the object's name are lost")
		}
	})

	t.Run("§29 the QR code's address is the certificate's public verification route", func(t *testing.T) {
		var data map[string]any
		if err := json.Unmarshal(get(e.Data), &data); err != nil {
			t.Fatal(err)
		}
		want := stack.APIURL + "/certificates/" + number
		if data["verificationUrl"] != want {
			t.Errorf("verification URL %v, want %s", data["verificationUrl"], want)
		}
	})

	t.Run("Object Lock: the pinned version cannot be deleted or overwritten", func(t *testing.T) {
		if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &e.Certificate.Key, VersionId: &e.Certificate.VersionID}); err == nil {
			t.Fatal("the certificate's pinned version was deleted")
		}
		if _, err := s3store.NewRecords(stack.Clients.S3, bucket).Put(ctx, e.Certificate.Key, "application/pdf", []byte("%PDF forged")); !errors.Is(err, attestation.ErrConflict) {
			t.Fatalf("a forged certificate under the same key: %v, want a conflict", err)
		}
		// A raw PUT makes a new version at most; the pinned one stays as it was.
		if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &e.Certificate.Key, Body: bytes.NewReader([]byte("%PDF forged")),
			ChecksumSHA256: aws.String("LnI8SspWDvl0/ydPbCDwxKlFgUwi/ULNwHhHHRIf2xQ=")}); err == nil {
			if !bytes.Equal(get(e.Certificate), pdf) {
				t.Fatal("the pinned version changed")
			}
		}
	})

	t.Run("§29 the entry verifies with the published key, and fails once tampered", func(t *testing.T) {
		pub := registerKey(t)
		if err := register.Verify(e, pub); err != nil {
			t.Fatalf("the issued entry does not verify: %v", err)
		}
		// Somebody with write access to the table changes the status behind the register's back.
		table := stack.Template.Tables[0].Name
		if _, err := stack.Clients.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table,
			Key: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + number}, "sk": &ddbtypes.AttributeValueMemberS{Value: "ENTRY"}},
			UpdateExpression:          aws.String("SET #e.#o = :o"),
			ExpressionAttributeNames:  map[string]string{"#e": "entry", "#o": "OwnerName"},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":o": &ddbtypes.AttributeValueMemberS{Value: "Someone Else LLP"}}}); err != nil {
			t.Fatal(err)
		}
		tampered, err := store.Entry(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		if tampered.OwnerName != "Someone Else LLP" {
			t.Fatalf("the tampering did not take: %+v", tampered.OwnerName)
		}
		if err := register.Verify(tampered, pub); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("a tampered entry: %v, want ErrBadSignature", err)
		}
	})
}

var spaces = regexp.MustCompile(`\s+`)

func squeezeSpace(s string) string { return spaces.ReplaceAllString(s, "") }
