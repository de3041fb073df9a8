// Package arch holds tests of the code's shape rather than its behaviour:
// import directions between the module's packages follow the layering in
// docs/architecture.md, and every package under internal/ and cmd/ states
// its contract in a package doc comment. It has no code of its own; the
// tests load the packages with `go list`.
package arch
