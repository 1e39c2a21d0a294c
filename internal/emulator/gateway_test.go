package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGatewayFaults: the answers of a proxy or gateway in front of Graph,
// and Retry-After values other than seconds, as the control knobs shape them.
func TestGatewayFaults(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())

	for _, tc := range []struct {
		status int
		body   string
		check  func(r resp) bool
	}{
		{0, GatewayBodyHTML, func(r resp) bool {
			return r.Status == 502 && strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") && strings.Contains(string(r.Raw), "<html>") && r.Header.Get("request-id") == ""
		}},
		{504, GatewayBodyEmpty, func(r resp) bool { return r.Status == 504 && len(r.Raw) == 0 }},
		{407, GatewayBodyHTML, func(r resp) bool { return r.Status == 407 && r.Header.Get("Proxy-Authenticate") != "" }},
		{400, GatewayBodyNoMessage, func(r resp) bool { return r.Status == 400 && r.errCode() != "" && r.errMessage() == "" }},
		{400, GatewayBodyInnerErrorLower, func(r resp) bool {
			e := obj(r.Body["error"])
			return r.Status == 400 && e["innererror"] != nil && e["innerError"] == nil && r.Header.Get("request-id") != ""
		}},
		{503, GatewayBodyHTML, func(r resp) bool { return r.Status == 503 && r.Header.Get("Retry-After") == "1" }},
	} {
		s.SetFaults(Faults{RateGateway: 1, Gateway: GatewayFault{Status: tc.status, Body: tc.body}})
		if r := graph(t, s, tok, "GET", "/users", nil); !tc.check(r) {
			t.Errorf("%d %s: %d %v %q", tc.status, tc.body, r.Status, r.Header, r.Raw)
		}
	}

	// A truncated envelope is not JSON: read it raw.
	s.SetFaults(Faults{RateGateway: 1, Gateway: GatewayFault{Status: 500, Body: GatewayBodyTruncated}})
	req, _ := http.NewRequest("GET", s.GraphEndpoint()+"/v1.0/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := httpClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(string(raw), `{"error":`) || json.Valid(raw) {
		t.Errorf("truncated: %d %v %q", res.StatusCode, res.Header, raw)
	}

	// After acting: the invitation exists although the answer is a 504.
	s.SetFaults(Faults{RateGateway: 1, Routes: []string{"POST /v1.0/invitations"}, Limit: 1,
		Gateway: GatewayFault{Status: 504, AfterActing: true}})
	mustStatus(t, invite(t, s, tok, "gw@partner.example"), 504)
	if n := len(s.Invitations()); n != 1 {
		t.Fatalf("%d invitations after the gateway's 504; want 1 (acted, answer lost)", n)
	}
	mustStatus(t, graph(t, s, tok, "GET", "/users", nil), 200) // Limit 1: used up

	// Retry-After as sent verbatim, or not at all.
	date := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	for value, want := range map[string]string{date: date, "-5": "-5", "none": ""} {
		s.SetFaults(Faults{Rate429: 1, RetryAfterValue: value})
		r := graph(t, s, tok, "GET", "/users", nil)
		mustStatus(t, r, 429)
		if got := r.Header.Get("Retry-After"); got != want {
			t.Errorf("RetryAfterValue %q: Retry-After %q, want %q", value, got, want)
		}
	}
}

// TestTokenFaults: the token endpoint failing (a gateway's 503 page) and
// an expired client secret (AADSTS7000222).
func TestTokenFaults(t *testing.T) {
	s := start(t, Options{})
	app := s.DefaultApp()
	s.SetFaults(Faults{RateToken: 1, Token: GatewayFault{Status: 503}})
	r := tokenForm(t, s, s.TenantID(), secretForm(app))
	if r.Status != 503 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Retry-After") != "1" {
		t.Errorf("token fault: %d %v %q", r.Status, r.Header, r.Raw)
	}
	s.SetFaults(Faults{})
	s.ExpireClientSecret(app.ClientID)
	r = tokenForm(t, s, s.TenantID(), secretForm(app))
	if r.Status != 401 || !strings.HasPrefix(str(r.Body["error_description"]), "AADSTS7000222:") {
		t.Errorf("expired secret: %d %q", r.Status, r.Raw)
	}
	// A wrong secret is still the wrong secret.
	form := secretForm(app)
	form.Set("client_secret", "wrong")
	if r = tokenForm(t, s, s.TenantID(), form); !strings.HasPrefix(str(r.Body["error_description"]), "AADSTS7000215:") {
		t.Errorf("wrong secret: %d %q", r.Status, r.Raw)
	}
}
