package graph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Per-attempt limits on the HTTP transport (Graph and the token endpoint).
// Without them a host that accepts TCP and never answers holds each request
// until the operation's timeout (minutes), once per parallelism wave.
const (
	// dialTimeout bounds the TCP connect (a firewall that drops SYNs).
	dialTimeout = 10 * time.Second
	// tlsHandshakeTimeout is net/http's default, kept explicit because a
	// caller's transport may carry none.
	tlsHandshakeTimeout = 10 * time.Second
	// responseHeaderTimeout bounds the wait for the status line once the
	// request is sent. The provider's calls are single-object reads and
	// writes, pages of at most 999 users and batches of 20 reads; Graph
	// answers those (or fails them with a 5xx) in seconds, so 30 s only
	// cuts off a peer that has stopped answering.
	responseHeaderTimeout = 30 * time.Second
	// refusedRedials: a refused connection is dialled again this many
	// times, refusedRedialDelay apart, before the host counts as down, so
	// that a proxy or load balancer restarting in under a second does
	// not fail the run. Nothing was sent, so any request may be redialled.
	refusedRedials     = 2
	refusedRedialDelay = 400 * time.Millisecond
	// hostDownWindow is how long a host that did not answer is reported
	// down without being tried again. Bounded so a long-running process
	// recovers by itself; any answer from the host closes it sooner.
	hostDownWindow = 30 * time.Second
)

// hostDownError says that a host did not answer at all: connection
// refused, name not resolved, or a per-attempt timeout. It is not retried
// (azcore's retry policy honours NonRetriable) and it opens the client's
// circuit for the host, so that other operations fail at once.
type hostDownError struct {
	host   string
	reason string
	// sent: the request may have reached the host (it timed out waiting
	// for the answer), so a non-idempotent call may have taken effect.
	sent bool
	// at is when the circuit opened for the host, on the circuit's clock.
	at    time.Time
	cause error
	// cached: reported from the circuit, without trying the host again;
	// age is then how long ago the circuit opened.
	cached bool
	age    time.Duration
}

func (e *hostDownError) Error() string {
	msg := fmt.Sprintf("%s did not answer: %s", e.host, e.reason)
	if e.cached {
		msg += fmt.Sprintf(" (an earlier request of this run failed so %s ago; not tried again)", e.age.Round(time.Second))
	}
	return msg
}

func (e *hostDownError) Unwrap() error { return e.cause }

// NonRetriable tells azcore's retry policy (token requests) not to retry.
func (e *hostDownError) NonRetriable() {}

// proxyAuthError is an HTTPS proxy's 407 to the CONNECT for host. Its text
// stays net/http's, so callers that see it wrapped read it alike.
type proxyAuthError struct{ host string }

func (e *proxyAuthError) Error() string { return http.StatusText(http.StatusProxyAuthRequired) }

// NonRetriable tells azcore's retry policy (token requests) not to retry.
func (e *proxyAuthError) NonRetriable() {}

// circuit remembers, per host, a failure to answer, for hostDownWindow.
type circuit struct {
	mu     sync.Mutex
	down   map[string]*hostDownError
	window time.Duration
	now    func() time.Time
	// proxyAuth is the last host an HTTPS proxy refused a tunnel to
	// without credentials, and when: the token credential (MSAL) keeps
	// only the text of the errors it meets, so tokenFailure asks here.
	proxyAuth   string
	proxyAuthAt time.Time
}

func (c *circuit) proxyRefused(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.proxyAuth, c.proxyAuthAt = host, c.now()
}

// proxyRefusedRecently returns the host of a proxy refusal within the window.
func (c *circuit) proxyRefusedRecently() string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proxyAuth == "" || c.now().Sub(c.proxyAuthAt) >= c.window {
		return ""
	}
	return c.proxyAuth
}

func newCircuit() *circuit {
	return &circuit{down: map[string]*hostDownError{}, window: hostDownWindow, now: time.Now}
}

// check returns the recorded failure while host is considered down.
func (c *circuit) check(host string) *hostDownError {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.down[host]
	if e == nil {
		return nil
	}
	age := c.now().Sub(e.at)
	if age >= c.window {
		delete(c.down, host)
		return nil
	}
	cp := *e
	cp.cached, cp.age = true, age
	return &cp
}

// trip opens the circuit for e.host, stamping e with the circuit's clock.
func (c *circuit) trip(e *hostDownError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.at = c.now()
	c.down[e.host] = e
}

