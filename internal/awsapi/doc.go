// Package awsapi holds the wire conventions shared by the IAM, STS and S3
// front ends: the one typed AWS error (code, HTTP status, message), the table
// that maps error codes to HTTP statuses, the AWS Query protocol response and
// error encoders, the S3 REST-XML error encoder, and request ids.
//
// Packages below the edge return their own sentinel errors; handlers translate
// them once into an *Error, and only this package decides how an *Error is
// written on the wire.
package awsapi
