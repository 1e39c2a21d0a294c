package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Graph plumbing shared by every v1.0 handler: error envelope, token
// validation, permissions, faults, gzip bodies and counters.

// call is one Graph request (top level or a $batch item) being served.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	roles map[string]bool
	reqID string
}

type graphHandler func(c *call)

type ctxKey int

const batchItemKey ctxKey = 1

func isBatchItem(r *http.Request) bool { return r.Context().Value(batchItemKey) != nil }

// handle registers pattern ("METHOD /path") on mux; perms lists the
// application permissions any one of which authorizes the call.
func (s *Server) handle(mux *http.ServeMux, pattern string, perms []string, h graphHandler) {
	method, path, _ := strings.Cut(pattern, " ")
	key := method + " /v1.0" + path
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serveGraph(key, perms, h, w, r)
	})
}

func (s *Server) serveGraph(key string, perms []string, h graphHandler, w http.ResponseWriter, r *http.Request) {
	s.count(key)
	c := &call{s: s, w: w, r: r, reqID: newGUID()}
	w.Header().Set("request-id", c.reqID)
	if crid := r.Header.Get("client-request-id"); crid != "" {
		w.Header().Set("client-request-id", crid)
	}
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	item := isBatchItem(r)
	if item {
		// Lets a reader tell requests that crossed the wire from batch items:
		// wire = key - BatchItemCounterPrefix+key.
		s.count(BatchItemCounterPrefix + key)
	}

	if !item && f.Latency > 0 {
		select {
		case <-s.clock.After(f.Latency):
		case <-r.Context().Done():
			return
		}
	}
	drop := !item && s.drawFault(f.RateDrop)
	if drop && !f.DropAfterActing {
		// Aborting the handler resets the stream (HTTP/2) or closes the
		// connection (HTTP/1.1) without a response, like a network cut.
		panic(http.ErrAbortHandler)
	}
	gateway := !item && s.drawFault(f.RateGateway) && s.takeFault(f, key)
	if gateway && !f.Gateway.AfterActing {
		// The gateway answers without asking Graph.
		c.gatewayError(f)
		return
	}
	if !c.authenticate() || c.injectedError(f, key) {
		return
	}
	if !c.authorize(perms) {
		return
	}
	b, err := readBody(r)
	if err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", "Unable to read the request body: "+err.Error())
		return
	}
	c.body = b
	if gateway || drop {
		c.actThenLoseAnswer(h, f, gateway)
		return
	}
	h(c)
}

// actThenLoseAnswer runs h with its answer discarded, then answers as a
// gateway would (gateway) or cuts the connection: either way the client
// cannot tell whether the write happened, which retry-safety must cope with.
func (c *call) actThenLoseAnswer(h graphHandler, f Faults, gateway bool) {
	h(&call{s: c.s, w: discardWriter{h: http.Header{}}, r: c.r, roles: c.roles, reqID: c.reqID, body: c.body})
	if gateway {
		c.gatewayError(f)
		return
	}
	panic(http.ErrAbortHandler)
}

