package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// emptyRead answers 200 without a body: with Content-Length: 0 (a handler
// that writes nothing) or chunked with no chunk (one that flushes the
// headers and stops), the two forms a proxy that drops the body produces.
func emptyRead(w http.ResponseWriter, chunked bool) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if chunked {
		_ = http.NewResponseController(w).Flush()
	}
}

// A read answered 200 with no body is a failed read, retried like a
// dropped connection (a GET is safe to repeat), not a user that is not
// there: kiota returns no model and no error for it.
func TestEmptyAnswerToAReadIsRetried(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			emptyRead(w, false)
		case 2:
			emptyRead(w, true)
		default:
			writeJSON(w, 200, userJSON("u1", "ann@example.com"))
		}
	})
	c := f.client(f.config())
	u, err := c.GetUser(context.Background(), "u1")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if u == nil || u.ID != "u1" {
		t.Fatalf("GetUser = %+v; want u1", u)
	}
	if got := n.Load(); got != 3 {
		t.Fatalf("%d GET requests; want 3 (two empty answers, then the user)", got)
	}
}

// An answer that stays empty fails every kind of read with an error that
// says what came back; none returns "no user, no error" (which callers
// would dereference) and no list panics on a missing page.
func TestEmptyAnswerIsAnError(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		f := newFake(t)
		f.setGraph(func(w http.ResponseWriter, r *http.Request) { emptyRead(w, chunked) })
		c := f.client(f.config())
		reads := map[string]func(context.Context) error{
			"GetUser":          func(ctx context.Context) error { _, err := c.GetUser(ctx, "u1"); return err },
			"FindUsersByEmail": func(ctx context.Context) error { _, err := c.FindUsersByEmail(ctx, "ann@example.com"); return err },
			"ListUsers": func(ctx context.Context) error {
				_, err := c.ListUsers(ctx, GuestFilter{UserType: "Guest"})
				return err
			},
			"GetGroup": func(ctx context.Context) error { _, err := c.GetGroup(ctx, "g1"); return err },
		}
		for name, read := range reads {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			err := read(ctx)
			cancel()
			if err == nil || !strings.Contains(err.Error(), "HTTP 200 without a body") {
				t.Errorf("chunked=%v: %s = %v; want an error naming the empty answer", chunked, name, err)
			}
		}
	}
}

// emptyPipeline is the rest of kiota's pipeline answering 200 with no body.
type emptyPipeline struct{ contentLength int64 }

func (p emptyPipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, ContentLength: p.contentLength, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
}

// An empty answer that arrived as the caller gave up (Go's transport can
// deliver one the server wrote as the connection closed) fails with the
// caller's cancellation, the error it would have had a moment earlier;
// other methods and statuses pass through.
func TestEmptyAnswerMiddleware(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://graph.example/v1.0/users/u1", nil)
	for _, cl := range []int64{0, -1} {
		resp, err := emptyAnswerMiddleware{}.Intercept(emptyPipeline{cl}, 0, req)
		if resp != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("Content-Length %d after cancellation: %v, %v; want context.Canceled", cl, resp, err)
		}
	}
	batch, _ := http.NewRequest(http.MethodPost, "https://graph.example/v1.0/$batch", strings.NewReader(`{"requests":[]}`))
	if resp, err := (emptyAnswerMiddleware{}).Intercept(emptyPipeline{0}, 0, batch); resp != nil || err == nil || !strings.Contains(err.Error(), "HTTP 200 without a body") {
		t.Errorf("a batch answered 200 without a body: %v, %v; want an error naming the empty answer", resp, err)
	}
	for _, method := range []string{http.MethodPatch, http.MethodDelete, http.MethodPost} {
		req, _ := http.NewRequest(method, "https://graph.example/v1.0/users/u1", nil)
		if resp, err := (emptyAnswerMiddleware{}).Intercept(emptyPipeline{0}, 0, req); err != nil || resp == nil {
			t.Errorf("%s answered 200 without a body: %v; want the answer passed on", method, err)
		}
	}
}

// An invitation answered 201 without a body was created, for a user the
// answer no longer names: its outcome is unknown, like an answer lost on
// the way, so the provider looks the address up instead of failing with a
// guest it invited left out of the state. It is sent once.
func TestInvitationAnsweredWithoutBody(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
	})
	_, err := f.client(f.config()).Invite(context.Background(), InvitationRequest{InvitedUserEmailAddress: "a@example.com", InviteRedirectURL: "https://x"})
	if n.Load() != 1 {
		t.Fatalf("POST /invitations sent %d times; want 1", n.Load())
	}
	if !IsOutcomeUnknown(err) || !strings.Contains(err.Error(), "look the email up before inviting again") {
		t.Fatalf("Invite = %v; want an unknown outcome, said", err)
	}
}
