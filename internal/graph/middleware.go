package graph

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
)

// userAgentMiddleware puts the provider's product token first, so that
// Graph's logs (and a tenant admin reading sign-in logs) name the provider
// before the SDK components that kiota's handler appends.
type userAgentMiddleware struct{ product string }

func (m *userAgentMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if m.product != "" {
		ua := req.Header.Get("User-Agent")
		if !strings.HasPrefix(ua, m.product) {
			req.Header.Set("User-Agent", strings.TrimSpace(m.product+" "+ua))
		}
	}
	return p.Next(req, i)
}

// loggingMiddleware logs one line per HTTP attempt. It sees the request and
// response after auth was attached, so it logs only a fixed set of fields:
// never headers (Authorization) nor bodies (inviteRedeemUrl, secrets).
type loggingMiddleware struct{ log Logger }

func (m *loggingMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := p.Next(req, i)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	// kiota's retry handler numbers the attempts it re-sends.
	if n, convErr := strconv.Atoi(req.Header.Get("Retry-Attempt")); convErr == nil {
		fields["retry_attempt"] = n
	}
	if id := req.Header.Get("client-request-id"); id != "" {
		fields["client_request_id"] = id
	}
	if err != nil {
		fields["error"] = err.Error()
		m.log.Debug(req.Context(), "graph: request failed", fields)
		return resp, err
	}
	fields["status"] = resp.StatusCode
	if rec, ok := req.Context().Value(lastResponseKey{}).(*lastResponse); ok {
		rec.set(resp)
	}
	if id := resp.Header.Get("request-id"); id != "" {
		fields["request_id"] = id
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		fields["retry_after"] = ra
	}
	m.log.Debug(req.Context(), "graph: request", fields)
	return resp, nil
}

// unsafeToRepeatKey marks the context of an operation that must not be
// sent again once it may have taken effect (operation.noRetryOnTransportError).
type unsafeToRepeatKey struct{}

// retryDeadlineKey carries the retry deadline for contexts without one.
type retryDeadlineKey struct{}

// retryDeadline is the time after which no retry may start.
func retryDeadline(ctx context.Context) (time.Time, bool) {
	if d, ok := ctx.Deadline(); ok {
		return d, true
	}
	d, ok := ctx.Value(retryDeadlineKey{}).(time.Time)
	return d, ok
}

// shouldRetry is kiota's ShouldRetry callback. kiota counts retries; the
// provider is bounded by time (the resource's timeouts), so a retry whose
// wait would end after the deadline is not started: the 429/503/504 then
// surfaces as the last error instead of a bare "context deadline exceeded".
//
// A 429 to POST /invitations is not retried here but in call, through the
// pacer, which learns the tenant's budget from it (pacer.go): retried here,
// each retry would hit the same exhausted budget unseen.
//
// A 504 to a request that is not safe to repeat (POST /invitations, a
// restore) is not retried either: the gateway timed out waiting for Graph,
// which may have acted (IsOutcomeUnknown); the caller looks it up first.
func (c *client) shouldRetry(_ time.Duration, executionCount int, req *http.Request, resp *http.Response) bool {
	if resp.StatusCode == http.StatusTooManyRequests && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/invitations") {
		return false
	}
	if outcomeUnknownStatus(resp.StatusCode) && req.Context().Value(unsafeToRepeatKey{}) != nil {
		return false
	}
	wait := kiotaRetryDelay(resp, executionCount+1)
	if deadline, ok := retryDeadline(req.Context()); ok && time.Now().Add(wait).After(deadline) {
		c.log.Debug(req.Context(), "graph: not retrying, the wait would pass the deadline", map[string]any{
			"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode,
			"wait_ms": wait.Milliseconds(), "attempt": executionCount,
		})
		return false
	}
	return true
}

// kiotaRetryDelay mirrors how kiota's retry handler computes its wait for
// the attempt-th retry (Retry-After seconds or HTTP date, else exponential
// from 3 s plus up to 1 s of jitter, counted here at its maximum).
func kiotaRetryDelay(resp *http.Response, attempt int) time.Duration {
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		return d
	}
	if attempt < 1 {
		attempt = 1
	}
	return time.Duration(3*(1<<(attempt-1)))*time.Second + time.Second
}

// maxRetryAfter bounds a parsed Retry-After.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP date
// (RFC 9110 section 10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			secs = 0
		}
		// Larger values would overflow time.Duration; any wait this long
		// is past every deadline, so the clamp changes no decision.
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter, true
		}
		// kiota truncates fractions the same way.
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// retryAfterMiddleware rewrites a Retry-After the retry handler above it
// would misread. Graph sends delta-seconds or an HTTP date
// (https://learn.microsoft.com/graph/throttling); RFC 9110 section 10.2.3
// allows both, and section 5.6.7 asks recipients to accept all three date
// formats. Kiota's retry handler parses seconds and RFC 1123 dates only, a
// negative value as a negative wait and a huge one past time.Duration's
// range. Here every form parseRetryAfter accepts becomes whole seconds in
// [0, maxRetryAfter], and a value it cannot read is removed, so Kiota, the
// operation retry and the invitation pacer fall back to exponential
// backoff, as the throttling guide recommends when Retry-After is absent.
// The logging middleware, below it, logs the value as sent.
type retryAfterMiddleware struct{}

