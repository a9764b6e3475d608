package policy

// Step keys: the stable names of the periods an edition must define. The domain, the state machine
// and the deadline check use them; an edition that lacks one, or names another, does not load.
const (
	// StepAnnualPlan — §11: the owner of a mandatory object sends the year's list by March 1.
	StepAnnualPlan = "annual_plan"
	// StepApplicationWindow — §12: applications are accepted no later than November 1.
	StepApplicationWindow = "application_window"
	// StepCompletenessCheck — §14-§16: the authority checks completeness within 3 working days.
	StepCompletenessCheck = "completeness_check"
	// StepSendContract — §17: the STS sends two copies of the contract within 3 working days.
	StepSendContract = "send_contract"
	// StepSignContract — §17: the applicant signs within 5 working days or the application is cancelled.
	StepSignContract = "sign_contract"
	// StepSurvey — §19: the survey takes at most 30 working days from the contract's entry into force.
	StepSurvey = "survey"
	// StepSurveyDistributed — §19: 40 working days for a geographically distributed system.
	StepSurveyDistributed = "survey_distributed"
	// StepDecision — §27: the authority decides within 3 working days of receiving the act.
	StepDecision = "decision"
	// StepSendDocuments — §28, §30, §31: the authority sends the act (and certificate) within 3 working days.
	StepSendDocuments = "send_documents"
	// StepRectificationNotice — §31: the applicant notifies rectification within 20 working days (§32: else refusal grounds).
	StepRectificationNotice = "rectification_notice"
	// StepLapseDecision — §32: the authority's refusal after a missed rectification period.
	StepLapseDecision = "lapse_decision"
	// StepInformSTS — §33: the authority informs the STS of the additional survey within 3 working days.
	StepInformSTS = "inform_sts"
	// StepAdditionalSurvey — §34: the STS performs the additional survey within 15 working days.
	StepAdditionalSurvey = "additional_survey"
	// StepSecondDecision — §37: the authority decides within 3 working days of the additional act.
	StepSecondDecision = "second_decision"
	// StepSecondSendDocuments — §38: the authority sends the additional act and certificate within 3 working days.
	StepSecondSendDocuments = "second_send_documents"
	// StepChangeDecision — §43-§44: the authority decides on re-attestation within 3 working days.
	StepChangeDecision = "change_decision"
	// StepCertificateReturn — §46: the owner returns a recalled certificate within 3 working days.
	StepCertificateReturn = "certificate_return"
	// StepDuplicate — §48: the authority issues a duplicate within 5 working days.
	StepDuplicate = "duplicate"
	// StepComplaintProvider — standard §11: the service provider considers a complaint within 5 working days.
	StepComplaintProvider = "complaint_provider"
	// StepComplaintQualityAuthority — standard §11: the authority for quality of state services, 15 working days.
	StepComplaintQualityAuthority = "complaint_quality_authority"
	// StepServiceTerm — standard §4: the whole service within 51 working days of submission.
	StepServiceTerm = "service_term"
	// StepServiceTermAdditional — standard §4: extended by 48 working days with an additional survey.
	StepServiceTermAdditional = "service_term_additional"
	// StepMonitoringConnection — §42: a mandatory object joins monitoring within one year of the certificate.
	StepMonitoringConnection = "monitoring_connection"
	// StepPlatformValidity — §40: the e-government platform's certificate is valid for one year.
	StepPlatformValidity = "platform_validity"
)

// stepKeys lists every step key an edition must define, in the order of the procedure.
var stepKeys = []string{
	StepAnnualPlan, StepApplicationWindow, StepCompletenessCheck, StepSendContract, StepSignContract,
	StepSurvey, StepSurveyDistributed, StepDecision, StepSendDocuments, StepRectificationNotice,
	StepLapseDecision, StepInformSTS, StepAdditionalSurvey, StepSecondDecision, StepSecondSendDocuments,
	StepChangeDecision, StepCertificateReturn, StepDuplicate, StepComplaintProvider,
	StepComplaintQualityAuthority, StepServiceTerm, StepServiceTermAdditional, StepMonitoringConnection,
	StepPlatformValidity,
}

// StepKeys returns every step key an edition defines, in the order of the procedure.
func StepKeys() []string { return append([]string(nil), stepKeys...) }

// Object kinds (§5, §6). An edition must describe each of them.
const (
	// KindStateIS — §5(1): information system of a state body.
	KindStateIS = "state_is"
	// KindStateEntityIS — §5(2): information system of a state legal entity.
	KindStateEntityIS = "state_entity_is"
	// KindIntegratedNonstateIS — §5(2): non-state system integrated with a state system or forming state resources.
	KindIntegratedNonstateIS = "integrated_nonstate_is"
	// KindCriticalIS — §5(3): system of a critical object of the ICT infrastructure.
	KindCriticalIS = "critical_is"
	// KindEgovPlatform — §5(4): the e-government information and communication platform.
	KindEgovPlatform = "egov_platform"
	// KindStateWeb — §5(5): Internet resource of a state body.
	KindStateWeb = "state_web"
	// KindNonstateIS — §6: non-state information system, attested at the owner's initiative.
	KindNonstateIS = "nonstate_is"
	// KindNonstateWeb — §6: non-state Internet resource, attested at the owner's initiative.
	KindNonstateWeb = "nonstate_web"
)

