// Package statistics is what an oversight body asks of the service for a period: the
// applications filed in it by outcome, by ground of return or refusal and by object kind; each
// stage's duration in working days (median, 90th percentile, maximum) against its statutory
// period (the policy's, §14-§38); and the breaches of the service term (standard §4). It names no
// organisation, applicant, object or case, so the same figures are the daily open data.
//
// It is domain code: it reads the cases filed in a period and their histories through Store
// (an index of cases by year of filing in DynamoDB: internal/dynamostore) and counts working days
// with the calendar; it imports no AWS package.
package statistics

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Limits of one period.
const (
	// MaxDays is the longest period, in days, from and to included.
	MaxDays = 366
	// MaxCases is the most applications one period counts; a period with more is refused with a
	// problem asking for a shorter one, never counted in part.
	MaxCases = 2000
	// readers is how many histories are read at a time.
	readers = 8
)

// DayLayout is how the period's days are written (Asia/Almaty civil dates).
const DayLayout = "2006-01-02"

// Store reads the applications of a period and their histories.
type Store interface {
	// CasesFiledBetween returns the cases submitted at or after from and before to, oldest first,
	// at most limit of them.
	CasesFiledBetween(ctx context.Context, from, to time.Time, limit int) ([]attestation.Case, error)
	// History returns a case's events, in order.
	History(ctx context.Context, caseID string) ([]attestation.Event, error)
}

// Outcomes of an application: the end stages, or open.
const OutcomeOpen = "open"

// Report is the statistics of the applications filed in [From, To] (Asia/Almaty days).
type Report struct {
	From         string         `json:"from"`
	To           string         `json:"to"`
	At           time.Time      `json:"at"` // the moment open applications and the term are judged at
	Applications int            `json:"applications"`
	ByOutcome    map[string]int `json:"byOutcome"`    // issued, refused, returned, cancelled, withdrawn, discontinued, open
	ByObjectKind map[string]int `json:"byObjectKind"` // the policy's object kinds (§5, §6)
	ByGround     []GroundCount  `json:"byGround"`     // returns and refusals by the rule they rest on
	Stages       []StageFigures `json:"stages"`       // in the order of the procedure
	ServiceTerm  TermFigures    `json:"serviceTerm"`
}

// GroundCount is the number of applications returned or refused on one ground: the step that
// decided and the paragraph of its outcome (§15 and standard §10 for a return, §27(2), §32, §37
// for a refusal).
type GroundCount struct {
	Step      string `json:"step"`
	Outcome   string `json:"outcome"` // return or refuse
	Paragraph string `json:"paragraph"`
	Count     int    `json:"count"`
	// Grounds counts the same applications by the policy's ground codes the decision named
	// (standard §6, §10: incomplete_package, expired_documents, inaccurate_documents, ...); a
	// decision naming several counts under each, one naming none under none of them.
	Grounds map[string]int `json:"grounds"`
}

// StageFigures is one stage's durations, in working days from the step's opening to its
// completion (internal/calendar: the working days after the opening's date up to the
// completion's), against the statutory period of the policy.
type StageFigures struct {
	Step      string `json:"step"`      // the policy's step key (survey_distributed for §19's 40 days)
	Paragraph string `json:"paragraph"` // the paragraph of the period
	Period    string `json:"period"`    // the statutory period in words ("3 working days")
	// PeriodWorkingDays is the period in working days (0 when it is not counted in working days).
	PeriodWorkingDays int  `json:"periodWorkingDays"`
	Completed         int  `json:"completed"` // steps completed in the period's applications
	Median            *int `json:"median,omitempty"`
	P90               *int `json:"p90,omitempty"` // nearest rank
	Max               *int `json:"max,omitempty"`
	// Late: completed after their due moment; OpenOverdue: open at At past their due moment;
	// Lapsed: an applicant's period that ran out (§17, §31).
	Late        int `json:"late"`
	OpenOverdue int `json:"openOverdue"`
	Lapsed      int `json:"lapsed"`
}

