package oversight

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/objects"
	"attestation/internal/policy"
	"attestation/internal/register"
)

// ownerReads bounds the register reads (one per owner) the report of §4 runs side by side.
const ownerReads = 8

// Calendar is the working-day calendar (internal/calendar implements it): the years it covers.
type Calendar interface {
	Years() (first, last int)
}

// Service makes the authority's oversight reports.
type Service struct {
	store Store
	cal   Calendar
}

// NewService returns the service reading from store; the years of plans are those cal covers.
func NewService(store Store, cal Calendar) *Service { return &Service{store: store, cal: cal} }

// authorityOnly refuses every role but the authority: the reports are its oversight.
func authorityOnly(actor identity.Actor, what string) error {
	if actor.Role != identity.Authority {
		return apperr.Errorf(apperr.Forbidden, "", "%s: the report is the authority's, not the %s's", what, actor.Role)
	}
	return nil
}

// OperationWithoutCertificate lists every mandatory object whose life-cycle stage is industrial
// operation and that has no valid certificate at now (§4; Law Art. 40(1), 44(3), 51(4)).
//
// A certificate is the object's when its register entry names the object's ID, or, for an entry
// that names no object, when it is of the same owner and of the same object name (case and runs
// of white space aside). It is valid when its status is valid and its term (if it has one) has
// not passed at now. An object with no valid certificate is listed with the reason its latest
// certificate gives (recalled, expired, terminated), or as having none.
//
// Whether the kind's industrial operation needs a certificate is read from the policy edition
// the object was registered under; the row says so and names the paragraph it rests on.
func (s *Service) OperationWithoutCertificate(ctx context.Context, actor identity.Actor, now time.Time) (OperationReport, error) {
	if err := authorityOnly(actor, "operation without a certificate"); err != nil {
		return OperationReport{}, err
	}
	all, err := s.store.ObjectsInStage(ctx, objects.StageIndustrialOperation)
	if err != nil {
		return OperationReport{}, fmt.Errorf("operation without a certificate: objects in industrial operation: %w", err)
	}
	var mandatory []objects.Object
	owners := map[string]bool{}
	for _, o := range all {
		if o.Mandatory && o.LifeCycleStage == objects.StageIndustrialOperation {
			mandatory = append(mandatory, o)
			owners[o.OrganizationBIN] = true
		}
	}
	entries, err := s.entriesOf(ctx, slices.Sorted(maps.Keys(owners)))
	if err != nil {
		return OperationReport{}, fmt.Errorf("operation without a certificate: %w", err)
	}
	report := OperationReport{At: now.UTC(), Rows: []Unattested{}}
	for _, o := range mandatory {
		ed, err := policy.Load(o.Edition)
		if err != nil {
			return OperationReport{}, fmt.Errorf("operation without a certificate: object %s: %w", o.ID, err)
		}
		kind, err := ed.Kind(o.Kind)
		if err != nil {
			return OperationReport{}, fmt.Errorf("operation without a certificate: object %s: %w", o.ID, err)
		}
		var latest *register.Entry
		valid := false
		for i, e := range entries[o.OrganizationBIN] {
			if !certifies(e, o) {
				continue
			}
			if validAt(e, now) {
				valid = true
				break
			}
			if latest == nil || e.IssuedAt.After(latest.IssuedAt) || (e.IssuedAt.Equal(latest.IssuedAt) && e.Number > latest.Number) {
				latest = &entries[o.OrganizationBIN][i]
			}
		}
		if valid {
			continue
		}
		row := Unattested{ObjectID: o.ID, ObjectName: o.Name, Kind: o.Kind, OwnerBIN: o.OrganizationBIN, Stage: o.LifeCycleStage,
			Since: o.Since().UTC(), Paragraph: operationParagraph(ed, kind), OperationRequiresCertificate: kind.OperationRequiresCertificate,
			Reason: NoCertificate, Edition: ed.ID()}
		if latest != nil {
			row.Certificate = latest.Number
			row.Reason, row.ReasonAt = reasonOf(*latest)
		}
		report.Rows = append(report.Rows, row)
	}
	slices.SortFunc(report.Rows, func(a, b Unattested) int {
		return cmp.Or(cmp.Compare(a.OwnerBIN, b.OwnerBIN), cmp.Compare(normalName(a.ObjectName), normalName(b.ObjectName)), cmp.Compare(a.ObjectID, b.ObjectID))
	})
	return report, nil
}

