package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is SHA-1 by definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func aadCode(t *testing.T, r resp) float64 {
	t.Helper()
	codes, ok := r.Body["error_codes"].([]any)
	if !ok || len(codes) != 1 {
		t.Fatalf("no error_codes in %s", r.Raw)
	}
	for _, k := range []string{"error", "error_description", "timestamp", "trace_id", "correlation_id"} {
		if _, ok := r.Body[k].(string); !ok {
			t.Errorf("error response lacks %q: %s", k, r.Raw)
		}
	}
	return num(codes[0])
}

func TestDiscoveryDocument(t *testing.T) {
	s := start(t, Options{TenantDomain: "contoso.onmicrosoft.com"})
	c := httpClient(s)
	for _, tenant := range []string{s.TenantID(), "contoso.onmicrosoft.com"} {
		req, _ := http.NewRequest(http.MethodGet, s.AuthorityHost()+tenant+"/v2.0/.well-known/openid-configuration", nil)
		r := send(t, c, req)
		mustStatus(t, r, http.StatusOK)
		iss, _ := url.Parse(str(r.Body["issuer"]))
		if "https://"+iss.Host != s.URL() {
			t.Errorf("issuer %s does not match authority host %s", iss, s.URL())
		}
		if got, want := r.Body["token_endpoint"], s.URL()+"/"+s.TenantID()+"/oauth2/v2.0/token"; got != want {
			t.Errorf("token_endpoint = %v, want %v", got, want)
		}
		for _, k := range []string{"authorization_endpoint", "jwks_uri", "end_session_endpoint"} {
			if v, _ := r.Body[k].(string); !strings.HasPrefix(v, s.URL()+"/") {
				t.Errorf("%s = %q", k, v)
			}
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/nosuch.example/v2.0/.well-known/openid-configuration", nil)
	r := send(t, c, req)
	mustStatus(t, r, http.StatusBadRequest)
	if aadCode(t, r) != 90002 || r.Body["error"] != "invalid_tenant" {
		t.Errorf("unknown tenant: %s", r.Raw)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/common/discovery/instance?api-version=1.1&authorization_endpoint="+url.QueryEscape(s.URL()+"/"+s.TenantID()+"/oauth2/v2.0/authorize"), nil)
	r = send(t, c, req)
	mustStatus(t, r, http.StatusOK)
	if r.Body["tenant_discovery_endpoint"] != s.URL()+"/"+s.TenantID()+"/v2.0/.well-known/openid-configuration" {
		t.Errorf("instance discovery: %s", r.Raw)
	}
}

func TestTokenWithSecret(t *testing.T) {
	s := start(t, Options{})
	app := s.DefaultApp()

	form := secretForm(app)
	// The Graph SDK asks for CAE; Entra accepts the claims parameter.
	form.Set("claims", `{"access_token":{"xms_cc":{"values":["cp1"]}}}`)
	r := tokenForm(t, s, s.TenantID(), form)
	mustStatus(t, r, http.StatusOK)
	if c := s.Counters(); c["POST /{tenant}/oauth2/v2.0/token"] != 1 || c["status:200"] != 1 {
		t.Errorf("counters %v", c)
	}
	if r.Body["token_type"] != "Bearer" || num(r.Body["expires_in"]) < 3000 {
		t.Errorf("token response: %s", r.Raw)
	}
	jt, err := parseJWT(str(r.Body["access_token"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := jt.verify(&s.tokenKey.PublicKey); err != nil {
		t.Errorf("access token signature: %v", err)
	}
	if jt.claim("tid") != s.TenantID() || jt.claim("appid") != app.ClientID || jt.claim("aud") != "https://graph.microsoft.com" {
		t.Errorf("claims: %v", jt.claims)
	}
	roles, _ := json.Marshal(jt.claims["roles"])
	if string(roles) != `["User.Invite.All","User.ReadWrite.All"]` {
		t.Errorf("roles = %s", roles)
	}

	// The emulator's own Graph endpoint is accepted as the resource too.
	form = secretForm(app)
	form.Set("scope", s.GraphEndpoint()+"/.default")
	mustStatus(t, tokenForm(t, s, s.TenantDomain(), form), http.StatusOK)
	form.Set("scope", strings.Replace(s.GraphEndpoint(), "127.0.0.1", "localhost", 1)+"/.default")
	mustStatus(t, tokenForm(t, s, s.TenantID(), form), http.StatusOK)
	form.Set("scope", "https://127.0.0.1:1/.default")
	mustStatus(t, tokenForm(t, s, s.TenantID(), form), http.StatusBadRequest)
}

func TestTokenErrors(t *testing.T) {
	s := start(t, Options{})
	app := s.DefaultApp()
	cases := []struct {
		name   string
		tenant string
		edit   func(url.Values)
		status int
		err    string
		code   float64
	}{
		{"unknown tenant", "11111111-2222-3333-4444-555555555555", func(url.Values) {}, 400, "invalid_request", 90002},
		{"unknown client", "", func(f url.Values) { f.Set("client_id", "99999999-2222-3333-4444-555555555555") }, 400, "unauthorized_client", 700016},
		{"wrong secret", "", func(f url.Values) { f.Set("client_secret", "nope") }, 401, "invalid_client", 7000215},
		{"no credential", "", func(f url.Values) { f.Del("client_secret") }, 401, "invalid_client", 7000218},
		{"no grant type", "", func(f url.Values) { f.Del("grant_type") }, 400, "invalid_request", 900144},
		{"scope without .default", "", func(f url.Values) { f.Set("scope", "User.Read") }, 400, "invalid_scope", 1002012},
		{"unknown resource", "", func(f url.Values) { f.Set("scope", "https://vault.azure.net/.default") }, 400, "invalid_resource", 500011},
		{"unknown resource with MSAL's OIDC scopes", "", func(f url.Values) { f.Set("scope", "https://vault.azure.net/.default openid offline_access profile") }, 400, "invalid_resource", 500011},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := secretForm(app)
			tc.edit(f)
			tenant := tc.tenant
			if tenant == "" {
				tenant = s.TenantID()
			}
			r := tokenForm(t, s, tenant, f)
			mustStatus(t, r, tc.status)
			if got := aadCode(t, r); got != tc.code || r.Body["error"] != tc.err {
				t.Errorf("got %v %v, want %v %v", r.Body["error"], got, tc.err, tc.code)
			}
			desc := str(r.Body["error_description"])
			if !strings.HasPrefix(desc, "AADSTS") || strings.Contains(desc, app.Secret) {
				t.Errorf("error_description %q", desc)
			}
			// The documented shape: the message, then the trace,
			// correlation and time, each after a CRLF.
			lines := strings.Split(desc, "\r\n")
			if len(lines) != 4 || !strings.HasPrefix(lines[1], "Trace ID: "+str(r.Body["trace_id"])) ||
				!strings.HasPrefix(lines[2], "Correlation ID: ") || !strings.HasPrefix(lines[3], "Timestamp: ") {
				t.Errorf("error_description %q is not the message, Trace ID, Correlation ID and Timestamp on CRLF-separated lines", desc)
			}
		})
	}
}

type testCert struct {
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	certPEM []byte
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "b2b provider test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCert{key, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// assertion builds a client assertion the way MSAL-go does (PS256 with a
// standard-base64 x5t#S256), or RS256 with x5t when legacy is set.
func (tc testCert) assertion(t *testing.T, clientID, aud string, exp time.Time, legacy bool) string {
	t.Helper()
	h := map[string]any{"alg": "PS256", "typ": "JWT"}
	if legacy {
		s1 := sha1.Sum(tc.cert.Raw) //nolint:gosec
		h["alg"], h["x5t"] = "RS256", base64.RawURLEncoding.EncodeToString(s1[:])
	} else {
		s2 := sha256.Sum256(tc.cert.Raw)
		h["x5t#S256"] = base64.StdEncoding.EncodeToString(s2[:])
	}
	c := map[string]any{"aud": aud, "iss": clientID, "sub": clientID, "jti": newGUID(), "nbf": exp.Add(-10 * time.Minute).Unix(), "exp": exp.Unix()}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	in := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(in))
	var sig []byte
	var err error
	if legacy {
		sig, err = rsa.SignPKCS1v15(rand.Reader, tc.key, crypto.SHA256, sum[:])
	} else {
		sig, err = rsa.SignPSS(rand.Reader, tc.key, crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func assertionForm(clientID, assertion string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {clientID},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {"https://graph.microsoft.com/.default"},
	}
}

func TestTokenWithCertificate(t *testing.T) {
	good, other := newTestCert(t), newTestCert(t)
	app := App{ClientID: newGUID(), CertPEM: good.certPEM, Permissions: []string{PermUserReadAll}}
	s := start(t, Options{Apps: []App{app}})
	aud := s.URL() + "/" + s.TenantID() + "/oauth2/v2.0/token"
	soon := time.Now().Add(5 * time.Minute)

	for _, legacy := range []bool{false, true} {
		r := tokenForm(t, s, s.TenantID(), assertionForm(app.ClientID, good.assertion(t, app.ClientID, aud, soon, legacy)))
		mustStatus(t, r, http.StatusOK)
		jt, _ := parseJWT(str(r.Body["access_token"]))
		if jt.claim("appid") != app.ClientID {
			t.Errorf("appid %q", jt.claim("appid"))
		}
	}

	cases := []struct {
		name      string
		assertion string
		status    int
		code      float64
	}{
		{"unregistered certificate", other.assertion(t, app.ClientID, aud, soon, false), 401, 700027},
		{"expired", good.assertion(t, app.ClientID, aud, time.Now().Add(-time.Hour), false), 401, 700024},
		{"wrong audience", good.assertion(t, app.ClientID, "https://example.com/token", soon, false), 401, 700027},
		{"tampered", good.assertion(t, app.ClientID, aud, soon, false) + "AA", 401, 700027},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tokenForm(t, s, s.TenantID(), assertionForm(app.ClientID, tc.assertion))
			mustStatus(t, r, tc.status)
			if got := aadCode(t, r); got != tc.code {
				t.Errorf("AADSTS %v, want %v: %s", got, tc.code, r.Raw)
			}
		})
	}
}

func TestTokenWithFederatedAssertion(t *testing.T) {
	app := App{ClientID: newGUID(), FederatedSubject: "repo:entra-b2b/terraform-provider-b2b:ref:refs/heads/main", Permissions: []string{PermUserReadAll}}
	s := start(t, Options{Apps: []App{app}})

	fed, err := s.IssueFederatedToken(app.FederatedSubject, "")
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, tokenForm(t, s, s.TenantID(), assertionForm(app.ClientID, fed)), http.StatusOK)

	for name, tok := range map[string]func() (string, error){
		"other subject":  func() (string, error) { return s.IssueFederatedToken("repo:someone/else:ref:refs/heads/main", "") },
		"other audience": func() (string, error) { return s.IssueFederatedToken(app.FederatedSubject, "api://other") },
	} {
		t.Run(name, func(t *testing.T) {
			a, err := tok()
			if err != nil {
				t.Fatal(err)
			}
			r := tokenForm(t, s, s.TenantID(), assertionForm(app.ClientID, a))
			mustStatus(t, r, http.StatusBadRequest)
			if aadCode(t, r) != 70021 {
				t.Errorf("%s", r.Raw)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		advance(t, s, time.Hour)
		defer advance(t, s, -time.Hour)
		r := tokenForm(t, s, s.TenantID(), assertionForm(app.ClientID, fed))
		mustStatus(t, r, http.StatusUnauthorized)
		if aadCode(t, r) != 700024 {
			t.Errorf("%s", r.Raw)
		}
	})
}

func TestManagedIdentityEndpoint(t *testing.T) {
	app := App{ClientID: newGUID(), Permissions: []string{PermUserReadAll}}
	s := start(t, Options{Apps: []App{app}})
	endpoint, header := s.EnableManagedIdentity(app.ClientID)
	c := httpClient(s)
	get := func(h string) resp {
		req, _ := http.NewRequest(http.MethodGet, endpoint+"?api-version=2019-08-01&resource="+url.QueryEscape("https://graph.microsoft.com"), nil)
		req.Header.Set("X-IDENTITY-HEADER", h)
		return send(t, c, req)
	}
	r := get(header)
	mustStatus(t, r, http.StatusOK)
	tok := str(r.Body["access_token"])
	mustStatus(t, graph(t, s, tok, http.MethodGet, "/users", nil), http.StatusOK)
	mustStatus(t, get("wrong"), http.StatusUnauthorized)
}

func TestIssuedTokensRecordsEveryMintedToken(t *testing.T) {
	s := start(t, Options{})
	if got := s.IssuedTokens(); len(got) != 0 {
		t.Fatalf("a fresh emulator reports %d issued tokens", len(got))
	}
	first, second := token(t, s, s.DefaultApp()), token(t, s, s.DefaultApp())
	got := s.IssuedTokens()
	if len(got) != 2 || got[0] != first || got[1] != second {
		t.Fatalf("IssuedTokens() = %d tokens, want exactly the two minted ones in order", len(got))
	}
}