var kindKeys = []string{
	KindStateIS, KindStateEntityIS, KindIntegratedNonstateIS, KindCriticalIS, KindEgovPlatform,
	KindStateWeb, KindNonstateIS, KindNonstateWeb,
}

// Flags: facts about a filing that select package rules and periods (see PackageFlags).
const (
	// FlagUsesCryptography — Annex 3 item 7: the object uses cryptographic protection.
	FlagUsesCryptography = "uses_cryptography"
	// FlagUsesICTServices — §13(6)-(7): the object uses ICT services.
	FlagUsesICTServices = "uses_ict_services"
	// FlagHasIntegratedObjects — §13(5): objects of informatization are integrated with the object.
	FlagHasIntegratedObjects = "has_integrated_objects"
	// FlagIndividualApplicant — §13(1): the applicant is an individual.
	FlagIndividualApplicant = "individual_applicant"
	// FlagGeographicallyDistributed — §19: the system is geographically distributed.
	FlagGeographicallyDistributed = "geographically_distributed"
)

var flagKeys = []string{
	FlagUsesCryptography, FlagUsesICTServices, FlagHasIntegratedObjects, FlagIndividualApplicant,
	FlagGeographicallyDistributed,
}

// PackageFlags are the facts about a filing that the package rules and period substitutions test.
type PackageFlags struct {
	UsesCryptography          bool // Annex 3 item 7 becomes required
	UsesICTServices           bool // §13(7): the ICT contract instead of the hardware and software lists
	HasIntegratedObjects      bool // §13(5): the Annex 4 list becomes required
	IndividualApplicant       bool // §13(1): the identity document becomes required
	GeographicallyDistributed bool // §19: the 40 working-day survey
}

// Has reports the value of the named flag; ok is false for an unknown name.
func (f PackageFlags) Has(name string) (value, ok bool) {
	switch name {
	case FlagUsesCryptography:
		return f.UsesCryptography, true
	case FlagUsesICTServices:
		return f.UsesICTServices, true
	case FlagHasIntegratedObjects:
		return f.HasIntegratedObjects, true
	case FlagIndividualApplicant:
		return f.IndividualApplicant, true
	case FlagGeographicallyDistributed:
		return f.GeographicallyDistributed, true
	}
	return false, false
}

// Unit is how a period is measured.
type Unit string

// Units of a period.
const (
	WorkingDays  Unit = "working_days"  // Kazakhstan working days, from the day after the start
	CalendarDays Unit = "calendar_days" // calendar days, from the day after the start
	CalendarDate Unit = "calendar_date" // a fixed date of the start's year
	Years        Unit = "years"         // years, ending on the corresponding date (Civil Code)
)

// Actor is who must act within a period.
type Actor string

// Actors.
const (
	ActorApplicant        Actor = "applicant"         // the owner or possessor of the object, or its authorised person
	ActorAuthority        Actor = "authority"         // the authorised body for information security
	ActorSTS              Actor = "sts"               // the State Technical Service
	ActorQualityAuthority Actor = "quality_authority" // standard §11: the body for the quality of state services
)

// Lapse is what happens when a period runs out.
type Lapse string

// Lapses.
const (
	LapseOverdue        Lapse = "overdue"         // marked overdue for staff; no legal effect
	LapseCancel         Lapse = "cancel"          // §17: the application is cancelled
	LapseRefusalGrounds Lapse = "refusal_grounds" // §32: grounds for refusal, which the authority decides
	LapseNotAccepted    Lapse = "not_accepted"    // §12: a later application is not accepted
	LapseServiceBreach  Lapse = "service_breach"  // standard §4: the service term is breached
	LapseExpiry         Lapse = "expiry"          // §41: the certificate expires; the object is attested again
)

var (
	units  = []Unit{WorkingDays, CalendarDays, CalendarDate, Years}
	actors = []Actor{ActorApplicant, ActorAuthority, ActorSTS, ActorQualityAuthority}
	lapses = []Lapse{LapseOverdue, LapseCancel, LapseRefusalGrounds, LapseNotAccepted, LapseServiceBreach, LapseExpiry}
)

// Document groups.
const (
	GroupPackage = "package" // filed with the application (§13)
	GroupCase    = "case"    // made or received during the case
)

// Refusal effects (standard §10).
const (
	EffectRefuseAcceptance = "refuse_acceptance" // the application is not accepted (returned)
	EffectRefuseService    = "refuse_service"    // the service is refused
)