// TermFigures is the service term (standard §4) of the period's applications.
type TermFigures struct {
	Paragraph string `json:"paragraph"`
	Counted   int    `json:"counted"`  // applications whose term is counted (received, calendar published)
	Extended  int    `json:"extended"` // of them, extended by an additional survey (+48 working days)
	Breached  int    `json:"breached"` // ended after the term's due moment, or open past it at At
	// BreachedEnded and BreachedOpen split Breached.
	BreachedEnded int `json:"breachedEnded"`
	BreachedOpen  int `json:"breachedOpen"`
	Uncountable   int `json:"uncountable"` // the calendar of the term's last year is not published yet
}

// Service computes the statistics.
type Service struct {
	store Store
	cal   *calendar.Calendar
}

// NewService returns the statistics on store, working days counted with cal.
func NewService(store Store, cal *calendar.Calendar) (*Service, error) {
	if store == nil || cal == nil {
		return nil, errors.New("statistics: a store and a calendar are required")
	}
	return &Service{store: store, cal: cal}, nil
}

// Roles that may read the statistics: the authority and the authority for quality of state
// services (standard §11, the oversight body).
var Roles = []identity.Role{identity.Authority, identity.QualityAuthority}

// ParsePeriod reads a period of Asia/Almaty days [from, to], at most MaxDays, as the moments
// [start of from, start of the day after to). A problem names the field.
func (s *Service) ParsePeriod(from, to string) (time.Time, time.Time, error) {
	loc := s.cal.Location()
	var problems []apperr.Problem
	f, err := time.ParseInLocation(DayLayout, from, loc)
	if err != nil || f.Format(DayLayout) != from {
		problems = append(problems, apperr.Problem{Field: "from", Rule: "request", Message: "want a day, YYYY-MM-DD"})
	}
	t, err := time.ParseInLocation(DayLayout, to, loc)
	if err != nil || t.Format(DayLayout) != to {
		problems = append(problems, apperr.Problem{Field: "to", Rule: "request", Message: "want a day, YYYY-MM-DD"})
	}
	if problems == nil {
		switch days := int(t.Sub(f).Hours()/24+0.5) + 1; {
		case t.Before(f):
			problems = append(problems, apperr.Problem{Field: "to", Rule: "request", Message: "the period ends before it starts"})
		case days > MaxDays:
			problems = append(problems, apperr.Problem{Field: "to", Rule: "request",
				Message: fmt.Sprintf("the period is %d days; at most %d: ask for a shorter period", days, MaxDays)})
		}
	}
	if problems != nil {
		return time.Time{}, time.Time{}, apperr.Refused("invalid period", "the period is not one the statistics count", problems)
	}
	return f, time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc), nil
}

// Period returns the statistics of the applications filed in [from, to] (Asia/Almaty days) for
// actor, open applications judged at now.
func (s *Service) Period(ctx context.Context, actor identity.Actor, from, to string, now time.Time) (Report, error) {
	if !slices.Contains(Roles, actor.Role) {
		return Report{}, apperr.Errorf(apperr.Forbidden, "statistics", "the statistics are for the authority and the authority for quality of state services")
	}
	return s.Compute(ctx, from, to, now)
}

// Compute returns the statistics of the applications filed in [from, to] at now, for any caller
// (the open data).
func (s *Service) Compute(ctx context.Context, from, to string, now time.Time) (Report, error) {
	start, end, err := s.ParsePeriod(from, to)
	if err != nil {
		return Report{}, err
	}
	cases, err := s.store.CasesFiledBetween(ctx, start, end, MaxCases+1)
	if err != nil {
		return Report{}, fmt.Errorf("statistics %s..%s: %w", from, to, err)
	}
	if len(cases) > MaxCases {
		return Report{}, apperr.Refused("period too large", "the period holds too many applications to count at once",
			[]apperr.Problem{{Field: "to", Rule: "request", Message: fmt.Sprintf("more than %d applications were filed in the period: ask for a shorter period", MaxCases)}})
	}
	histories, err := s.histories(ctx, cases)
	if err != nil {
		return Report{}, fmt.Errorf("statistics %s..%s: %w", from, to, err)
	}
	return s.count(from, to, now, cases, histories), nil
}

