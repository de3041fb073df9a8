// Package awsapi holds the wire conventions shared by the IAM, STS and S3
// front ends: the one typed AWS error (*Error: code, HTTP status, message),
// the one table of errors, the edge that maps authentication and
// authorization sentinels to it, the AWS Query protocol response and error
// encoders, the S3 REST-XML error encoder, and request ids.
//
// The table has two levels: codes (codes.go: the AWS error code and the
// status AWS sends it with) and messages (message.go, messages_*.go: a code
// with AWS's wording for one situation, a template the caller fills with
// the names and values involved). Services build errors only by naming a
// message — awsapi.EntityNotFound.Of("user", name) — so no code, status or
// wording is written outside this package; Code has no exported
// constructor. Both levels are sentinels for errors.Is. docs/errors.md is
// generated from the table (go test ./internal/awsapi -run TestMessageTable
// -update) and a test keeps the two equal.
//
// Packages below the services return their own sentinel errors; the
// services translate them into messages, and only this package decides
// how an *Error is written on the wire. An error that is not an *Error is
// sent as the service's internal error, never with its text.
package awsapi
