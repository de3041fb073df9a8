// Package arn parses Amazon Resource Names from untrusted input.
//
// Contract: Parse accepts exactly arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
// with a non-empty partition, service and resource, at most MaxLen bytes and
// no control characters; the resource keeps any further colons. A parsed ARN
// prints back byte for byte (String). Parse says nothing about whether the
// named thing exists: callers check the service, account and resource type
// they expect.
package arn

import (
	"errors"
	"strings"
)

// MaxLen is the longest ARN accepted (IAM's arnType allows 2048).
const MaxLen = 2048

// ErrMalformed: the string is not an ARN.
var ErrMalformed = errors.New("arn: malformed")

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// Parse splits s into its fields.
func Parse(s string) (ARN, error) {
	if len(s) > MaxLen {
		return ARN{}, ErrMalformed
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return ARN{}, ErrMalformed
		}
	}
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, ErrMalformed
	}
	var f [4]string
	for i := range f {
		var found bool
		f[i], rest, found = strings.Cut(rest, ":")
		if !found {
			return ARN{}, ErrMalformed
		}
	}
	a := ARN{Partition: f[0], Service: f[1], Region: f[2], Account: f[3], Resource: rest}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, ErrMalformed
	}
	return a, nil
}

// String is the ARN's text.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IAMResource splits an IAM-style resource, TYPE/PATH/NAME, into its type,
// its path (with leading and trailing slashes, "/" when there is none) and
// its name: "role/app/admin" is ("role", "/app/", "admin"). A resource
// without a slash ("root") is its own type with an empty path and name.
func (a ARN) IAMResource() (typ, path, name string) {
	typ, rest, ok := strings.Cut(a.Resource, "/")
	if !ok {
		return a.Resource, "", ""
	}
	i := strings.LastIndexByte(rest, '/')
	return typ, "/" + rest[:i+1], rest[i+1:]
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
