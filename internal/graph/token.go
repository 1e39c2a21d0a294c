package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	khttp "github.com/microsoft/kiota-http-go"
	"golang.org/x/sync/singleflight"
)

const (
	// tokenFetchTimeout bounds one token acquisition (tenant discovery
	// and the token request), whatever the caller's deadline: the
	// transport's per-attempt limits normally end it sooner.
	tokenFetchTimeout = 60 * time.Second
	// minRenewInterval: a token obtained this recently that Graph refuses
	// is not renewed again. A new token cures a rolled-over signing key or
	// a revoked token; when even a fresh one is refused (a clock far off,
	// a token for another cloud) renewing on every request would only
	// flood the token endpoint.
	minRenewInterval = 30 * time.Second
)

// sharedCredential is the one credential of a client. It
//   - shares one token acquisition among concurrent callers
//     (singleflight), so 30 parallel operations make one token request and,
//     if the authority does not answer, all fail together instead of queueing
//     behind azidentity's lock one timeout after another;
//   - can drop a token Graph refused (renew): azidentity offers no way to
//     evict its cache (its maintainers' advice is a new credential
//     instance, https://github.com/Azure/azure-sdk-for-go/issues/24133), so
//     renew builds a new one; claims in TokenRequestOptions also bypass the
//     cache, but they are sent to Entra as a claims challenge, which a
//     refused token is not;
//   - marks its errors as token failures (tokenError), so that they are
//     reported as authentication failures and not as Graph errors.
type sharedCredential struct {
	build     func() (azcore.TokenCredential, error)
	log       Logger
	circuit   *circuit
	authority string // host:port of the authority, for the circuit
	minRenew  time.Duration
	// now is the clock renew measures minRenew on; time.Now outside tests.
	now func() time.Time

	group singleflight.Group

	mu         sync.Mutex
	inner      azcore.TokenCredential
	gen        uint64
	lastToken  string // the token the current inner last handed out
	lastExpiry time.Time
	renewedAt  time.Time
}

func newSharedCredential(build func() (azcore.TokenCredential, error), authority string, cb *circuit, log Logger) (*sharedCredential, error) {
	inner, err := build()
	if err != nil {
		return nil, err
	}
	return &sharedCredential{build: build, inner: inner, log: log, circuit: cb, authority: authority, minRenew: minRenewInterval, now: time.Now}, nil
}

// GetToken implements azcore.TokenCredential.
func (s *sharedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if e := s.circuit.check(s.authority); e != nil {
		return azcore.AccessToken{}, &tokenError{err: e}
	}
	s.mu.Lock()
	inner, gen := s.inner, s.gen
	s.mu.Unlock()
	// The generation is in the key: after renew, a caller must not join a
	// fetch that the dropped credential is still answering from its cache.
	key := fmt.Sprintf("%d|%q|%q|%q|%t", gen, opts.Scopes, opts.Claims, opts.TenantID, opts.EnableCAE)
	ch := s.group.DoChan(key, func() (any, error) {
		// Detached from the first caller's cancellation: the others wait
		// on the same fetch.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tokenFetchTimeout)
		defer cancel()
		return s.fetch(fctx, inner, gen, opts)
	})
	select {
	case <-ctx.Done():
		return azcore.AccessToken{}, &tokenError{err: ctx.Err()}
	case r := <-ch:
		if r.Err != nil {
			return azcore.AccessToken{}, r.Err
		}
		tok, ok := r.Val.(azcore.AccessToken)
		if !ok {
			return azcore.AccessToken{}, fmt.Errorf("internal error: token fetch returned %T", r.Val)
		}
		return tok, nil
	}
}

