package graph

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	kform "github.com/microsoft/kiota-serialization-form-go"
	kjson "github.com/microsoft/kiota-serialization-json-go"
	kmultipart "github.com/microsoft/kiota-serialization-multipart-go"
	ktext "github.com/microsoft/kiota-serialization-text-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	msauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/directory"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/invitations"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
	"software.sslmate.com/src/go-pkcs12"
)

// defaultRetryBudget bounds throttling retries when the caller's context has
// no deadline. Terraform operations always carry one (the timeouts block);
// this only keeps ad-hoc callers from waiting forever.
const defaultRetryBudget = 5 * time.Minute

// client is the implementation behind Client.
type client struct {
	cfg         Config
	graphURL    *url.URL // scheme://host[:port] of Graph
	authority   string   // authority host with a trailing slash
	sdk         *graphSDK
	adapter     *msgraphcore.GraphRequestAdapterBase
	log         Logger
	secrets     []string // values scrubbed from every error message
	retryBudget time.Duration
	// baseRetryDelay is the delay before a retry when Graph sends no
	// Retry-After; a variable so tests need not sleep for seconds.
	baseRetryDelay time.Duration
	// invitePacer keeps POST /invitations under Graph's per-tenant limit
	// (pacer.go); batcher coalesces concurrent user reads (batch.go).
	invitePacer *invitationPacer
	batcher     *userBatcher
	// snapshot answers the reads of a refresh burst from the guest
	// listing (snapshot.go).
	snapshot *guestSnapshot
	// deleted holds the IDs (lower-cased) of the users this client
	// deleted, which the address look-up leaves out (notDeleted).
	deleted sync.Map
	// sponsorSets remembers, by lower-cased object ID, whether a sponsor
	// is a user ("users") or a group ("groups") (groups.go, sponsorSet).
	sponsorSets sync.Map
	// circuit fails requests to a host that did not answer at once
	// (reachability.go); cred renews a token Graph refused (token.go).
	circuit      *circuit
	cred         *sharedCredential
	tokenOptions policy.TokenRequestOptions // as kiota's token provider asks
	// clock is Config.Clock, or the wall clock (clock.go).
	clock Clock
}

func newClient(cfg Config) (*client, error) {
	graphURL, err := parseGraphEndpoint(cfg.GraphEndpoint)
	if err != nil {
		return nil, err
	}
	authority, err := parseAuthorityHost(cfg.Auth.AuthorityHost)
	if err != nil {
		return nil, err
	}
	if err := validateAuth(cfg.Auth); err != nil {
		return nil, err
	}

	c := &client{
		cfg:            cfg,
		graphURL:       graphURL,
		authority:      authority,
		log:            cfg.Logger,
		retryBudget:    defaultRetryBudget,
		baseRetryDelay: time.Second,
		clock:          cfg.Clock,
	}
	if c.clock == nil {
		c.clock = wallClock{}
	}
	if c.log == nil {
		c.log = nopLogger{}
	}
	for _, s := range []string{cfg.Auth.ClientSecret, cfg.Auth.CertificatePassword, cfg.Auth.OIDCToken} {
		if s != "" {
			c.secrets = append(c.secrets, s)
		}
	}

	base, netRT, authorityHost := c.networkTransport(cfg.HTTPClient, graphURL, authority)
	tokenHTTP := *base
	tokenHTTP.Transport = &userAgentTransport{base: netRT, product: cfg.UserAgent}
	cred, err := newSharedCredential(func() (azcore.TokenCredential, error) { return c.newCredential(&tokenHTTP) },
		authorityHost, c.circuit, c.log)
	if err != nil {
		return nil, err
	}
	cred.now = c.clock.Now
	c.cred = cred

	scope := graphURL.String() + "/.default"
	// Kiota attaches the token only when the request's host (without port:
	// it compares url.Hostname()) is in this list, and silently sends the
	// request unauthenticated otherwise; custom endpoints must be added.
	auth, err := msauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, []string{graphURL.Hostname()})
	if err != nil {
		return nil, fmt.Errorf("graph: building the authentication provider: %w", err)
	}

	c.tokenOptions = policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(netRT, c.middlewares()...),
		// The redirect middleware handles redirects; the client must not
		// follow them a second time.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No Timeout: it would cover the retry middleware's waits too. The
		// caller's context bounds each call instead.
		Jar: base.Jar,
	}
	registerSerializers()
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, sdkClientOptions, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("graph: building the request adapter: %w", err)
	}
	adapter.SetBaseUrl(graphURL.String() + "/v1.0")
	// As GraphServiceClient does, with a nil factory: a non-nil one would be
	// assigned to kiota's global, a data race when two provider instances
	// configure at once while others parse responses.
	adapter.EnableBackingStore(nil)
	c.adapter = adapter
	c.sdk = &graphSDK{adapter: adapter, pathParameters: map[string]string{"baseurl": adapter.GetBaseUrl()}}
	c.invitePacer = invitationPacerFor(graphURL.Host, cfg.Auth.TenantID, c.clock)
	c.batcher = newUserBatcher(c, batchMaxWait, c.clock)
	c.snapshot = newGuestSnapshot(c, c.clock)
	return c, nil
}

