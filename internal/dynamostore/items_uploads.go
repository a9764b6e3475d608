package dynamostore

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// The uploads family: declared uploads and the drafts of application packages (§13).

// uploadItem is an upload as stored. Its top-level organization and state are the upload's (the
// state for ConfirmUpload's and the sweep's conditions). A pending upload is in the due index
// (gsi2 UPLOAD-DUE#<shard> / <expires, sortTime>#<id>), where the deadline check's sweep finds it
// once its declaration has expired (attestation.UploadSweep); confirm writes the item without
// those keys. Pending uploads declared before the sweep carry expiresAt, the table's TTL, instead
// (upload_pending.json); it is no longer written, since the TTL would delete the declaration and
// leave its bytes behind.
type uploadItem struct {
	keys
	Type         string       `dynamodbav:"type"` // "upload"
	Organization string       `dynamodbav:"organization"`
	State        string       `dynamodbav:"state"`
	ExpiresAt    int64        `dynamodbav:"expiresAt,omitempty"` // Unix seconds; only on pending uploads stored before the sweep
	Upload       storedUpload `dynamodbav:"upload"`
}

// storedUpload is the upload item's map attribute upload (attestation.Upload). It repeats the
// organisation (Organization); the item's top-level organization is the one read back.
type storedUpload struct {
	ID           string     `dynamodbav:"ID"`
	Organization string     `dynamodbav:"Organization"`
	Scope        string     `dynamodbav:"Scope"`
	ScopeID      string     `dynamodbav:"ScopeID"`
	Document     string     `dynamodbav:"Document"`
	ContentType  string     `dynamodbav:"ContentType"`
	Size         int64      `dynamodbav:"Size"`
	SHA256       string     `dynamodbav:"SHA256"`
	Sheets       int        `dynamodbav:"Sheets"`
	State        string     `dynamodbav:"State"`
	Key          string     `dynamodbav:"Key"`
	VersionID    string     `dynamodbav:"VersionID"`
	CreatedBy    string     `dynamodbav:"CreatedBy"`
	Role         string     `dynamodbav:"Role"`
	CreatedAt    time.Time  `dynamodbav:"CreatedAt"`
	ConfirmedAt  *time.Time `dynamodbav:"ConfirmedAt"`
	// The signature declared with the upload (issue 17), and the signer once confirm verified it.
	SignatureP7S []byte     `dynamodbav:"SignatureP7S,omitempty"`
	Signed       *storedEDS `dynamodbav:"Signed,omitempty"`
	ExpiresOn    string     `dynamodbav:"ExpiresOn,omitempty"` // standard §10: the document's term as declared
}

func toUploadItem(u attestation.Upload) (map[string]types.AttributeValue, error) {
	it := uploadItem{keys: keys{PK: "UPLOAD#" + u.ID, SK: "UPLOAD"}, Type: "upload", Organization: u.Organization, State: string(u.State),
		Upload: storedUpload{ID: u.ID, Organization: u.Organization, Scope: string(u.Scope), ScopeID: u.ScopeID, Document: u.Document,
			ContentType: u.ContentType, Size: u.Size, SHA256: u.SHA256, Sheets: u.Sheets, State: string(u.State), Key: u.Key,
			VersionID: u.VersionID, CreatedBy: u.CreatedBy, Role: string(u.Role), CreatedAt: u.CreatedAt, ConfirmedAt: u.ConfirmedAt,
			SignatureP7S: u.SignatureP7S, Signed: toStoredEDS(u.Signed), ExpiresOn: u.ExpiresOn}}
	if u.State == attestation.UploadPending {
		it.GSI2PK, it.GSI2SK = expiringUploadKeys(u.ID, u.ExpiresAt())
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("encode upload %s: %w", u.ID, err)
	}
	return av, nil
}

func fromUploadItem(av map[string]types.AttributeValue) (attestation.Upload, error) {
	var it uploadItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return attestation.Upload{}, fmt.Errorf("decode upload: %w", err)
	}
	s := it.Upload
	return attestation.Upload{ID: s.ID, Organization: it.Organization, Scope: attestation.UploadScope(s.Scope), ScopeID: s.ScopeID,
		Document: s.Document, ContentType: s.ContentType, Size: s.Size, SHA256: s.SHA256, Sheets: s.Sheets,
		State: attestation.UploadState(s.State), Key: s.Key, VersionID: s.VersionID, CreatedBy: s.CreatedBy,
		Role: identity.Role(s.Role), CreatedAt: s.CreatedAt, ConfirmedAt: s.ConfirmedAt, SignatureP7S: s.SignatureP7S, Signed: s.Signed.domain(),
		ExpiresOn: s.ExpiresOn}, nil
}