// entriesOf reads the register entries of each owner, ownerReads owners at a time; the first
// error stops the rest.
func (s *Service) entriesOf(ctx context.Context, owners []string) (map[string][]register.Entry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(map[string][]register.Entry, len(owners))
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	sem := make(chan struct{}, ownerReads)
	for _, bin := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			es, err := s.store.EntriesOf(ctx, bin)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("register entries of an owner: %w", err)
					cancel()
				}
				return
			}
			out[bin] = es
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("register entries of the owners: %w", err)
	}
	return out, nil
}

// certifies reports whether the register entry e is a certificate of the object o: by the
// object's ID when the entry names one, else by the same owner and object name.
func certifies(e register.Entry, o objects.Object) bool {
	if e.ObjectID != "" {
		return e.ObjectID == o.ID
	}
	return e.OwnerBIN == o.OrganizationBIN && normalName(e.ObjectName) == normalName(o.Name)
}

// validAt reports whether the certificate is in force at now: valid in the register, and its
// term (§40: the platform's year; none for the period of industrial operation) not passed, as
// the register decides an entry's status at a moment.
func validAt(e register.Entry, now time.Time) bool {
	return e.StatusAt(now) == register.Valid
}

// reasonOf is why a certificate that is not valid is not, and since when (when the entry says).
func reasonOf(e register.Entry) (Reason, *time.Time) {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	switch e.Status {
	case register.Recalled:
		if e.Recall != nil {
			return Recalled, utc(&e.Recall.DecidedAt)
		}
		return Recalled, nil
	case register.Terminated:
		return Terminated, utc(e.TerminatedAt)
	case register.Expired:
		if e.ExpiredAt != nil {
			return Expired, utc(e.ExpiredAt)
		}
		return Expired, utc(e.ValidUntil)
	}
	// Valid in the register, but its term has passed (the deadline check has not marked it yet).
	return Expired, utc(e.ValidUntil)
}

// operationParagraph is the paragraph a row of the §4 report rests on: §4 (Law Art. 51(4) under
// an edition that follows the Law) for a kind whose industrial operation needs a certificate,
// else the kind's own paragraph, which makes its attestation mandatory but does not condition its
// operation.
func operationParagraph(ed *policy.Edition, kind policy.Kind) string {
	if !kind.OperationRequiresCertificate {
		return kind.Paragraph
	}
	for _, src := range ed.Sources() {
		if src.ID == "law" {
			return "Law Art. 51(4)"
		}
	}
	return "§4"
}