// networkTransport is the HTTP stack below kiota's middleware and the
// token requests: the caller's client (or a clone of the default
// transport), bounded, behind the Graph and authority circuit. It returns
// the base client, the transport and the authority's host:port.
func (c *client) networkTransport(base *http.Client, graphURL *url.URL, authority string) (*http.Client, *reachabilityTransport, string) {
	own := base == nil
	if own {
		// A clone of the default transport trusts the system store, and Go
		// reads SSL_CERT_FILE/SSL_CERT_DIR when it loads that store. A
		// program that swapped DefaultTransport for its own RoundTripper
		// gets that one, unshared state and all.
		base = &http.Client{Transport: http.DefaultTransport}
	}
	baseRT := base.Transport
	if baseRT == nil {
		baseRT = http.DefaultTransport
		own = true
	}
	// Graph and the authority share one circuit: a host that did not
	// answer fails every later request to it at once, for a while.
	c.circuit = newCircuit()
	c.circuit.now = c.clock.Now
	authorityHost := ""
	if u, perr := url.Parse(authority); perr == nil {
		authorityHost = hostPort(u.Scheme, u.Host)
	}
	netRT := &reachabilityTransport{
		base:    boundedTransport(baseRT, own),
		hosts:   map[string]bool{hostPort(graphURL.Scheme, graphURL.Host): true, authorityHost: true},
		circuit: c.circuit,
		log:     c.log,
	}
	return base, netRT, authorityHost
}

// graphSDK stands in for msgraph-sdk-go's GraphServiceClient, offering the
// four request builders the client uses. Importing the SDK's root package
// for GraphServiceClient links the request builders of the whole Graph API
// (84 packages): BENCHMARKS.md has the binary size, start-up and RSS that
// cost. Each method builds what GraphServiceClient's method of the same
// name builds.
type graphSDK struct {
	adapter        abs.RequestAdapter
	pathParameters map[string]string // {"baseurl": ...}; the builders copy it
}

func (s *graphSDK) Users() *users.UsersRequestBuilder {
	return users.NewUsersRequestBuilderInternal(s.pathParameters, s.adapter)
}

func (s *graphSDK) Invitations() *invitations.InvitationsRequestBuilder {
	return invitations.NewInvitationsRequestBuilderInternal(s.pathParameters, s.adapter)
}

func (s *graphSDK) Directory() *directory.DirectoryRequestBuilder {
	return directory.NewDirectoryRequestBuilderInternal(s.pathParameters, s.adapter)
}

func (s *graphSDK) Groups() *groups.GroupsRequestBuilder {
	return groups.NewGroupsRequestBuilderInternal(s.pathParameters, s.adapter)
}

// sdkClientOptions names the SDK in Graph's telemetry header (SdkVersion),
// as the SDK's own request adapter does.
var sdkClientOptions = msgraphcore.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion}

// sdkVersion is the msgraph-sdk-go release in go.mod; TestSDKVersionMatchesGoMod
// keeps the two in step.
const sdkVersion = "1.89.0"

var registerOnce sync.Once

