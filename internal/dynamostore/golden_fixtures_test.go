package dynamostore

import (
	"time"

	"attestation/internal/attestation"
	"attestation/internal/complaints"
	"attestation/internal/identity"
	"attestation/internal/objects"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// The domain values of the golden items (testdata/golden): each "full" value sets every exported
// field, nested ones too (TestGoldenFixturesAreFull checks it), so that every stored attribute
// appears in its golden item; the "minimal" ones leave the optional parts out, so that the
// golden items also pin what an absent pointer, slice or map is stored as.

func goldenAt(day, hour int) time.Time {
	return time.Date(2026, 3, day, hour, 30, 15, 120000000, time.UTC)
}

func goldenAtPtr(day, hour int) *time.Time { t := goldenAt(day, hour); return &t }

func goldenDocument(kind, step string) attestation.Document {
	return attestation.Document{Kind: kind, Key: "cases/C-0001/" + kind + ".pdf", VersionID: "v-" + kind,
		SHA256: "a3f1c9e0b7d24c5a8e6f0d1b2c3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f", Step: step, SentAt: goldenAtPtr(20, 9)}
}

func goldenTerms() *attestation.CertificateTerms {
	return &attestation.CertificateTerms{InformationCategory: attestation.InformationRestricted,
		InformationText:   &attestation.Text{KK: "шектеулі ақпарат", RU: "информация ограниченного доступа", EN: "restricted information"},
		Prohibitions:      []attestation.Text{{KK: "тыйым", RU: "запрет", EN: "no Internet connection"}},
		NotifiableChanges: []attestation.Text{{KK: "өзгеріс", RU: "изменение", EN: "the network's boundary"}},
		Chairman:          attestation.Chairman{Name: "A. Chairman", Position: attestation.Text{KK: "Төраға", RU: "Председатель", EN: "Chairman"}}}
}

func goldenPackage() attestation.Package {
	return attestation.Package{Edition: "rules-2016-amended-2018",
		Applicant: attestation.Applicant{Name: "Data Centre LLP", IdentityNumber: "120540001238", Type: attestation.ApplicantLegalEntity},
		Object:    attestation.ObjectInfo{ID: "O-00112233aabbccdd", Name: "Registry", Kind: "state_is", Developer: "Dev LLP"},
		Flags: attestation.ObjectFlags{UsesCryptography: true, UsesICTServices: true, HasIntegratedObjects: true,
			GeographicallyDistributed: true},
		StateSecret: true,
		Documents: map[string]attestation.DocumentRef{"annex3_01": {Key: "documents/U-0123456789abcdef0123456789abcdef",
			SHA256: "a3f1c9e0b7d24c5a8e6f0d1b2c3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f", ContentType: "application/pdf",
			Size: 123456, Sheets: 12, VersionID: "v-annex3_01"}},
		Hardware: []attestation.HardwareItem{{ManufacturerModel: "Vendor X1", SerialNumber: "SN-1", CertificateNumber: "IS-7",
			Location: "Astana, room 1", Type: "server", Purpose: "database", Protection: "firewall", IntegratedSoftware: "BIOS 1.2",
			IPAddresses: []string{"10.0.0.1", "fd00::1"}}},
		Software: []attestation.SoftwareItem{{Developer: "Vendor", Name: "DBMS", Version: "15", InstalledOn: []string{"SN-1"},
			Type: "database", Purpose: "storage", Protection: "access control"}},
		Integrated: []attestation.IntegratedObject{{Name: "E-gov gateway", Owner: "Ministry", Interaction: "messages"}}}
}

// goldenCase is a case with every member set: an open step, the last decision with all its
// parts, the acts, the terms.
func goldenCase() attestation.Case {
	pkg := goldenDocument("package", "submitted")
	receipt := goldenDocument("receipt", "submitted")
	return attestation.Case{ID: "C-0001", OrganizationBIN: "120540001238", ApplicantName: "Data Centre LLP",
		ObjectName: "Registry", ObjectKind: "state_is", Developer: "Dev LLP",
		Flags: attestation.ObjectFlags{UsesCryptography: true, UsesICTServices: true, HasIntegratedObjects: true,
			GeographicallyDistributed: true},
		Distributed: true, Package: &pkg, Edition: "rules-2016-amended-2018", Stage: attestation.StageSendDocuments, Version: 7,
		SubmittedAt: goldenAt(2, 4), ReceivedAt: goldenAt(2, 5), Receipt: &receipt,
		OpenStep: &attestation.Step{Name: "send_documents", Role: identity.Authority, Token: "task-token-1", OpenedAt: goldenAt(18, 6),
			DueAt: goldenAt(25, 18), Paragraph: "§28", Provisional: true, Overdue: true, Reopened: 1},
		LastDecision: &attestation.Decision{Step: "decision", Token: "task-token-0", Outcome: attestation.OutcomeIssue,
			Reasons: []string{"complete"}, Documents: []attestation.Document{goldenDocument(attestation.DocSurveyAct, "decision")},
			EntryIntoForce: goldenAtPtr(5, 0), Act: &attestation.ActDetails{Number: "A-17", Date: "2026-03-10"}, Certificate: goldenTerms(),
			Actor: "user-1", Role: identity.Authority, At: goldenAt(18, 6),
			Next:     &attestation.NextStep{Stage: attestation.StageSendDocuments, OpensAt: goldenAt(18, 6), TimeoutSeconds: 864000},
			Callback: attestation.CallbackSent, Error: "ContractNotSigned"},
		Decision: attestation.OutcomeIssue, RectificationOrdered: true, ContractInForce: goldenAtPtr(6, 0),
		Documents:   []attestation.Document{goldenDocument(attestation.DocSignedContract, "applicant_signs_contract")},
		Certificate: "2026-00017",
		SurveyAct:   &attestation.ActDetails{Number: "A-17", Date: "2026-03-10"}, AdditionalSurveyAct: &attestation.ActDetails{Number: "A-18", Date: "2026-03-12"},
		Terms: goldenTerms(), ObjectID: "O-00112233aabbccdd", ApplicantIndividual: true, Events: 12}
}

// goldenAttentionCase is goldenCase after the workflow stopped moving it: the failure recorded
// (attestation.Attention) and the case in the authority's queue from that moment.
func goldenAttentionCase() attestation.Case {
	c := goldenCase()
	c.ID = "C-0003"
	c.Attention = &attestation.Attention{Error: "TransientError", Cause: `{"errorMessage":"sign entry: kms unavailable","errorType":"TransientError"}`,
		At: goldenAt(19, 7), Stage: attestation.StageSendDocuments, Source: attestation.AttentionFromWorkflow}
	return c
}

// goldenHandedBackCase is goldenAttentionCase recorded by the task's attention state (the task
// and the state's token) and handed back by the authority: out of the authority's queue, its open
// step as before.
func goldenHandedBackCase() attestation.Case {
	c := goldenAttentionCase()
	c.ID = "C-0005"
	a := *c.Attention
	a.Task, a.Token = "AuthoritySendsActAndCertificate", "token-attention-1"
	a.Handback = &attestation.Handback{Outcome: attestation.HandbackResume, Reasons: []string{"KMS is back"}, Actor: "user-2",
		Role: identity.Authority, At: goldenAt(19, 9), Callback: attestation.CallbackSent}
	c.Attention = &a
	return c
}

// goldenGroundsCase is goldenAttentionCase whose last decision names its grounds (standard §10),
// added after case_attention.json was stored.
func goldenGroundsCase() attestation.Case {
	c := goldenAttentionCase()
	c.ID = "C-0004"
	d := *c.LastDecision
	d.Grounds = []string{"incomplete_package"}
	c.LastDecision = &d
	return c
}

// goldenIdleCase is a case between two tasks of the workflow: decided, the next step not yet
// open, so it waits on the workflow (the idle partition of the due index, from its decision).
func goldenIdleCase() attestation.Case {
	c := goldenCase()
	c.ID = "C-0004"
	c.OpenStep = nil
	return c
}

// goldenMinimalCase is a case as filed: no open step, no decision, nothing optional.
func goldenMinimalCase() attestation.Case {
	return attestation.Case{ID: "C-0002", OrganizationBIN: "120540001238", ObjectName: "Registry", ObjectKind: "state_is",
		Edition: "rules-2016-amended-2018", Stage: attestation.StageSubmitted, Version: 1, SubmittedAt: goldenAt(2, 4), Events: 1}
}

func goldenEvent() attestation.Event {
	return attestation.Event{Seq: 12, At: goldenAt(18, 6), Actor: "user-1", Role: identity.Authority, What: "decided",
		Step: "decision", Outcome: attestation.OutcomeIssue, Reasons: []string{"complete"},
		Documents: []attestation.Document{goldenDocument(attestation.DocSurveyAct, "decision")}}
}

func goldenCertificate() attestation.Certificate {
	return attestation.Certificate{Number: "2026-00017", Year: 2026, Seq: 17, CaseID: "C-0001", OrganizationBIN: "120540001238",
		ObjectName: "Registry", ObjectKind: "state_is", Edition: "rules-2016-amended-2018", IssuedAt: goldenAt(19, 7),
		ValidUntil: goldenAtPtr(19, 7), Acts: []attestation.Document{goldenDocument(attestation.DocSurveyAct, "decision")},
		Status: attestation.CertificateValid}
}

func goldenRegisterDocument(name string) register.Document {
	return register.Document{Key: "register/2026-00017/" + name, VersionID: "v-" + name,
		SHA256: "b4e2d0f1c8e35d6b9f7a1e2c3d4b5f6071829304b5c6d7e8f90a1b2c3d4e5f6a"}
}

func goldenSeal() register.Seal {
	return register.Seal{Payload: []byte(`{"number":"2026-00017"}`),
		Signature: signing.Signature{KeyID: "arn:aws:kms:eu-central-1:000000000000:key/k", Algorithm: "ECDSA_SHA_256", Value: []byte{0x30, 0x45, 0x02, 0x21}}}
}

// goldenEntry is a register entry with every member set (a recall with its return, the
// monitoring obligation, a change notice, a duplicate, a cessation).
func goldenEntry() register.Entry {
	decision, pdf, dup := goldenRegisterDocument("recall.json"), goldenRegisterDocument("recall.pdf"), goldenRegisterDocument("duplicate.pdf")
	return register.Entry{Number: "2026-00017", Year: 2026, Seq: 17, CaseID: "C-0001", Edition: "rules-2016-amended-2018",
		ObjectID: "O-00112233aabbccdd", ObjectName: "Registry", ObjectKind: "state_is", Mandatory: true, OwnerName: "Data Centre LLP",
		OwnerBIN: "120540001238", OwnerIndividual: true, Developer: "Dev LLP",
		Act:           register.Act{Number: "A-17", Date: goldenAt(10, 0), Document: goldenRegisterDocument("act.pdf")},
		AdditionalAct: &register.Act{Number: "A-18", Date: goldenAt(12, 0), Document: goldenRegisterDocument("act2.pdf")},
		IssuedAt:      goldenAt(19, 7), ValidUntil: goldenAtPtr(19, 8),
		Certificate: goldenRegisterDocument("certificate.pdf"), Data: goldenRegisterDocument("certificate.json"),
		Status: register.Recalled, ExpiredAt: goldenAtPtr(20, 0),
		Recall: &register.Recall{Ground: "changed_conditions", Number: 4, Paragraph: "§45(4)", Reasons: []string{"changed"},
			DecidedAt: goldenAt(21, 3), Decision: &decision, DecisionPDF: &pdf, ReturnDueAt: goldenAt(26, 18), ReturnedAt: goldenAtPtr(24, 9),
			ReturnOverdue: true, ChangeID: "CH-1"},
		TerminatedAt: goldenAtPtr(22, 0),
		Monitoring:   &register.Monitoring{DueAt: goldenAt(28, 18), ConnectedAt: goldenAtPtr(27, 10), Overdue: true},
		Changes: []register.ChangeNotice{{ID: "CH-1", Description: "new network segment", ServiceSoftwareOnly: true,
			ReceivedAt: goldenAt(20, 2), DueAt: goldenAt(23, 18), Overdue: true, Decision: "reattestation_required", Reasons: []string{"boundary"},
			DecidedAt: goldenAtPtr(21, 3)}},
		Duplicates: []register.DuplicateRequest{{ID: "DUP-1", Reason: "lost", ReceivedAt: goldenAt(20, 4), DueAt: goldenAt(27, 18), Overdue: true,
			IssuedAt: goldenAtPtr(23, 5), Document: &dup}},
		Cessation:     &register.Cessation{CeasedOn: "2026-03-21", NotifiedAt: goldenAt(21, 2)},
		InlineChanges: true,
		Revision:      6, UpdatedAt: goldenAt(24, 9), PreviousSHA256: "c5f3e1a2d9f46e7c0a8b2f3d4e5c6a7182930415c6d7e8f90a1b2c3d4e5f6a7b",
		Seal: goldenSeal()}
}

// goldenEntryApart is goldenEntry as the entry item holds it since each change notice has an item
// of its own: the notices as summaries, without their words (goldenChange holds them).
func goldenEntryApart() register.Entry {
	e := goldenEntry()
	e.InlineChanges = false
	e.Changes = []register.ChangeNotice{goldenChange()}
	e.Changes[0].Description, e.Changes[0].Reasons = "", nil
	return e
}

// goldenRefusalEvent is goldenEvent with the grounds of a refusal (standard §10), added after
// event.json was stored.
func goldenRefusalEvent() attestation.Event {
	e := goldenEvent()
	e.Seq = 9
	e.Grounds = []string{"noncompliance_with_rules", "inaccurate_documents"}
	return e
}

// goldenReceiptEntry is goldenEntryApart with the owner's receipt of the certificate (§28, §42),
// added after entry.json was stored: it sets both members so that its item holds them.
func goldenReceiptEntry() register.Entry {
	e := goldenEntryApart()
	e.Number = "2026/00043"
	e.AwaitingReceipt = true
	r := goldenAt(21, 6)
	e.ReceivedAt = &r
	return e
}

// goldenRecallApplicationEntry is goldenEntryApart with the owner's application for the recall
// (§45(2)), added after entry.json was stored.
func goldenRecallApplicationEntry() register.Entry {
	e := goldenEntryApart()
	e.Number = "2026/00044"
	e.RecallApplication = &register.RecallApplication{Reasons: []string{"the system is replaced"}, ReceivedAt: goldenAt(22, 6)}
	return e
}

// goldenChange is goldenEntry's change notice, whole, as its own item holds it.
func goldenChange() register.ChangeNotice { return goldenEntry().Changes[0] }

// goldenMinimalEntry is an entry as first issued: valid, nothing open after it.
func goldenMinimalEntry() register.Entry {
	return register.Entry{Number: "2026-00018", Year: 2026, Seq: 18, CaseID: "C-0003", Edition: "rules-2016-amended-2018",
		ObjectName: "Portal", ObjectKind: "internet_resource", OwnerName: "Data Centre LLP", OwnerBIN: "120540001238",
		Act:      register.Act{Number: "A-19", Date: goldenAt(10, 0), Document: goldenRegisterDocument("act.pdf")},
		IssuedAt: goldenAt(19, 7), Certificate: goldenRegisterDocument("certificate.pdf"), Data: goldenRegisterDocument("certificate.json"),
		Status: register.Valid, Revision: 1, UpdatedAt: goldenAt(19, 7), Seal: goldenSeal()}
}

// goldenEntryActDay is goldenEntryApart with the member added after entry_apart.json was stored:
// its acts name the day written on them (§29(4)).
func goldenEntryActDay() register.Entry { return withActDays(goldenEntryApart()) }

// withActDays gives e's acts the days written on them.
func withActDays(e register.Entry) register.Entry {
	e.Act.Day = "2026-03-10"
	add := *e.AdditionalAct
	add.Day = "2026-03-12"
	e.AdditionalAct = &add
	return e
}

func goldenRevision() register.Revision {
	return register.Revision{Number: 6, At: goldenAt(24, 9), Actor: "user-1", Role: "authority", What: "returned", Paragraph: "§46",
		Seal: goldenSeal()}
}

func goldenObject() objects.Object {
	return objects.Object{ID: "O-00112233aabbccdd", OrganizationBIN: "120540001238", Kind: "state_is", Name: "Registry",
		Developer: "Dev LLP", LifeCycleStage: objects.StageIndustrialOperation, Mandatory: true, Edition: "rules-2016-amended-2018",
		RegisteredAt: goldenAt(1, 3), RegisteredBy: "user-1", StageSince: goldenAt(3, 3),
		Stages: []objects.StageRecord{{Stage: objects.StageCreation, Since: goldenAt(1, 3), RecordedBy: "user-1"},
			{Stage: objects.StageIndustrialOperation, Since: goldenAt(3, 3), RecordedBy: "user-2"}}}
}

func goldenPlan() objects.Plan {
	return objects.Plan{OrganizationBIN: "120540001238", Year: 2026,
		Rows: []objects.PlannedObject{{ObjectID: "O-00112233aabbccdd", ObjectName: "Registry", Mandatory: true,
			LifeCycleStage: objects.StageTesting, PlannedDate: "2026-06-01", TestingAct: &objects.TestingAct{Number: "T-1", Date: "2026-02-01"}}},
		Revision: 2, DueAt: time.Date(2026, 3, 2, 18, 59, 59, 0, time.UTC), Paragraph: "§11", FirstSubmittedAt: goldenAt(1, 4),
		SubmittedAt: goldenAt(4, 4), SubmittedBy: "user-1", Edition: "rules-2016-amended-2018"}
}

func goldenComplaint() complaints.Complaint {
	return complaints.Complaint{ID: "K-00112233aabbccdd", Number: "C-2026/00003", Year: 2026, Seq: 3, OrganizationBIN: "120540001238",
		ApplicantName: "A. Applicant", FiledBy: "user-1", Addressee: complaints.ServiceProvider, Subject: "no answer",
		CaseID: "C-0001", CertificateNumber: "2026-00017", FiledAt: goldenAt(5, 13), RegisteredAt: goldenAt(6, 3), DueAt: goldenAt(13, 18),
		Paragraph: "standard §11", Provisional: true, Edition: "rules-2016-amended-2018", Status: complaints.StatusConsidered,
		Overdue: true, Decision: &complaints.Decision{Outcome: complaints.PartiallyUpheld, Answer: "answered", Actor: "user-2",
			Role: identity.Authority, At: goldenAt(12, 8)},
		Version: 3, Events: 3}
}

// goldenPostComplaint is a complaint to the head of the STS received by post and registered by its
// office, with its registration mark (standard §11).
func goldenPostComplaint() complaints.Complaint {
	c := goldenComplaint()
	c.Addressee, c.Status, c.Overdue, c.Decision, c.Version, c.Events = complaints.STSHead, complaints.StatusRegistered, false, nil, 1, 1
	c.Channel, c.IncomingNumber, c.RegisteredBy, c.RegisteredBySubject = complaints.ChannelPost, "ВХ-2026/0412", "Serikbayev A.", "user-3"
	return c
}

func goldenComplaintEvent() complaints.Event {
	return complaints.Event{Seq: 3, At: goldenAt(12, 8), Actor: "user-2", Role: identity.Authority, What: "considered",
		Outcome: complaints.PartiallyUpheld}
}

// goldenUpload is a confirmed upload to a draft.
func goldenUpload() attestation.Upload {
	return attestation.Upload{ID: "U-0123456789abcdef0123456789abcdef", Organization: "120540001238", Scope: attestation.ScopeDraft,
		ScopeID: "D-00112233445566778899aabb", Document: "annex3_01", ContentType: "application/pdf", Size: 123456,
		SHA256: "a3f1c9e0b7d24c5a8e6f0d1b2c3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f", Sheets: 12, State: attestation.UploadConfirmed,
		Key: "documents/U-0123456789abcdef0123456789abcdef", VersionID: "v-1", CreatedBy: "user-1", Role: identity.Applicant,
		CreatedAt: goldenAt(1, 5), ConfirmedAt: goldenAtPtr(1, 6)}
}

// goldenTermUpload is a confirmed upload of a document with a term (standard §10), added after
// upload.json was stored.
func goldenTermUpload() attestation.Upload {
	u := goldenUpload()
	u.ID, u.Key, u.Document, u.ExpiresOn = "U-0123456789abcdef0123456789abcd01", "documents/U-0123456789abcdef0123456789abcd01", "ict_contract", "2027-06-30"
	return u
}

// goldenPendingUpload is an upload declared and not confirmed: it is in the due index by its
// expiry (upload_declared; upload_pending, stored before, carries expiresAt instead).
func goldenPendingUpload() attestation.Upload {
	return attestation.Upload{ID: "U-fedcba9876543210fedcba9876543210", Organization: "120540001238", Scope: attestation.ScopeCase,
		ScopeID: "C-0001", Document: attestation.DocSignedContract, ContentType: "application/pdf", Size: 2048,
		SHA256: "a3f1c9e0b7d24c5a8e6f0d1b2c3a4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f", State: attestation.UploadPending,
		CreatedBy: "user-1", Role: identity.Applicant, CreatedAt: goldenAt(1, 5)}
}

// goldenDraft is an open draft with a full package.
func goldenDraft() attestation.Draft {
	return attestation.Draft{ID: "D-00112233445566778899aabb", Organization: "120540001238", Package: goldenPackage(),
		State: attestation.DraftOpen, CaseID: "C-0001", Version: 4, CreatedBy: "user-1", CreatedAt: goldenAt(1, 5), UpdatedAt: goldenAt(1, 6)}
}

// goldenTermDraft is goldenDraft whose every document states a term (standard §10), added after
// draft.json was stored.
func goldenTermDraft() attestation.Draft {
	d := withDocumentTerms(goldenDraft())
	d.ID = "D-0011223344556677889900cc"
	return d
}

// withDocumentTerms gives every document of d's package a term (standard §10).
func withDocumentTerms(d attestation.Draft) attestation.Draft {
	docs := map[string]attestation.DocumentRef{}
	for id, ref := range d.Package.Documents {
		ref.ExpiresOn = "2027-12-31"
		docs[id] = ref
	}
	d.Package.Documents = docs
	return d
}

// goldenNewDraft is a draft as created: no document yet, its lists empty but present (the
// service normalises them), which the store keeps apart from absent ones.
func goldenNewDraft() attestation.Draft {
	return attestation.Draft{ID: "D-ffeeddccbbaa998877665544", Organization: "120540001238",
		Package: attestation.Package{Edition: "rules-2016-amended-2018",
			Applicant: attestation.Applicant{Name: "Data Centre LLP", IdentityNumber: "120540001238", Type: attestation.ApplicantLegalEntity},
			Object:    attestation.ObjectInfo{Name: "Registry", Kind: "state_is"},
			Documents: map[string]attestation.DocumentRef{}, Hardware: []attestation.HardwareItem{}, Software: []attestation.SoftwareItem{},
			Integrated: []attestation.IntegratedObject{}},
		State: attestation.DraftOpen, Version: 1, CreatedBy: "user-1", CreatedAt: goldenAt(1, 5), UpdatedAt: goldenAt(1, 5)}
}
