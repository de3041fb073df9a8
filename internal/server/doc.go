// Package server is Gatehouse's composition root: it opens the store and the
// key material, builds the IAM, STS and S3 services and the request
// pipeline, bootstraps the default account on first start, and runs the
// HTTP(S) listener with graceful shutdown. It is the only package that
// imports concrete backends (internal/store/sqlite, …).
//
// Every request takes one path (see http.go): route to a service, verify the
// SigV4 signature, resolve the principal, authorize the declared action,
// run the handler, write the response in the service's wire protocol.
package server
