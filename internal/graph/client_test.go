package graph

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewMakesNoNetworkCall(t *testing.T) {
	f := newFake(t)
	var hits atomic.Int64
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		inner.ServeHTTP(w, r)
	})
	for _, m := range []AuthMethod{AuthClientSecret, AuthOIDC, AuthManagedIdentity, AuthAzureCLI} {
		cfg := f.config()
		cfg.Auth.Method = m
		cfg.Auth.OIDCToken = "header.payload.sig"
		if _, err := New(cfg); err != nil {
			t.Fatalf("New(%s): %v", m, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("New made %d requests; want none", n)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	f := newFake(t)
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"http graph endpoint", func(c *Config) { c.GraphEndpoint = "http://127.0.0.1:8080" }, "must use https"},
		{"http loopback authority", func(c *Config) { c.Auth.AuthorityHost = "http://127.0.0.1:8443/" }, "must use https"},
		{"graph endpoint with path", func(c *Config) { c.GraphEndpoint = f.srv.URL + "/v1.0" }, "without path"},
		{"graph endpoint relative", func(c *Config) { c.GraphEndpoint = "graph.microsoft.com" }, "not an absolute URL"},
		{"authority with query", func(c *Config) { c.Auth.AuthorityHost = f.srv.URL + "/?x=1" }, "without path, query"},
		{"missing secret", func(c *Config) { c.Auth.ClientSecret = "" }, "needs a client secret"},
		{"missing tenant", func(c *Config) { c.Auth.TenantID = "" }, "needs a tenant ID"},
		{"missing cert", func(c *Config) { c.Auth.Method = AuthClientCertificate }, "needs certificate data"},
		{"bad cert", func(c *Config) {
			c.Auth.Method = AuthClientCertificate
			c.Auth.CertificateData = []byte("not a certificate")
			c.Auth.CertificatePassword = "pfx-password-123"
		}, "reading the client certificate"},
		{"missing oidc token", func(c *Config) { c.Auth.Method = AuthOIDC }, "OIDC token or a token file path"},
		{"no method", func(c *Config) { c.Auth.Method = "" }, "no authentication method"},
		{"unknown method", func(c *Config) { c.Auth.Method = "kerberos" }, "unknown authentication method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.config()
			tc.mutate(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v; want it to contain %q", err, tc.want)
			}
			for _, s := range []string{testSecret, "pfx-password-123"} {
				if strings.Contains(err.Error(), s) {
					t.Fatalf("error leaks a secret: %v", err)
				}
			}
		})
	}
	// Loopback https endpoints (what the emulator serves) are accepted.
	if _, err := New(f.config()); err != nil {
		t.Fatalf("valid loopback config refused: %v", err)
	}
}

func TestGetUserTokenReuseAuthSelectAndUserAgent(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, userJSON(strings.TrimPrefix(r.URL.Path, "/v1.0/users/"), "ann@example.com"))
	})
	c := f.client(f.config())
	ctx := context.Background()
	for _, id := range []string{"u1", "u2"} {
		u, err := c.GetUser(ctx, id)
		if err != nil {
			t.Fatalf("GetUser(%s): %v", id, err)
		}
		if u.ID != id || u.Mail != "ann@example.com" || u.UserType != "Guest" || u.ExternalUserState != "PendingAcceptance" ||
			u.CreationType != "Invitation" || u.AccountEnabled == nil || !*u.AccountEnabled || u.ProfileValue("jobTitle") != nil {
			t.Fatalf("GetUser(%s) = %+v", id, u)
		}
		want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if u.ExternalUserStateChangeDateTime == nil || !u.ExternalUserStateChangeDateTime.Equal(want) {
			t.Fatalf("ExternalUserStateChangeDateTime = %v; want %v", u.ExternalUserStateChangeDateTime, want)
		}
		if !reflect.DeepEqual(u.OtherMails, []string{"alt-ann@example.com"}) {
			t.Fatalf("OtherMails = %v", u.OtherMails)
		}
	}
	if n := f.tokens(); n != 1 {
		t.Fatalf("token endpoint called %d times; want 1 (cached token reused)", n)
	}
	calls := f.calls()
	if len(calls) != 2 {
		t.Fatalf("got %d Graph calls; want 2", len(calls))
	}
	for _, rc := range calls {
		if got := rc.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Fatalf("Authorization = %q; want the bearer token on a 127.0.0.1:port endpoint", got)
		}
		ua := rc.Header.Get("User-Agent")
		if !strings.HasPrefix(ua, "terraform-provider-b2b/0.1.0-test ") || !strings.Contains(ua, "kiota-go/") {
			t.Fatalf("User-Agent = %q; want the provider first, then the SDK's", ua)
		}
		sel := strings.Split(rc.Query.Get("$select"), ",")
		for _, must := range []string{"externalUserState", "externalUserStateChangeDateTime", "creationType", "createdDateTime", "userType", "mail", "otherMails", "accountEnabled"} {
			if !contains(sel, must) {
				t.Fatalf("$select = %v; missing %s", sel, must)
			}
		}
	}
	// The scope asked for is the configured endpoint's, not graph.microsoft.com's.
	f.mu.Lock()
	scope := f.tokenForms[0].Get("scope")
	tokenUA := f.tokenUA
	f.mu.Unlock()
	if !strings.HasPrefix(tokenUA, "terraform-provider-b2b/0.1.0-test ") || !strings.Contains(tokenUA, "azsdk-go-azidentity") {
		t.Fatalf("token request User-Agent = %q; want the provider first, then azidentity's", tokenUA)
	}
	if !strings.Contains(scope, f.srv.URL+"/.default") {
		t.Fatalf("token scope = %q; want %s/.default", scope, f.srv.URL)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestUpdateUserSendsExactlyTheChangedFields(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c := f.client(f.config())

	name, empty := "New Name", ""
	disabled := false
	phones := []string{"+1 555 0100"}
	var noMails []string
	err := c.UpdateUser(context.Background(), "u1", UserUpdate{
		DisplayName:    &name,
		Profile:        map[string]string{"jobTitle": empty},
		AccountEnabled: &disabled,
		BusinessPhones: &phones,
		OtherMails:     &noMails,
	})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	calls := f.calls()
	if len(calls) != 1 || calls[0].Method != http.MethodPatch || calls[0].Path != "/v1.0/users/u1" {
		t.Fatalf("calls = %+v", calls)
	}
	rc := calls[0]
	if rc.Header.Get("Content-Encoding") != "" || bytes.HasPrefix(rc.Body, []byte{0x1f, 0x8b}) {
		t.Fatalf("body is compressed (Content-Encoding %q)", rc.Header.Get("Content-Encoding"))
	}
	if ct := rc.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q", ct)
	}
	var got map[string]any
	if err := json.Unmarshal(rc.Body, &got); err != nil {
		t.Fatalf("body %q: %v", rc.Body, err)
	}
	want := map[string]any{
		"displayName":    "New Name",
		"jobTitle":       nil,
		"accountEnabled": false,
		"businessPhones": []any{"+1 555 0100"},
		"otherMails":     []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PATCH body = %s; want exactly %v", rc.Body, want)
	}

	// An empty update sends nothing at all.
	if err := c.UpdateUser(context.Background(), "u1", UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.calls()); n != 1 {
		t.Fatalf("empty update made a request")
	}
}

