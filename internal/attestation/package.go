package attestation

import (
	"attestation/internal/apperr"
	"attestation/internal/policy"
)

// Package is the application package of §13 as structured data: the application (Annex 2), the
// facts that decide which documents are due, the stored files of the documents by their policy
// ids, and the lists of Annexes 4-6 as rows. It is the body of the API's filing request; its JSON
// names are lowerCamelCase.
//
// Which documents are due is data of the policy edition (Edition.RequiredItems); Hardware, Software
// and Integrated are the rows of the edition's documents hardware_list (Annex 5), software_list
// (Annex 6) and integrated_objects_list (Annex 4), so they are filled exactly when the edition
// requires those documents.
type Package struct {
	Edition     string                 `json:"-"`           // the policy edition the package is checked under; set by the service, never by the client
	Applicant   Applicant              `json:"applicant"`   // Annex 2
	Object      ObjectInfo             `json:"object"`      // Annex 2: the object of attestation
	Flags       ObjectFlags            `json:"flags"`       // facts about the object that select documents and periods
	StateSecret bool                   `json:"stateSecret"` // §2: a system in secure execution classified as state secrets (out of scope)
	Documents   map[string]DocumentRef `json:"documents"`   // policy document id -> the stored file
	Hardware    []HardwareItem         `json:"hardware"`    // Annex 5 rows; empty when the object uses ICT services
	Software    []SoftwareItem         `json:"software"`    // Annex 6 rows; empty when the object uses ICT services
	Integrated  []IntegratedObject     `json:"integrated"`  // Annex 4 rows; exactly when Flags.HasIntegratedObjects
}

// ApplicantType says whether the applicant is a legal entity (BIN) or an individual (IIN).
type ApplicantType string

// The applicant types. §13(1): an individual adds a copy of an identity document.
const (
	ApplicantLegalEntity ApplicantType = "legal_entity"
	ApplicantIndividual  ApplicantType = "individual"
)

// Applicant is the applicant as Annex 2 names it: the owner or possessor of the object, or the
// person it authorised (§3(3)).
type Applicant struct {
	Name           string        `json:"name"`           // organisation name, or surname, name and patronymic (if any)
	IdentityNumber string        `json:"identityNumber"` // BIN of a legal entity or IIN of an individual (Annex 2: "BIN/IIN")
	Type           ApplicantType `json:"type"`           // legal_entity or individual; required, never guessed from the number
}

