package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Least-privileged application permissions per operation, from the
// "Permissions" table of each API's page in the Graph v1.0 reference
// (invitation-post, user-get, user-list, user-update, user-delete,
// directory-deleteditems-get/-delete/-restore).
const (
	permInvite        = "User.Invite.All"
	permRead          = "User.Read.All"
	permWrite         = "User.ReadWrite.All"
	permDeleteRestore = "User.DeleteRestore.All"
)

// operation names a call for errors and logs and says what it needs.
type operation struct {
	name       string // e.g. "GET /users/{id}"
	permission string // application permission that a 403 points at
	// noRetryOnTransportError: the request may have taken effect before the
	// connection broke, and repeating it is not safe.
	noRetryOnTransportError bool
}

var (
	opInvite     = operation{name: "POST /invitations", permission: permInvite, noRetryOnTransportError: true}
	opGetUser    = operation{name: "GET /users/{id}", permission: permRead}
	opUpdateUser = operation{name: "PATCH /users/{id}", permission: permWrite}
	opDeleteUser = operation{name: "DELETE /users/{id}", permission: permWrite}
	opGetDeleted = operation{name: "GET /directory/deletedItems/{id}", permission: permRead}
	opPurge      = operation{name: "DELETE /directory/deletedItems/{id}", permission: permDeleteRestore}
	opRestore    = operation{name: "POST /directory/deletedItems/{id}/restore", permission: permDeleteRestore, noRetryOnTransportError: true}
	opListUsers  = operation{name: "GET /users", permission: permRead}
)

// opTokenPrefix names token endpoint failures in Error.Operation.
const opTokenPrefix = "token request"

// errorMapping makes kiota parse every 4XX/5XX body as Graph's error envelope.
var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

func kindForStatus(status int) ErrorKind {
	switch status {
	case http.StatusNotFound:
		return KindNotFound
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return KindThrottled
	case http.StatusForbidden:
		return KindForbidden
	case http.StatusUnauthorized:
		return KindUnauthorized
	case http.StatusBadRequest:
		return KindBadRequest
	case http.StatusConflict:
		return KindConflict
	}
	return KindOther
}

// toError turns whatever the SDK returned into an *Error.
func (c *client) toError(op operation, err error) *Error {
	var ge *Error
	if errors.As(err, &ge) {
		return ge
	}
	var te *tokenError
	if errors.As(err, &te) {
		return c.tokenFailure(te.err)
	}

	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		// ODataError.Error() dereferences error.message and panics when it
		// is absent, so the fields are read one by one instead.
		e := &Error{StatusCode: oe.GetStatusCode(), Operation: op.name, cause: err}
		if main := oe.GetErrorEscaped(); main != nil {
			e.Code = deref(main.GetCode())
			e.Message = deref(main.GetMessage())
			if inner := main.GetInnerError(); inner != nil {
				e.RequestID = deref(inner.GetRequestId())
				if d := inner.GetDate(); d != nil {
					// Graph sends a UTC wall-clock time without a zone and
					// kiota appends the local offset; formatting the wall
					// clock back gives Graph's own string.
					e.Date = d.Format("2006-01-02T15:04:05")
				}
			}
		}
		c.finish(e, op, oe.GetResponseHeaders())
		return e
	}

	var ae *abs.ApiError
	if errors.As(err, &ae) {
		msg := ae.Message
		if ae.ResponseStatusCode >= 400 && ae.ResponseHeaders != nil {
			switch {
			case strings.HasPrefix(msg, "The server returned an unexpected status code with no response body"):
				msg = notGraphErrorMessage(ae.ResponseStatusCode, "", true)
			case strings.HasPrefix(msg, "The server returned an unexpected status code but the error could not be deserialized"):
				msg = notGraphErrorMessage(ae.ResponseStatusCode, firstHeader(ae.ResponseHeaders, "Content-Type"), false)
			}
		}
		e := &Error{StatusCode: ae.ResponseStatusCode, Operation: op.name, Message: msg, cause: err}
		c.finish(e, op, ae.ResponseHeaders)
		return e
	}

	var hd *hostDownError
	if errors.As(err, &hd) {
		// The host's own words: the URL that url.Error adds repeats it.
		return &Error{Kind: KindUnreachable, Operation: op.name, Message: c.redact(hd.Error()), cause: err}
	}

	if host, ok := proxyAuthRefused(err); ok {
		// Nothing reached Graph: not retried, and not a lost answer.
		return &Error{StatusCode: http.StatusProxyAuthRequired, Kind: KindOther, Code: "ProxyAuthenticationRequired", Operation: op.name, cause: err,
			Message: "the HTTPS proxy refused to open a connection to " + host + " without proxy credentials; nothing was sent to Microsoft Graph"}
	}

	// Transport failure (connection dropped, TLS, context).
	return &Error{Operation: op.name, Message: c.redact(transportMessage(err)), cause: err}
}