func TestInviteRetried429WithSameUncompressedBody(t *testing.T) {
	f := newFake(t)
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "Too many requests", "rid-429")
			return
		}
		writeJSON(w, 201, map[string]any{
			"id":              "inv-1",
			"inviteRedeemUrl": "https://login.example/redeem?secret-ticket=abc",
			"status":          "PendingAcceptance",
			"invitedUser":     map[string]any{"id": "user-1"},
		})
	})
	log := &memLogger{}
	cfg := f.config()
	cfg.Logger = log
	c := f.client(cfg)
	inv, err := c.Invite(context.Background(), InvitationRequest{
		InvitedUserEmailAddress: "ann@example.com",
		InvitedUserDisplayName:  "Ann",
		InviteRedirectURL:       "https://myapps.microsoft.com",
		SendInvitationMessage:   false,
		Message:                 &InvitationMessage{CcRecipients: []string{"boss@example.com"}, MessageLanguage: "de-DE"},
	})
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if inv.ID != "inv-1" || inv.InvitedUserID != "user-1" || inv.Status != "PendingAcceptance" || !strings.Contains(inv.InviteRedeemURL, "secret-ticket") {
		t.Fatalf("Invite = %+v", inv)
	}
	calls := f.calls()
	if len(calls) != 2 {
		t.Fatalf("got %d calls; want the 429 then the retry", len(calls))
	}
	if !bytes.Equal(calls[0].Body, calls[1].Body) {
		t.Fatalf("retry body differs:\n%q\n%q", calls[0].Body, calls[1].Body)
	}
	for _, rc := range calls {
		if rc.Header.Get("Content-Encoding") != "" || bytes.HasPrefix(rc.Body, []byte{0x1f, 0x8b}) {
			t.Fatalf("invitation body is compressed")
		}
	}
	var body struct {
		Email    string `json:"invitedUserEmailAddress"`
		Redirect string `json:"inviteRedirectUrl"`
		Send     *bool  `json:"sendInvitationMessage"`
		Info     struct {
			Cc []struct {
				EmailAddress struct{ Address string } `json:"emailAddress"`
			} `json:"ccRecipients"`
			Lang string `json:"messageLanguage"`
		} `json:"invitedUserMessageInfo"`
	}
	if err := json.Unmarshal(calls[1].Body, &body); err != nil {
		t.Fatalf("retried body %q is not JSON: %v", calls[1].Body, err)
	}
	if body.Email != "ann@example.com" || body.Redirect != "https://myapps.microsoft.com" || body.Send == nil || *body.Send ||
		len(body.Info.Cc) != 1 || body.Info.Cc[0].EmailAddress.Address != "boss@example.com" || body.Info.Lang != "de-DE" {
		t.Fatalf("invitation body = %s", calls[1].Body)
	}
	logs := log.all()
	// A 429 to POST /invitations is retried by call, through the pacer
	// (pacer.go), not by kiota's retry handler.
	if !strings.Contains(logs, "operation:POST /invitations") || !strings.Contains(logs, "attempt:2") ||
		!strings.Contains(logs, "request_id:rid-429") || !strings.Contains(logs, "status:429") {
		t.Fatalf("logs miss the attempt details:\n%s", logs)
	}
	for _, leak := range []string{testToken, testSecret, "secret-ticket"} {
		if strings.Contains(logs, leak) {
			t.Fatalf("logs leak %q:\n%s", leak, logs)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		code, msg  string
		call       func(*Client) error
		kind       ErrorKind
		is         func(error) bool
		permission string
	}{
		{"404 get", 404, "Request_ResourceNotFound", "Resource 'x' does not exist", getUser, KindNotFound, IsNotFound, ""},
		{"403 invite", 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", invite, KindForbidden, IsForbidden, "User.Invite.All"},
		{"403 get", 403, "Authorization_RequestDenied", "Insufficient privileges", getUser, KindForbidden, IsForbidden, "User.Read.All"},
		{"403 update", 403, "Authorization_RequestDenied", "Insufficient privileges", update, KindForbidden, IsForbidden, "User.ReadWrite.All"},
		{"403 delete", 403, "Authorization_RequestDenied", "Insufficient privileges", deleteUser, KindForbidden, IsForbidden, "User.ReadWrite.All"},
		{"403 purge", 403, "Authorization_RequestDenied", "Insufficient privileges", purge, KindForbidden, IsForbidden, "User.DeleteRestore.All"},
		{"403 restore", 403, "Authorization_RequestDenied", "Insufficient privileges", restore, KindForbidden, IsForbidden, "User.DeleteRestore.All"},
		{"403 list", 403, "Authorization_RequestDenied", "Insufficient privileges", list, KindForbidden, IsForbidden, "User.Read.All"},
		{"401", 401, "InvalidAuthenticationToken", "Access token has expired.", getUser, KindUnauthorized, IsUnauthorized, ""},
		{"400", 400, "Request_BadRequest", "Invalid value specified for property 'usageLocation'.", update, KindBadRequest, IsBadRequest, ""},
		{"409", 409, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property proxyAddresses already exists.", invite, KindConflict, IsConflict, ""},
		{"400 without message", 400, "Request_BadRequest", "", getUser, KindBadRequest, IsBadRequest, ""},
		{"500", 500, "generalException", "boom", getUser, KindOther, func(err error) bool { return !IsThrottled(err) && !IsNotFound(err) }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				graphError(w, tc.status, tc.code, tc.msg, "req-"+tc.name)
			})
			c := f.client(f.config())
			err := tc.call(c)
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("error %T %v is not a *graph.Error", err, err)
			}
			if ge.Kind != tc.kind || !tc.is(err) || ge.StatusCode != tc.status || ge.Code != tc.code {
				t.Fatalf("error = %+v; want kind %d status %d code %s", ge, tc.kind, tc.status, tc.code)
			}
			if ge.RequestID != "req-"+tc.name || ge.Date != "2026-01-02T03:04:05" {
				t.Fatalf("request-id/date = %q/%q", ge.RequestID, ge.Date)
			}
			if ge.RequiredPermission != tc.permission {
				t.Fatalf("RequiredPermission = %q; want %q", ge.RequiredPermission, tc.permission)
			}
			s := err.Error()
			if !strings.Contains(s, "req-"+tc.name) || (tc.msg != "" && !strings.Contains(s, tc.msg)) {
				t.Fatalf("Error() = %q lacks the request-id or Graph's message", s)
			}
			if tc.permission != "" && !strings.Contains(s, tc.permission) {
				t.Fatalf("Error() = %q does not name the permission", s)
			}
			if strings.Contains(s, testSecret) || strings.Contains(s, testToken) {
				t.Fatalf("Error() leaks a secret: %q", s)
			}
		})
	}
}

