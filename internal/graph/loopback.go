package graph

import (
	"net"
	"strings"
)

// IsLoopbackHost reports whether host names the local machine: localhost,
// an address in 127.0.0.0/8, or ::1. A port ("127.0.0.1:8443",
// "[::1]:8443") and IPv6 brackets are accepted and ignored, so callers can
// pass either url.URL.Host or url.URL.Hostname().
func IsLoopbackHost(host string) bool {
	h := strings.TrimSpace(host)
	if hp, _, err := net.SplitHostPort(h); err == nil {
		h = hp
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	// A trailing dot is the fully qualified form of the same name.
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
