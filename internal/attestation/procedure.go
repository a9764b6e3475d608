package attestation

import (
	"sort"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Outcome is what an actor decides at a human step.
type Outcome string

// The outcomes of the human steps (§14-§38).
const (
	OutcomeForward      Outcome = "forward"       // §16: the package is complete; to the STS
	OutcomeReturn       Outcome = "return"        // §15, standard §10: returned with reasons
	OutcomeContractSent Outcome = "contract_sent" // §17: the STS sends two copies of the contract
	OutcomeSigned       Outcome = "signed"        // §17: the applicant returns a signed copy
	OutcomeAct          Outcome = "act"           // §24, §35: the STS delivers the act of a survey
	OutcomeIssue        Outcome = "issue"         // §27(1), §37: issue a certificate
	OutcomeRefuse       Outcome = "refuse"        // §27(2), §32, §37: refuse to issue
	OutcomeRectify      Outcome = "rectify"       // §27(3): order rectification (once per application)
	OutcomeSent         Outcome = "sent"          // §28, §30, §31, §38: the act (and certificate) sent to the applicant
	OutcomeNotified     Outcome = "notified"      // §31: the applicant notifies rectification with documents
	OutcomeInformed     Outcome = "informed"      // §33: the authority informs the STS of the additional survey
)

// Document kinds attached at steps. Package documents are named by the policy's document ids.
const (
	DocContract               = "contract"                // §17: the contract sent by the STS
	DocSignedContract         = "signed_contract"         // §17: the copy signed by the applicant
	DocSurveyAct              = "survey_act"              // §24: act of the survey
	DocAdditionalSurveyAct    = "additional_survey_act"   // §35: act of the additional survey
	DocRectificationDocuments = "rectification_documents" // §31: documents confirming rectification
	DocCertificate            = "certificate"             // §28, Annex 7
	DocRecallDecision         = "recall_decision"         // §46: the copy of the recall decision (the register keeps it)
)

// Named errors of lapses and withdrawal, sent to the waiting step with SendTaskFailure. The
// state machine's Catch clauses use the same names.
const (
	ErrorContractNotSigned   = "ContractNotSigned"   // §17: no signature in 5 working days
	ErrorRectificationLapsed = "RectificationLapsed" // §31-§32: no notice in 20 working days
	ErrorWithdrawn           = "Withdrawn"           // the applicant withdrew the application
	// ErrorDiscontinued: the authority closed a case that needed attention as unrecoverable
	// (attention.go); sent to the waiting attention state.
	ErrorDiscontinued = "CaseDiscontinued"
)

// StepRule says who acts at a step, what they may decide, and what a lapse means.
type StepRule struct {
	Step      string // the policy's step key; also the case's stage while the step is open
	Role      identity.Role
	Paragraph string
	Outcomes  map[Outcome]OutcomeRule
	Lapse     *LapseRule // applicant steps whose lapse has a legal effect
}

// OutcomeRule is one decision allowed at a step.
type OutcomeRule struct {
	Next         Stage    // the next stage; for the sending steps it depends on the decision (see Next)
	NeedsReasons bool     // the decision must give its reasons
	Documents    []string // documents the actor attaches with it
	Paragraph    string
}

// LapseRule is the legal effect of an applicant's missed period.
type LapseRule struct {
	Error     string // the named error sent to the waiting step
	Next      Stage
	Paragraph string
}

// The stages while a step is open carry the step's key.
const (
	StageSendContract        Stage = "send_contract"
	StageSignContract        Stage = "sign_contract"
	StageSurvey              Stage = "survey"
	StageDecision            Stage = "decision"
	StageSendDocuments       Stage = "send_documents"
	StageRectificationNotice Stage = "rectification_notice"
	StageLapseDecision       Stage = "lapse_decision"
	StageInformSTS           Stage = "inform_sts"
	StageAdditionalSurvey    Stage = "additional_survey"
	StageSecondDecision      Stage = "second_decision"
	StageSecondSendDocuments Stage = "second_send_documents"
	stageFollowsDecision     Stage = "(follows the decision)"
)

// Procedure is the attestation procedure of the Rules, §14-§38: every human step, who acts, what
// may be decided and where it leads. The state machine (statemachine/attestation.asl.json) follows
// the same graph; the case's stage is the source of truth.
var Procedure = map[Stage]StepRule{
	StageCompletenessCheck: {Step: "completeness_check", Role: identity.Authority, Paragraph: "§14", Outcomes: map[Outcome]OutcomeRule{
		OutcomeForward: {Next: StageSendContract, Paragraph: "§16"},
		OutcomeReturn:  {Next: StageReturned, NeedsReasons: true, Paragraph: "§15, standard §10"},
	}},
	StageSendContract: {Step: "send_contract", Role: identity.STS, Paragraph: "§17", Outcomes: map[Outcome]OutcomeRule{
		OutcomeContractSent: {Next: StageSignContract, Documents: []string{DocContract}, Paragraph: "§17"},
	}},
	StageSignContract: {Step: "sign_contract", Role: identity.Applicant, Paragraph: "§17", Outcomes: map[Outcome]OutcomeRule{
		OutcomeSigned: {Next: StageSurvey, Documents: []string{DocSignedContract}, Paragraph: "§17, §19"},
	}, Lapse: &LapseRule{Error: ErrorContractNotSigned, Next: StageCancelled, Paragraph: "§17"}},
	StageSurvey: {Step: "survey", Role: identity.STS, Paragraph: "§19", Outcomes: map[Outcome]OutcomeRule{
		OutcomeAct: {Next: StageDecision, Documents: []string{DocSurveyAct}, Paragraph: "§24, §25"},
	}},
	StageDecision: {Step: "decision", Role: identity.Authority, Paragraph: "§27", Outcomes: map[Outcome]OutcomeRule{
		OutcomeIssue:   {Next: StageSendDocuments, Paragraph: "§27(1)"},
		OutcomeRefuse:  {Next: StageSendDocuments, NeedsReasons: true, Paragraph: "§27(2)"},
		OutcomeRectify: {Next: StageSendDocuments, NeedsReasons: true, Paragraph: "§27(3)"},
	}},
	StageSendDocuments: {Step: "send_documents", Role: identity.Authority, Paragraph: "§28, §30, §31", Outcomes: map[Outcome]OutcomeRule{
		OutcomeSent: {Next: stageFollowsDecision, Paragraph: "§28, §30, §31"},
	}},
	StageRectificationNotice: {Step: "rectification_notice", Role: identity.Applicant, Paragraph: "§31", Outcomes: map[Outcome]OutcomeRule{
		OutcomeNotified: {Next: StageInformSTS, Documents: []string{DocRectificationDocuments}, Paragraph: "§31"},
	}, Lapse: &LapseRule{Error: ErrorRectificationLapsed, Next: StageLapseDecision, Paragraph: "§32"}},
	StageLapseDecision: {Step: "lapse_decision", Role: identity.Authority, Paragraph: "§32", Outcomes: map[Outcome]OutcomeRule{
		OutcomeRefuse: {Next: StageRefused, NeedsReasons: true, Paragraph: "§32"},
	}},
	StageInformSTS: {Step: "inform_sts", Role: identity.Authority, Paragraph: "§33", Outcomes: map[Outcome]OutcomeRule{
		OutcomeInformed: {Next: StageAdditionalSurvey, Paragraph: "§33"},
	}},
	StageAdditionalSurvey: {Step: "additional_survey", Role: identity.STS, Paragraph: "§34", Outcomes: map[Outcome]OutcomeRule{
		OutcomeAct: {Next: StageSecondDecision, Documents: []string{DocAdditionalSurveyAct}, Paragraph: "§35"},
	}},
	StageSecondDecision: {Step: "second_decision", Role: identity.Authority, Paragraph: "§37", Outcomes: map[Outcome]OutcomeRule{
		OutcomeIssue:  {Next: StageSecondSendDocuments, Paragraph: "§37"},
		OutcomeRefuse: {Next: StageSecondSendDocuments, NeedsReasons: true, Paragraph: "§37"},
	}},
	StageSecondSendDocuments: {Step: "second_send_documents", Role: identity.Authority, Paragraph: "§38", Outcomes: map[Outcome]OutcomeRule{
		OutcomeSent: {Next: stageFollowsDecision, Paragraph: "§38"},
	}},
}

// Rule returns the rule of a step stage.
func Rule(stage Stage) (StepRule, bool) {
	r, ok := Procedure[stage]
	return r, ok
}

// Outcomes lists a step's outcomes in a stable order.
func (r StepRule) OutcomeNames() []Outcome {
	out := make([]Outcome, 0, len(r.Outcomes))
	for o := range r.Outcomes {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Next is the stage a case reaches when outcome is decided at its current step. The sending
// steps lead where the decision they send leads: issue → issued, refuse → refused, rectify →
// the applicant's rectification notice (§28, §30, §31, §38).
func Next(c Case, outcome Outcome) (Stage, error) {
	r, ok := Procedure[c.Stage]
	if !ok {
		return "", apperr.Errorf(apperr.Conflict, "", "stage %s has no human step", c.Stage)
	}
	or, ok := r.Outcomes[outcome]
	if !ok {
		return "", apperr.Errorf(apperr.Unprocessable, "", "%s at %s: allowed are %v", outcome, r.Step, r.OutcomeNames())
	}
	if or.Next != stageFollowsDecision {
		return or.Next, nil
	}
	switch c.Decision {
	case OutcomeIssue:
		return StageIssued, nil
	case OutcomeRefuse:
		return StageRefused, nil
	case OutcomeRectify:
		return StageRectificationNotice, nil
	}
	return "", apperr.Errorf(apperr.Conflict, "", "%s at %s: the case has no decision to send", outcome, r.Step)
}
