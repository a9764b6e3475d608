package attestation

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzUploadRequest: whatever body declares an upload, the strict decode and the declaration's
// checks never panic, and a declaration they accept is one the upload flow can keep: a media
// type with a signature to check, a size within the limit, a SHA-256 of 64 hex digits. The seed
// corpus runs with the ordinary tests.
func FuzzUploadRequest(f *testing.F) {
	for _, s := range []string{
		`{"document":"annex3_01","contentType":"application/pdf","size":1024,"sha256":"` + strings.Repeat("ab", 32) + `"}`,
		`{"document":"contract","contentType":"image/png","size":52428800,"sha256":"` + strings.Repeat("AB", 32) + `","sheets":3}`,
		`{"document":"","contentType":"application/x-msdownload","size":-1,"sha256":"x"}`,
		`{"document":"a","contentType":"application/pdf","size":52428801,"sha256":"` + strings.Repeat("0", 64) + `"}`,
		`{"size":"12"}`, `[]`, `{`, ``, `{"colour":"red"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		var in UploadRequest
		if err := dec.Decode(&in); err != nil {
			return
		}
		in.SHA256 = strings.ToLower(in.SHA256)
		if ps := checkUploadRequest(in); len(ps) == 0 {
			if _, ok := ContentTypes[in.ContentType]; !ok || in.Size <= 0 || in.Size > MaxUploadBytes || !IsHex64(in.SHA256) || in.Document == "" {
				t.Fatalf("accepted %+v", in)
			}
		} else {
			for _, p := range ps {
				if p.Field == "" || p.Message == "" || p.Rule == "" {
					t.Fatalf("a problem without its field, rule or message: %+v", p)
				}
			}
		}
	})
}
