package graph_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// throttleFirst makes the emulator refuse the first request to route with
// status (429 or 503, Retry-After: 1) before reading its body, as Graph's
// throttling front end does, and serve the retry.
func throttleFirst(s *emulator.Server, status int, route string) {
	f := emulator.Faults{Routes: []string{route}, Limit: 1, RetryAfter: time.Second}
	if status == http.StatusTooManyRequests {
		f.Rate429 = 1
	} else {
		f.Rate503 = 1
	}
	s.SetFaults(f)
}

// lateBodyTransport is HTTP/2 to the emulator, and after a 429 or 503 goes
// on reading the request body it was given, as net/http's RoundTripper
// contract allows and as HTTP/2 does when the answer comes before the body
// was sent. Without it the race the soak hit shows up only now and then.
type lateBodyTransport struct{ base http.RoundTripper }

func (t lateBodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		// HTTP/2 may itself still be writing this body when the answer
		// comes; the two readers take turns, as one reader would.
		req = req.Clone(req.Context())
		req.Body = &turnBody{rc: req.Body}
	}
	resp, err := t.base.RoundTrip(req)
	if err == nil && req.Body != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		go func() {
			time.Sleep(100 * time.Millisecond) // after the retry handler rewound, before Retry-After ends
			_, _ = io.Copy(io.Discard, req.Body)
		}()
	}
	return resp, err
}

// turnBody serialises the reads of a request body between the transport
// and lateBodyTransport's late reader.
type turnBody struct {
	mu sync.Mutex
	rc io.ReadCloser
}

func (b *turnBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rc.Read(p)
}

func (b *turnBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rc.Close()
}

func lateBodyClient(t *testing.T, s *emulator.Server) *graph.Client {
	t.Helper()
	app := s.DefaultApp()
	h2 := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}
	c, err := graph.New(graph.Config{
		Auth: graph.AuthConfig{Method: graph.AuthClientSecret, TenantID: s.TenantID(), ClientID: app.ClientID, ClientSecret: app.Secret,
			AuthorityHost: s.AuthorityHost()},
		GraphEndpoint: s.GraphEndpoint(),
		UserAgent:     "terraform-provider-b2b/test",
		HTTPClient:    &http.Client{Transport: lateBodyTransport{base: h2}},
	})
	if err != nil {
		t.Fatalf("graph.New: %v", err)
	}
	return c
}

// The chaos soak found retries of POST /invitations answered "Unable to
// read JSON request payload" and of POST /$batch "Invalid batch payload
// format": the retry went out with the body the first attempt had consumed.
// Each attempt must send the whole, identical body.
func TestThrottledPostIsRetriedWithItsBody(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprintf("invitations/%d", status), func(t *testing.T) {
			s := startEmulator(t, emulator.Options{})
			c := lateBodyClient(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// Fetch the token first so that only the invitation is refused.
			if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil {
				t.Fatal(err)
			}
			s.ResetCounters()
			throttleFirst(s, status, "POST /v1.0/invitations")
			const email = "retry.body@partner.example"
			inv, err := c.Invite(ctx, graph.InvitationRequest{
				InvitedUserEmailAddress: email, InvitedUserDisplayName: "Retry Body",
				InviteRedirectURL: "https://myapps.microsoft.com",
			})
			if err != nil {
				t.Fatalf("Invite after one %d: %v", status, err)
			}
			cnt := s.Counters()
			if cnt["POST /v1.0/invitations"] != 2 || cnt[fmt.Sprintf("status:%d", status)] != 1 {
				t.Fatalf("want one refused attempt and one retry, got %v", cnt)
			}
			users := s.Users()
			if len(users) != 1 || users[0]["mail"] != email || users[0]["displayName"] != "Retry Body" || users[0]["id"] != inv.InvitedUserID {
				t.Fatalf("the retried invitation created %v; want the one guest %s", users, email)
			}
		})
		t.Run(fmt.Sprintf("batch/%d", status), func(t *testing.T) {
			s := startEmulator(t, emulator.Options{})
			c := lateBodyClient(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ids := seedGuests(t, s, 20)
			graph.DisableGuestSnapshot(c) // the batch is under test
			if _, err := c.GetUser(ctx, ids[0]); err != nil {
				t.Fatal(err)
			}
			s.ResetCounters()
			throttleFirst(s, status, "POST /v1.0/$batch")
			users, errs := readAll(ctx, c, ids)
			for i, id := range ids {
				if errs[i] != nil || users[i].ID != id || users[i].Mail != fmt.Sprintf("g%02d@partner.example", i) {
					t.Fatalf("read %s after a refused batch: %+v, %v", id, users[i], errs[i])
				}
			}
			cnt := s.Counters()
			if cnt[fmt.Sprintf("status:%d", status)] != 1 || cnt["POST /v1.0/$batch"] < 2 {
				t.Fatalf("want one refused batch and its retry, got %v", cnt)
			}
		})
	}
}