func (retryAfterMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	resp, err := p.Next(req, i)
	if err != nil || resp == nil {
		return resp, err
	}
	if v := resp.Header.Get("Retry-After"); v != "" {
		if d, ok := parseRetryAfter(v, time.Now()); ok {
			resp.Header.Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
		} else {
			resp.Header.Del("Retry-After")
		}
	}
	return resp, nil
}

// lastResponseKey carries a *lastResponse through one call.
type lastResponseKey struct{}

// lastResponse remembers the status line and headers of the last HTTP
// answer of a call. kiota loses them when an error body is not JSON (a
// gateway's HTML page) or when the context ends while its retry handler
// waits; the call then still reports what Graph last said.
type lastResponse struct {
	mu     sync.Mutex
	status int
	header http.Header
}

func (l *lastResponse) set(resp *http.Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status = resp.StatusCode
	l.header = resp.Header.Clone()
}

func (l *lastResponse) get() (int, http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status, l.header
}

// replayableBodyMiddleware gives a request body the standard way to be sent
// again, Request.GetBody, with its length. kiota builds its requests with
// neither (a seekable reader over the serialized content, of unknown
// length) and its retry handler rewinds that one reader with Seek. But a
// RoundTripper may go on reading a body after it returned the response
// (net/http's RoundTripper contract; HTTP/2 does when Graph answers 429 or
// 503 before reading the body), so the rewound reader was drained again by
// the first attempt and the retry went out empty or truncated: Graph then
// answered 400 "Unable to read JSON request payload" or "Invalid batch
// payload format". Outermost, so every retrying layer (kiota's retry
// handler, tokenRenewMiddleware) sees GetBody; freshBodyMiddleware uses it.
type replayableBodyMiddleware struct{}

func (replayableBodyMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return p.Next(req, i)
	}
	// kiota's bodies are in memory already (RequestInformation.Content).
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("graph: buffering the request body: %w", err)
	}
	req.ContentLength = int64(len(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	if len(b) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	} else {
		req.Body, _ = req.GetBody()
	}
	return p.Next(req, i)
}

// freshBodyMiddleware sends each attempt with its own copy of the body
// (GetBody), so that no attempt reads from a reader an earlier attempt's
// transport may still be reading, and kiota's Seek on the original body
// rewinds a reader nothing else uses. Innermost, next to the transport.
type freshBodyMiddleware struct{}

func (freshBodyMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if req.GetBody == nil || req.Body == nil || req.Body == http.NoBody {
		return p.Next(req, i)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("graph: copying the request body: %w", err)
	}
	attempt := req.WithContext(req.Context()) // a shallow copy: the caller's request keeps its own body
	attempt.Body = body
	return p.Next(attempt, i)
}

// emptyAnswerMiddleware turns a success answer to a GET (or to a $batch of
// GETs) that carries no body into an error. Graph answers every GET the
// client sends with a JSON body (an entity or a collection page), and a
// batch with its responses; kiota, handed an empty one, returns no model
// and no error, which callers would take for an entity that is not there,
// or dereference. Two things produce it: a proxy or gateway that drops
// the body, and Go's transport, which can deliver an answer the server
// wrote as the caller gave up (Ctrl-C). In the second case the caller's
// cancellation is the error, as it would have been a moment earlier; in
// the first, the read failed, and call retries it like any transport
// failure (a GET is safe to repeat, and so is a batch of them).
type emptyAnswerMiddleware struct{}

func (emptyAnswerMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	resp, err := p.Next(req, i)
	if err != nil || !answersWithJSON(req) || resp.StatusCode < 200 || resp.StatusCode > 299 || resp.StatusCode == http.StatusNoContent {
		return resp, err
	}
	if resp.ContentLength < 0 && resp.Body != nil && resp.Body != http.NoBody {
		// Length unknown (chunked): look at the first byte and put it back.
		br := bufio.NewReader(resp.Body)
		_, perr := br.Peek(1)
		if perr == nil {
			resp.Body = struct {
				io.Reader
				io.Closer
			}{br, resp.Body}
			return resp, nil
		}
		if !errors.Is(perr, io.EOF) && req.Context().Err() == nil {
			_ = resp.Body.Close()
			return nil, fmt.Errorf("graph: reading the answer: %w", perr)
		}
	} else if resp.ContentLength != 0 {
		return resp, nil
	}
	_ = resp.Body.Close()
	if cerr := req.Context().Err(); cerr != nil {
		return nil, cerr
	}
	return nil, fmt.Errorf("graph: HTTP %d without a body, where Graph always answers with JSON (a proxy or gateway between the provider and Graph may have dropped it)", resp.StatusCode)
}

// answersWithJSON: the requests whose success answer always has a body.
// The client's batches hold reads only (sendUserBatch).
func answersWithJSON(req *http.Request) bool {
	return req.Method == http.MethodGet || (req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/$batch"))
}