// histories reads each case's history, readers at a time.
func (s *Service) histories(ctx context.Context, cases []attestation.Case) ([][]attestation.Event, error) {
	out := make([][]attestation.Event, len(cases))
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, readers)
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = s.store.History(ctx, c.ID)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// completedRe reads the step completion's event (attestation: "step completed: <outcome>
// (<step> opened <RFC 3339>, due <RFC 3339>)").
// It and lapsedRe are compiled on first use: the task functions link this package and never count.
var completedRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^step completed: \S+ \((\S+) opened (\S+), due (\S+)\)$`)
})

// lapsedRe reads a lapse's event ("<Error>: <step> lapsed, due ...").
var lapsedRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\w+: (\S+) lapsed, due `) })

// span is one completed step.
type span struct {
	step            string
	opened, due, at time.Time
}

// completed is the completed step an event records, if it records one.
func completed(ev attestation.Event) (span, bool) {
	m := completedRe().FindStringSubmatch(ev.What)
	if m == nil || m[1] != ev.Step {
		return span{}, false
	}
	opened, err1 := time.Parse(time.RFC3339, m[2])
	due, err2 := time.Parse(time.RFC3339, m[3])
	if err1 != nil || err2 != nil {
		return span{}, false
	}
	return span{step: ev.Step, opened: opened, due: due, at: ev.At}, true
}

// stepKey is the policy's step for a step of the procedure in c (§19: survey_distributed).
func stepKey(e *policy.Edition, step string, c attestation.Case) string {
	if e == nil {
		return step
	}
	k, err := e.StepFor(step, policy.PackageFlags{GeographicallyDistributed: c.Distributed})
	if err != nil {
		return step
	}
	return k
}

// procedureSteps are the steps of the procedure in its order (§14-§38), the stages' order.
var procedureSteps = []string{policy.StepCompletenessCheck, policy.StepSendContract, policy.StepSignContract, policy.StepSurvey,
	policy.StepSurveyDistributed, policy.StepDecision, policy.StepSendDocuments, policy.StepRectificationNotice,
	policy.StepLapseDecision, policy.StepInformSTS, policy.StepAdditionalSurvey, policy.StepSecondDecision,
	policy.StepSecondSendDocuments}