func getUser(c *Client) error { _, err := c.GetUser(context.Background(), "u1"); return err }
func invite(c *Client) error {
	_, err := c.Invite(context.Background(), InvitationRequest{InvitedUserEmailAddress: "a@example.com", InviteRedirectURL: "https://x"})
	return err
}
func update(c *Client) error {
	v := "X"
	return c.UpdateUser(context.Background(), "u1", UserUpdate{Profile: map[string]string{"usageLocation": v}})
}
func deleteUser(c *Client) error { return c.DeleteUser(context.Background(), "u1") }
func purge(c *Client) error      { return c.PurgeDeletedUser(context.Background(), "u1") }
func restore(c *Client) error    { _, err := c.RestoreDeletedUser(context.Background(), "u1"); return err }
func list(c *Client) error {
	_, err := c.ListUsers(context.Background(), GuestFilter{UserType: "Guest"})
	return err
}

func TestThrottledStatusesStopAtDeadlineWithLastError(t *testing.T) {
	for _, status := range []int{429, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				// The wait Graph asks for is longer than the caller has left.
				w.Header().Set("Retry-After", "30")
				graphError(w, status, "TooManyRequests", "Please retry later", "rid-last")
			})
			c := f.client(f.config())
			// Retry-After (30 s) passes the deadline, so no retry starts: the
			// call returns while its context is still alive.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.GetUser(ctx, "u1")
			if ctx.Err() != nil {
				t.Fatalf("returned only at the deadline (%v) although Retry-After passes it", ctx.Err())
			}
			if !IsThrottled(err) {
				t.Fatalf("error = %v; want throttled", err)
			}
			var ge *Error
			errors.As(err, &ge)
			if ge.StatusCode != status || ge.RequestID != "rid-last" || !strings.Contains(err.Error(), "Please retry later") {
				t.Fatalf("error = %+v; want the last Graph error", ge)
			}
			if n := len(f.calls()); n != 1 {
				t.Fatalf("made %d requests; want 1", n)
			}
		})
	}
}