func (c *circuit) clear(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.down, host)
}

// reachabilityTransport reports the hosts the client talks to (Graph and
// the authority) as down when they do not answer, and fails requests to a
// down host at once. Other hosts (a managed identity endpoint) pass
// through untouched: azidentity has its own probing for those.
type reachabilityTransport struct {
	base    http.RoundTripper
	hosts   map[string]bool // host:port
	circuit *circuit
	log     Logger
}

func (t *reachabilityTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := hostPort(req.URL.Scheme, req.URL.Host)
	if !t.hosts[host] {
		return t.base.RoundTrip(req)
	}
	if e := t.circuit.check(host); e != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, e
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil && err.Error() == http.StatusText(http.StatusProxyAuthRequired) {
		// net/http's words for a 407 to the CONNECT that opens the tunnel:
		// the proxy is up and refuses us; no retry will change that.
		t.circuit.proxyRefused(host)
		return nil, &proxyAuthError{host: host}
	}
	if err == nil {
		// Any answer, an error status included, shows the host is up.
		t.circuit.clear(host)
		return resp, nil
	}
	if req.Context().Err() != nil {
		// The caller gave up (timeout block, Ctrl-C): says nothing about the host.
		return nil, err
	}
	reason, sent, ok := unreachableReason(err)
	if !ok {
		return nil, err
	}
	e := &hostDownError{host: host, reason: reason, sent: sent, cause: err}
	t.circuit.trip(e)
	t.log.Warn(req.Context(), "graph: host did not answer; failing other requests to it at once", map[string]any{
		"host": host, "reason": reason, "window_s": int(t.circuit.window.Seconds()),
	})
	return nil, e
}

// hostPort normalises a URL host to host:port.
func hostPort(scheme, host string) string {
	host = strings.ToLower(host)
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "443"
	if scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

// unreachableReason classifies a transport error as "the host did not
// answer", in words for the user. Errors after an answer started (a reset
// connection, a TLS certificate the client refuses) are not: the host is
// there, and the operation's own retry handles a dropped connection.
func unreachableReason(err error) (reason string, sent bool, ok bool) {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		switch {
		case dns.IsNotFound:
			return fmt.Sprintf("the name %s does not resolve (DNS: no such host)", dns.Name), false, true
		case dns.IsTimeout:
			return fmt.Sprintf("the DNS lookup of %s timed out", dns.Name), false, true
		default:
			return fmt.Sprintf("the DNS lookup of %s failed: %s", dns.Name, dns.Err), false, true
		}
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		via := ""
		if op.Op == "proxyconnect" {
			via = " (through the HTTPS proxy)"
		}
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return "connection refused" + via, false, true
		case op.Timeout():
			return fmt.Sprintf("no TCP connection within %s%s", dialTimeout, via), false, true
		default:
			return "could not connect" + via + ": " + op.Err.Error(), false, true
		}
	}
	// net/http's own timeouts have unexported types; their messages have
	// been stable since Go 1.3 and are the only way to tell them apart.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "TLS handshake timeout"):
		return fmt.Sprintf("it accepted the connection but did not complete the TLS handshake within %s", tlsHandshakeTimeout), false, true
	case strings.Contains(msg, "timeout awaiting response headers"):
		return fmt.Sprintf("it accepted the request but sent no answer within %s", responseHeaderTimeout), true, true
	}
	return "", false, false
}

// dialWithRedial dials, dialling a refused connection again a few times
// (refusedRedials) before giving up.
func dialWithRedial(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		for attempt := 0; ; attempt++ {
			conn, err := d.DialContext(ctx, network, addr)
			if err == nil || attempt == refusedRedials || !errors.Is(err, syscall.ECONNREFUSED) {
				return conn, err
			}
			t := time.NewTimer(refusedRedialDelay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, err
			case <-t.C:
			}
		}
	}
}

// boundedTransport returns rt with the per-attempt limits set where rt is
// an *http.Transport that has none; own says rt is the client's private
// clone of http.DefaultTransport, whose dialer is replaced outright.
func boundedTransport(rt http.RoundTripper, own bool) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	if own || t.DialContext == nil {
		t.DialContext = dialWithRedial(&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second})
	}
	if t.TLSHandshakeTimeout == 0 {
		t.TLSHandshakeTimeout = tlsHandshakeTimeout
	}
	if t.ResponseHeaderTimeout == 0 {
		t.ResponseHeaderTimeout = responseHeaderTimeout
	}
	return t
}
