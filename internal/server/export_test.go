package server

// UnsignedInFlight is how many unsigned requests hold a slot, for tests
// that must know the cap is full before they probe it.
func UnsignedInFlight(s *Server) int { return len(s.unsignedSlots) }
