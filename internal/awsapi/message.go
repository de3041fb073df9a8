package awsapi

import "fmt"

// Message is one entry of the message table (the messages_*.go files): a
// code from codes.go with AWS's wording for one situation, written as a fmt
// template whose verbs the domain fills, in order, with the names and
// values involved. Domain packages say which situation they are in and
// with what values; the code, the HTTP status and the words are decided
// here. A *Message is a sentinel as well: errors.Is(err, UserExists) holds
// for every error built from it, and errors.Is(err, ErrEntityAlreadyExists)
// for every error of its code.
type Message struct {
	code   *Code
	format string
	status int
}

// say makes a message table entry of code c.
func (c *Code) say(format string) *Message { return &Message{code: c, format: format} }

// sentWith makes the entry sent with another status than its code's (AWS
// answers some codes differently in different situations).
func (m *Message) sentWith(status int) *Message {
	c := *m
	c.status = status
	return &c
}

// Error makes a Message usable as a sentinel error.
func (m *Message) Error() string { return m.code.name + ": " + m.format }

// Code is the table code the message is sent with.
func (m *Message) Code() *Code { return m.code }

// Format is the message's template.
func (m *Message) Format() string { return m.format }

// Status is the HTTP status the message is sent with.
func (m *Message) Status() int {
	if m.status != 0 {
		return m.status
	}
	return m.code.status
}

// Of builds the error, the template's verbs filled with args in order.
func (m *Message) Of(args ...any) *Error {
	text := m.format
	if len(args) > 0 {
		text = fmt.Sprintf(m.format, args...)
	}
	e := m.code.new(text)
	e.msg = m
	e.Status = m.status
	return e
}

// The messages every service shares: the Query protocol's validation
// errors, worded as AWS words each constraint of its service models.
var (
	// ValueNull: the member is required. Args: member.
	ValueNull = ErrValidationError.say("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null")
	// ValueTooLong: Args: value, member, maximum length.
	ValueTooLong = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d")
	// ValueTooShort: Args: value, member, minimum length.
	ValueTooShort = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d")
	// ValueNotMatching: Args: value, member, the regular expression.
	ValueNotMatching = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s")
	// ValueTooLarge: Args: value, member, maximum.
	ValueTooLarge = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d")
	// ValueTooSmall: Args: value, member, minimum.
	ValueTooSmall = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d")
	// ValueOutOfRange: Args: value, member, minimum, maximum.
	ValueOutOfRange = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d and less than or equal to %d")
	// ValueNotInSet: Args: value, member, the allowed values as "A, B, C".
	ValueNotInSet = ErrValidationError.say("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]")
)
