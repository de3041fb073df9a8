// Package sts implements the AWS Security Token Service Query API.
//
// The request pipeline authenticates the caller before Handle runs; STS
// actions that need authorization (AssumeRole and friends) evaluate the
// trust policy themselves through authz. GetCallerIdentity needs no
// permission, as in AWS. AssumeRoleWithSAML is unsigned: its resolve step
// verifies the SAML Response (internal/saml) and declares its checks for
// the subject the assertion names, never for the request's caller.
package sts
