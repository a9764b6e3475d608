package attestation_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/policy"
)

// rulesEdition is the default edition: the Rules of 2016 as amended in 2018.
func rulesEdition(t testing.TB) *policy.Edition {
	t.Helper()
	ed, err := policy.Load(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	if ed.ID() != "rules-2016-amended-2018" {
		t.Fatalf("default edition is %s; these tests read the Rules of 2016 as amended in 2018", ed.ID())
	}
	return ed
}

func kzCalendar(t testing.TB) policy.Calendar {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// baselineDocuments lists the documents of §13 for a legal entity's object without cryptography, ICT
// services or integrated objects, read from the seed: the application (Annex 2), the terms of
// reference (§13(2)), the diagrams and note (§13(3)), Annex 3 without item 7 (§13(4)) and the lists
// of hardware and software (§13(6)).
var baselineDocuments = []string{
	"application", "terms_of_reference", "functional_diagram", "network_diagram", "explanatory_note",
	"annex3_01", "annex3_02", "annex3_03", "annex3_04", "annex3_05", "annex3_06", "annex3_08",
	"annex3_09", "annex3_10", "annex3_11", "annex3_12", "annex3_13", "annex3_14", "annex3_15", "annex3_16",
	"hardware_list", "software_list",
}

func storedRef(id string) attestation.DocumentRef {
	sum := sha256.Sum256([]byte(id))
	return attestation.DocumentRef{Key: "uploads/120540001238/draft-1/" + id + ".pdf", SHA256: hex.EncodeToString(sum[:]),
		ContentType: "application/pdf", Size: 20480, Sheets: 3}
}

func hardwareRow(serial string, ips ...string) attestation.HardwareItem {
	return attestation.HardwareItem{
		ManufacturerModel: "Dell PowerEdge R750", SerialNumber: serial, CertificateNumber: "KZ.7500.01.2023",
		Location: "Astana, server room 2", Type: "rack server", Purpose: "application server",
		Protection: "access control, audit logging", IntegratedSoftware: "Dell, iDRAC, 6.10", IPAddresses: ips,
	}
}

func softwareRow(name string, on ...string) attestation.SoftwareItem {
	return attestation.SoftwareItem{Developer: "Canonical", Name: name, Version: "24.04", InstalledOn: on,
		Type: "operating system", Purpose: "server operating system", Protection: "AppArmor"}
}

// validPackage is a complete package of a legal entity's state body system with no flags set.
func validPackage() attestation.Package {
	p := attestation.Package{
		Applicant: attestation.Applicant{Name: "Digital Services LLP", IdentityNumber: "120540001238", Type: attestation.ApplicantLegalEntity},
		Object:    attestation.ObjectInfo{Name: "Register of permits", Kind: "state_is", Developer: "Digital Services LLP"},
		Documents: map[string]attestation.DocumentRef{},
		Hardware:  []attestation.HardwareItem{hardwareRow("INV-0001", "10.10.1.11", "2001:db8::11"), hardwareRow("INV-0002", "10.10.1.12")},
		Software:  []attestation.SoftwareItem{softwareRow("Ubuntu Server", "INV-0001", "INV-0002"), softwareRow("PostgreSQL", "INV-0001")},
	}
	for _, id := range baselineDocuments {
		p.Documents[id] = storedRef(id)
	}
	return p
}

// wantProblem is a problem a test expects: its field, its rule, and words of its message.
type wantProblem struct{ field, rule, says string }

func (w wantProblem) match(p attestation.Problem) bool {
	return p.Field == w.field && p.Rule == w.rule && strings.Contains(p.Message, w.says)
}

// expectProblems checks that problems are exactly the wanted ones, in any order.
func expectProblems(t *testing.T, got []attestation.Problem, wants ...wantProblem) {
	t.Helper()
	used := make([]bool, len(got))
	for _, w := range wants {
		i := slices.IndexFunc(got, w.match)
		for i >= 0 && used[i] {
			j := slices.IndexFunc(got[i+1:], w.match)
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			t.Errorf("missing problem %s [%s] %q", w.field, w.rule, w.says)
			continue
		}
		used[i] = true
	}
	for i, p := range got {
		if !used[i] {
			t.Errorf("unexpected problem %s", p)
		}
		if p.Message == "" || p.Rule == "" {
			t.Errorf("problem %+v lacks a rule or a message", p)
		}
	}
}

func TestPackageCompleteHasNoProblems(t *testing.T) {
	ed := rulesEdition(t)
	expectProblems(t, attestation.ValidatePackage(ed, validPackage()))
	for _, id := range policy.Editions() {
		e, err := policy.Load(id)
		if err != nil {
			t.Fatal(err)
		}
		p := validPackage()
		p.Edition = id
		expectProblems(t, attestation.ValidatePackage(e, p))
	}
}

// TestPar13PackageDocuments covers every document rule of §13 and every flag, on and off.
func TestPar13PackageDocuments(t *testing.T) {
	ed := rulesEdition(t)
	const (
		annex5    = "§13(6), Annex 5, standard §9(6)"
		annex6    = "§13(6), Annex 6, standard §9(6)"
		annex4    = "§13(5), Annex 4, standard §9(5)"
		anIIN     = "920315400457"
		ictFlag   = "flags.usesIctServices is true"
		noICTFlag = "flags.usesIctServices is false"
	)
	ict := func(p *attestation.Package) {
		p.Flags.UsesICTServices = true
		delete(p.Documents, "hardware_list")
		delete(p.Documents, "software_list")
		p.Documents["ict_contract"] = storedRef("ict_contract")
		p.Hardware, p.Software = nil, nil
	}
	integrated := func(p *attestation.Package) {
		p.Flags.HasIntegratedObjects = true
		p.Documents["integrated_objects_list"] = storedRef("integrated_objects_list")
		p.Integrated = []attestation.IntegratedObject{{Name: "E-government gateway", Owner: "National Information Technologies JSC", Interaction: "SOAP requests for permit data"}}
	}
	individual := func(p *attestation.Package) {
		p.Applicant = attestation.Applicant{Name: "Aigerim Seitkali", IdentityNumber: anIIN, Type: attestation.ApplicantIndividual}
		p.Documents["identity_document"] = storedRef("identity_document")
	}
	for _, tc := range []struct {
		name   string
		change func(p *attestation.Package)
		want   []wantProblem
	}{
		{"§13 the baseline package is complete", func(*attestation.Package) {}, nil},
		{"§13 every missing document is listed at once", func(p *attestation.Package) { p.Documents = nil }, func() []wantProblem {
			var ws []wantProblem
			for _, id := range baselineDocuments {
				ws = append(ws, wantProblem{"documents." + id, "", "missing: "})
			}
			return ws
		}()},
		{"§13 Annex 2 the application is required", func(p *attestation.Package) { delete(p.Documents, "application") },
			[]wantProblem{{"documents.application", "§13", "missing: Application for attestation (Annex 2)"}}},
		{"§13(2) the terms of reference are required", func(p *attestation.Package) { delete(p.Documents, "terms_of_reference") },
			[]wantProblem{{"documents.terms_of_reference", "§13(2)", "missing: Copy of the terms of reference"}}},
		{"§13(3) the diagrams and the explanatory note are required", func(p *attestation.Package) {
			delete(p.Documents, "functional_diagram")
			delete(p.Documents, "network_diagram")
			delete(p.Documents, "explanatory_note")
		}, []wantProblem{
			{"documents.functional_diagram", "§13(3)", "missing: General functional diagram"},
			{"documents.network_diagram", "§13(3)", "missing: Local network diagram"},
			{"documents.explanatory_note", "§13(3)", "missing: Explanatory note"},
		}},
		{"§13(4) Annex 3 documents other than 7 are always required", func(p *attestation.Package) {
			delete(p.Documents, "annex3_01")
			delete(p.Documents, "annex3_16")
		}, []wantProblem{
			{"documents.annex3_01", "§13(4), Annex 3", "missing: Information Security Policy"},
			{"documents.annex3_16", "§13(4), Annex 3", "missing: Instructions on the procedure for users"},
		}},
		{"§13(4) Annex 3 document 7 only with cryptographic protection", func(p *attestation.Package) {
			p.Documents["annex3_07"] = storedRef("annex3_07")
		}, []wantProblem{{"documents.annex3_07", "Annex 3 item 7", "not applicable: Rules for the use of cryptographic means"}}},
		{"§13(4) Annex 3 document 7 is required with cryptographic protection", func(p *attestation.Package) {
			p.Flags.UsesCryptography = true
		}, []wantProblem{{"documents.annex3_07", "Annex 3 item 7", "required because the object uses cryptographic means of information protection (flags.usesCryptography is true)"}}},
		{"§13(4) Annex 3 document 7 filed with cryptographic protection", func(p *attestation.Package) {
			p.Flags.UsesCryptography = true
			p.Documents["annex3_07"] = storedRef("annex3_07")
		}, nil},
		{"§13(6) without ICT services the lists of hardware and software are required", func(p *attestation.Package) {
			delete(p.Documents, "hardware_list")
			delete(p.Documents, "software_list")
		}, []wantProblem{
			{"documents.hardware_list", "§13(6)", "missing: List of hardware (Annex 5), required unless the object uses information and communication services (" + noICTFlag + ")"},
			{"documents.software_list", "§13(6)", "missing: List of software (Annex 6)"},
		}},
		{"§13(6) without ICT services the lists have rows", func(p *attestation.Package) { p.Hardware, p.Software = nil, nil }, []wantProblem{
			{"hardware", "§13(6)", "empty: the list of hardware (Annex 5) is part of the package, required unless the object uses information and communication services (flags.usesIctServices is false), so it needs at least one row"},
			{"software", "§13(6)", "empty: the list of software (Annex 6) is part of the package"},
		}},
		{"§13(7) without ICT services the ICT contract is not applicable", func(p *attestation.Package) {
			p.Documents["ict_contract"] = storedRef("ict_contract")
		}, []wantProblem{{"documents.ict_contract", "§13(7)", "not applicable: Contract for the use of information and communication services"}}},
		{"§13(7) with ICT services the contract replaces the lists", ict, nil},
		{"§13(7) with ICT services the contract is required", func(p *attestation.Package) {
			ict(p)
			delete(p.Documents, "ict_contract")
		}, []wantProblem{{"documents.ict_contract", "§13(7)", "required because the object uses information and communication services (" + ictFlag + ")"}}},
		{"§13(7) with ICT services the lists and their rows must be absent", func(p *attestation.Package) {
			p.Flags.UsesICTServices = true
		}, []wantProblem{
			{"documents.ict_contract", "§13(7)", "missing: Contract"},
			{"documents.hardware_list", "§13(6)", "not applicable: List of hardware (Annex 5) is not filed when the object uses information and communication services, and " + ictFlag},
			{"documents.software_list", "§13(6)", "not applicable: List of software (Annex 6)"},
			{"hardware", "§13(6)", "must be empty: the list of hardware (Annex 5) is not filed when the object uses information and communication services"},
			{"software", "§13(6)", "must be empty: the list of software (Annex 6)"},
		}},
		{"§13(5) integrated objects: the Annex 4 list with its rows", integrated, nil},
		{"§13(5) integrated objects: the Annex 4 list is required", func(p *attestation.Package) {
			integrated(p)
			delete(p.Documents, "integrated_objects_list")
			p.Integrated = nil
		}, []wantProblem{
			{"documents.integrated_objects_list", "§13(5)", "required because objects of informatization are integrated with the object (flags.hasIntegratedObjects is true)"},
			{"integrated", "§13(5)", "empty: the list of integrated objects of informatization (Annex 4) is part of the package, required because objects of informatization are integrated with the object (flags.hasIntegratedObjects is true), so it needs at least one row"},
		}},
		{"§13(5) no integrated objects: no Annex 4 list and no rows", func(p *attestation.Package) {
			integrated(p)
			p.Flags.HasIntegratedObjects = false
		}, []wantProblem{
			{"documents.integrated_objects_list", "§13(5)", "not applicable: List of objects of informatization integrated with the object (Annex 4) is filed only when objects of informatization are integrated with the object, and flags.hasIntegratedObjects is false"},
			{"integrated", "§13(5)", "must be empty"},
		}},
		{"§13(1) an individual files the copy of an identity document", individual, nil},
		{"§13(1) an individual without the identity document", func(p *attestation.Package) {
			individual(p)
			delete(p.Documents, "identity_document")
		}, []wantProblem{{"documents.identity_document", "§13(1)", "missing: Copy of an identity document, required because the applicant is an individual (IIN), not a legal entity (BIN) (applicant.type is individual)"}}},
		{"§13(1) a legal entity files no identity document", func(p *attestation.Package) {
			p.Documents["identity_document"] = storedRef("identity_document")
		}, []wantProblem{{"documents.identity_document", "§13(1)", "not applicable: Copy of an identity document is filed only when the applicant is an individual"}}},
		{"§19 a geographically distributed system needs no other document", func(p *attestation.Package) {
			p.Flags.GeographicallyDistributed = true
		}, nil},
		{"§13 every flag on at once", func(p *attestation.Package) {
			ict(p)
			integrated(p)
			individual(p)
			p.Flags.UsesCryptography = true
			p.Flags.GeographicallyDistributed = true
			p.Documents["annex3_07"] = storedRef("annex3_07")
		}, nil},
		{"§13 an unknown document id", func(p *attestation.Package) { p.Documents["annex3_17"] = storedRef("annex3_17") },
			[]wantProblem{{"documents.annex3_17", "§13", `unknown document "annex3_17": not a document of edition rules-2016-amended-2018`}}},
		{"§13 an odd document id is quoted in the field", func(p *attestation.Package) { p.Documents["a b\"c"] = storedRef("x") },
			[]wantProblem{{`documents["a b\"c"]`, "§13", "unknown document"}}},
		{"§13 an overlong document id", func(p *attestation.Package) { p.Documents[strings.Repeat("x", 100)] = storedRef("x") },
			[]wantProblem{{`documents["` + strings.Repeat("x", 64) + `…"]`, "§13", "at most 64 characters"}}},
		{"§24 a document of the case is not filed with the application", func(p *attestation.Package) { p.Documents["survey_act"] = storedRef("survey_act") },
			[]wantProblem{{"documents.survey_act", "§24, §25", "Act of the survey is not filed with the application: it is made during the case"}}},
		{"§13 too many documents", func(p *attestation.Package) {
			for i := range attestation.MaxDocuments {
				p.Documents[fmt.Sprintf("extra_%d", i)] = storedRef("x")
			}
		}, []wantProblem{{"documents", "§13", "86 documents: a package has at most 64"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPackage()
			tc.change(&p)
			got := attestation.ValidatePackage(ed, p)
			if tc.name == "§13 every missing document is listed at once" {
				// Rules differ by document; check the field and the words only.
				for i := range tc.want {
					r, _ := baselineRule(ed, strings.TrimPrefix(tc.want[i].field, "documents."))
					tc.want[i].rule = r
				}
			}
			expectProblems(t, got, tc.want...)
		})
	}
}

// baselineRule is the paragraph of the package rule that requires a document with no flags set.
func baselineRule(ed *policy.Edition, id string) (string, bool) {
	for _, r := range ed.RequiredItems(policy.PackageFlags{}) {
		if r.ID == id {
			return r.Paragraph, true
		}
	}
	return "", false
}

func TestPackagePar13DocumentReference(t *testing.T) {
	ed := rulesEdition(t)
	const rule = "§13(4), Annex 3"
	for _, tc := range []struct {
		name string
		ref  attestation.DocumentRef
		want []wantProblem
	}{
		{"a complete reference", storedRef("annex3_01"), nil},
		{"an upper-case SHA-256 is hexadecimal too", func() attestation.DocumentRef {
			r := storedRef("annex3_01")
			r.SHA256 = strings.ToUpper(r.SHA256)
			return r
		}(), nil},
		{"everything missing", attestation.DocumentRef{}, []wantProblem{
			{"documents.annex3_01.key", rule, "the key of the stored file is missing"},
			{"documents.annex3_01.sha256", rule, "the SHA-256 must be 64 hexadecimal digits, got 0 characters"},
			{"documents.annex3_01.contentType", rule, "the content type is missing"},
			{"documents.annex3_01.size", rule, "the size must be a positive number of bytes, got 0"},
		}},
		{"bad values", attestation.DocumentRef{Key: "a\x00b", SHA256: strings.Repeat("g", 64), ContentType: "pdf", Size: -1, Sheets: -2}, []wantProblem{
			{"documents.annex3_01.key", rule, "control character"},
			{"documents.annex3_01.sha256", rule, "got 64 characters"},
			{"documents.annex3_01.contentType", rule, `the content type "pdf" is not a media type`},
			{"documents.annex3_01.size", rule, "got -1"},
			{"documents.annex3_01.sheets", rule, "got -2"},
		}},
		{"limits", attestation.DocumentRef{Key: strings.Repeat("k", attestation.MaxDocumentKeyBytes+1), SHA256: strings.Repeat("a", 63),
			ContentType: "application/" + strings.Repeat("x", 300), Size: 1, Sheets: attestation.MaxSheets + 1}, []wantProblem{
			{"documents.annex3_01.key", rule, "the key is too long: at most 1024 bytes"},
			{"documents.annex3_01.sha256", rule, "got 63 characters"},
			{"documents.annex3_01.contentType", rule, "too long"},
			{"documents.annex3_01.sheets", rule, "0 (not stated) to 100000"},
		}},
		{"invalid UTF-8 in the key", func() attestation.DocumentRef { r := storedRef("annex3_01"); r.Key = "a\xffb"; return r }(),
			[]wantProblem{{"documents.annex3_01.key", rule, "not valid UTF-8"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPackage()
			p.Documents["annex3_01"] = tc.ref
			expectProblems(t, attestation.ValidatePackage(ed, p), tc.want...)
		})
	}
}

func TestPackageAnnex2ApplicantAndObject(t *testing.T) {
	ed := rulesEdition(t)
	const rule = "§13, Annex 2"
	kinds := "§5(1), §5(2), §5(3), §5(4), §5(5), §6"
	for _, tc := range []struct {
		name   string
		change func(p *attestation.Package)
		want   []wantProblem
	}{
		{"Annex 2 the applicant's name is required", func(p *attestation.Package) { p.Applicant.Name = "  " },
			[]wantProblem{{"applicant.name", rule, "the applicant's name is missing"}}},
		{"Annex 2 BIN/IIN check digit", func(p *attestation.Package) { p.Applicant.IdentityNumber = "120540001239" },
			[]wantProblem{{"applicant.identityNumber", rule, "BIN/IIN check digit is wrong: the 12th digit is 9, the first 11 digits give 8"}}},
		{"Annex 2 BIN/IIN is 12 digits", func(p *attestation.Package) { p.Applicant.IdentityNumber = "1205400012" },
			[]wantProblem{{"applicant.identityNumber", rule, "BIN/IIN must be 12 digits, got 10 characters"}}},
		{"Annex 2 BIN/IIN missing", func(p *attestation.Package) { p.Applicant.IdentityNumber = "" },
			[]wantProblem{{"applicant.identityNumber", rule, "BIN/IIN is empty"}}},
		{"Annex 2 BIN/IIN absurdly long", func(p *attestation.Package) { p.Applicant.IdentityNumber = strings.Repeat("1", 10000) },
			[]wantProblem{{"applicant.identityNumber", rule, "BIN/IIN must be 12 digits, got 10000 bytes"}}},
		{"Annex 2 the applicant's type is required", func(p *attestation.Package) { p.Applicant.Type = "" },
			[]wantProblem{{"applicant.type", rule, `the applicant's type is missing: "legal_entity" (BIN) or "individual" (IIN)`}}},
		{"Annex 2 an unknown applicant type", func(p *attestation.Package) { p.Applicant.Type = "company" },
			[]wantProblem{{"applicant.type", rule, `unknown applicant type "company"`}}},
		{"Annex 2 an individual with a resident legal entity's BIN", func(p *attestation.Package) {
			p.Applicant.Type = attestation.ApplicantIndividual
			p.Documents["identity_document"] = storedRef("identity_document")
		}, []wantProblem{{"applicant.type", rule, "the 5th digit 4 of the number marks the BIN of a resident legal entity"}}},
		{"Annex 2 an individual with a non-resident legal entity's BIN", func(p *attestation.Package) {
			p.Applicant = attestation.Applicant{Name: "A", IdentityNumber: "050550001237", Type: attestation.ApplicantIndividual}
			p.Documents["identity_document"] = storedRef("identity_document")
		}, []wantProblem{{"applicant.type", rule, "the 5th digit 5 of the number marks the BIN of a non-resident legal entity"}}},
		{"Annex 2 individual entrepreneurs in joint entrepreneurship may file as individuals", func(p *attestation.Package) {
			p.Applicant = attestation.Applicant{Name: "A", IdentityNumber: "120660000173", Type: attestation.ApplicantIndividual}
			p.Documents["identity_document"] = storedRef("identity_document")
		}, nil},
		{"Annex 2 a legal entity with a non-resident legal entity's BIN", func(p *attestation.Package) { p.Applicant.IdentityNumber = "050550001237" }, nil},
		{"Annex 2 a legal entity files with a BIN, never an individual's IIN", func(p *attestation.Package) { p.Applicant.IdentityNumber = "880101300123" },
			[]wantProblem{{"applicant.identityNumber", rule, "the applicant is declared a legal entity, but the number is not the BIN of a legal entity: the 5th digit 0 marks an individual's IIN"}}},
		{"Annex 2 individual entrepreneurs in joint entrepreneurship are not a legal entity", func(p *attestation.Package) { p.Applicant.IdentityNumber = "120660000173" },
			[]wantProblem{{"applicant.identityNumber", rule, "the 5th digit 6 marks the BIN of individual entrepreneurs in joint entrepreneurship"}}},
		{"Annex 2 an individual files with an IIN", func(p *attestation.Package) {
			p.Applicant = attestation.Applicant{Name: "Aigerim Seitkali", IdentityNumber: "880101300123", Type: attestation.ApplicantIndividual}
			p.Documents["identity_document"] = storedRef("identity_document")
		}, nil},
		{"Annex 2 a number neither an IIN nor a BIN", func(p *attestation.Package) { p.Applicant.IdentityNumber = "000000000000" },
			[]wantProblem{{"applicant.identityNumber", rule, "BIN/IIN structure is wrong"}}},
		{"Annex 2 the object's name is required", func(p *attestation.Package) { p.Object.Name = "" },
			[]wantProblem{{"object.name", rule, "the object's name is missing"}}},
		{"Annex 2 the object's name is limited", func(p *attestation.Package) { p.Object.Name = strings.Repeat("я", attestation.MaxNameLength+1) },
			[]wantProblem{{"object.name", rule, "the object's name is too long: at most 500 characters"}}},
		{"Annex 2 the object's name may use every one of its 500 characters", func(p *attestation.Package) { p.Object.Name = strings.Repeat("я", attestation.MaxNameLength) }, nil},
		{"Annex 2 the developer is optional", func(p *attestation.Package) { p.Object.Developer = "" }, nil},
		{"§5 the object's kind is required", func(p *attestation.Package) { p.Object.Kind = "" },
			[]wantProblem{{"object.kind", kinds, "the object's kind is missing: one of state_is, state_entity_is"}}},
		{"§5 an unknown object kind", func(p *attestation.Package) { p.Object.Kind = "bank_is" },
			[]wantProblem{{"object.kind", kinds, `unknown object kind "bank_is"`}}},
		{"edition named by the service must match", func(p *attestation.Package) { p.Edition = "law-2015-art51" },
			[]wantProblem{{"", "request", `the package names edition "law-2015-art51" but is checked under "rules-2016-amended-2018"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPackage()
			tc.change(&p)
			expectProblems(t, attestation.ValidatePackage(ed, p), tc.want...)
		})
	}
	t.Run("§5 §6 every kind of the edition", func(t *testing.T) {
		for _, k := range ed.Kinds() {
			p := validPackage()
			p.Object.Kind = k.ID
			expectProblems(t, attestation.ValidatePackage(ed, p))
		}
	})
	t.Run("no edition", func(t *testing.T) {
		expectProblems(t, attestation.ValidatePackage(nil, validPackage()), wantProblem{"", "request", "no policy edition"})
	})
}

func TestPackageAnnex5Hardware(t *testing.T) {
	ed := rulesEdition(t)
	const rule = "§13(6), Annex 5, standard §9(6)"
	columns := []struct {
		field, label string
		clear        func(h *attestation.HardwareItem)
	}{
		{"manufacturerModel", "manufacturer, model (Annex 5 column 2)", func(h *attestation.HardwareItem) { h.ManufacturerModel = "" }},
		{"serialNumber", "serial/inventory number (Annex 5 column 3)", func(h *attestation.HardwareItem) { h.SerialNumber = "" }},
		{"location", "physical location (Annex 5 column 5)", func(h *attestation.HardwareItem) { h.Location = "" }},
		{"type", "type (Annex 5 column 6)", func(h *attestation.HardwareItem) { h.Type = "" }},
		{"purpose", "main functional purpose (Annex 5 column 7)", func(h *attestation.HardwareItem) { h.Purpose = "" }},
		{"protection", "methods of information protection (Annex 5 column 8)", func(h *attestation.HardwareItem) { h.Protection = " \t" }},
	}
	for _, c := range columns {
		t.Run("Annex 5 "+c.label+" is required", func(t *testing.T) {
			p := validPackage()
			c.clear(&p.Hardware[1])
			ws := []wantProblem{{"hardware[1]." + c.field, rule, c.label + " is missing"}}
			if c.field == "serialNumber" {
				// The software row installed on INV-0002 now names no hardware row.
				ws = append(ws, wantProblem{"software[0].installedOn[1]", "§13(6), Annex 6, standard §9(6)", `no row of the list of hardware has serial/inventory number "INV-0002"`})
			}
			expectProblems(t, attestation.ValidatePackage(ed, p), ws...)
		})
	}
	for _, tc := range []struct {
		name   string
		change func(p *attestation.Package)
		want   []wantProblem
	}{
		{"Annex 5 column 4 (certificate, if any), 9 (integrated software) and 10 (IP addresses) are optional", func(p *attestation.Package) {
			p.Hardware[0].CertificateNumber, p.Hardware[0].IntegratedSoftware, p.Hardware[0].IPAddresses = "", "", nil
		}, nil},
		{"Annex 5 IPv4 and IPv6 addresses", func(p *attestation.Package) {
			p.Hardware[0].IPAddresses = []string{"192.0.2.1", "2001:db8::1", "fe80::1", "::1", "127.0.0.1", "10.0.0.1"}
		}, nil},
		{"Annex 5 each invalid address is named", func(p *attestation.Package) {
			p.Hardware[0].IPAddresses = []string{"10.0.0.1", "10.0.0.256", "2001:db8::g", "", "10.0.0.0/24", "fe80::1%eth0", "0.0.0.0", "::", "224.0.0.1", " 10.0.0.2", strings.Repeat("1", 65)}
		}, []wantProblem{
			{"hardware[0].ipAddresses[1]", rule, `"10.0.0.256" is not an IPv4 or IPv6 address`},
			{"hardware[0].ipAddresses[2]", rule, `"2001:db8::g" is not an IPv4 or IPv6 address`},
			{"hardware[0].ipAddresses[3]", rule, "the IP address is empty"},
			{"hardware[0].ipAddresses[4]", rule, `"10.0.0.0/24" is a network prefix`},
			{"hardware[0].ipAddresses[5]", rule, `"fe80::1%eth0" has an IPv6 zone: give the address without %eth0`},
			{"hardware[0].ipAddresses[6]", rule, `"0.0.0.0" is the unspecified address`},
			{"hardware[0].ipAddresses[7]", rule, `"::" is the unspecified address`},
			{"hardware[0].ipAddresses[8]", rule, `"224.0.0.1" is a multicast address`},
			{"hardware[0].ipAddresses[9]", rule, `" 10.0.0.2" is not an IPv4 or IPv6 address`},
			{"hardware[0].ipAddresses[10]", rule, "not an IP address: 65 characters"},
		}},
		{"Annex 5 no address twice within a row", func(p *attestation.Package) {
			p.Hardware[0].IPAddresses = []string{"10.0.0.1", "2001:db8::1", "10.0.0.1", "::ffff:10.0.0.1", "2001:DB8:0::1"}
		}, []wantProblem{
			{"hardware[0].ipAddresses[2]", rule, `"10.0.0.1" is listed twice in this row: it is also hardware[0].ipAddresses[0]`},
			{"hardware[0].ipAddresses[3]", rule, `"::ffff:10.0.0.1" is listed twice in this row: it is also hardware[0].ipAddresses[0]`},
			{"hardware[0].ipAddresses[4]", rule, `"2001:DB8:0::1" is listed twice in this row: it is also hardware[0].ipAddresses[1]`},
		}},
		{"Annex 5 the same address on two rows is allowed (a shared virtual address)", func(p *attestation.Package) {
			p.Hardware[1].IPAddresses = p.Hardware[0].IPAddresses
		}, nil},
		{"Annex 5 too many addresses in a row", func(p *attestation.Package) {
			p.Hardware[0].IPAddresses = make([]string, attestation.MaxIPAddresses+1)
		}, []wantProblem{{"hardware[0].ipAddresses", rule, "65 IP addresses: a row has at most 64"}}},
		{"Annex 5 serial/inventory numbers are unique", func(p *attestation.Package) { p.Hardware[1].SerialNumber = " INV-0001 " },
			[]wantProblem{
				{"hardware[1].serialNumber", rule, `serial/inventory number "INV-0001" is also hardware[0]'s`},
				{"software[0].installedOn[1]", "§13(6), Annex 6, standard §9(6)", `"INV-0002"`},
			}},
		{"Annex 5 texts are limited", func(p *attestation.Package) {
			p.Hardware[0].Purpose = strings.Repeat("x", attestation.MaxTextLength+1)
			p.Hardware[0].CertificateNumber = strings.Repeat("x", attestation.MaxNameLength+1)
		}, []wantProblem{
			{"hardware[0].purpose", rule, "main functional purpose (Annex 5 column 7) is too long: at most 2000 characters"},
			{"hardware[0].certificateNumber", rule, "information security certificate number (Annex 5 column 4) is too long: at most 500 characters"},
		}},
		{"Annex 5 texts are UTF-8", func(p *attestation.Package) { p.Hardware[0].Location = "Astana \xff" },
			[]wantProblem{{"hardware[0].location", rule, "physical location (Annex 5 column 5) is not valid UTF-8 text"}}},
		{"Annex 5 too many rows", func(p *attestation.Package) {
			p.Hardware = make([]attestation.HardwareItem, attestation.MaxHardwareItems+1)
		}, []wantProblem{{"hardware", rule, "1001 rows: the list of hardware (Annex 5) has at most 1000"}}},
		{"Annex 5 every problem of every row at once", func(p *attestation.Package) {
			p.Hardware = append(p.Hardware, attestation.HardwareItem{IPAddresses: []string{"x"}})
		}, []wantProblem{
			{"hardware[2].manufacturerModel", rule, "missing"}, {"hardware[2].serialNumber", rule, "missing"},
			{"hardware[2].location", rule, "missing"}, {"hardware[2].type", rule, "missing"},
			{"hardware[2].purpose", rule, "missing"}, {"hardware[2].protection", rule, "missing"},
			{"hardware[2].ipAddresses[0]", rule, `"x" is not an IPv4 or IPv6 address`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPackage()
			tc.change(&p)
			expectProblems(t, attestation.ValidatePackage(ed, p), tc.want...)
		})
	}
}

func TestPackageAnnex6Software(t *testing.T) {
	ed := rulesEdition(t)
	const rule = "§13(6), Annex 6, standard §9(6)"
	columns := []struct {
		field, label string
		clear        func(s *attestation.SoftwareItem)
	}{
		{"developer", "developer (Annex 6 column 2)", func(s *attestation.SoftwareItem) { s.Developer = "" }},
		{"name", "name (Annex 6 column 3)", func(s *attestation.SoftwareItem) { s.Name = "" }},
		{"version", "version (Annex 6 column 4)", func(s *attestation.SoftwareItem) { s.Version = "" }},
		{"type", "type (Annex 6 column 6)", func(s *attestation.SoftwareItem) { s.Type = "" }},
		{"purpose", "main functional purpose (Annex 6 column 7)", func(s *attestation.SoftwareItem) { s.Purpose = "" }},
		{"protection", "methods of information protection (Annex 6 column 8)", func(s *attestation.SoftwareItem) { s.Protection = "" }},
	}
	for _, c := range columns {
		t.Run("Annex 6 "+c.label+" is required", func(t *testing.T) {
			p := validPackage()
			c.clear(&p.Software[1])
			expectProblems(t, attestation.ValidatePackage(ed, p), wantProblem{"software[1]." + c.field, rule, c.label + " is missing"})
		})
	}
	for _, tc := range []struct {
		name   string
		change func(p *attestation.Package)
		want   []wantProblem
	}{
		{"Annex 6 column 5 the place of installation is required", func(p *attestation.Package) { p.Software[1].InstalledOn = nil },
			[]wantProblem{{"software[1].installedOn", rule, "place of installation (Annex 6 column 5) is missing: give the serial/inventory number of a row of the list of hardware"}}},
		{"Annex 6 column 5 the place of installation is a row of the list of hardware", func(p *attestation.Package) {
			p.Software[1].InstalledOn = []string{"INV-0001", "INV-0003", "inv-0002"}
		}, []wantProblem{
			{"software[1].installedOn[1]", rule, `no row of the list of hardware has serial/inventory number "INV-0003"`},
			{"software[1].installedOn[2]", rule, `no row of the list of hardware has serial/inventory number "inv-0002"`},
		}},
		{"Annex 6 column 5 surrounding spaces do not matter", func(p *attestation.Package) { p.Software[1].InstalledOn = []string{" INV-0002 "} }, nil},
		{"Annex 6 column 5 each place once", func(p *attestation.Package) { p.Software[1].InstalledOn = []string{"INV-0001", "", "INV-0001"} },
			[]wantProblem{
				{"software[1].installedOn[1]", rule, "place of installation is empty"},
				{"software[1].installedOn[2]", rule, `hardware "INV-0001" is listed twice: it is also software[1].installedOn[0]`},
			}},
		{"Annex 6 column 5 limited", func(p *attestation.Package) {
			p.Software[1].InstalledOn = make([]string, attestation.MaxInstallPlaces+1)
		}, []wantProblem{{"software[1].installedOn", rule, "257 places of installation: a row has at most 256"}}},
		{"Annex 6 too many rows", func(p *attestation.Package) {
			p.Software = make([]attestation.SoftwareItem, attestation.MaxSoftwareItems+1)
		},
			[]wantProblem{{"software", rule, "2001 rows: the list of software (Annex 6) has at most 2000"}}},
		{"Annex 6 references are not checked against a hardware list that is itself wrong", func(p *attestation.Package) { p.Hardware = nil },
			[]wantProblem{{"hardware", "§13(6)", "empty"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validPackage()
			tc.change(&p)
			expectProblems(t, attestation.ValidatePackage(ed, p), tc.want...)
		})
	}
}

func TestPackageAnnex4IntegratedObjects(t *testing.T) {
	ed := rulesEdition(t)
	const rule = "§13(5), Annex 4, standard §9(5)"
	withList := func(rows ...attestation.IntegratedObject) attestation.Package {
		p := validPackage()
		p.Flags.HasIntegratedObjects = true
		p.Documents["integrated_objects_list"] = storedRef("integrated_objects_list")
		p.Integrated = rows
		return p
	}
	full := attestation.IntegratedObject{Name: "State database Legal entities", Owner: "Ministry of Justice", Interaction: "reads registration data through the e-government gateway"}
	for _, tc := range []struct {
		name string
		p    attestation.Package
		want []wantProblem
	}{
		{"Annex 4 a complete row", withList(full), nil},
		{"Annex 4 name, owner and nature of interaction are required", withList(full, attestation.IntegratedObject{}), []wantProblem{
			{"integrated[1].name", rule, "name of the object of informatization (Annex 4 column 2) is missing"},
			{"integrated[1].owner", rule, "possessor (owner) (Annex 4 column 3) is missing"},
			{"integrated[1].interaction", rule, "nature of interaction (Annex 4 column 4) is missing"},
		}},
		{"Annex 4 texts are limited", withList(attestation.IntegratedObject{Name: "x", Owner: "y", Interaction: strings.Repeat("z", attestation.MaxTextLength+1)}),
			[]wantProblem{{"integrated[0].interaction", rule, "too long: at most 2000 characters"}}},
		{"Annex 4 too many rows", withList(make([]attestation.IntegratedObject, attestation.MaxIntegratedItems+1)...),
			[]wantProblem{{"integrated", rule, "501 rows: the list of integrated objects of informatization (Annex 4) has at most 500"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, attestation.ValidatePackage(ed, tc.p), tc.want...)
		})
	}
}

func TestParsePackage(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "packages", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body string
		want       []wantProblem
	}{
		{"a package", string(valid), nil},
		{"null decodes to an empty package", "null", nil},
		{"empty body", " \n", []wantProblem{{"", "request", "the body is empty"}}},
		{"not JSON", "{applicant}", []wantProblem{{"", "request", "not valid JSON at byte 2"}}},
		{"truncated", `{"applicant": {"name": "x"`, []wantProblem{{"", "request", "the JSON ends too early"}}},
		{"not an object", `[{}]`, []wantProblem{{"", "request", "the package must be a JSON object, not an array"}}},
		{"a string", `"package"`, []wantProblem{{"", "request", "the package must be a JSON object, not a string"}}},
		{"unknown field", `{"applicant": {"bin": "120540001238"}}`, []wantProblem{{"", "request", `unknown field "bin": the package has no such field`}}},
		{"the edition is not the client's", `{"Edition": "law-2015-art51"}`, []wantProblem{{"", "request", `unknown field "Edition"`}}},
		{"wrong type", `{"hardware": {}}`, []wantProblem{{"hardware", "request", "must be an array, not an object"}}},
		{"wrong type inside a row", `{"hardware": [{"ipAddresses": [10]}]}`, []wantProblem{{"hardware.ipAddresses", "request", "must be a string, not a number"}}},
		{"size out of range", `{"documents": {"application": {"size": 1e30}}}`, []wantProblem{{"documents.size", "request", "must be a whole number in range, not the number 1e30"}}},
		{"a flag as a string", `{"flags": {"usesCryptography": "yes"}}`, []wantProblem{{"flags.usesCryptography", "request", "must be true or false, not a string"}}},
		{"trailing data", `{} {}`, []wantProblem{{"", "request", "unexpected data after the package at byte 2"}}},
		{"too large", `{"object": {"name": "` + strings.Repeat("x", attestation.MaxPackageBytes) + `"}}`, []wantProblem{{"", "request", "a package is at most 4194304 bytes"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, got := attestation.ParsePackage([]byte(tc.body))
			expectProblems(t, got, tc.want...)
			if len(got) > 0 && !sameJSON(t, p, attestation.Package{}) {
				t.Errorf("a body with problems gave a package %+v", p)
			}
		})
	}
}

func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

// TestPackageTestdata pins the example bodies: valid*.json has no problem, broken-*.json at least one.
func TestPackageTestdata(t *testing.T) {
	ed := rulesEdition(t)
	files, err := filepath.Glob(filepath.Join("testdata", "packages", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata packages: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, problems := attestation.ParsePackage(data)
			if problems == nil {
				problems = attestation.ValidatePackage(ed, p)
			}
			switch base := filepath.Base(f); {
			case strings.HasPrefix(base, "valid"):
				expectProblems(t, problems)
				if !sameJSON(t, p, decodeLoose(t, data)) {
					t.Error("the package does not round-trip through JSON")
				}
			case strings.HasPrefix(base, "broken-"):
				if len(problems) == 0 {
					t.Error("a broken package gave no problem")
				}
				for _, pr := range problems {
					t.Log(pr)
				}
			default:
				t.Errorf("name testdata packages valid*.json or broken-*.json, not %s", base)
			}
		})
	}
}

func decodeLoose(t *testing.T, data []byte) attestation.Package {
	t.Helper()
	var p attestation.Package
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// almatyWall is a wall-clock moment in Kazakhstan.
func almatyWall(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestPar12FilingAfterWindowRefused(t *testing.T) {
	ed, cal := rulesEdition(t), kzCalendar(t)
	// The premise: November 1, 2026 is a Sunday, so the window closes at the end of Monday, November 2.
	if wd := almatyWall(t, "2026-11-01 12:00").Weekday(); wd != time.Sunday {
		t.Fatalf("2026-11-01 is a %s", wd)
	}
	closes, err := ed.ApplicationWindowCloses(cal, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if want := almatyWall(t, "2026-11-02 23:59").Add(59 * time.Second); !closes.Equal(want) {
		t.Fatalf("the 2026 window closes at %s, want %s", closes, want)
	}
	late := func(filed, received string) []wantProblem {
		return []wantProblem{{"", "§12", "not accepted: applications of 2026 are accepted no later than November 1 (§12), moved to the next working day when it is a day off, that is until 2026-11-02 23:59:59 +05; this filing, made at " + filed + " +05, counts as received at " + received + " +05, after the window closed"}}
	}
	for _, tc := range []struct {
		name, filed string
		want        []wantProblem
	}{
		{"§12 a filing on Monday 2026-11-02 is accepted: November 1 is a Sunday", "2026-11-02 10:00", nil},
		{"§12 a filing at 17:29 on the last day is accepted", "2026-11-02 17:29", nil},
		{"§12 a filing on the Sunday, November 1, counts on Monday morning and is accepted", "2026-11-01 15:00", nil},
		{"§12 a filing in the lunch break of the last day counts after lunch and is accepted", "2026-11-02 13:30", nil},
		{"§12 a filing at 18:00 on the last day counts the next working morning and is refused", "2026-11-02 18:00", late("2026-11-02 18:00:00", "2026-11-03 09:00:00")},
		{"§12 a filing at 17:30 on the last day is after the acceptance hours and is refused", "2026-11-02 17:30", late("2026-11-02 17:30:00", "2026-11-03 09:00:00")},
		{"§12 a filing on 2026-11-03 is refused", "2026-11-03 10:00", late("2026-11-03 10:00:00", "2026-11-03 10:00:00")},
		{"§12 a filing in December is refused, not carried to the next year", "2026-12-15 11:00", late("2026-12-15 11:00:00", "2026-12-15 11:00:00")},
		{"§12 a filing on December 31 after hours is received in January and belongs to the new year", "2026-12-31 19:00", nil},
		{"§12 a filing in January is in the new year's window", "2027-01-05 10:00", nil},
		{"§12 a filing in early 2026 is accepted", "2026-02-10 10:00", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectProblems(t, attestation.CheckSubmission(ed, cal, validPackage(), almatyWall(t, tc.filed)), tc.want...)
		})
	}
	t.Run("§12 the moment is compared, not the time zone", func(t *testing.T) {
		// 2026-11-02 18:00 in Almaty (UTC+5) is 13:00 UTC.
		filed := time.Date(2026, time.November, 2, 13, 0, 0, 0, time.UTC)
		expectProblems(t, attestation.CheckSubmission(ed, cal, validPackage(), filed), late("2026-11-02 18:00:00", "2026-11-03 09:00:00")...)
	})
	t.Run("§12 no calendar", func(t *testing.T) {
		expectProblems(t, attestation.CheckSubmission(ed, nil, validPackage(), almatyWall(t, "2026-11-02 10:00")),
			wantProblem{"", "§12", "cannot check the application window: no working-day calendar"})
	})
	t.Run("§12 a year the calendar does not know", func(t *testing.T) {
		got := attestation.CheckSubmission(ed, cal, validPackage(), almatyWall(t, "2040-03-02 10:00"))
		expectProblems(t, got, wantProblem{"", "§12", "cannot tell when the authority receives a filing made at 2040-03-02T05:00:00Z"})
	})
}

func TestPar2StateSecretRefused(t *testing.T) {
	ed, cal := rulesEdition(t), kzCalendar(t)
	p := validPackage()
	p.StateSecret = true
	expectProblems(t, attestation.CheckSubmission(ed, cal, p, almatyWall(t, "2026-06-01 10:00")),
		wantProblem{"stateSecret", "§2", "not accepted: the regulation does not apply to information systems in secure execution classified as state secrets"})
	t.Run("§2 the flag is not a package problem", func(t *testing.T) {
		expectProblems(t, attestation.ValidatePackage(ed, p))
	})
}

func TestSubmissionExemptKindIsVoluntaryNotRefused(t *testing.T) {
	ed, cal := rulesEdition(t), kzCalendar(t)
	for _, k := range ed.Kinds() {
		xs, err := ed.ExemptionsFor(k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(xs) == 0 {
			continue
		}
		t.Run("§5 "+k.ID+" may be exempt and is still accepted", func(t *testing.T) {
			p := validPackage()
			p.Object.Kind = k.ID
			expectProblems(t, attestation.CheckSubmission(ed, cal, p, almatyWall(t, "2026-06-01 10:00")))
		})
	}
}

func TestSubmissionListsEveryProblemAtOnce(t *testing.T) {
	ed, cal := rulesEdition(t), kzCalendar(t)
	p := validPackage()
	p.StateSecret = true
	p.Applicant.IdentityNumber = "120540001230"
	delete(p.Documents, "annex3_05")
	p.Hardware[0].IPAddresses = []string{"300.1.1.1"}
	expectProblems(t, attestation.CheckSubmission(ed, cal, p, almatyWall(t, "2026-11-03 09:30")),
		wantProblem{"stateSecret", "§2", "state secrets"},
		wantProblem{"", "§12", "after the window closed"},
		wantProblem{"applicant.identityNumber", "§13, Annex 2", "check digit is wrong"},
		wantProblem{"documents.annex3_05", "§13(4), Annex 3", "missing: Rules for inventory and passportization"},
		wantProblem{"hardware[0].ipAddresses[0]", "§13(6), Annex 5, standard §9(6)", `"300.1.1.1"`},
	)
	t.Run("no edition", func(t *testing.T) {
		expectProblems(t, attestation.CheckSubmission(nil, cal, p, time.Now()), wantProblem{"", "request", "no policy edition"})
	})
}

func TestPackageProblemsAreStable(t *testing.T) {
	ed := rulesEdition(t)
	p := validPackage()
	p.Documents = map[string]attestation.DocumentRef{"zeta": {}, "alpha": {}, "annex3_02": {}, "survey_act": {}}
	first := attestation.ValidatePackage(ed, p)
	for range 20 {
		if got := attestation.ValidatePackage(ed, p); !slices.Equal(got, first) {
			t.Fatalf("problems in another order:\n%v\n%v", got, first)
		}
	}
}

// FuzzValidatePackage feeds any body through ParsePackage and ValidatePackage: they never panic,
// every problem has a rule and a message, a body that is not JSON always has a problem, and a
// package with no problem really is complete.
func FuzzValidatePackage(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "packages", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "{", "[]", `{"hardware":[{"ipAddresses":["::ffff:0:0","1.2.3.4%x"]}]}`,
		`{"documents":{"":{}}}`, `{"software":[{"installedOn":[""]}]}`, "\xff", `{"applicant":{"identityNumber":"١٢٠٥٤٠٠٠١٢٣٨"}}`} {
		f.Add([]byte(s))
	}
	ed := rulesEdition(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, problems := attestation.ParsePackage(data)
		if problems != nil {
			if !json.Valid(data) || len(data) > attestation.MaxPackageBytes {
				return // expected
			}
			for _, pr := range problems {
				if pr.Rule != "request" || pr.Message == "" {
					t.Errorf("decoding problem %+v", pr)
				}
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("a body that is not JSON decoded without a problem: %q", data)
		}
		problems = attestation.ValidatePackage(ed, p)
		for _, pr := range problems {
			if pr.Rule == "" || pr.Message == "" {
				t.Errorf("problem %+v lacks a rule or a message", pr)
			}
		}
		if again := attestation.ValidatePackage(ed, p); !slices.Equal(again, problems) {
			t.Errorf("two runs disagree:\n%v\n%v", problems, again)
		}
		if len(problems) > 0 {
			return
		}
		// No problem: check completeness independently.
		if err := attestation.ValidIdentityNumber(p.Applicant.IdentityNumber); err != nil {
			t.Errorf("accepted an invalid BIN/IIN: %v", err)
		}
		if _, err := ed.Kind(p.Object.Kind); err != nil {
			t.Errorf("accepted an unknown kind: %v", err)
		}
		for _, r := range ed.RequiredItems(p.PolicyFlags()) {
			if _, ok := p.Documents[r.ID]; !ok {
				t.Errorf("accepted a package without %s", r.ID)
			}
		}
		if len(p.Documents) != len(ed.RequiredItems(p.PolicyFlags())) {
			t.Errorf("accepted %d documents for %d required", len(p.Documents), len(ed.RequiredItems(p.PolicyFlags())))
		}
		if p.Flags.UsesICTServices != (len(p.Hardware) == 0) || p.Flags.UsesICTServices != (len(p.Software) == 0) {
			t.Errorf("accepted hardware/software rows that do not follow usesIctServices")
		}
		if p.Flags.HasIntegratedObjects != (len(p.Integrated) > 0) {
			t.Errorf("accepted integrated rows that do not follow hasIntegratedObjects")
		}
	})
}

// realisticPackage has 50 hardware rows with two addresses each and 100 software rows installed
// on one to three of them.
func realisticPackage() attestation.Package {
	p := validPackage()
	p.Flags.UsesCryptography, p.Flags.HasIntegratedObjects = true, true
	p.Documents["annex3_07"] = storedRef("annex3_07")
	p.Documents["integrated_objects_list"] = storedRef("integrated_objects_list")
	p.Hardware, p.Software = nil, nil
	for i := range 50 {
		p.Hardware = append(p.Hardware, hardwareRow(fmt.Sprintf("INV-%04d", i), fmt.Sprintf("10.20.%d.%d", i/250, i%250+1), fmt.Sprintf("2001:db8:20::%x", i+1)))
	}
	for i := range 100 {
		on := []string{fmt.Sprintf("INV-%04d", i%50)}
		for j := 1; j <= i%3; j++ {
			on = append(on, fmt.Sprintf("INV-%04d", (i+j*7)%50))
		}
		p.Software = append(p.Software, softwareRow(fmt.Sprintf("component %d", i), on...))
	}
	for i := range 10 {
		p.Integrated = append(p.Integrated, attestation.IntegratedObject{Name: fmt.Sprintf("system %d", i), Owner: "Ministry", Interaction: "exchange through the gateway"})
	}
	return p
}

func TestPackageRealisticIsValid(t *testing.T) {
	expectProblems(t, attestation.ValidatePackage(rulesEdition(t), realisticPackage()))
}

func BenchmarkValidatePackage(b *testing.B) {
	ed, p := rulesEdition(b), realisticPackage()
	b.ReportAllocs()
	for b.Loop() {
		if got := attestation.ValidatePackage(ed, p); len(got) != 0 {
			b.Fatal(got)
		}
	}
}
