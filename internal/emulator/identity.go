package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as a SHA-1 thumbprint (RFC 7515 4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Identity platform endpoints. Shapes follow
// https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc (discovery document),
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow (token
// request, error response) and
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS codes).

const (
	graphResource      = "https://graph.microsoft.com"
	graphAppID         = "00000003-0000-0000-c000-000000000000"
	assertionTypeJWT   = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	defaultFedAudience = "api://AzureADTokenExchange"
)

// tenantMatches accepts the tenant ID or the initial domain, as Entra does.
func (s *Server) tenantMatches(t string) bool {
	return strings.EqualFold(t, s.tenantID) || strings.EqualFold(t, s.domain)
}

func (s *Server) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.tenantMatches(tenant) {
		// Entra answers discovery for an unknown tenant with 400 invalid_tenant.
		s.aadError(w, http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf(
			"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
		return
	}
	base := s.url + "/" + s.tenantID
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              s.url + "/" + s.tenantID + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     s.url + "/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          strings.TrimPrefix(s.url, "https://"),
		"rbac_url":                              "https://pas.windows.net",
	})
}

// handleInstanceDiscovery serves MSAL's instance discovery for clients
// that do not set DisableInstanceDiscovery; the emulator is its own alias.
func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(s.url, "https://")
	ep := r.URL.Query().Get("authorization_endpoint")
	tenant := s.tenantID
	if i := strings.Index(ep, host+"/"); i >= 0 {
		if t, _, ok := strings.Cut(ep[i+len(host)+1:], "/"); ok && t != "" {
			tenant = t
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.url + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []any{map[string]any{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}

func (s *Server) handleTokenKeys(w http.ResponseWriter, r *http.Request) {
	if !s.tenantMatches(r.PathValue("tenant")) {
		s.aadError(w, http.StatusBadRequest, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found.", r.PathValue("tenant")))
		return
	}
	key := s.accessTokenKey()
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{jwk(keyID(&key.PublicKey), &key.PublicKey)}})
}

// aadError writes the identity platform's error body. The description
// puts the trace, correlation and time on lines of their own, separated by
// CRLF, as the error response of
// https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
// shows.
func (s *Server) aadError(w http.ResponseWriter, status int, code string, aadsts int, desc string) {
	trace, corr := newGUID(), newGUID()
	now := s.now().UTC()
	writeJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			aadsts, desc, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      s.url + "/error?code=" + fmt.Sprint(aadsts),
	})
}

// aadErr is an identity platform error decided by a step of the token
// endpoint, written by aadError.
type aadErr struct {
	status int
	code   string
	aadsts int
	desc   string
}

func badTokenRequest(aadsts int, desc string) *aadErr {
	return &aadErr{status: http.StatusBadRequest, code: "invalid_request", aadsts: aadsts, desc: desc}
}

// handleToken serves the client credentials grant: check the request,
// find the app, authenticate it, mint a token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	faults := s.faults
	s.mu.Unlock()
	if s.drawFault(faults.RateToken) {
		s.writeGateway(w, faults.Token, faults, newGUID())
		return
	}
	tenant := r.PathValue("tenant")
	if err := r.ParseForm(); err != nil {
		s.aadError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	clientID, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && clientID == "" {
		clientID, secret = u, p
	}
	app, e := s.checkTokenRequest(tenant, f, clientID)
	if e == nil {
		e = s.authenticateClient(app, secret, f, tenant)
	}
	if e != nil {
		s.aadError(w, e.status, e.code, e.aadsts, e.desc)
		return
	}
	tok, exp, err := s.mintAccessToken(app, f.Get("claims") != "")
	if err != nil {
		s.aadError(w, http.StatusInternalServerError, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.")
		return
	}
	secs := int(exp.Sub(s.now()).Seconds())
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   tok,
	})
}