// registerSerializers fills kiota's default serializer registries as
// GraphServiceClient's constructor does, once: the constructor writes them
// on every call, which races with requests parsing in other clients.
func registerSerializers() {
	registerOnce.Do(func() {
		abs.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return kjson.NewJsonSerializationWriterFactory() })
		abs.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return ktext.NewTextSerializationWriterFactory() })
		abs.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory { return kform.NewFormSerializationWriterFactory() })
		abs.RegisterDefaultSerializer(func() serialization.SerializationWriterFactory {
			return kmultipart.NewMultipartSerializationWriterFactory()
		})
		abs.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return kjson.NewJsonParseNodeFactory() })
		abs.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return ktext.NewTextParseNodeFactory() })
		abs.RegisterDefaultDeserializer(func() serialization.ParseNodeFactory { return kform.NewFormParseNodeFactory() })
	})
}

// middlewares builds the kiota pipeline by hand. The SDK's default list
// includes the compression handler, which gzips request bodies and, after a
// 429, retries with a body it already consumed (kiota-http-go#183), so it is
// left out on purpose.
func (c *client) middlewares() []khttp.Middleware {
	opts := sdkClientOptions
	return []khttp.Middleware{
		// Outermost: every layer below may send the body again.
		replayableBodyMiddleware{},
		&userAgentMiddleware{product: c.cfg.UserAgent},
		msgraphcore.NewGraphTelemetryHandler(&opts),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewRedirectHandler(),
		// Outside the retry handler, so that the request sent again with a
		// new token is still retried on throttling.
		&tokenRenewMiddleware{cred: c.cred, opts: c.tokenOptions, log: c.log},
		khttp.NewRetryHandlerWithOptions(khttp.RetryHandlerOptions{
			MaxRetries:  10,
			ShouldRetry: c.shouldRetry,
		}),
		// Below the retry handler: it sees only Retry-After values it reads right.
		retryAfterMiddleware{},
		// Above the logging: the empty answer is logged as it came.
		emptyAnswerMiddleware{},
		// Innermost, so that every attempt, retries included, is logged.
		&loggingMiddleware{log: c.log},
		// Next to the transport: each attempt reads its own copy of the body.
		freshBodyMiddleware{},
	}
}