// ObjectInfo is the object of attestation (§3(6)).
type ObjectInfo struct {
	// ID is the object of informatization as registered (POST /objects), when the applicant names
	// it: the register then links the certificate to it (§4 oversight, Annex 1 plans).
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`                // Annex 2: name of the object of attestation
	Kind      string `json:"kind"`                // a kind of the policy edition (§5, §6), e.g. state_is
	Developer string `json:"developer,omitempty"` // optional; the register records it when known (§29)
}

// ObjectFlags are the facts about the object that select the package's documents (§13) and the
// survey's period (§19). Whether the applicant is an individual is not a flag of the request: it
// follows Applicant.Type (see Package.PolicyFlags).
type ObjectFlags struct {
	UsesCryptography          bool `json:"usesCryptography"`          // Annex 3 item 7 becomes due
	UsesICTServices           bool `json:"usesIctServices"`           // §13(7): the ICT services contract instead of the lists of §13(6)
	HasIntegratedObjects      bool `json:"hasIntegratedObjects"`      // §13(5): the Annex 4 list becomes due
	GeographicallyDistributed bool `json:"geographicallyDistributed"` // §19: the longer survey
}

// PolicyFlags returns the package's facts as the policy's flags; IndividualApplicant follows the
// applicant's type.
func (p Package) PolicyFlags() policy.PackageFlags {
	return policy.PackageFlags{
		UsesCryptography:          p.Flags.UsesCryptography,
		UsesICTServices:           p.Flags.UsesICTServices,
		HasIntegratedObjects:      p.Flags.HasIntegratedObjects,
		IndividualApplicant:       p.Applicant.Type == ApplicantIndividual,
		GeographicallyDistributed: p.Flags.GeographicallyDistributed,
	}
}

// DocumentRef is a document of the package as stored: the object key of the uploaded file and what
// the applicant declares about it, so the stored object can be checked against it.
type DocumentRef struct {
	Key         string `json:"key"`                 // the stored object's key
	SHA256      string `json:"sha256"`              // SHA-256 of the file, 64 hexadecimal digits
	ContentType string `json:"contentType"`         // media type, e.g. application/pdf
	Size        int64  `json:"size"`                // bytes, positive
	Sheets      int    `json:"sheets,omitempty"`    // number of sheets (Annex 2 item 1); 0 when not stated
	VersionID   string `json:"versionId,omitempty"` // the S3 version of the confirmed upload
	// Signature is the verified electronic digital signature of the upload (signatures.go); one
	// a caller sends is dropped.
	Signature *Signature `json:"signature,omitempty"`
	// ExpiresOn is the last day of the document's term (YYYY-MM-DD), for a document the policy
	// says has one (policy.Document.Expires): standard §10, a document whose term ended before the
	// filing refuses the acceptance (expired_documents).
	ExpiresOn string `json:"expiresOn,omitempty"`
}

// HardwareItem is a row of the list of hardware (Annex 5); its item number is its position.
type HardwareItem struct {
	ManufacturerModel  string   `json:"manufacturerModel"`            // column 2: manufacturer, model
	SerialNumber       string   `json:"serialNumber"`                 // column 3: serial/inventory number; unique in the list, software rows refer to it
	CertificateNumber  string   `json:"certificateNumber,omitempty"`  // column 4: information security certificate number (if any)
	Location           string   `json:"location"`                     // column 5: physical location
	Type               string   `json:"type"`                         // column 6: type (according to technical documentation)
	Purpose            string   `json:"purpose"`                      // column 7: main functional purpose
	Protection         string   `json:"protection"`                   // column 8: methods of information protection used
	IntegratedSoftware string   `json:"integratedSoftware,omitempty"` // column 9: developer, name, version of integrated software
	IPAddresses        []string `json:"ipAddresses,omitempty"`        // column 10: IPv4 or IPv6 addresses, each once
}

// SoftwareItem is a row of the list of software (Annex 6); its item number is its position.
type SoftwareItem struct {
	Developer   string   `json:"developer"`   // column 2
	Name        string   `json:"name"`        // column 3
	Version     string   `json:"version"`     // column 4
	InstalledOn []string `json:"installedOn"` // column 5: place of installation, the serial/inventory numbers (HardwareItem.SerialNumber) of hardware rows
	Type        string   `json:"type"`        // column 6: type (according to program documentation)
	Purpose     string   `json:"purpose"`     // column 7: main functional purpose
	Protection  string   `json:"protection"`  // column 8: methods of information protection used
}

// IntegratedObject is a row of the list of objects of informatization integrated with the object
// (Annex 4); its item number is its position.
type IntegratedObject struct {
	Name        string `json:"name"`        // column 2: name of the object of informatization
	Owner       string `json:"owner"`       // column 3: possessor (owner)
	Interaction string `json:"interaction"` // column 4: nature of interaction
}

// Problem is one thing wrong with a filing (apperr.Problem). Field is a JSON-pointer-like path
// into the request body ("hardware[2].ipAddresses[0]", "documents.annex3_07"), empty for the
// filing as a whole; Rule is the paragraph of the regulation it breaks ("§13(6), Annex 5"), or
// "request" for a body that is not a package at all; Message says what is wrong in words an
// applicant can act on.
type Problem = apperr.Problem

// Limits of a package. They are not figures of the regulation but bounds of this service, so that
// validating a request takes bounded work and its answer has a bounded size. A list or text over
// its limit is a problem; the rows of a list over its limit are not checked one by one.
const (
	MaxPackageBytes = 4 << 20 // bytes of the JSON body ParsePackage accepts
	// MaxDraftBytes bounds the JSON of a draft's data (the package without its documents, which
	// come by upload): a draft is kept whole in one table item, which DynamoDB bounds at 400 KB.
	// A larger package is filed directly (POST /cases, up to MaxPackageBytes: the filed package is
	// kept in the documents bucket).
	MaxDraftBytes       = 256 << 10
	MaxDocuments        = 64     // entries of Package.Documents
	MaxHardwareItems    = 1000   // rows of Annex 5
	MaxSoftwareItems    = 2000   // rows of Annex 6
	MaxIntegratedItems  = 500    // rows of Annex 4
	MaxIPAddresses      = 64     // addresses of one hardware row
	MaxInstallPlaces    = 256    // hardware rows one software row is installed on
	MaxNameLength       = 500    // characters of a name, number, version or type
	MaxTextLength       = 2000   // characters of a purpose, protection or interaction description
	MaxDocumentKeyBytes = 1024   // bytes of a stored object's key (the S3 limit)
	MaxDocumentIDLength = 64     // characters of a document id
	MaxSheets           = 100000 // sheets of one document
	maxContentType      = 255    // characters of a media type (RFC 6838: 127 + "/" + 127)
	maxIPText           = 64     // characters of one IP address as text; IPv6 needs at most 45
)

// The edition's documents whose rows Package carries, and the exclusion Package.StateSecret claims.
// These are keys of the edition, as policy's step keys are; what they require is the edition's data.
const (
	docHardwareList       = "hardware_list"           // Annex 5: Package.Hardware
	docSoftwareList       = "software_list"           // Annex 6: Package.Software
	docIntegratedList     = "integrated_objects_list" // Annex 4: Package.Integrated
	exclusionStateSecret  = "state_secret"            // §2
	ruleRequest           = "request"                 // Problem.Rule of a body that is not a package
	ruleAnnex2            = "§13, Annex 2"            // the application's own fields
	ruleDocumentReference = "§13"                     // a stored file of the package
)