// transportMessage words a failure that got no HTTP answer. net/http's
// url.Error prints the whole request URL, query string included: a read's
// $select of thirty properties, URL-encoded, in every diagnostic an
// interrupted plan prints once per guest. The operation already names the
// request, so the message keeps the method, scheme, host and path (the
// host is what to check for a TLS or connection failure) and the cause.
func transportMessage(err error) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err.Error()
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil || (u.RawQuery == "" && u.Fragment == "") {
		return err.Error()
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.Replace(err.Error(), ue.URL, u.String(), 1)
}

// errorFromResponse builds an error from the last HTTP answer of a call
// whose SDK error carried no status, or returns nil if there was none.
func (c *client) errorFromResponse(op operation, rec *lastResponse, cause error) *Error {
	status, h := rec.get()
	if status < 400 {
		return nil
	}
	e := &Error{StatusCode: status, Operation: op.name, cause: cause,
		Message: fmt.Sprintf("the last answer was HTTP %d, then: %s", status, c.redact(transportMessage(cause)))}
	if !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		// Kiota could not parse the body: say what it was, not the parser's
		// words ("content type text/html does not have a factory …").
		e.Message = notGraphErrorMessage(status, h.Get("Content-Type"), h.Get("Content-Length") == "0")
	}
	rh := abs.NewResponseHeaders()
	for k, vs := range h {
		for _, v := range vs {
			rh.Add(k, v)
		}
	}
	c.finish(e, op, rh)
	return e
}

func (c *client) finish(e *Error, op operation, h *abs.ResponseHeaders) {
	e.Kind = kindForStatus(e.StatusCode)
	if e.Code == "" {
		e.Code = http.StatusText(e.StatusCode)
	}
	if e.Code == "" {
		// A status Go has no name for (a gateway's 5xx, say): Graph's own
		// catch-all code, so callers and messages always have a code.
		e.Code = "UnknownError"
	}
	if e.Message == "" {
		e.Message = "(Graph sent no error message)"
	}
	e.Message = c.redact(e.Message)
	if h != nil {
		if e.RequestID == "" {
			e.RequestID = firstHeader(h, "request-id")
		}
		if e.Date == "" {
			e.Date = firstHeader(h, "Date")
		}
		if d, ok := parseRetryAfter(firstHeader(h, "Retry-After"), time.Now()); ok {
			e.retryAfter = d
			e.hasRetryAfter = true
		}
	}
	if e.Kind == KindForbidden {
		e.RequiredPermission = op.permission
		markSignInError(e)
	}
}

// proxyAuthRefused reports a proxy's 407 to the CONNECT that opens an HTTPS
// tunnel: net/http gives it as an error whose text is the status text, with
// no response, and the host it was for.
func proxyAuthRefused(err error) (string, bool) {
	var pe *proxyAuthError
	if errors.As(err, &pe) {
		return pe.host, true
	}
	var ue *url.Error
	if !errors.As(err, &ue) || ue.Err == nil || ue.Err.Error() != http.StatusText(http.StatusProxyAuthRequired) {
		return "", false
	}
	host := "the host"
	if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
		host = u.Host
	}
	return host, true
}