// checkTokenRequest checks the tenant, grant, client ID, scope and claims
// in the order the identity platform reports them, and finds the app.
func (s *Server) checkTokenRequest(tenant string, f url.Values, clientID string) (App, *aadErr) {
	if !s.tenantMatches(tenant) {
		return App{}, badTokenRequest(90002, fmt.Sprintf(
			"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant))
	}
	switch grant := f.Get("grant_type"); {
	case grant == "":
		return App{}, badTokenRequest(900144, "The request body must contain the following parameter: 'grant_type'.")
	case grant != "client_credentials":
		return App{}, &aadErr{http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant)}
	}
	if clientID == "" {
		return App{}, badTokenRequest(900144, "The request body must contain the following parameter: 'client_id'.")
	}
	if e := s.checkScope(f.Get("scope")); e != nil {
		return App{}, e
	}
	if c := f.Get("claims"); c != "" && !json.Valid([]byte(c)) {
		return App{}, badTokenRequest(90014, "The 'claims' parameter is not valid JSON.")
	}
	s.mu.Lock()
	app, ok := s.appLocked(clientID)
	s.mu.Unlock()
	if !ok {
		return App{}, &aadErr{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf(
			"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
			clientID, s.domain)}
	}
	return app, nil
}

// checkScope accepts Graph's /.default scope only.
func (s *Server) checkScope(scope string) *aadErr {
	if scope == "" {
		return badTokenRequest(900144, "The request body must contain the following parameter: 'scope'.")
	}
	if s.graphScope(scope) {
		return nil
	}
	if res := resourceScopes(scope); len(res) != 1 || !strings.HasSuffix(res[0], "/.default") {
		return &aadErr{http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf(
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}
	}
	return &aadErr{http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf(
		"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
		strings.TrimSuffix(resourceScopes(scope)[0], "/.default"), s.domain)}
}

// authenticateClient checks the app's secret or client assertion.
func (s *Server) authenticateClient(app App, secret string, f url.Values, tenant string) *aadErr {
	assertion, atype := f.Get("client_assertion"), f.Get("client_assertion_type")
	switch {
	case secret != "":
		if app.Secret == "" || secret != app.Secret {
			return &aadErr{http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf(
				"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)}
		}
		if app.SecretExpired {
			return &aadErr{http.StatusUnauthorized, "invalid_client", 7000222, fmt.Sprintf(
				"The provided client secret keys for app '%s' are expired. Create new keys for the app in the portal, or use certificate credentials.", app.ClientID)}
		}
	case assertion != "":
		if atype != assertionTypeJWT {
			return badTokenRequest(50027, "Invalid client_assertion_type; expected "+assertionTypeJWT+".")
		}
		if status, code, n, msg := s.checkAssertion(app, assertion, tenant); n != 0 {
			return &aadErr{status, code, n, msg}
		}
	default:
		return &aadErr{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	return nil
}

// graphScope accepts Graph's own resource and the emulator's Graph endpoint
// (a provider pointed at the emulator may derive the scope from it).
func (s *Server) graphScope(scope string) bool {
	res := resourceScopes(scope)
	for _, sc := range res {
		res, ok := strings.CutSuffix(sc, "/.default")
		if !ok {
			return false
		}
		res = strings.TrimRight(res, "/")
		if strings.EqualFold(res, graphResource) || res == graphAppID {
			continue
		}
		// The emulator's Graph endpoint under any loopback name.
		u, err := url.Parse(res)
		if err != nil || u.Scheme != "https" || u.Path != "" || !isLoopbackHostPort(u.Host, s.url) {
			return false
		}
	}
	return len(res) == 1
}

// resourceScopes drops the OIDC scopes MSAL appends to every request;
// Entra ignores them in the client credentials flow.
func resourceScopes(scope string) []string {
	var out []string
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "offline_access", "profile", "email":
		default:
			out = append(out, sc)
		}
	}
	return out
}

func (s *Server) mintAccessToken(app App, cae bool) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.opts.TokenLifetime)
	roles := append([]string{}, app.Permissions...)
	claims := map[string]any{
		"aud":             graphResource,
		"iss":             "https://sts.windows.net/" + s.tenantID + "/",
		"iat":             now.Unix(),
		"nbf":             now.Unix(),
		"exp":             exp.Unix(),
		"appid":           app.ClientID,
		"azp":             app.ClientID,
		"idtyp":           "app",
		"oid":             app.ClientID,
		"sub":             app.ClientID,
		"tid":             s.tenantID,
		"roles":           roles,
		"ver":             "1.0",
		"uti":             newGUID(),
		"app_displayname": "b2b-emulator app",
	}
	if cae {
		claims["xms_cc"] = []string{"CP1"}
	}
	key := s.accessTokenKey()
	tok, err := signJWT(key, map[string]any{"kid": keyID(&key.PublicKey)}, claims)
	if err == nil {
		s.mu.Lock()
		s.issued = append(s.issued, tok)
		s.mu.Unlock()
	}
	return tok, exp, err
}

// accessTokenKey is the key access tokens are signed with now.
func (s *Server) accessTokenKey() *rsa.PrivateKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenKey
}

// verifyAccessToken checks an access token's signature against the
// current signing key only: a token signed before RotateSigningKey fails.
func (s *Server) verifyAccessToken(t *jwt) error {
	if t.head("alg") != "RS256" {
		return fmt.Errorf("unexpected algorithm %q", t.head("alg"))
	}
	return t.verify(&s.accessTokenKey().PublicKey)
}

// RotateSigningKey replaces the key that signs access tokens, as when
// Entra rolls its signing keys over or a token is revoked: every token
// issued before is refused by Graph with 401 InvalidAuthenticationToken
// ("Access token validation failure. Invalid signature."), the
// documented error of a token Graph cannot validate
// (https://learn.microsoft.com/graph/resolve-auth-errors), until the
// client obtains a new one. The JWKS endpoint publishes the new key only.
func (s *Server) RotateSigningKey() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.tokenKey = k
	s.counters["signing key rotations"]++
	s.mu.Unlock()
	return nil
}