func (s *sharedCredential) fetch(ctx context.Context, inner azcore.TokenCredential, gen uint64, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	start := time.Now()
	tok, err := inner.GetToken(ctx, opts)
	if err != nil {
		// azidentity keeps only the message of a transport failure; the
		// circuit knows whether the authority did not answer.
		if e := s.circuit.check(s.authority); e != nil {
			e.cached = false
			return tok, &tokenError{err: e}
		}
		if ctx.Err() != nil && s.authority != "" {
			e := &hostDownError{host: s.authority, reason: fmt.Sprintf("the token request did not complete within %s", tokenFetchTimeout),
				sent: true, cause: err}
			s.circuit.trip(e)
			return tok, &tokenError{err: e}
		}
		return tok, &tokenError{err: err}
	}
	s.mu.Lock()
	fresh := false
	if gen == s.gen {
		// kiota asks for a token on every request and azidentity answers
		// from its cache; a new token is what tells a real fetch apart.
		fresh = tok.Token != s.lastToken
		s.lastToken, s.lastExpiry = tok.Token, tok.ExpiresOn
	}
	s.mu.Unlock()
	if fresh {
		s.log.Debug(ctx, "graph: access token acquired", map[string]any{
			"expires_on":  tok.ExpiresOn.UTC().Format(time.RFC3339),
			"duration_ms": time.Since(start).Milliseconds(),
		})
	}
	return tok, nil
}

// signIn is Client.SignIn. toError maps the credential's failure as it
// maps one met inside a Graph call (tokenFailure).
func (c *client) signIn(ctx context.Context) error {
	if _, err := c.cred.GetToken(ctx, c.tokenOptions); err != nil {
		return c.toError(operation{name: opTokenPrefix + " (" + string(c.cfg.Auth.Method) + ")"}, err)
	}
	return nil
}

// renew drops refused, the token Graph refused, so that the next GetToken
// fetches a new one. It reports whether a retry can get a different
// token: false when refused was itself obtained within minRenew.
func (s *sharedCredential) renew(ctx context.Context, refused string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refused != s.lastToken {
		// Another request renewed it already, or azidentity refreshed it.
		return true
	}
	if ago := s.now().Sub(s.renewedAt); !s.renewedAt.IsZero() && ago < s.minRenew {
		s.log.Warn(ctx, "graph: a newly obtained access token was refused too; not renewing it again yet", map[string]any{
			"renewed_s_ago": int(ago.Seconds()),
		})
		return false
	}
	inner, err := s.build()
	if err != nil {
		s.log.Warn(ctx, "graph: could not rebuild the credential to renew the access token", map[string]any{"error": err.Error()})
		return false
	}
	s.inner = inner
	s.gen++
	s.lastToken = ""
	s.renewedAt = s.now()
	s.log.Debug(ctx, "graph: access token refused by Graph; dropped, a new one will be requested", map[string]any{
		"expires_on": s.lastExpiry.UTC().Format(time.RFC3339),
	})
	return true
}

// tokenRenewMiddleware retries, once, a request that Graph answered 401
// InvalidAuthenticationToken (signing key rolled over, token revoked),
// with a new token. A 401 carrying a claims challenge (continuous access
// evaluation) is left to kiota's request adapter, which handles it.
// https://learn.microsoft.com/graph/resolve-auth-errors
type tokenRenewMiddleware struct {
	cred *sharedCredential
	opts policy.TokenRequestOptions // as kiota's token provider asks
	log  Logger
}

// maxErrorPeek bounds how much of a 401 body is read to find its code.
const maxErrorPeek = 64 << 10

func (m *tokenRenewMiddleware) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	resp, err := p.Next(req, i)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	refused, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || refused == "" || strings.Contains(resp.Header.Get("WWW-Authenticate"), "claims=") {
		return resp, nil
	}
	if graphErrorCode(resp) != "InvalidAuthenticationToken" || !rewind(req) {
		return resp, nil
	}
	if !m.cred.renew(req.Context(), refused) {
		return resp, nil
	}
	tok, terr := m.cred.GetToken(req.Context(), m.opts)
	if terr != nil {
		// The new token could not be obtained: that failure is the news.
		drain(resp)
		return nil, terr
	}
	drain(resp)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	m.log.Debug(req.Context(), "graph: retrying with a new access token", map[string]any{"method": req.Method, "path": req.URL.Path})
	return p.Next(req, i)
}

// graphErrorCode reads error.code from Graph's error envelope, leaving
// the body readable for kiota.
func graphErrorCode(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorPeek))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return ""
	}
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &env)
	return env.Error.Code
}

// rewind makes a request's body readable again for a second send, as
// kiota's retry handler does (kiota's bodies are io.Seekers).
func rewind(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return false
		}
		req.Body = b
		return true
	}
	if s, ok := req.Body.(io.Seeker); ok {
		_, err := s.Seek(0, io.SeekStart)
		return err == nil
	}
	return false
}

func drain(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorPeek))
		_ = resp.Body.Close()
	}
}
