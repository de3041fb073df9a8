// Package audit is Gatehouse's audit trail: every request — allowed,
// denied, failed authentication, malformed — becomes one event in AWS
// CloudTrail's record format (eventVersion 1.11), so that tools which read
// CloudTrail read it too.
//
// The contract:
//
//   - Converter turns a finished pipeline.Record into its events: one, or
//     two for a cross-account call (the caller's and the resource owner's,
//     as CloudTrail delivers them, sharing a sharedEventID).
//   - No secret is ever written: request parameters and response elements
//     pass a deny list (secret keys, session tokens, passwords, signatures,
//     MFA codes and seeds, security tokens) by name at every depth, an
//     error message loses the secret values it quotes, and the rest of an
//     event is built field by field from non-secret data.
//   - Logger is the pipeline.Sink: Record queues the record in a buffer
//     bounded in records and in bytes (what clients sent) and returns at
//     once; one goroutine converts, encodes (JSON lines) and writes
//     batches to the sinks. When the buffer is full the event is dropped
//     and counted (Stats), or — with back-pressure — the request waits,
//     and nothing is dropped from the sinks. Close flushes the buffer.
//   - Sinks: JSON-lines files with size and age rotation and retention
//     (FileSink, the default), any io.Writer (stdout), an HTTP webhook
//     (batches as {"Records":[...]}, with a timeout and bounded retries)
//     and syslog (RFC 5424 over UDP or TCP). Webhook and syslog are
//     shippers: each has its own bounded queue and goroutine, so a slow
//     collector never stalls the files (a full queue drops and counts,
//     back-pressure or not).
//   - Query reads the files back (rotated ones included) and selects events
//     by principal, action, resource, time and outcome; a role session is
//     followed back through the AssumeRole event that issued its key to
//     whoever assumed it.
//
// The package knows the pipeline's record and the principal (authz), and
// nothing of the services, the store or the server.
package audit
