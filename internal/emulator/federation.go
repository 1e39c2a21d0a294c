package emulator

import "errors"

// IssueFederatedToken returns a JWT from the emulator's own OIDC issuer
// (iss = URL()+"/federation"), as a CI system would hand a workload; an App
// whose FederatedSubject equals subject accepts it as client_assertion.
// An empty audience means "api://AzureADTokenExchange".
func (s *Server) IssueFederatedToken(subject, audience string) (string, error) {
	return "", errors.New("not implemented")
}
