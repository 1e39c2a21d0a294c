package emulator

import "crypto/tls"

func tlsConfig(s *Server) *tls.Config {
	return &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}
}