// draftItem is a draft as stored: its version at the top (writes are conditional on it), its
// state (open drafts only are changed), expiresAt (the table's TTL) while it is open.
// ConfirmUpload updates draft.Package.Documents.<document>, draft.UpdatedAt and draft.Version in
// place.
type draftItem struct {
	keys
	Type         string      `dynamodbav:"type"` // "draft"
	Organization string      `dynamodbav:"organization"`
	Version      int         `dynamodbav:"version"`
	State        string      `dynamodbav:"state"`
	ExpiresAt    int64       `dynamodbav:"expiresAt,omitempty"` // Unix seconds
	Draft        storedDraft `dynamodbav:"draft"`
}

// storedDraft is the draft item's map attribute draft (attestation.Draft). It repeats the
// organisation; the item's top-level organization is the one read back.
type storedDraft struct {
	ID           string        `dynamodbav:"ID"`
	Organization string        `dynamodbav:"Organization"`
	Package      storedPackage `dynamodbav:"Package"`
	State        string        `dynamodbav:"State"`
	CaseID       string        `dynamodbav:"CaseID"`
	Version      int           `dynamodbav:"Version"`
	CreatedBy    string        `dynamodbav:"CreatedBy"`
	CreatedAt    time.Time     `dynamodbav:"CreatedAt"`
	UpdatedAt    time.Time     `dynamodbav:"UpdatedAt"`
	Paper        *storedPaper  `dynamodbav:"Paper,omitempty"` // a paper filing the office registers (items_paper.go)
}

func toDraftItem(d attestation.Draft) (map[string]types.AttributeValue, error) {
	it := draftItem{keys: keys{PK: "DRAFT#" + d.ID, SK: "DRAFT", GSI1PK: "ORG#" + d.Organization, GSI1SK: "DRAFT#" + sortTime(d.UpdatedAt) + "#" + d.ID},
		Type: "draft", Organization: d.Organization, Version: d.Version, State: string(d.State),
		Draft: storedDraft{ID: d.ID, Organization: d.Organization, Package: toStoredPackage(d.Package), State: string(d.State),
			CaseID: d.CaseID, Version: d.Version, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
			Paper: mapPtr(d.Paper, toStoredPaper)}}
	if d.State == attestation.DraftOpen {
		it.ExpiresAt = d.UpdatedAt.Add(attestation.DraftTTL).Unix()
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("encode draft %s: %w", d.ID, err)
	}
	return av, nil
}

func (it draftItem) domain() attestation.Draft {
	s := it.Draft
	return attestation.Draft{ID: s.ID, Organization: it.Organization, Package: s.Package.domain(), State: attestation.DraftState(s.State),
		CaseID: s.CaseID, Version: s.Version, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Paper: mapPtr(s.Paper, storedPaper.domain)}
}

// storedPackage is a draft's application package (attestation.Package, Annexes 2-6).
type storedPackage struct {
	Edition     string                       `dynamodbav:"Edition"`
	Applicant   storedApplicant              `dynamodbav:"Applicant"`
	Object      storedObjectInfo             `dynamodbav:"Object"`
	Flags       storedFlags                  `dynamodbav:"Flags"`
	StateSecret bool                         `dynamodbav:"StateSecret"`
	Documents   map[string]storedDocumentRef `dynamodbav:"Documents"` // by policy document id
	Hardware    []storedHardware             `dynamodbav:"Hardware"`
	Software    []storedSoftware             `dynamodbav:"Software"`
	Integrated  []storedIntegrated           `dynamodbav:"Integrated"`
}

func toStoredPackage(p attestation.Package) storedPackage {
	return storedPackage{Edition: p.Edition,
		Applicant: storedApplicant{Name: p.Applicant.Name, IdentityNumber: p.Applicant.IdentityNumber, Type: string(p.Applicant.Type)},
		Object:    storedObjectInfo{ID: p.Object.ID, Name: p.Object.Name, Kind: p.Object.Kind, Developer: p.Object.Developer},
		Flags:     toStoredFlags(p.Flags), StateSecret: p.StateSecret, Documents: mapValues(p.Documents, toStoredDocumentRef),
		Hardware: mapSlice(p.Hardware, func(h attestation.HardwareItem) storedHardware {
			return storedHardware{ManufacturerModel: h.ManufacturerModel, SerialNumber: h.SerialNumber, CertificateNumber: h.CertificateNumber,
				Location: h.Location, Type: h.Type, Purpose: h.Purpose, Protection: h.Protection, IntegratedSoftware: h.IntegratedSoftware,
				IPAddresses: h.IPAddresses}
		}),
		Software: mapSlice(p.Software, func(s attestation.SoftwareItem) storedSoftware {
			return storedSoftware{Developer: s.Developer, Name: s.Name, Version: s.Version, InstalledOn: s.InstalledOn, Type: s.Type,
				Purpose: s.Purpose, Protection: s.Protection}
		}),
		Integrated: mapSlice(p.Integrated, func(i attestation.IntegratedObject) storedIntegrated {
			return storedIntegrated{Name: i.Name, Owner: i.Owner, Interaction: i.Interaction}
		})}
}

