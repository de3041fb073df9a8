// Package metrics exports Gatehouse's Prometheus metrics.
//
// Metrics owns one prometheus.Registry (never the client library's global
// one) holding the request metrics, read from each request's
// pipeline.Record (Metrics is a pipeline.Sink); the session-token opens
// (Metrics is an authz.TokenObserver); the latency of the metadata store
// and the blob store, through decorators of their contracts (Store,
// Blobs); optionally the depth and drops of a buffered queue such as the
// audit trail's (Audit); and the Go runtime and process collectors.
// Handler serves the registry in the Prometheus exposition formats.
//
// Label values come from fixed sets only, so the number of series is
// bounded whatever clients send: service is iam, sts, s3 or "other";
// action is an operation name the composition root declared for that
// service (Declare) or "other"; code is the HTTP status. Bucket
// names, keys, principals and other request input never become labels.
//
// Recording a request costs a few atomic additions and map lookups and
// never blocks on I/O.
package metrics
