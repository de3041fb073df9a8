package awsapi

import (
	"errors"
	"net/http"
)

// Code is one entry of the error table (codes.go): an AWS error code, the
// HTTP status it is sent with and, where AWS always says the same, its
// message. A *Code is also a sentinel: errors.Is(err, ErrNoSuchKey) holds
// for every *Error built from it.
type Code struct {
	name    string
	status  int
	message string
}

// Error makes a Code usable as a sentinel error.
func (c *Code) Error() string { return c.name }

// Name is the AWS error code.
func (c *Code) Name() string { return c.name }

// new builds an error of this code with a message. It is not exported:
// outside this package errors are built from the message table.
func (c *Code) new(message string) *Error { return &Error{Code: c.name, Message: message, kind: c} }

// withStatus builds an error of this code sent with another status.
func (c *Code) withStatus(status int, message string) *Error {
	e := c.new(message)
	e.Status = status
	return e
}

// Error is the one typed AWS error. Code is AWS's error code (for example
// "NoSuchEntity"), taken from the table; the HTTP status comes from the
// table unless Status is set.
type Error struct {
	Code    string
	Message string
	// Status overrides the table's status when non-zero.
	Status int
	// Fields are extra elements written into S3 error bodies
	// (for example Resource, RequestTime, ServerTime). Query errors ignore them.
	Fields []Field
	kind   *Code
	msg    *Message
}

// Field is one extra element of an S3 error body.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is the code or the message e was built from.
func (e *Error) Is(target error) bool {
	return (e.kind != nil && target == error(e.kind)) || (e.msg != nil && target == error(e.msg))
}

// HTTPStatus returns the status the error is sent with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if e.kind != nil {
		return e.kind.status
	}
	return http.StatusInternalServerError
}

// Sender reports whether the error is the caller's fault (Query protocol
// <Type>Sender</Type>) rather than the server's (<Type>Receiver</Type>).
func (e *Error) Sender() bool { return e.HTTPStatus() < 500 }

// With returns a copy of e carrying an extra S3 error field.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Fields = append(append([]Field(nil), e.Fields...), Field{name, value})
	return &c
}

// internalMessage is what any error that is not an *Error says on the wire:
// never the underlying error's text.
const internalMessage = "We encountered an internal error. Please try again."

// AsError converts any error to an *Error: an *Error (possibly wrapped) is
// returned as is; anything else becomes the service's internal error
// (ErrServiceFailure for IAM, ErrInternalFailure for STS, ErrInternalError
// for S3) so that no internal detail reaches the client.
func AsError(err error, internal *Code) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return internal.withStatus(http.StatusInternalServerError, internalMessage)
}
