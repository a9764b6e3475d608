// Package policy holds the editions of the attestation regulation as data: every period, date,
// office hour, document list, object kind and certificate rule of the procedure, with the paragraph
// it comes from.
//
// An edition is a YAML file under editions/. go generate checks it (Parse, in the tests: unknown
// keys, missing or negative periods and dangling references are errors naming the field) and
// turns it into Go values (editions_gen.go, generated.go), which Load checks again on an
// edition's first use: no function decodes YAML. The
// default edition, rules-2016-amended-2018, is the Rules for attestation (Government Decree No. 298
// of 2016 as amended in 2018) with the state service standard (Order No. 229/НҚ of 2017); the
// second, law-2015-art51, applies Article 51 of the Law "On Informatization" where it differs.
//
// Which edition applies to new filings is configuration (Load, Default); a case keeps the edition
// it was filed under. Editions are immutable and cheap to look up, so a case stores only the id.
//
// One function, Edition.Due, computes the due moment of any step from the edition and a working-day
// Calendar; CallbackTimeout turns it into the timeout of a Step Functions callback state, so no
// period is ever written into the state machine as a literal.
//
// docs/policy.md is generated from the default edition; regenerate it with
//
//	go test ./internal/policy/ -run TestDocDrift -update
//
// docs/domain.md, the procedure in prose, has a table of periods written by hand;
// TestDomainDocPeriodsAgreeWithPolicy checks each of its figures against the editions.
package policy

//go:generate go test . -run TestDocDrift -update
