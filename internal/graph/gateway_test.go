package graph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gatewayPage is what a proxy or gateway in front of Graph answers: no
// Graph envelope, an HTML page that must never reach a diagnostic.
const gatewayPage = "<!DOCTYPE html><html><head><title>Bad Gateway</title></head><body><h1>Bad Gateway</h1><script>x()</script></body></html>"

func writeGatewayPage(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(gatewayPage))
}

// A POST /invitations answered 500, 502 or 504 may have created the guest
// behind the gateway: it is sent once, and the error says its outcome is
// unknown so the caller looks the address up before inviting again.
func TestInviteAnswered5xxIsNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		status int
		html   bool
	}{{500, false}, {502, true}, {504, true}, {504, false}} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f := newFake(t)
			var n atomic.Int32
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if tc.html {
					writeGatewayPage(w, tc.status)
					return
				}
				graphError(w, tc.status, "UnknownError", "An internal server error occurred.", "rid-5xx")
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := f.client(f.config()).Invite(ctx, InvitationRequest{InvitedUserEmailAddress: "a@example.com", InviteRedirectURL: "https://x"})
			if n.Load() != 1 {
				t.Fatalf("POST /invitations sent %d times; want 1", n.Load())
			}
			if !IsOutcomeUnknown(err) {
				t.Fatalf("IsOutcomeUnknown(%v) = false", err)
			}
			if s := err.Error(); !strings.Contains(s, "the invitation may have been created") || strings.Contains(s, "<") {
				t.Fatalf("error = %q; want the unknown outcome said and no HTML", s)
			}
		})
	}
}

// A read answered 502 by a gateway is repeated (with backoff), a few times:
// Kiota's retry handler only repeats 429, 503 and 504.
func TestReadRetriedAfterGateway502(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeGatewayPage(w, http.StatusBadGateway)
			return
		}
		writeJSON(w, 200, userJSON("u1", "a@example.com"))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.client(f.config()).GetUser(ctx, "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if n.Load() != 2 {
		t.Fatalf("requests = %d; want 2", n.Load())
	}
}