func (s *Service) count(from, to string, now time.Time, cases []attestation.Case, histories [][]attestation.Event) Report {
	rep := Report{From: from, To: to, At: now.UTC(), Applications: len(cases), ByOutcome: map[string]int{}, ByObjectKind: map[string]int{},
		ByGround: []GroundCount{}, Stages: []StageFigures{}}
	edition := func(id string) *policy.Edition {
		e, err := policy.Load(id)
		if err != nil {
			return nil
		}
		return e
	}
	durations := map[string][]int{}
	stages := map[string]*StageFigures{}
	stage := func(e *policy.Edition, key string) *StageFigures {
		if f := stages[key]; f != nil {
			return f
		}
		f := &StageFigures{Step: key}
		if e != nil {
			if p, err := e.Period(key); err == nil {
				f.Paragraph, f.Period = p.Paragraph, p.Limit()
				if p.Unit == policy.WorkingDays {
					f.PeriodWorkingDays = p.Amount
				}
			}
		}
		stages[key] = f
		return f
	}
	grounds := map[[2]string]int{}
	codes := map[[2]string]map[string]int{}
	for i, c := range cases {
		e := edition(c.Edition)
		outcome := OutcomeOpen
		if c.Stage.Ended() {
			outcome = string(c.Stage)
		}
		rep.ByOutcome[outcome]++
		rep.ByObjectKind[c.ObjectKind]++
		var ground *attestation.Event
		for j, ev := range histories[i] {
			if sp, ok := completed(ev); ok {
				f := stage(e, stepKey(e, sp.step, c))
				f.Completed++
				if sp.at.After(sp.due) {
					f.Late++
				}
				if n, err := s.cal.WorkingDaysBetween(sp.opened, sp.at); err == nil {
					durations[f.Step] = append(durations[f.Step], n)
				}
			}
			if m := lapsedRe().FindStringSubmatch(ev.What); m != nil {
				stage(e, stepKey(e, m[1], c)).Lapsed++
			}
			if ev.Outcome == attestation.OutcomeReturn || ev.Outcome == attestation.OutcomeRefuse {
				ground = &histories[i][j]
			}
		}
		if ground != nil && (c.Stage == attestation.StageReturned || c.Stage == attestation.StageRefused) {
			k := [2]string{ground.Step, string(ground.Outcome)}
			grounds[k]++
			if codes[k] == nil {
				codes[k] = map[string]int{}
			}
			for _, code := range slices.Compact(slices.Sorted(slices.Values(ground.Grounds))) {
				codes[k][code]++
			}
		}
		if st := c.OpenStep; st != nil && !c.Stage.Ended() && (st.Overdue || st.PastDue(now)) {
			stage(e, stepKey(e, st.Name, c)).OpenOverdue++
		}
		s.term(&rep.ServiceTerm, c, histories[i], now)
	}
	if e := edition(policy.Default()); e != nil {
		if p, err := e.Period(policy.StepServiceTerm); err == nil {
			rep.ServiceTerm.Paragraph = p.Paragraph
		}
	}
	for k, n := range grounds {
		g := GroundCount{Step: k[0], Outcome: k[1], Count: n, Grounds: codes[k]}
		if r, ok := attestation.Rule(attestation.Stage(k[0])); ok {
			g.Paragraph = r.Outcomes[attestation.Outcome(k[1])].Paragraph
		}
		rep.ByGround = append(rep.ByGround, g)
	}
	sort.Slice(rep.ByGround, func(i, j int) bool {
		a, b := rep.ByGround[i], rep.ByGround[j]
		if a.Step != b.Step {
			return slices.Index(procedureSteps, a.Step) < slices.Index(procedureSteps, b.Step)
		}
		return a.Outcome < b.Outcome
	})
	for _, key := range procedureSteps {
		f := stages[key]
		if f == nil {
			continue
		}
		if d := durations[key]; len(d) > 0 {
			sort.Ints(d)
			med, p90, mx := percentile(d, 50), percentile(d, 90), d[len(d)-1]
			f.Median, f.P90, f.Max = &med, &p90, &mx
		}
		rep.Stages = append(rep.Stages, *f)
	}
	return rep
}

// percentile is the nearest-rank p-th percentile of sorted d (the median of an even count is the
// lower middle).
func percentile(d []int, p int) int {
	rank := (p*len(d) + 99) / 100
	return d[max(rank, 1)-1]
}

// term counts c's service term (standard §4): breached when the case ended after its due moment
// (the moment of its last event), or is open past it at now.
func (s *Service) term(f *TermFigures, c attestation.Case, history []attestation.Event, now time.Time) {
	t := c.Term
	if t == nil {
		return
	}
	if t.Uncountable != "" {
		f.Uncountable++
		return
	}
	f.Counted++
	if t.Extended {
		f.Extended++
	}
	if c.Stage.Ended() {
		end := c.SubmittedAt
		if n := len(history); n > 0 {
			end = history[n-1].At
		}
		if end.After(t.DueAt) {
			f.Breached++
			f.BreachedEnded++
		}
		return
	}
	if t.Overdue || now.After(t.DueAt) {
		f.Breached++
		f.BreachedOpen++
	}
}