// notGraphErrorMessage describes an error answer whose body is not Graph's
// JSON error envelope (https://learn.microsoft.com/graph/errors). The body
// itself is never echoed: a proxy's HTML page does not belong in a plan's
// output, and it says nothing the status does not. A 407 only comes from a
// proxy (RFC 9110 section 15.5.8); other non-JSON answers usually do.
func notGraphErrorMessage(status int, contentType string, empty bool) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	jsonBody := mt == "application/json" || strings.HasSuffix(mt, "+json")
	var what string
	switch {
	case empty:
		what = "no body"
	case jsonBody:
		what = "a JSON body that could not be read (cut short or malformed)"
	case mt == "":
		what = "a body without a Content-Type"
	default:
		what = "a " + mt + " body"
	}
	msg := "the answer had " + what + " instead of Microsoft Graph's JSON error"
	switch {
	case status == http.StatusProxyAuthRequired:
		msg += "; a proxy between this machine and Microsoft Graph asks for credentials"
	case !jsonBody:
		msg += "; a proxy or gateway between this machine and Microsoft Graph may have answered"
	}
	return msg
}

func firstHeader(h *abs.ResponseHeaders, name string) string {
	for _, k := range h.ListKeys() {
		if strings.EqualFold(k, name) {
			if v := h.Get(k); len(v) > 0 {
				return v[0]
			}
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var aadstsRe = regexp.MustCompile(`AADSTS\d+`)

// tokenFailure reports a credential failure as KindUnauthorized with the
// AADSTS code and the first sentence of its description. It reads the
// identity platform's JSON error (error, error_description, error_codes)
// rather than azidentity's Error(), which dumps the whole response.
func (c *client) tokenFailure(err error) *Error {
	e := &Error{Kind: KindUnauthorized, Operation: opTokenPrefix + " (" + string(c.cfg.Auth.Method) + ")", cause: err}
	var hd *hostDownError
	if errors.As(err, &hd) {
		// The authority never answered: nothing was said about the
		// credentials, so no hint about them either.
		e.Kind = KindUnreachable
		e.Message = c.redact(hd.Error())
		return e
	}
	if c.tokenProxyRefusal(e, err) {
		return e
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		e.StatusCode = afe.RawResponse.StatusCode
		e.Date = afe.RawResponse.Header.Get("Date")
		e.RequestID = afe.RawResponse.Header.Get("x-ms-request-id")
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			TraceID     string `json:"trace_id"`
		}
		if b, rerr := runtime.Payload(afe.RawResponse); rerr == nil {
			_ = json.Unmarshal(b, &body)
		}
		if body.TraceID != "" {
			e.RequestID = body.TraceID
		}
		if tokenServiceFailure(e, body.Description) {
			return e
		}
		desc := body.Description
		// The description goes on with "Trace ID: … Correlation ID: …
		// Timestamp: …" on further lines, which RequestID already carries.
		if i := strings.IndexAny(desc, "\r\n"); i >= 0 {
			desc = desc[:i]
		}
		e.Code = aadstsRe.FindString(desc)
		desc = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(desc, e.Code), ":"))
		if e.Code == "" {
			// The OAuth error code is a single token (invalid_client ...);
			// anything else in it is not worth echoing into a diagnostic.
			e.Code = firstLine(body.Error)
		}
		if e.Code == "" {
			e.Code = "invalid_request"
		}
		if desc == "" {
			desc = "the identity platform refused the token request (" + e.Code + ")"
		}
		e.Message = desc + ". " + tokenHint(c.cfg.Auth.Method, e.Code)
	} else {
		// No HTTP response: the credential could not run at all (Azure CLI
		// missing or logged out, no managed identity endpoint, unreadable
		// OIDC token file, connection failure to the authority).
		e.Code = "CredentialUnavailable"
		e.Message = firstLine(err.Error()) + "."
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			// Cut short (Ctrl-C, a timeout) before the authority answered:
			// nothing was said about the credentials, so no advice on them.
			e.Kind = KindOther
		} else {
			e.Message += " " + tokenHint(c.cfg.Auth.Method, "")
		}
	}
	e.Message = c.redact(e.Message)
	return e
}