// PlansAgainstApplications sets the year's lists of objects planned for attestation (§11,
// Annex 1, every organisation's) against the applications filed that year (the year counted in
// Asia/Almaty): the mandatory objects planned for which no application was filed, and the
// applications for mandatory objects that no list of the year names.
//
// An application and a planned object are the same object when the application names the
// object's ID, or, for an application that names none, when it is of the same organisation and
// of the same object name (case and runs of white space aside). Every application filed counts,
// whatever became of it (returned, withdrawn, refused): the list asked for the filing. Whether an
// application's object is mandatory is read from its kind in the edition it was filed under; a
// planned object's, from the list's row.
func (s *Service) PlansAgainstApplications(ctx context.Context, actor identity.Actor, year int) (PlanReport, error) {
	if err := authorityOnly(actor, "plans against applications"); err != nil {
		return PlanReport{}, err
	}
	if first, last := s.cal.Years(); year < first || year > last {
		return PlanReport{}, apperr.Errorf(apperr.Unprocessable, "", "year: %d is outside the years the calendar covers (%d-%d): no list can be sent for it", year, first, last)
	}
	var (
		plans            []objects.Plan
		cases            []attestation.Case
		planErr, caseErr error
		wg               sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		plans, planErr = s.store.PlansOf(ctx, year)
	}()
	cases, caseErr = s.store.CasesFiledIn(ctx, year)
	wg.Wait()
	if planErr != nil {
		return PlanReport{}, fmt.Errorf("plans against applications %d: lists: %w", year, planErr)
	}
	if caseErr != nil {
		return PlanReport{}, fmt.Errorf("plans against applications %d: applications: %w", year, caseErr)
	}

	// The applications by the object they name, or by organisation and name when they name none.
	byObject := map[string]bool{}
	byName := map[string]bool{}
	for _, c := range cases {
		if c.ObjectID != "" {
			byObject[c.ObjectID] = true
		} else {
			byName[c.OrganizationBIN+"\x00"+normalName(c.ObjectName)] = true
		}
	}
	// The lists' rows by organisation, the same two ways.
	planOf := map[string]objects.Plan{}
	rowObject := map[string]bool{}
	rowName := map[string]bool{}
	report := PlanReport{Year: year, PlannedWithoutApplication: []PlannedWithoutApplication{}, ApplicationsWithoutPlan: []ApplicationWithoutPlan{}}
	for _, p := range plans {
		planOf[p.OrganizationBIN] = p
		for _, r := range p.Rows {
			rowObject[p.OrganizationBIN+"\x00"+r.ObjectID] = true
			rowName[p.OrganizationBIN+"\x00"+normalName(r.ObjectName)] = true
			if !r.Mandatory || byObject[r.ObjectID] || byName[p.OrganizationBIN+"\x00"+normalName(r.ObjectName)] {
				continue
			}
			report.PlannedWithoutApplication = append(report.PlannedWithoutApplication, PlannedWithoutApplication{
				OwnerBIN: p.OrganizationBIN, ObjectID: r.ObjectID, ObjectName: r.ObjectName, LifeCycleStage: r.LifeCycleStage,
				PlannedDate: r.PlannedDate, PlanRevision: p.Revision, PlanLate: p.Late(), Paragraph: planParagraph(p.Paragraph)})
		}
	}
	for _, c := range cases {
		ed, err := policy.Load(c.Edition)
		if err != nil {
			return PlanReport{}, fmt.Errorf("plans against applications %d: case %s: %w", year, c.ID, err)
		}
		// A filing always names a kind of its edition (§5, §6); one that does not cannot be told
		// mandatory, and is not reported as such.
		kind, err := ed.Kind(c.ObjectKind)
		if err != nil || !kind.Mandatory {
			continue
		}
		planned := rowName[c.OrganizationBIN+"\x00"+normalName(c.ObjectName)]
		if c.ObjectID != "" {
			planned = rowObject[c.OrganizationBIN+"\x00"+c.ObjectID]
		}
		if planned {
			continue
		}
		_, sent := planOf[c.OrganizationBIN]
		paragraph := ""
		if per, err := ed.Period(policy.StepAnnualPlan); err == nil {
			paragraph = per.Paragraph
		}
		report.ApplicationsWithoutPlan = append(report.ApplicationsWithoutPlan, ApplicationWithoutPlan{
			CaseID: c.ID, OwnerBIN: c.OrganizationBIN, ObjectID: c.ObjectID, ObjectName: c.ObjectName, ObjectKind: c.ObjectKind,
			SubmittedAt: c.SubmittedAt.UTC(), Stage: c.Stage, PlanSent: sent, Paragraph: planParagraph(paragraph)})
	}
	slices.SortFunc(report.PlannedWithoutApplication, func(a, b PlannedWithoutApplication) int {
		return cmp.Or(cmp.Compare(a.OwnerBIN, b.OwnerBIN), cmp.Compare(a.PlannedDate, b.PlannedDate), cmp.Compare(a.ObjectID, b.ObjectID))
	})
	slices.SortFunc(report.ApplicationsWithoutPlan, func(a, b ApplicationWithoutPlan) int {
		return cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), cmp.Compare(a.CaseID, b.CaseID))
	})
	return report, nil
}

// planParagraph is the paragraph of the annual list as the edition states it (§11, or Law Art.
// 51(15), §11), with its form, Annex 1.
func planParagraph(p string) string {
	switch {
	case p == "":
		return "§11, Annex 1"
	case strings.Contains(p, "Annex 1"):
		return p
	}
	return p + ", Annex 1"
}
