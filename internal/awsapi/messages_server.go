package awsapi

// The server's own limits, the same for every protocol.
var (
	// RequestTimedOut: the client stopped sending or reading within the
	// server's timeouts.
	RequestTimedOut = ErrRequestTimeout.say("Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
	// QueryBusy: the Query front end is at its concurrent-request limit.
	QueryBusy = ErrServiceUnavailable.say("The request has failed due to a temporary failure of the server.")
	// S3Busy: the S3 front end is at its concurrent-request limit, or the
	// store of object bytes (an S3-compatible upstream) is throttling,
	// overloaded or unreachable; either way the client should retry.
	S3Busy = ErrSlowDown.say("Please reduce your request rate.")
)