// IssuedTokens returns every access token the emulator has minted, so
// secret-leak tests can search logs and state for the exact strings.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// checkAssertion validates a client assertion: either a certificate
// assertion (iss = sub = client_id, signed with the app's certificate key,
// https://learn.microsoft.com/entra/identity-platform/certificate-credentials)
// or a federated token from the emulator's issuer
// (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
// It returns AADSTS details, n == 0 meaning accepted.
func (s *Server) checkAssertion(app App, assertion, tenant string) (status int, code string, n int, msg string) {
	t, err := parseJWT(assertion)
	if err != nil {
		return http.StatusUnauthorized, "invalid_client", 50027, "JWT token is invalid or malformed."
	}
	if t.claim("iss") != "" && strings.EqualFold(t.claim("iss"), app.ClientID) {
		return s.checkCertAssertion(app, t, tenant)
	}
	return s.checkFederatedAssertion(app, t)
}

func (s *Server) checkTimes(t *jwt) (int, string, int, string, bool) {
	now := s.now()
	exp, hasExp := t.num("exp")
	nbf, hasNbf := t.num("nbf")
	const skew = 5 * 60
	if !hasExp || now.Unix() > exp+skew || (hasNbf && now.Unix()+skew < nbf) {
		return http.StatusUnauthorized, "invalid_client", 700024, fmt.Sprintf(
			"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
			formatTime(now), formatTime(time.Unix(nbf, 0)), formatTime(time.Unix(exp, 0))), false
	}
	return 0, "", 0, "", true
}

func (s *Server) checkCertAssertion(app App, t *jwt, tenant string) (int, string, int, string) {
	if t.claim("sub") != t.claim("iss") {
		return http.StatusUnauthorized, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer."
	}
	cert := parseCertPEM(app.CertPEM)
	x5t, x5t256 := t.head("x5t"), t.head("x5t#S256")
	if cert == nil {
		return http.StatusUnauthorized, "invalid_client", 700027, fmt.Sprintf(
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", thumbprintHint(x5t, x5t256), app.ClientID)
	}
	s1 := sha1.Sum(cert.Raw) //nolint:gosec
	s256 := sha256.Sum256(cert.Raw)
	if (x5t == "" || !sameB64(x5t, s1[:])) && (x5t256 == "" || !sameB64(x5t256, s256[:])) {
		return http.StatusUnauthorized, "invalid_client", 700027, fmt.Sprintf(
			"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '%s', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", thumbprintHint(x5t, x5t256), app.ClientID)
	}
	if err := t.verify(cert.PublicKey); err != nil {
		return http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."
	}
	if st, c, n, m, ok := s.checkTimes(t); !ok {
		return st, c, n, m
	}
	okAud := false
	for _, a := range t.audiences() {
		for _, want := range []string{s.url + "/" + s.tenantID + "/oauth2/v2.0/token", s.url + "/" + tenant + "/oauth2/v2.0/token", s.url + "/" + s.domain + "/oauth2/v2.0/token"} {
			if strings.EqualFold(a, want) {
				okAud = true
			}
		}
	}
	if !okAud {
		return http.StatusUnauthorized, "invalid_client", 700027, "Client assertion contains an invalid audience; it must be the token endpoint."
	}
	return 0, "", 0, ""
}

func (s *Server) checkFederatedAssertion(app App, t *jwt) (int, string, int, string) {
	iss, sub := t.claim("iss"), t.claim("sub")
	aud := strings.Join(t.audiences(), ",")
	noMatch := func() (int, string, int, string) {
		return http.StatusBadRequest, "invalid_request", 70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", iss, sub, aud)
	}
	if iss != s.federationIssuer() || app.FederatedSubject == "" || sub != app.FederatedSubject || aud != defaultFedAudience {
		return noMatch()
	}
	if err := t.verify(&s.fedKey.PublicKey); err != nil {
		return http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."
	}
	if st, c, n, m, ok := s.checkTimes(t); !ok {
		return st, c, n, m
	}
	return 0, "", 0, ""
}

func thumbprintHint(x5t, x5t256 string) string {
	if x5t256 != "" {
		return x5t256
	}
	return x5t
}

// sameB64 compares a thumbprint header in any base64 flavour: MSAL-go
// writes standard base64 where RFC 7515 says base64url.
func sameB64(h string, want []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(h); err == nil && string(b) == string(want) {
			return true
		}
	}
	return false
}

func parseCertPEM(b []byte) *x509.Certificate {
	for len(b) > 0 {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err == nil {
				return c
			}
		}
	}
	return nil
}
