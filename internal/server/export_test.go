package server

import "github.com/gatehouse/gatehouse/internal/s3"

// UnsignedInFlight is how many unsigned requests hold a slot, for tests
// that must know the cap is full before they probe it.
func UnsignedInFlight(s *Server) int { return len(s.unsignedSlots) }

// OperationNames lists the operation names the metrics declare for
// every service.
func OperationNames(s *Server) []string {
	return append(append(s.iam.Actions(), s.sts.Actions()...), s3.OperationNames()...)
}