func (s storedPackage) domain() attestation.Package {
	return attestation.Package{Edition: s.Edition,
		Applicant: attestation.Applicant{Name: s.Applicant.Name, IdentityNumber: s.Applicant.IdentityNumber,
			Type: attestation.ApplicantType(s.Applicant.Type)},
		Object: attestation.ObjectInfo{ID: s.Object.ID, Name: s.Object.Name, Kind: s.Object.Kind, Developer: s.Object.Developer},
		Flags:  s.Flags.domain(), StateSecret: s.StateSecret, Documents: mapValues(s.Documents, storedDocumentRef.domain),
		Hardware: mapSlice(s.Hardware, func(h storedHardware) attestation.HardwareItem {
			return attestation.HardwareItem{ManufacturerModel: h.ManufacturerModel, SerialNumber: h.SerialNumber,
				CertificateNumber: h.CertificateNumber, Location: h.Location, Type: h.Type, Purpose: h.Purpose, Protection: h.Protection,
				IntegratedSoftware: h.IntegratedSoftware, IPAddresses: h.IPAddresses}
		}),
		Software: mapSlice(s.Software, func(w storedSoftware) attestation.SoftwareItem {
			return attestation.SoftwareItem{Developer: w.Developer, Name: w.Name, Version: w.Version, InstalledOn: w.InstalledOn,
				Type: w.Type, Purpose: w.Purpose, Protection: w.Protection}
		}),
		Integrated: mapSlice(s.Integrated, func(i storedIntegrated) attestation.IntegratedObject {
			return attestation.IntegratedObject{Name: i.Name, Owner: i.Owner, Interaction: i.Interaction}
		})}
}

// storedApplicant is the applicant of Annex 2 (attestation.Applicant).
type storedApplicant struct {
	Name           string `dynamodbav:"Name"`
	IdentityNumber string `dynamodbav:"IdentityNumber"`
	Type           string `dynamodbav:"Type"`
}

// storedObjectInfo is the object of attestation (attestation.ObjectInfo).
type storedObjectInfo struct {
	ID        string `dynamodbav:"ID"`
	Name      string `dynamodbav:"Name"`
	Kind      string `dynamodbav:"Kind"`
	Developer string `dynamodbav:"Developer"`
}

// storedDocumentRef is a document of a draft's package: the confirmed upload's file
// (attestation.DocumentRef). ConfirmUpload writes one in place.
type storedDocumentRef struct {
	Key         string     `dynamodbav:"Key"`
	SHA256      string     `dynamodbav:"SHA256"`
	ContentType string     `dynamodbav:"ContentType"`
	Size        int64      `dynamodbav:"Size"`
	Sheets      int        `dynamodbav:"Sheets"`
	VersionID   string     `dynamodbav:"VersionID"`
	Signature   *storedEDS `dynamodbav:"Signature,omitempty"` // issue 17
	ExpiresOn   string     `dynamodbav:"ExpiresOn,omitempty"` // standard §10: a document's term
}

func toStoredDocumentRef(d attestation.DocumentRef) storedDocumentRef {
	return storedDocumentRef{Key: d.Key, SHA256: d.SHA256, ContentType: d.ContentType, Size: d.Size, Sheets: d.Sheets, VersionID: d.VersionID,
		Signature: toStoredEDS(d.Signature), ExpiresOn: d.ExpiresOn}
}

func (s storedDocumentRef) domain() attestation.DocumentRef {
	return attestation.DocumentRef{Key: s.Key, SHA256: s.SHA256, ContentType: s.ContentType, Size: s.Size, Sheets: s.Sheets, VersionID: s.VersionID,
		Signature: s.Signature.domain(), ExpiresOn: s.ExpiresOn}
}

// storedHardware is a row of the list of hardware (attestation.HardwareItem, Annex 5).
type storedHardware struct {
	ManufacturerModel  string   `dynamodbav:"ManufacturerModel"`
	SerialNumber       string   `dynamodbav:"SerialNumber"`
	CertificateNumber  string   `dynamodbav:"CertificateNumber"`
	Location           string   `dynamodbav:"Location"`
	Type               string   `dynamodbav:"Type"`
	Purpose            string   `dynamodbav:"Purpose"`
	Protection         string   `dynamodbav:"Protection"`
	IntegratedSoftware string   `dynamodbav:"IntegratedSoftware"`
	IPAddresses        []string `dynamodbav:"IPAddresses"`
}

// storedSoftware is a row of the list of software (attestation.SoftwareItem, Annex 6).
type storedSoftware struct {
	Developer   string   `dynamodbav:"Developer"`
	Name        string   `dynamodbav:"Name"`
	Version     string   `dynamodbav:"Version"`
	InstalledOn []string `dynamodbav:"InstalledOn"`
	Type        string   `dynamodbav:"Type"`
	Purpose     string   `dynamodbav:"Purpose"`
	Protection  string   `dynamodbav:"Protection"`
}

// storedIntegrated is a row of the list of integrated objects (attestation.IntegratedObject, Annex 4).
type storedIntegrated struct {
	Name        string `dynamodbav:"Name"`
	Owner       string `dynamodbav:"Owner"`
	Interaction string `dynamodbav:"Interaction"`
}