func TestThrottlingRetriedUntilDeadlineThenLastError(t *testing.T) {
	f := newFake(t)
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		graphError(w, 429, "TooManyRequests", "slow down", "rid-"+string(rune('a'+n.Add(1)-1)))
	})
	c := f.client(f.config())
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	_, err := c.GetUser(ctx, "u1")
	if !IsThrottled(err) {
		t.Fatalf("error = %v; want throttled", err)
	}
	calls := int(n.Load())
	// Retry-After: 1 within 2.5 s allows the first try and two retries.
	if calls < 2 || calls > 3 {
		t.Fatalf("made %d requests in 2.5 s with Retry-After 1", calls)
	}
	var ge *Error
	errors.As(err, &ge)
	if want := "rid-" + string(rune('a'+calls-1)); ge.RequestID != want {
		t.Fatalf("request-id = %q; want the last response's %q", ge.RequestID, want)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error is the bare deadline, not Graph's last answer: %v", err)
	}
}

func TestRetryAfterHTTPDateThenSuccess(t *testing.T) {
	f := newFake(t)
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", time.Now().Add(time.Second).UTC().Format(http.TimeFormat))
			graphError(w, 503, "ServiceUnavailable", "busy", "")
			return
		}
		writeJSON(w, 200, userJSON("u1", "a@example.com"))
	})
	c := f.client(f.config())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.GetUser(ctx, "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if n.Load() != 2 {
		t.Fatalf("requests = %d; want 2", n.Load())
	}
}

func TestOperationRetriedAfterKiotaGivesUp(t *testing.T) {
	f := newFake(t)
	var n atomic.Int64
	// kiota makes 1 + 10 attempts; two more 429s must be handled by the client.
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 13 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "slow down", "")
			return
		}
		writeJSON(w, 200, userJSON("u1", "a@example.com"))
	})
	c := f.client(f.config())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.GetUser(ctx, "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if n.Load() != 14 {
		t.Fatalf("requests = %d; want 14", n.Load())
	}
}

// dropConn closes the connection without an HTTP response.
func dropConn(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func TestInviteNotRetriedAfterDroppedConnection(t *testing.T) {
	f := newFake(t)
	f.srv.EnableHTTP2 = false
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		dropConn(t, w)
	})
	c := f.client(f.config())
	for i := 1; i <= 2; i++ {
		err := invite(c)
		if err == nil {
			t.Fatal("Invite succeeded over a dropped connection")
		}
		if !strings.Contains(err.Error(), "look the email up") {
			t.Fatalf("error = %v; want the advice to look the email up", err)
		}
		if got := n.Load(); got != int64(i) {
			t.Fatalf("POST /invitations sent %d times for %d calls; want no retry", got, i)
		}
	}
}

func TestGetRetriedAfterDroppedConnection(t *testing.T) {
	f := newFake(t)
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropConn(t, w)
			return
		}
		writeJSON(w, 200, userJSON("u1", "a@example.com"))
	})
	c := f.client(f.config())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.GetUser(ctx, "u1"); err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if n.Load() != 2 {
		t.Fatalf("requests = %d; want the dropped one and a retry", n.Load())
	}
}

func TestTokenEndpointErrorsMapToUnauthorized(t *testing.T) {
	cases := []struct {
		code, hint string
	}{
		{"AADSTS7000215", "client_secret"},
		{"AADSTS90002", "tenant_id"},
		{"AADSTS700016", "client_id"},
		{"AADSTS7000222", "expired"},
		{"AADSTS500011", "graph_endpoint"},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			f := newFake(t)
			f.tokenStatus = 401
			// A hostile (or buggy) authority echoing the secret must not get it into the error.
			desc := tc.code + ": Something is wrong with '" + testSecret + "' for app '" + testClientID + "'.\r\nTrace ID: trace-1\r\nCorrelation ID: corr-1\r\nTimestamp: 2026-01-01 00:00:00Z"
			b, _ := json.Marshal(map[string]any{"error": "invalid_client", "error_description": desc, "error_codes": []int{1}, "trace_id": "trace-1"})
			f.tokenBody = string(b)
			c := f.client(f.config())
			_, err := c.GetUser(context.Background(), "u1")
			if !IsUnauthorized(err) {
				t.Fatalf("error = %v; want unauthorized", err)
			}
			var ge *Error
			errors.As(err, &ge)
			if ge.Code != tc.code || ge.RequestID != "trace-1" || ge.StatusCode != 401 {
				t.Fatalf("error = %+v", ge)
			}
			s := err.Error()
			if strings.Contains(s, testSecret) {
				t.Fatalf("error leaks the client secret: %q", s)
			}
			if !strings.Contains(s, tc.hint) || strings.Contains(s, "Correlation ID") {
				t.Fatalf("error = %q; want hint about %s and no trailer", s, tc.hint)
			}
			if n := len(f.calls()); n != 0 {
				t.Fatalf("Graph was called %d times without a token", n)
			}
		})
	}
}