func parseGraphEndpoint(raw string) (*url.URL, error) {
	if raw == "" {
		raw = PublicGraphEndpoint
	}
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("graph: the Graph endpoint %q is not an absolute URL", raw)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("graph: the Graph endpoint %q must use https", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("graph: the Graph endpoint %q must be scheme://host[:port] only, without path (the client adds /v1.0), query or credentials", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

func parseAuthorityHost(raw string) (string, error) {
	if raw == "" {
		raw = PublicAuthorityHost
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("graph: the authority host %q is not an absolute URL", raw)
	}
	// MSAL refuses anything but https for the token authority, loopback included.
	if u.Scheme != "https" {
		return "", fmt.Errorf("graph: the authority host %q must use https", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", fmt.Errorf("graph: the authority host %q must be scheme://host[:port]/ only, without path, query or credentials", raw)
	}
	return "https://" + strings.ToLower(u.Host) + "/", nil
}

func validateAuth(a AuthConfig) error {
	need := func(v, name string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("graph: %s authentication needs %s", a.Method, name)
		}
		return nil
	}
	switch a.Method {
	case AuthClientSecret:
		return errors.Join(need(a.TenantID, "a tenant ID"), need(a.ClientID, "a client ID"), need(a.ClientSecret, "a client secret"))
	case AuthClientCertificate:
		err := errors.Join(need(a.TenantID, "a tenant ID"), need(a.ClientID, "a client ID"))
		if len(a.CertificateData) == 0 {
			err = errors.Join(err, fmt.Errorf("graph: %s authentication needs certificate data", a.Method))
		}
		return err
	case AuthOIDC:
		err := errors.Join(need(a.TenantID, "a tenant ID"), need(a.ClientID, "a client ID"))
		if a.OIDCToken == "" && a.OIDCTokenFilePath == "" {
			err = errors.Join(err, fmt.Errorf("graph: %s authentication needs an OIDC token or a token file path", a.Method))
		}
		return err
	case AuthAzureCLI, AuthManagedIdentity:
		return nil
	case "":
		return errors.New("graph: no authentication method given")
	default:
		return fmt.Errorf("graph: unknown authentication method %q", a.Method)
	}
}

// isPublicAuthority reports whether MSAL knows host from its built-in list;
// for any other host instance discovery would call login.microsoftonline.com.
func isPublicAuthority(host string) bool {
	for _, h := range []string{PublicAuthorityHost, USGovAuthorityHost, ChinaAuthorityHost} {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

func (c *client) newCredential(httpClient *http.Client) (azcore.TokenCredential, error) {
	a := c.cfg.Auth
	co := azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: c.authority},
		Transport: httpClient,
	}
	disableDiscovery := !isPublicAuthority(c.authority)

	switch a.Method {
	case AuthClientSecret:
		cred, err := azidentity.NewClientSecretCredential(a.TenantID, a.ClientID, a.ClientSecret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: disableDiscovery,
		})
		return cred, c.credErr(err)
	case AuthClientCertificate:
		certs, key, err := parseCertificates(a.CertificateData, a.CertificatePassword)
		if err != nil {
			// The parser's message can echo neither the key nor the password,
			// but scrub it anyway: the rule is that no secret reaches an error.
			return nil, fmt.Errorf("graph: reading the client certificate (PKCS#12 or PEM with its private key; check the password): %s", c.redact(err.Error()))
		}
		if leaf := certs[0]; time.Now().After(leaf.NotAfter) {
			// Entra ID refuses assertions signed with an expired certificate
			// (AADSTS700027); saying so here fails the plan with the date
			// instead of a token error on the first Graph call.
			return nil, fmt.Errorf("graph: the client certificate %q expired on %s: upload a new certificate to the app registration and configure it here",
				leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.RFC3339))
		}
		cred, err := azidentity.NewClientCertificateCredential(a.TenantID, a.ClientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: disableDiscovery,
			// Sending x5c lets subject name/issuer (SNI) auth work, and costs nothing otherwise.
			SendCertificateChain: true,
		})
		return cred, c.credErr(err)
	case AuthOIDC:
		// ClientAssertionCredential rather than WorkloadIdentityCredential:
		// the latter caches the file's content, but CI systems rotate the
		// token file, so it is read again on every token request.
		inline, path := a.OIDCToken, a.OIDCTokenFilePath
		getAssertion := func(context.Context) (string, error) {
			if inline != "" {
				return inline, nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			tok := strings.TrimSpace(string(b))
			if tok == "" {
				return "", fmt.Errorf("the OIDC token file %s is empty", path)
			}
			return tok, nil
		}
		cred, err := azidentity.NewClientAssertionCredential(a.TenantID, a.ClientID, getAssertion, &azidentity.ClientAssertionCredentialOptions{
			ClientOptions: co, DisableInstanceDiscovery: disableDiscovery,
		})
		return cred, c.credErr(err)
	case AuthAzureCLI:
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: a.TenantID})
		return cred, c.credErr(err)
	case AuthManagedIdentity:
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if a.ClientID != "" {
			opts.ID = azidentity.ClientID(a.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(opts)
		return cred, c.credErr(err)
	}
	return nil, fmt.Errorf("graph: unknown authentication method %q", a.Method)
}

// parseCertificates reads PEM or PKCS#12. azidentity's parser handles PEM
// and legacy PKCS#12 (3DES/RC2, SHA-1 MAC) only; OpenSSL 3 and current
// Windows exports default to AES-256 with a SHA-256 MAC, which it refuses
// ("unknown digest algorithm"), so those are decoded with go-pkcs12.
func parseCertificates(data []byte, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	certs, key, err := azidentity.ParseCertificates(data, pw)
	if err == nil {
		return certs, key, nil
	}
	pk, cert, chain, p12err := pkcs12.DecodeChain(data, password)
	if p12err != nil {
		// Report azidentity's reason: it covers PEM, the likelier input.
		return nil, nil, err
	}
	return append([]*x509.Certificate{cert}, chain...), pk, nil
}

func (c *client) credErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("graph: building the %s credential: %s", c.cfg.Auth.Method, c.redact(err.Error()))
}

// redact removes every configured secret from s.
func (c *client) redact(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[REDACTED]")
	}
	return s
}

// userAgentTransport names the provider on token requests too. azcore's
// own knob (Telemetry.ApplicationID) truncates to 24 characters, which
// would cut the version off "terraform-provider-b2b/1.2.3".
type userAgentTransport struct {
	base    http.RoundTripper
	product string
}

func (t *userAgentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.product == "" || strings.HasPrefix(req.Header.Get("User-Agent"), t.product) {
		return base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", strings.TrimSpace(t.product+" "+req.Header.Get("User-Agent")))
	return base.RoundTrip(req)
}

// tokenError wraps a credential failure.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