// tokenProxyRefusal fills e for a token request an HTTPS proxy refused
// without credentials (407 to the CONNECT), and reports whether it was one.
// MSAL keeps only the text of the errors it meets, so a refusal the
// transport saw moments ago (circuit.proxyRefusedRecently) counts too.
func (c *client) tokenProxyRefusal(e *Error, err error) bool {
	host, ok := proxyAuthRefused(err)
	if !ok {
		host = c.circuit.proxyRefusedRecently()
		var afe *azidentity.AuthenticationFailedError
		ok = host != "" && (!errors.As(err, &afe) || afe.RawResponse == nil)
	}
	if !ok {
		return false
	}
	e.StatusCode, e.Code, e.Kind = http.StatusProxyAuthRequired, "ProxyAuthenticationRequired", KindOther
	e.Message = "the HTTPS proxy refused to open a connection to " + host + " without proxy credentials; the token request did not reach the identity platform"
	return true
}

// tokenServiceFailure fills e for a token endpoint answer that is no
// verdict on the credentials: the identity platform (or a proxy before it)
// failed or was busy (5xx, 429, after azcore's own retries) or a proxy
// wants credentials (407). Its body may be a gateway's page: not echoed.
func tokenServiceFailure(e *Error, description string) bool {
	st := e.StatusCode
	if st < 500 && st != http.StatusTooManyRequests && st != http.StatusProxyAuthRequired {
		return false
	}
	e.Kind = KindOther
	e.Code = http.StatusText(st)
	if aad := aadstsRe.FindString(description); aad != "" {
		e.Code = aad
	}
	if e.Code == "" {
		e.Code = "UnknownError"
	}
	e.Message = fmt.Sprintf("the identity platform's token endpoint answered HTTP %d, a failure on its side or of a proxy in between, not a refusal of the credentials; run the command again later, and check HTTPS_PROXY if it persists", st)
	if st == http.StatusProxyAuthRequired {
		e.Message = "a proxy between this machine and the identity platform asks for credentials (HTTP 407); the token request did not reach it"
	}
	return true
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// tokenHint says what to check for the common AADSTS codes, from the
// identity platform's error code reference.
func tokenHint(m AuthMethod, code string) string {
	switch code {
	case "AADSTS90002", "AADSTS900023", "AADSTS90013":
		return "Check tenant_id: the tenant was not found."
	case "AADSTS700016":
		return "Check client_id: no application with that ID exists in the tenant."
	case "AADSTS7000215":
		return "Check client_secret: use the secret's value, not its ID."
	case "AADSTS7000222":
		return "The client secret has expired: create a new one in the app registration."
	case "AADSTS700027", "AADSTS700024":
		return "Check the client certificate: it must be uploaded to the app registration and not expired; the assertion must be valid now."
	case "AADSTS500011":
		// invalid_resource: the token was asked for a Graph endpoint that is
		// not a resource of the tenant's cloud; the credentials are fine.
		return "Check graph_endpoint and environment: the Graph endpoint must belong to the tenant's cloud."
	case "AADSTS70021", "AADSTS700213", "AADSTS700211", "AADSTS700212":
		return "Check the federated identity credential of the app registration: its issuer, subject and audience must match the OIDC token."
	}
	switch m {
	case AuthClientSecret:
		return "Check tenant_id, client_id and that the client secret is current (not expired)."
	case AuthClientCertificate:
		return "Check tenant_id, client_id and that the certificate is registered on the app and not expired."
	case AuthOIDC:
		return "Check tenant_id, client_id, the OIDC token and the app's federated identity credential."
	case AuthAzureCLI:
		return "Check that the Azure CLI is installed and logged in (az login) to the right tenant."
	case AuthManagedIdentity:
		return "Check that a managed identity is assigned to this machine (and client_id for a user-assigned one)."
	}
	return "Check the provider's authentication settings."
}
