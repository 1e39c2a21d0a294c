package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	sharedCAOnce sync.Once
	sharedCA     *CA
)

// testCA is shared by the package's tests: generating one per server
// would only slow the suite down.
func testCA(t *testing.T) *CA {
	t.Helper()
	sharedCAOnce.Do(func() {
		ca, err := NewCA()
		if err != nil {
			panic(err)
		}
		sharedCA = ca
	})
	return sharedCA
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.CA == nil {
		opts.CA = testCA(t)
	}
	// Time moves only when a test advances it: token expiry, replication
	// lag and throttling windows are asserted without sleeping.
	if opts.Clock == nil {
		opts.Clock = NewFakeClock(time.Now())
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		clientsMu.Lock()
		if c, ok := clients[s]; ok {
			c.CloseIdleConnections()
			delete(clients, s)
		}
		clientsMu.Unlock()
		_ = s.Close()
	})
	return s
}

var (
	clientsMu sync.Mutex
	clients   = map[*Server]*http.Client{}
)

// httpClient returns one client per server, trusting only the emulator CA.
func httpClient(s *Server) *http.Client {
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c, ok := clients[s]; ok {
		return c
	}
	tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: tlsConfig(s)}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	clients[s] = c
	return c
}

// resp is a decoded response.
type resp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (r resp) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r resp) errMessage() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["message"].(string)
	return c
}

func send(t *testing.T, c *http.Client, req *http.Request) resp {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if raw[0] == '{' {
			if err := json.Unmarshal(raw, &out.Body); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
		}
	}
	return out
}

// tokenForm posts a token request for the tenant and returns the response.
func tokenForm(t *testing.T, s *Server, tenant string, form url.Values) resp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, httpClient(s), req)
}

func secretForm(app App) url.Values {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {app.ClientID},
		"client_secret": {app.Secret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
}

// token gets an access token for app with its secret.
func token(t *testing.T, s *Server, app App) string {
	t.Helper()
	r := tokenForm(t, s, s.TenantID(), secretForm(app))
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Raw)
	}
	return str(r.Body["access_token"])
}

// graph calls a Graph path (relative to /v1.0) with a bearer token.
func graph(t *testing.T, s *Server, tok, method, path string, body any, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	u := path
	if !strings.HasPrefix(path, "https://") {
		u = s.GraphEndpoint() + "/v1.0" + path
	}
	req, _ := http.NewRequest(method, u, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return send(t, httpClient(s), req)
}

func invite(t *testing.T, s *Server, tok, email string) resp {
	t.Helper()
	return graph(t, s, tok, http.MethodPost, "/invitations", map[string]any{
		"invitedUserEmailAddress": email,
		"inviteRedirectUrl":       "https://myapps.microsoft.com",
	})
}

func mustStatus(t *testing.T, r resp, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Raw)
	}
}

func values(r resp) []map[string]any {
	var out []map[string]any
	for _, v := range arr(r.Body["value"]) {
		out = append(out, obj(v))
	}
	return out
}

// Checked accessors for decoded JSON: a wrong shape yields the zero value
// and fails the comparison that follows, instead of panicking the test.
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func str(v any) string         { s, _ := v.(string); return s }
func num(v any) float64        { f, _ := v.(float64); return f }
func arr(v any) []any          { a, _ := v.([]any); return a }

// advance moves the fake clock of a server that start created.
func advance(t *testing.T, s *Server, d time.Duration) {
	t.Helper()
	c, ok := s.clock.(*FakeClock)
	if !ok {
		t.Fatalf("server clock is %T, not a *FakeClock", s.clock)
	}
	c.Advance(d)
}
