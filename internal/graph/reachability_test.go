package graph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// closedPort returns 127.0.0.1:port with nothing listening on it.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// hangingListener accepts TCP connections on 127.0.0.1 and never answers,
// like a stalled proxy; it counts the connections.
type hangingListener struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
}

func newHangingListener(t *testing.T) *hangingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangingListener{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			_ = c.Close()
		}
	})
	return h
}

func (h *hangingListener) addr() string { return h.ln.Addr().String() }

// quickTLS is the fake's client transport with a short TLS handshake
// limit, so that hanging tests take a fraction of a second.
func quickTLS(f *fake) *http.Client {
	base, ok := f.srv.Client().Transport.(*http.Transport)
	if !ok {
		panic("httptest client transport is not *http.Transport")
	}
	tr := base.Clone()
	tr.TLSHandshakeTimeout = 300 * time.Millisecond
	return &http.Client{Transport: tr}
}

// callers is how many operations the reachability tests start at once.
const callers = 10

// concurrently runs fn for callers goroutines and returns their errors.
func concurrently(fn func(i int) error) []error {
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}

func TestRefusedGraphEndpointFailsAtOnceNamingTheHost(t *testing.T) {
	f := newFake(t)
	addr := closedPort(t)
	cfg := f.config()
	cfg.GraphEndpoint = "https://" + addr
	c := f.client(cfg)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.GetUser(ctx, "u1")
	if !IsUnreachable(err) {
		t.Fatalf("error = %v; want unreachable", err)
	}
	if want := addr + " did not answer: connection refused"; !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %q; want it to contain %q", err, want)
	}
	// Two redials 400 ms apart, then no retry by the operation: the call
	// ends with its context alive, where the old retry loop used up the
	// 1-minute deadline.
	if ctx.Err() != nil {
		t.Fatalf("the first failure came only at the deadline: %v", ctx.Err())
	}
	if strings.Contains(err.Error(), "Check tenant_id") {
		t.Fatalf("a network failure blames the credentials: %v", err)
	}

	// Every later operation fails from the circuit, without dialling.
	errs := concurrently(func(int) error { _, err := c.GetUser(ctx, "u2"); return err })
	for _, err := range errs {
		if !IsUnreachable(err) || !strings.Contains(err.Error(), "not tried again") || !strings.Contains(err.Error(), addr) {
			t.Fatalf("later error = %v; want the same cause from the circuit", err)
		}
	}
	// The invitation was never sent, so its error must not say it may exist.
	_, err = c.Invite(ctx, InvitationRequest{InvitedUserEmailAddress: "a@example.com", InviteRedirectURL: "https://x"})
	if !IsUnreachable(err) || strings.Contains(err.Error(), "may have been created") {
		t.Fatalf("invite error = %v", err)
	}
}