// Answers that are not Graph's envelope are described, never echoed, and
// retried or not by their status.
func TestNonEnvelopeErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		h        func(w http.ResponseWriter)
		want     string
		requests int32 // within the 1.5 s deadline
		check    func(error) bool
	}{
		{"407 html", func(w http.ResponseWriter) {
			w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
			writeGatewayPage(w, 407)
		}, "407 Proxy Authentication Required: the answer had a text/html body instead of Microsoft Graph's JSON error; a proxy between this machine and Microsoft Graph asks for credentials", 1, IsProxyAuthRequired},
		{"502 empty", func(w http.ResponseWriter) { w.WriteHeader(502) },
			"502 Bad Gateway: the answer had no body instead of Microsoft Graph's JSON error; a proxy or gateway", 0, IsOutcomeUnknown},
		{"400 truncated", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":{"code":"Request_BadRequest","message":"Inva`))
		}, "400 Bad Request: the answer had a JSON body that could not be read (cut short or malformed) instead of Microsoft Graph's JSON error", 1, IsBadRequest},
		{"400 innererror lower case", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("request-id", "rid-lower") // Graph sends it as a header too
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":{"code":"Request_BadRequest","message":"Bad value.","innererror":{"request-id":"rid-lower","date":"2026-01-02T03:04:05"}}}`))
		}, "400 Request_BadRequest: Bad value. (request-id: rid-lower", 1, IsBadRequest},
		{"400 no message", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"error":{"code":"Request_BadRequest"}}`))
		}, "400 Request_BadRequest: (Graph sent no error message)", 1, IsBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			var n atomic.Int32
			f.setGraph(func(w http.ResponseWriter, r *http.Request) { n.Add(1); tc.h(w) })
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			_, err := f.client(f.config()).GetUser(ctx, "u1")
			if err == nil || !tc.check(err) {
				t.Fatalf("error = %v; wrong kind", err)
			}
			if s := err.Error(); !strings.Contains(s, tc.want) || strings.Contains(s, "<") {
				t.Fatalf("error = %q; want %q and no HTML", s, tc.want)
			}
			if tc.requests > 0 && n.Load() != tc.requests {
				t.Fatalf("requests = %d; want %d", n.Load(), tc.requests)
			}
			if tc.requests == 0 && n.Load() < 2 {
				t.Fatalf("requests = %d; a 502 to a read is retried", n.Load())
			}
		})
	}
}

// An HTTPS proxy that answers the CONNECT with 407: nothing reached Graph or
// the identity platform, so it is neither retried nor a lost answer.
func TestProxyConnect407(t *testing.T) {
	f := newFake(t)
	var connects atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connects.Add(1)
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer proxy.Close()
	cfg := f.config()
	base, ok := f.srv.Client().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("the fake's transport is a %T", f.srv.Client().Transport)
	}
	tr := base.Clone()
	pu, _ := url.Parse(proxy.URL)
	tr.Proxy = http.ProxyURL(pu)
	cfg.HTTPClient = &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := f.client(cfg).GetUser(ctx, "u1")
	if !IsProxyAuthRequired(err) || IsOutcomeUnknown(err) || IsUnauthorized(err) {
		t.Fatalf("error = %v; want a proxy authentication failure", err)
	}
	if s := err.Error(); !strings.Contains(s, "proxy") || strings.Contains(s, testSecret) {
		t.Fatalf("error = %q", s)
	}
	t.Logf("%d CONNECTs: %v", connects.Load(), err)
}

// Retry-After values no client should trust never make the client wait
// past its deadline, and every form RFC 9110 allows is honoured.
func TestRetryAfterValues(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool          // the retry succeeds within the deadline
		maxGap      time.Duration // the retry came this soon (0: not checked)
	}{
		{"huge", "1e30", false, 0},
		{"years", "999999999", false, 0},
		// Kiota's own backoff, used for values it cannot read, starts at 3 s.
		{"negative", "-5", true, 2500 * time.Millisecond},
		{"RFC 850 date", "", true, 2500 * time.Millisecond},
		{"garbage", "soon", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			var n atomic.Int32
			var first time.Time
			var gap time.Duration
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					first = time.Now()
					v := tc.value
					if v == "" {
						v = time.Now().Add(time.Second).UTC().Format("Monday, 02-Jan-06 15:04:05 GMT")
					}
					w.Header().Set("Retry-After", v)
					graphError(w, 429, "TooManyRequests", "slow down", "rid-ra")
					return
				}
				gap = time.Since(first)
				writeJSON(w, 200, userJSON("u1", "a@example.com"))
			})
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			start := time.Now()
			_, err := f.client(f.config()).GetUser(ctx, "u1")
			if ctx.Err() != nil {
				t.Fatalf("returned only at the deadline (%v): %v", time.Since(start), err)
			}
			if tc.ok != (err == nil) {
				t.Fatalf("error = %v after %v, %d requests", err, time.Since(start), n.Load())
			}
			if tc.maxGap > 0 && gap > tc.maxGap {
				t.Fatalf("retried after %v; want within %v (the Retry-After asked for at most 1 s)", gap, tc.maxGap)
			}
			if !tc.ok && (!IsThrottled(err) || n.Load() != 1) {
				t.Fatalf("error = %v, %d requests; want the 429 at once", err, n.Load())
			}
		})
	}
}

// A throttled $batch item carries its own headers, in any letter case.
func TestBatchItemRetryAfterAnyCase(t *testing.T) {
	c := fuzzClient()
	for _, name := range []string{"Retry-After", "retry-after", "RETRY-AFTER"} {
		e := c.batchItemError(&batchResponseItem{ID: "1", Status: 429, Headers: map[string]string{name: "7"},
			Body: []byte(`{"error":{"code":"TooManyRequests","message":"slow down","innererror":{"request-id":"rid-b"}}}`)}, opGetUser)
		if !e.hasRetryAfter || e.retryAfter != 7*time.Second || e.RequestID != "rid-b" || !IsThrottled(e) {
			t.Fatalf("%s: error = %+v; want Retry-After 7s and the request-id", name, e)
		}
	}
}

// The token endpoint failing (5xx, a gateway's page) is not reported as a
// refusal of the credentials.
func TestTokenEndpoint5xxIsNotACredentialError(t *testing.T) {
	f := newFake(t)
	f.tokenStatus = 503
	f.tokenBody = gatewayPage
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := f.client(f.config()).GetUser(ctx, "u1")
	var ge *Error
	if !errors.As(err, &ge) || IsUnauthorized(err) || ge.StatusCode != 503 {
		t.Fatalf("error = %v; want a 503 that is not a credential refusal", err)
	}
	if s := err.Error(); !strings.Contains(s, "answered HTTP 503") || strings.Contains(s, "Check client_secret") || strings.Contains(s, "<") || strings.Contains(s, testSecret) {
		t.Fatalf("error = %q", s)
	}
}

// A 500 that persists is Graph's answer: repeated maxServerErrorRetries
// times, not for the whole timeout.
func TestRead500RetriedAFewTimes(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		graphError(w, 500, "generalException", "boom", "rid-500")
	})
	_, err := f.client(f.config()).GetUser(context.Background(), "u1")
	if int(n.Load()) != 1+maxServerErrorRetries || !IsOutcomeUnknown(err) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("%d requests, error %v; want %d and Graph's 500", n.Load(), err, 1+maxServerErrorRetries)
	}
}
