// Package archtest holds no code, only a test over the module's import graph (go list): the
// layers of the module are stated once, in the table of layers_test.go, and the test fails when
// a package imports across them the wrong way — a domain package an adapter, the HTTP API, the
// wiring or AWS; an adapter the HTTP API, the Step Functions tasks, the wiring or the local stack;
// anything but a bootstrap main, the wiring itself and the local harness the wiring. A new package
// is put in the table before the test passes.
package archtest