func TestRefusedAuthorityIsNotReportedAsBadCredentials(t *testing.T) {
	f := newFake(t)
	addr := closedPort(t)
	cfg := f.config()
	cfg.Auth.AuthorityHost = "https://" + addr + "/"
	c := f.client(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	errs := concurrently(func(int) error { _, err := c.GetUser(ctx, "u1"); return err })
	for _, err := range errs {
		var ge *Error
		if !errors.As(err, &ge) || ge.Kind != KindUnreachable {
			t.Fatalf("error = %v; want unreachable", err)
		}
		if !strings.HasPrefix(ge.Operation, "token request") || !strings.Contains(err.Error(), addr+" did not answer: connection refused") {
			t.Fatalf("error = %v; want the token request naming %s", err, addr)
		}
		if strings.Contains(err.Error(), "Check tenant_id") {
			t.Fatalf("a refused connection blames the credentials: %v", err)
		}
	}
	if n := len(f.calls()); n != 0 {
		t.Fatalf("%d Graph calls without a token", n)
	}
}

func TestHungAuthorityCostsOneConnectionForAllCallers(t *testing.T) {
	f := newFake(t)
	h := newHangingListener(t)
	cfg := f.config()
	cfg.Auth.AuthorityHost = "https://" + h.addr() + "/"
	cfg.HTTPClient = quickTLS(f)
	c := f.client(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	errs := concurrently(func(int) error { _, err := c.GetUser(ctx, "u1"); return err })
	for _, err := range errs {
		if !IsUnreachable(err) || !strings.Contains(err.Error(), h.addr()+" did not answer") ||
			!strings.Contains(err.Error(), "did not complete the TLS handshake") {
			t.Fatalf("error = %v; want the hung authority named", err)
		}
	}
	// One token acquisition for the ten callers, not retried by azcore's
	// retry policy, and not repeated by each caller behind azidentity's lock.
	if n := h.accepted.Load(); n != 1 {
		t.Fatalf("the hung authority got %d connections; want 1", n)
	}
	if _, err := c.GetUser(ctx, "u1"); !IsUnreachable(err) || !strings.Contains(err.Error(), "not tried again") {
		t.Fatalf("later error = %v; want it from the circuit", err)
	}
	if n := h.accepted.Load(); n != 1 {
		t.Fatalf("a later call connected again (%d connections)", n)
	}
}

func TestHungGraphEndpointFailsOnceThenAtOnce(t *testing.T) {
	f := newFake(t)
	h := newHangingListener(t)
	cfg := f.config()
	cfg.GraphEndpoint = "https://" + h.addr()
	cfg.HTTPClient = quickTLS(f)
	c := f.client(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if _, err := c.GetUser(ctx, "u1"); !IsUnreachable(err) || !strings.Contains(err.Error(), h.addr()+" did not answer") {
		t.Fatalf("error = %v; want the hung Graph endpoint named", err)
	}
	if n := h.accepted.Load(); n != 1 {
		t.Fatalf("%d connections for one read; want 1 (no retry of a timed-out attempt)", n)
	}
	errs := concurrently(func(int) error { _, err := c.ListUsers(ctx, GuestFilter{}); return err })
	for _, err := range errs {
		if !IsUnreachable(err) {
			t.Fatalf("error = %v; want unreachable", err)
		}
	}
	if n := h.accepted.Load(); n != 1 {
		t.Fatalf("later calls connected again (%d connections); want them failed by the circuit", n)
	}
}

func TestCircuitClosesOnAnswerAndAfterItsWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cb := newCircuit()
	cb.now = func() time.Time { return now }
	cb.trip(&hostDownError{host: "a:443", reason: "connection refused"})
	if cb.check("a:443") == nil || cb.check("b:443") != nil {
		t.Fatal("the circuit must hold the host that failed, and only it")
	}
	now = now.Add(hostDownWindow - time.Second)
	e := cb.check("a:443")
	if e == nil {
		t.Fatal("the circuit must hold the host until its window ends")
	}
	if want := fmt.Sprintf("failed so %s ago", hostDownWindow-time.Second); !strings.Contains(e.Error(), want) {
		t.Fatalf("error = %q; want it to say %q, on the circuit's clock", e.Error(), want)
	}
	now = now.Add(time.Second)
	if cb.check("a:443") != nil {
		t.Fatal("the circuit must let a request through after its window")
	}
	cb.trip(&hostDownError{host: "a:443", reason: "connection refused"})
	cb.clear("a:443")
	if cb.check("a:443") != nil {
		t.Fatal("an answer from the host must close the circuit")
	}
}

func TestUnreachableReasonLeavesAnsweringHostsAlone(t *testing.T) {
	for _, err := range []error{
		errors.New("read: connection reset by peer"),
		errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"),
		context.DeadlineExceeded,
	} {
		if reason, _, ok := unreachableReason(err); ok {
			t.Errorf("%v classified as unreachable (%s)", err, reason)
		}
	}
	dns := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Name: "graph.invalid", Err: "no such host", IsNotFound: true}}
	if reason, _, ok := unreachableReason(dns); !ok || !strings.Contains(reason, "graph.invalid does not resolve") {
		t.Errorf("DNS failure: %q, %v", reason, ok)
	}
}
