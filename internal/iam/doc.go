// Package iam implements the AWS IAM Query API over store.Store: users,
// access keys, groups, roles, managed policies with versions, inline
// policies, attachments, permission boundaries, tags and virtual MFA
// devices, with AWS's validation, quotas, error codes and response shapes.
//
// The request pipeline authenticates and authorizes before Handle runs:
// Operation tells it, for each action, which resource ARN the action is
// authorized on. Every change runs in one store transaction so that checks
// (quotas, delete conflicts) and writes are atomic. Secret access keys and
// virtual MFA seeds are sealed with the SecretSealer before they reach the
// store and are returned in clear only by CreateAccessKey and
// CreateVirtualMFADevice; MFA codes are checked against the opened seed.
// Policy documents are validated on write and returned URL-encoded, as AWS
// returns them.
package iam
