package server

import (
	"net"

	"golang.org/x/net/netutil"
)

// limitListener caps the connections open at once at MaxConnections: past
// the cap, Accept waits until one closes and new clients wait in the
// kernel's listen backlog. Every wait on an open connection is bounded
// (header, idle, body and write timeouts), so a slot held by a silent
// client comes back. Warns when the process's descriptor limit cannot
// hold the connections and the files they read and write.
func (s *Server) limitListener(l net.Listener) net.Listener {
	if soft, ok := descriptorLimit(); ok && soft < uint64(2*s.cfg.MaxConnections+64) {
		s.log.Warn("the descriptor limit is low for max-connections: raise it (ulimit -n) or lower max-connections",
			"limit", soft, "max_connections", s.cfg.MaxConnections, "wanted", 2*s.cfg.MaxConnections+64)
	}
	return netutil.LimitListener(l, s.cfg.MaxConnections)
}
