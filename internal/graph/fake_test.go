package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testTenant   = "11111111-2222-3333-4444-555555555555"
	testClientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	testSecret   = "s3cr3t-Value~with.chars"
	testToken    = "test-access-token-0123456789"
)

// recorded is one request as the fake saw it.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// fake is an identity platform + Graph stand-in on an httptest TLS server
// (127.0.0.1:random port), with per-test Graph behaviour.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	tokenCalls  int
	tokenForms  []url.Values
	tokenUA     string
	graphCalls  []recorded
	tokenStatus int    // 0 = success
	tokenBody   string // body when tokenStatus != 0
	expiresIn   int
	graph       http.HandlerFunc
}

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{t: t, expiresIn: 3600}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch {
	case strings.HasSuffix(r.URL.Path, "/v2.0/.well-known/openid-configuration"):
		tenant := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
		base := f.srv.URL + "/" + tenant
		writeJSON(w, 200, map[string]any{
			"issuer":                 base + "/v2.0",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
		})
	case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.tokenCalls++
		f.tokenForms = append(f.tokenForms, form)
		f.tokenUA = r.Header.Get("User-Agent")
		status, errBody, exp := f.tokenStatus, f.tokenBody, f.expiresIn
		f.mu.Unlock()
		if status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, errBody)
			return
		}
		writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": exp, "access_token": testToken})
	case strings.HasPrefix(r.URL.Path, "/v1.0/"):
		f.mu.Lock()
		f.graphCalls = append(f.graphCalls, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
		h := f.graph
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			graphError(w, 401, "InvalidAuthenticationToken", "Access token is empty.", "")
			return
		}
		if h == nil {
			graphError(w, 404, "Request_ResourceNotFound", "no handler", "")
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == "/v1.0/$batch" {
			serveBatch(w, r, body, h)
			return
		}
		h(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fake) setGraph(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.graph = h
}

func (f *fake) calls() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.graphCalls...)
}

func (f *fake) tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

// config is a client-secret config pointing at the fake.
func (f *fake) config() Config {
	return Config{
		Auth: AuthConfig{
			Method:        AuthClientSecret,
			TenantID:      testTenant,
			ClientID:      testClientID,
			ClientSecret:  testSecret,
			AuthorityHost: f.srv.URL + "/",
		},
		GraphEndpoint: f.srv.URL,
		UserAgent:     "terraform-provider-b2b/0.1.0-test",
		HTTPClient:    f.srv.Client(),
	}
}

// client builds a Client with short internal backoffs.
func (f *fake) client(cfg Config) *Client {
	f.t.Helper()
	c, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	c.impl.baseRetryDelay = 10 * time.Millisecond
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// graphError writes Graph's error envelope; an empty message is left out,
// as some Graph gateways do.
func graphError(w http.ResponseWriter, status int, code, message, requestID string) {
	inner := map[string]any{"date": "2026-01-02T03:04:05"}
	if requestID != "" {
		inner["request-id"] = requestID
		inner["client-request-id"] = requestID
		w.Header().Set("request-id", requestID)
	}
	e := map[string]any{"code": code, "innerError": inner}
	if message != "" {
		e["message"] = message
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func userJSON(id, mail string) map[string]any {
	return map[string]any{
		"id":                              id,
		"displayName":                     "Guest " + id,
		"userPrincipalName":               strings.ReplaceAll(mail, "@", "_") + "#EXT#@contoso.onmicrosoft.com",
		"mail":                            mail,
		"userType":                        "Guest",
		"externalUserState":               "PendingAcceptance",
		"externalUserStateChangeDateTime": "2026-01-02T03:04:05Z",
		"creationType":                    "Invitation",
		"createdDateTime":                 "2026-01-01T00:00:00Z",
		"accountEnabled":                  true,
		"jobTitle":                        nil,
		"businessPhones":                  []string{},
		"otherMails":                      []string{"alt-" + mail},
	}
}

// memLogger records log lines for assertions.
type memLogger struct {
	mu    sync.Mutex
	lines []string
	items []map[string]any
}

func (l *memLogger) Debug(_ context.Context, msg string, fields map[string]any) { l.add(msg, fields) }
func (l *memLogger) Warn(_ context.Context, msg string, fields map[string]any)  { l.add(msg, fields) }

func (l *memLogger) add(msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
	l.items = append(l.items, fields)
}

func (l *memLogger) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// serveBatch answers a JSON batch by running each item through h, as Graph
// does, so tests written for single requests also see the client's batches.
func serveBatch(w http.ResponseWriter, r *http.Request, body []byte, h http.HandlerFunc) {
	var req struct {
		Requests []struct {
			ID     string `json:"id"`
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		graphError(w, 400, "BadRequest", "Invalid batch payload format.", "")
		return
	}
	var out []map[string]any
	for _, it := range req.Requests {
		ir := httptest.NewRequest(it.Method, "/v1.0"+it.URL, nil).WithContext(r.Context())
		ir.Header = r.Header.Clone()
		rec := httptest.NewRecorder()
		h(rec, ir)
		hdr := map[string]string{}
		for k := range rec.Header() {
			hdr[k] = rec.Header().Get(k)
		}
		var b any
		_ = json.Unmarshal(rec.Body.Bytes(), &b)
		out = append(out, map[string]any{"id": it.ID, "status": rec.Code, "headers": hdr, "body": b})
	}
	writeJSON(w, 200, map[string]any{"responses": out})
}