func TestFindUsersByEmailFilter(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1.0/directory/deletedItems/") {
			graphError(w, 404, "Request_ResourceNotFound", "Resource does not exist.", "r1")
			return
		}
		writeJSON(w, 200, map[string]any{"value": []any{userJSON("u1", "o'brien@example.com")}})
	})
	c := f.client(f.config())
	got, err := c.FindUsersByEmail(context.Background(), "O'Brien@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "u1" {
		t.Fatalf("FindUsersByEmail = %+v", got)
	}
	rc := f.calls()[0]
	want := "mail eq 'O''Brien@Example.com' or otherMails/any(m:m eq 'O''Brien@Example.com')"
	if rc.Path != "/v1.0/users" || rc.Query.Get("$filter") != want {
		t.Fatalf("request %s ?%v; want $filter %q", rc.Path, rc.Query, want)
	}
	if rc.Header.Get("ConsistencyLevel") != "" || rc.Query.Has("$count") {
		t.Fatalf("plain mail filter must not be an advanced query: %v %v", rc.Header, rc.Query)
	}
	if !contains(strings.Split(rc.Query.Get("$select"), ","), "externalUserState") {
		t.Fatalf("$select missing on list: %v", rc.Query)
	}
}

// servePages answers GET /users with pages of users, linked by @odata.nextLink.
func servePages(f *fake, pages [][]string) {
	total := 0
	for _, p := range pages {
		total += len(p)
	}
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
			i = int(tok[0] - '0')
		}
		var vals []any
		for _, id := range pages[i] {
			vals = append(vals, userJSON(id, id+"@example.com"))
		}
		resp := map[string]any{"value": vals, "@odata.count": total}
		if i+1 < len(pages) {
			q := r.URL.Query()
			q.Set("$skiptoken", string(rune('0'+i+1)))
			resp["@odata.nextLink"] = f.srv.URL + "/v1.0/users?" + q.Encode()
		}
		writeJSON(w, 200, resp)
	})
}

func TestListUsersPagesAndAdvancedQuery(t *testing.T) {
	f := newFake(t)
	pages := [][]string{{"u1", "u2"}, {"u3", "u4"}, {"u5"}}
	servePages(f, pages)
	c := f.client(f.config())
	after := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	got, err := c.ListUsers(context.Background(), GuestFilter{
		UserType: "Guest", ExternalUserState: "Accepted", DisplayNamePrefix: "Ann's", MailDomain: "example.com",
		CreatedAfter: &after, PageSize: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, u.ID)
	}
	if !reflect.DeepEqual(ids, []string{"u1", "u2", "u3", "u4", "u5"}) {
		t.Fatalf("ids = %v", ids)
	}
	calls := f.calls()
	if len(calls) != 3 {
		t.Fatalf("calls = %d; want 3 pages", len(calls))
	}
	wantFilter := "userType eq 'Guest' and externalUserState eq 'Accepted' and startswith(displayName,'Ann''s') and endswith(mail,'@example.com') and createdDateTime ge 2025-01-02T03:04:05Z"
	for i, rc := range calls {
		if rc.Query.Get("$filter") != wantFilter || rc.Query.Get("$top") != "2" || rc.Query.Get("$count") != "true" {
			t.Fatalf("page %d query = %v", i, rc.Query)
		}
		if rc.Header.Get("ConsistencyLevel") != "eventual" {
			t.Fatalf("page %d lacks ConsistencyLevel: eventual", i)
		}
		if rc.Header.Get("Authorization") == "" {
			t.Fatalf("page %d sent without a token", i)
		}
	}
}

// MaxResults stops paging once enough users came back, and asks for no
// more than that many per page.
func TestListUsersStopsAtMaxResults(t *testing.T) {
	f := newFake(t)
	pages := [][]string{{"u1", "u2"}, {"u3", "u4"}, {"u5"}}
	servePages(f, pages)
	c := f.client(f.config())
	for _, tc := range []struct {
		max, pageSize int
		want          []string
		calls         int
		top           string
	}{
		{max: 3, pageSize: 2, want: []string{"u1", "u2", "u3"}, calls: 2, top: "2"},
		{max: 1, pageSize: 2, want: []string{"u1"}, calls: 1, top: "1"},
		{max: 0, pageSize: 2, want: []string{"u1", "u2", "u3", "u4", "u5"}, calls: 3, top: "2"},
	} {
		before := len(f.calls())
		got, err := c.ListUsers(context.Background(), GuestFilter{UserType: "Guest", PageSize: tc.pageSize, MaxResults: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		calls := f.calls()[before:]
		if !reflect.DeepEqual(ids, tc.want) || len(calls) != tc.calls || calls[0].Query.Get("$top") != tc.top {
			t.Errorf("max %d: ids %v in %d calls ($top %s); want %v in %d ($top %s)", tc.max, ids, len(calls), calls[0].Query.Get("$top"), tc.want, tc.calls, tc.top)
		}
	}
}

func TestListUsersRefusesForeignNextLink(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"value": []any{}, "@odata.nextLink": "https://evil.example/v1.0/users?$skiptoken=1"})
	})
	c := f.client(f.config())
	if _, err := c.ListUsers(context.Background(), GuestFilter{}); err == nil || !strings.Contains(err.Error(), "outside the configured Graph endpoint") {
		t.Fatalf("error = %v", err)
	}
}