// injectedError answers the request with a drawn 429 or 503, if any.
func (c *call) injectedError(f Faults, key string) bool {
	retry := f.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	switch {
	case c.s.drawFault(f.Rate429) && c.s.takeFault(f, key):
		setRetryAfter(c.w.Header(), f, retry)
		c.graphError(http.StatusTooManyRequests, "TooManyRequests", "Too many requests, retry after the time in the Retry-After header.")
	case c.s.drawFault(f.Rate503) && c.s.takeFault(f, key):
		setRetryAfter(c.w.Header(), f, retry)
		c.graphError(http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after the time in the Retry-After header.")
	default:
		return false
	}
	return true
}

// setRetryAfter sets the Retry-After of an injected refusal on h: retry in
// seconds, or f.RetryAfterValue verbatim ("none": no header).
func setRetryAfter(h http.Header, f Faults, retry time.Duration) {
	switch f.RetryAfterValue {
	case "":
		h.Set("Retry-After", strconv.Itoa(ceilSeconds(retry)))
	case "none":
	default:
		h.Set("Retry-After", f.RetryAfterValue)
	}
}

// gatewayError answers as a proxy or gateway in front of Graph would
// (GatewayFault): its own status and body, not Graph's envelope, with no
// request-id of Graph's.
func (c *call) gatewayError(f Faults) {
	c.s.writeGateway(c.w, f.Gateway, f, c.reqID)
}

// writeGateway writes g's answer on w; f gives the Retry-After of a 429 or
// 503, reqID the request-id of the bodies shaped like Graph's envelope.
func (s *Server) writeGateway(w http.ResponseWriter, g GatewayFault, f Faults, reqID string) {
	status := g.Status
	if status == 0 {
		status = http.StatusBadGateway
	}
	h := w.Header()
	h.Del("request-id")
	h.Del("client-request-id")
	switch status {
	case http.StatusProxyAuthRequired:
		h.Set("Proxy-Authenticate", `Basic realm="corporate proxy"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		setRetryAfter(h, f, max(f.RetryAfter, time.Second))
	}
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	envelope := `{"error":{"code":"UnknownError","message":"` + http.StatusText(status) + `","innerError":{"request-id":"` + reqID + `"}}}`
	var body string
	switch g.Body {
	case GatewayBodyEmpty:
		w.WriteHeader(status)
		return
	case GatewayBodyTruncated:
		h.Set("Content-Type", "application/json")
		body = envelope[:len(envelope)/2]
	case GatewayBodyNoMessage:
		h.Set("Content-Type", "application/json")
		body = `{"error":{"code":"UnknownError","innerError":{"request-id":"` + reqID + `"}}}`
		h.Set("request-id", reqID)
	case GatewayBodyInnerErrorLower:
		h.Set("Content-Type", "application/json")
		body = `{"error":{"code":"UnknownError","message":"` + http.StatusText(status) + `","innererror":{"request-id":"` + reqID + `","date":"` + formatTime(s.now()) + `"}}}`
		h.Set("request-id", reqID)
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		body = "<!DOCTYPE html>\n<html><head><title>" + text + "</title></head><body><h1>" + text +
			"</h1><p>The proxy server could not handle the request.</p><script>var gatewayPage = true;</script></body></html>\n"
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// takeFault reports whether a drawn 429/503 applies to the request key:
// its route is among f.Routes (if any) and f.Limit is not used up. The
// answer is given before the body is read, as a throttling front end does.
func (s *Server) takeFault(f Faults, key string) bool {
	if len(f.Routes) > 0 && !slices.Contains(f.Routes, key) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Limit > 0 && s.faultsInjected >= f.Limit {
		return false
	}
	s.faultsInjected++
	return true
}

func ceilSeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	if n < 1 {
		n = 1
	}
	return n
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

// readBody accepts gzip bodies whether or not Content-Encoding says so:
// kiota compresses request bodies, and after a retry may resend them
// without the header (kiota-http-go#183).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		return io.ReadAll(io.LimitReader(zr, 4<<20))
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return nil, fmt.Errorf("Content-Encoding is gzip but the body is not gzip data")
	}
	return b, nil
}

// graphError writes Graph's error envelope
// (https://learn.microsoft.com/graph/errors). message is always present:
// msgraph-sdk-go's ODataError.Error() panics without it.
func (c *call) graphError(status int, code, message string) {
	inner := map[string]any{
		"date":       formatTime(c.s.now()),
		"request-id": c.reqID,
	}
	if crid := c.r.Header.Get("client-request-id"); crid != "" {
		inner["client-request-id"] = crid
	} else {
		inner["client-request-id"] = c.reqID
	}
	writeJSON(c.w, status, map[string]any{"error": map[string]any{
		"code": code, "message": message, "innerError": inner,
	}})
}

// readJSONObject decodes the request body into v, a JSON object, and
// answers Graph's gateway errors otherwise: code BadRequest (not the
// directory's Request_BadRequest, since the body is refused before the
// directory sees it), "Empty Payload. JSON content expected." for no
// body and "Unable to read JSON request payload. …" for one that is not
// JSON (the wording Graph returns for both, as clients report it).
func (c *call) readJSONObject(v *map[string]any) bool {
	if len(bytes.TrimSpace(c.body)) == 0 {
		c.graphError(http.StatusBadRequest, "BadRequest", "Empty Payload. JSON content expected.")
		return false
	}
	if err := json.Unmarshal(c.body, v); err != nil || *v == nil {
		c.graphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return false
	}
	return true
}

// apiError is a Graph error decided while the store is locked and
// written once it is unlocked, so a handler's decision and its answer
// can live in different functions.
type apiError struct {
	status        int
	code, message string
}

// gatewayError is the BadRequest Graph's front end answers before the
// directory sees the request (malformed or unknown payloads).
func gatewayError(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "BadRequest", message: msg}
}

// notFoundError is the directory's 404 for an object it cannot see.
func notFoundError(id string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "Request_ResourceNotFound", message: fmt.Sprintf(
		"Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

// badRequestError is the directory's 400.
func badRequestError(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "Request_BadRequest", message: msg}
}

// fail writes e in Graph's error envelope.
func (c *call) fail(e *apiError) { c.graphError(e.status, e.code, e.message) }

func (c *call) notFound(id string) { c.fail(notFoundError(id)) }

func (c *call) badRequest(msg string) { c.fail(badRequestError(msg)) }

// authenticate validates the bearer token as Graph does
// (https://learn.microsoft.com/graph/resolve-auth-errors): signature,
// audience, tenant and lifetime. 401 carries WWW-Authenticate.
func (c *call) authenticate() bool {
	fail := func(msg string) bool {
		c.w.Header().Set("WWW-Authenticate", fmt.Sprintf(
			`Bearer realm="", authorization_uri="%s/common/oauth2/authorize", client_id="%s"`, c.s.url, graphAppID))
		c.graphError(http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return false
	}
	h := c.r.Header.Get("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		if raw, ok = strings.CutPrefix(h, "bearer "); !ok {
			return fail("Access token is empty.")
		}
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return fail("Access token is empty.")
	}
	t, err := parseJWT(raw)
	if err != nil {
		return fail("IDX14100: JWT is not well formed, there are no dots (.).")
	}
	if c.s.verifyAccessToken(t) != nil {
		return fail("Access token validation failure. Invalid signature.")
	}
	if a := t.claim("aud"); a != graphResource && a != graphAppID && a != graphResource+"/" {
		return fail("Access token validation failure. Invalid audience.")
	}
	if !strings.EqualFold(t.claim("tid"), c.s.tenantID) {
		return fail("Access token validation failure. Invalid tenant.")
	}
	exp, _ := t.num("exp")
	if c.s.now().Unix() >= exp {
		return fail("Lifetime validation failed, the token is expired.")
	}
	c.roles = map[string]bool{}
	if rs, ok := t.claims["roles"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				c.roles[s] = true
			}
		}
	}
	return true
}

// hasAnyRole reports whether the token carries one of perms.
func (c *call) hasAnyRole(perms []string) bool {
	for _, p := range perms {
		if c.roles[p] {
			return true
		}
	}
	return false
}

func (c *call) authorize(perms []string) bool {
	if len(perms) == 0 || c.hasAnyRole(perms) {
		return true
	}
	c.graphError(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// statusRecorder remembers the status for the per-status counters.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) countStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if rec.status != 0 {
				s.count("status:" + strconv.Itoa(rec.status))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

func withBatchItem(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchItemKey, true)
}

// base is the URL the client used to reach the emulator (127.0.0.1,
// localhost or [::1]), so links such as @odata.nextLink point back at the
// host the client configured, as Graph's point at graph.microsoft.com.
func (c *call) base() string {
	if c.r.Host != "" && isLoopbackHostPort(c.r.Host, c.s.url) {
		return "https://" + c.r.Host
	}
	return c.s.url
}

// isLoopbackHostPort reports whether hostport names a loopback host on
// the emulator's port.
func isLoopbackHostPort(hostport, serverURL string) bool {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	_, sp, err := net.SplitHostPort(strings.TrimPrefix(serverURL, "https://"))
	if err != nil || p != sp {
		return false
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
