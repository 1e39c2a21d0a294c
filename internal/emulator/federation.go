package emulator

import (
	"net/http"
	"time"
)

// The emulator doubles as the OIDC issuer of a CI system (GitHub Actions,
// a Kubernetes cluster...) for workload identity federation: it signs a
// token for a subject, and Entra (the emulator's token endpoint) exchanges
// it for an access token when an app has a matching federated credential.

func (s *Server) federationIssuer() string { return s.url + "/federation" }

// IssueFederatedToken returns a JWT from the emulator's own OIDC issuer
// (iss = URL()+"/federation"), valid for 10 minutes, as a CI system would
// hand a workload; an App whose FederatedSubject equals subject accepts it
// as client_assertion. An empty audience means "api://AzureADTokenExchange".
func (s *Server) IssueFederatedToken(subject, audience string) (string, error) {
	if audience == "" {
		audience = defaultFedAudience
	}
	now := s.now()
	return signJWT(s.fedKey, map[string]any{"kid": keyID(&s.fedKey.PublicKey)}, map[string]any{
		"iss": s.federationIssuer(),
		"sub": subject,
		"aud": audience,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(10 * time.Minute).Unix(),
		"jti": newGUID(),
	})
}

func (s *Server) handleFederationConfig(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.federationIssuer(),
		"jwks_uri":                              s.federationIssuer() + "/keys",
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"id_token"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
	})
}

func (s *Server) handleFederationKeys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{jwk(keyID(&s.fedKey.PublicKey), &s.fedKey.PublicKey)}})
}