// A server that hands back the same @odata.nextLink forever must not keep
// a listing going: every paging loop stops at the repeat with an error
// that names the operation (and what was listed), after two pages.
func TestPagingStopsAtARepeatedNextLink(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		next := f.srv.URL + r.URL.Path + "?$skiptoken=same"
		var item map[string]any
		switch {
		case strings.HasSuffix(r.URL.Path, "/memberOf"):
			item = map[string]any{"@odata.type": "#microsoft.graph.group", "id": "g1"}
		case strings.HasSuffix(r.URL.Path, "/sponsors"):
			item = map[string]any{"@odata.type": "#microsoft.graph.user", "id": "s1"}
		case strings.HasSuffix(r.URL.Path, "/members"):
			item = userJSON("m1", "m1@example.com")
			item["@odata.type"] = "#microsoft.graph.user"
		default:
			item = userJSON("u1", "a@example.com")
		}
		writeJSON(w, 200, map[string]any{"value": []any{item}, "@odata.nextLink": next})
	})
	c := f.client(f.config())
	ctx := context.Background()
	for _, l := range []struct {
		name, want string
		list       func() error
	}{
		{"users", "GET /users", func() error { _, err := c.ListUsers(ctx, GuestFilter{}); return err }},
		{"memberOf", "for user u1", func() error { _, err := c.ListUserGroupIDs(ctx, "u1"); return err }},
		{"sponsors", "for user u1", func() error { _, err := c.ListSponsorIDs(ctx, "u1"); return err }},
		{"members", "for group g1", func() error { _, err := c.ListGroupMemberUsers(ctx, "g1", GuestFilter{}); return err }},
	} {
		before := len(f.calls())
		err := l.list()
		if err == nil || !strings.Contains(err.Error(), "same @odata.nextLink twice") || !strings.Contains(err.Error(), l.want) {
			t.Errorf("%s: error = %v, want the repeated link refused (%q)", l.name, err, l.want)
		}
		if n := len(f.calls()) - before; n > 3 {
			t.Errorf("%s: %d requests before stopping", l.name, n)
		}
	}
}

func TestDeletedItemsParsedAsUser(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1.0/directory/deletedItems/u1":
			// No @odata.type: the user's properties must survive anyway.
			writeJSON(w, 200, userJSON("u1", "a@example.com"))
		case r.Method == http.MethodPost && r.URL.Path == "/v1.0/directory/deletedItems/u1/restore":
			u := userJSON("u1", "a@example.com")
			u["@odata.type"] = "#microsoft.graph.user"
			writeJSON(w, 200, u)
		case r.Method == http.MethodGet && r.URL.Path == "/v1.0/directory/deletedItems/g1":
			writeJSON(w, 200, map[string]any{"@odata.type": "#microsoft.graph.group", "id": "g1"})
		case r.Method == http.MethodDelete:
			w.WriteHeader(204)
		default:
			graphError(w, 404, "Request_ResourceNotFound", "nope", "")
		}
	})
	c := f.client(f.config())
	ctx := context.Background()
	u, err := c.GetDeletedUser(ctx, "u1")
	if err != nil || u.ID != "u1" || u.Mail != "a@example.com" {
		t.Fatalf("GetDeletedUser = %+v, %v", u, err)
	}
	// The item is a directoryObject (directory-deleteditems-get): no
	// $select of user properties, nor any other query option.
	if q := f.calls()[0].Query; len(q) != 0 {
		t.Fatalf("deleted item read with query %v; want none", q)
	}
	u, err = c.RestoreDeletedUser(ctx, "u1")
	if err != nil || u.ID != "u1" || u.DisplayName != "Guest u1" {
		t.Fatalf("RestoreDeletedUser = %+v, %v", u, err)
	}
	if _, err := c.GetDeletedUser(ctx, "g1"); !IsNotFound(err) {
		t.Fatalf("a deleted group read as a user: %v", err)
	}
	if err := c.PurgeDeletedUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	last := f.calls()[len(f.calls())-1]
	if last.Method != http.MethodDelete || last.Path != "/v1.0/directory/deletedItems/u1" {
		t.Fatalf("purge sent %s %s", last.Method, last.Path)
	}
}

func TestOIDCTokenFileReadOnEveryTokenRequest(t *testing.T) {
	f := newFake(t)
	// MSAL refreshes tokens that expire within 5 minutes, so every call fetches one.
	f.expiresIn = 60
	f.setGraph(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, userJSON("u1", "a@example.com")) })
	path := filepath.Join(t.TempDir(), "oidc-token")
	cfg := f.config()
	cfg.Auth.Method = AuthOIDC
	cfg.Auth.ClientSecret = ""
	cfg.Auth.OIDCTokenFilePath = path
	c := f.client(cfg)
	for _, tok := range []string{"first.jwt.token", "second.jwt.token"} {
		if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetUser(context.Background(), "u1"); err != nil {
			t.Fatalf("GetUser: %v", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var assertions []string
	for _, form := range f.tokenForms {
		assertions = append(assertions, form.Get("client_assertion"))
		if form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			t.Fatalf("assertion type = %q", form.Get("client_assertion_type"))
		}
	}
	sort.Strings(assertions)
	if !reflect.DeepEqual(assertions, []string{"first.jwt.token", "second.jwt.token"}) {
		t.Fatalf("assertions sent = %v; want the file re-read", assertions)
	}
}

func TestLoggerSeesRequestsButNoSecrets(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "rid-ok")
		writeJSON(w, 200, userJSON("u1", "a@example.com"))
	})
	log := &memLogger{}
	cfg := f.config()
	cfg.Logger = log
	c := f.client(cfg)
	for i := 0; i < 2; i++ {
		if _, err := c.GetUser(context.Background(), "u1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(log.all(), "access token acquired"); n != 1 {
		t.Fatalf("%d token acquisitions logged for one fetched token:\n%s", n, log.all())
	}
	var found bool
	for _, it := range log.items {
		if it["method"] == "GET" && it["path"] == "/v1.0/users/u1" && it["status"] == 200 && it["request_id"] == "rid-ok" {
			if _, ok := it["duration_ms"]; ok {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("no request log line with method, path, status, request-id, duration:\n%s", log.all())
	}
	sc := bufio.NewScanner(strings.NewReader(log.all()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), testToken) || strings.Contains(sc.Text(), testSecret) {
			t.Fatalf("log leaks a secret: %s", sc.Text())
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.1:8443": true, "127.5.6.7": true, "localhost": true, "LOCALHOST:1": true,
		"::1": true, "[::1]:443": true, "localhost.": true,
		"graph.microsoft.com": false, "10.0.0.1": false, "128.0.0.1": false, "localhost.evil.com": false, "": false, "::2": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v; want %v", host, got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"7":                             7 * time.Second,
		"0":                             0,
		"Thu, 01 Jan 2026 00:00:42 GMT": 42 * time.Second,
		"Wed, 31 Dec 2025 23:59:00 GMT": 0,
	} {
		got, ok := parseRetryAfter(in, now)
		if !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := parseRetryAfter("soon", now); ok {
		t.Errorf("parseRetryAfter accepted garbage")
	}
}

func TestNonJSONErrorBodyKeepsStatus(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		// Gateways in front of Graph answer with HTML, not the error envelope.
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Retry-After", "30")
		w.Header().Set("request-id", "rid-html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html><body>Service Unavailable</body></html>"))
	})
	c := f.client(f.config())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.GetUser(ctx, "u1")
	var ge *Error
	if !errors.As(err, &ge) || !IsThrottled(err) || ge.StatusCode != 503 || ge.RequestID != "rid-html" {
		t.Fatalf("error = %#v (%v); want a throttled 503 with the request-id", ge, err)
	}
}

func TestCancelDuringRetryWaitReportsLastAnswer(t *testing.T) {
	f := newFake(t)
	var requests atomic.Int32
	answered := make(chan struct{}, 1)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Retry-After", "5")
		graphError(w, 429, "TooManyRequests", "slow down", "rid-cancel")
		select {
		case answered <- struct{}{}:
		default:
		}
	})
	c := f.client(f.config())
	// No deadline: kiota starts its 5 s wait, and the caller gives up
	// during it, a moment after the first answer left the server (enough
	// for the client to read it; far less than the 5 s).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-answered
		time.AfterFunc(200*time.Millisecond, cancel)
	}()
	_, err := c.GetUser(ctx, "u1")
	// Had the wait ignored the cancellation, kiota would have retried
	// after it: one request means the call ended during the wait.
	if n := requests.Load(); n != 1 {
		t.Fatalf("cancellation not honoured: %d requests, want 1", n)
	}
	var ge *Error
	if !errors.As(err, &ge) || !IsThrottled(err) || ge.StatusCode != 429 || ge.RequestID != "rid-cancel" {
		t.Fatalf("error = %v; want the last 429 with its request-id, not a bare cancellation", err)
	}
}

func TestConcurrentUseSharesOneToken(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, userJSON(strings.TrimPrefix(r.URL.Path, "/v1.0/users/"), "a@example.com"))
	})
	c := f.client(f.config())
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func(i int) {
			// Clients built meanwhile (several provider aliases) must not disturb it.
			if i%4 == 0 {
				if _, err := New(f.config()); err != nil {
					errs <- err
					return
				}
			}
			id := "u" + string(rune('a'+i))
			u, err := c.GetUser(context.Background(), id)
			if err == nil && u.ID != id {
				err = errors.New("got user " + u.ID + " for " + id)
			}
			errs <- err
		}(i)
	}
	for i := 0; i < 16; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokens(); n != 1 {
		t.Fatalf("token endpoint called %d times by one shared client; want 1", n)
	}
}

func TestInviteDroppedAfterA429IsNotRepeated(t *testing.T) {
	f := newFake(t)
	f.srv.EnableHTTP2 = false
	var n atomic.Int64
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "slow down", "rid-first")
			return
		}
		dropConn(t, w)
	})
	c := f.client(f.config())
	err := invite(c)
	if err == nil || !strings.Contains(err.Error(), "look the email up") || IsThrottled(err) {
		t.Fatalf("error = %v; want the broken connection reported, not the earlier 429", err)
	}
	if got := n.Load(); got != 2 {
		t.Fatalf("POST /invitations sent %d times; want the 429, its retry, and nothing after the drop", got)
	}
}

// TestFindUsersByEmailLeavesOutUsersThisClientDeleted: a user this client
// deleted no longer counts as holding its address, whatever a list query
// that lags behind the DELETE still returns, so a re-create of the address
// in the same run invites again instead of failing "already exists". A
// user already gone (404) counts as deleted; a refused DELETE does not;
// a restore brings the user back; a user the client did not delete still
// counts unless deleted items holds it, which is read only for the users
// the client did not delete.
func TestFindUsersByEmailLeavesOutUsersThisClientDeleted(t *testing.T) {
	const (
		gone     = "aaaaaaaa-0000-0000-0000-000000000001"
		other    = "bbbbbbbb-0000-0000-0000-000000000002"
		missing  = "cccccccc-0000-0000-0000-000000000003"
		refusing = "dddddddd-0000-0000-0000-000000000004"
		// elsewhere was deleted by someone else: only deleted items tells.
		elsewhere = "eeeeeeee-0000-0000-0000-000000000005"
	)
	deletedItemReads := 0
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1.0/users":
			// A lagging replica: every user, deleted or not.
			writeJSON(w, 200, map[string]any{"value": []any{
				userJSON(strings.ToUpper(gone), "a@example.com"), userJSON(other, "a@example.com"),
				userJSON(missing, "a@example.com"), userJSON(refusing, "a@example.com"),
				userJSON(elsewhere, "a@example.com"),
			}})
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1.0/directory/deletedItems/"):
			deletedItemReads++
			if strings.HasSuffix(r.URL.Path, elsewhere) {
				writeJSON(w, 200, userJSON(elsewhere, "a@example.com"))
				return
			}
			graphError(w, 404, "Request_ResourceNotFound", "Resource does not exist.", "r3")
		case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, missing):
			graphError(w, 404, "Request_ResourceNotFound", "Resource does not exist.", "r1")
		case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, refusing):
			graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "r2")
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/restore"):
			writeJSON(w, 200, userJSON(gone, "a@example.com"))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			w.WriteHeader(500)
		}
	})
	c := f.client(f.config())
	ctx := context.Background()
	ids := func() []string {
		t.Helper()
		users, err := c.FindUsersByEmail(ctx, "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range users {
			out = append(out, strings.ToLower(u.ID))
		}
		return out
	}
	if got := ids(); len(got) != 4 || deletedItemReads != 5 {
		t.Fatalf("before any delete: %v after %d deleted-item reads; want the 4 users not in deleted items after 5", got, deletedItemReads)
	}
	if err := c.DeleteUser(ctx, gone); err != nil { // IDs compare case-insensitively
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, missing); !IsNotFound(err) {
		t.Fatalf("DeleteUser of a missing user: %v; want not found", err)
	}
	if err := c.DeleteUser(ctx, refusing); err == nil {
		t.Fatal("DeleteUser refused with 403: no error")
	}
	deletedItemReads = 0
	if got := ids(); strings.Join(got, ",") != other+","+refusing || deletedItemReads != 3 {
		t.Errorf("after deleting %s and %s: %v after %d deleted-item reads; want only %s and %s (refused delete), and no read for the users this client deleted",
			gone, missing, got, deletedItemReads, other, refusing)
	}
	if _, err := c.RestoreDeletedUser(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if got := ids(); strings.Join(got, ",") != gone+","+other+","+refusing {
		t.Errorf("after restoring %s: %v; want it listed again", gone, got)
	}
}

// A call Terraform interrupts (Ctrl-C cancels the operation's context)
// fails with a message that names the host and path but not the query
// string: an interrupted plan prints one such diagnostic per guest, and a
// read's URL-encoded $select of every property made each a paragraph.
func TestInterruptedCallMessageLeavesOutTheQuery(t *testing.T) {
	f := newFake(t)
	started := make(chan struct{}, 1)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			t.Errorf("GET %s carried no query string; the test needs one", r.URL.Path)
		}
		started <- struct{}{}
		<-r.Context().Done()
	})
	c := f.client(f.config())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-started; cancel() }()
	_, err := c.GetUser(ctx, "5f1c1e4a-0000-4000-8000-000000000001")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v; want a cancellation", err)
	}
	msg := err.Error()
	for _, noise := range []string{"?", "%24select", "$select"} {
		if strings.Contains(msg, noise) {
			t.Errorf("message %q contains %q from the query string", msg, noise)
		}
	}
	if !strings.Contains(msg, "/users/5f1c1e4a-0000-4000-8000-000000000001") || !strings.Contains(msg, "context canceled") {
		t.Errorf("message %q lost the request's path or its cause", msg)
	}
}
