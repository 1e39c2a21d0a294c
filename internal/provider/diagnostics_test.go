package provider

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// A Graph call that Ctrl-C cut short (its context cancelled, here while
// the token request is in flight) must be reported as the interruption it is. The error
// of a token request that never ran ends with the credential advice, so
// without this hint an update interrupted by the user read as "check
// tenant_id, client_id and that the client secret is current".
func TestGraphErrorDiagnosticInterrupted(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	app := srv.DefaultApp()
	c, err := graph.New(graph.Config{
		Auth: graph.AuthConfig{Method: graph.AuthClientSecret, TenantID: srv.TenantID(), ClientID: app.ClientID,
			ClientSecret: app.Secret, AuthorityHost: srv.AuthorityHost()},
		GraphEndpoint: srv.GraphEndpoint(),
		HTTPClient: &http.Client{Transport: tokenHangs{&http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: srv.CA().CertPool(), MinVersion: tls.VersionTLS12}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = c.GetUser(ctx, "00000000-0000-0000-0000-000000000001")
	if err == nil {
		t.Fatal("GetUser with a cancelled context succeeded")
	}
	d := graphErrorDiagnostic("Error Updating Guest User", "Updating user u1 (PATCH /users/u1) failed; nothing was changed.", err)
	detail := d.Detail()
	hint := strings.Index(detail, "Terraform stopped the operation (interrupted, e.g. Ctrl-C) before Microsoft Graph answered this call. Run the command again")
	if hint < 0 || hint > strings.Index(detail, "Cause: ") {
		t.Fatalf("detail does not say first that Terraform interrupted the call:\n%s", detail)
	}
	if strings.Contains(detail, "Authentication to Microsoft Entra ID failed") || strings.Contains(detail, "client secret is current") {
		t.Fatalf("detail blames the credentials:\n%s", detail)
	}
}

// tokenHangs holds every token request until its context ends, as an
// authority that has not answered yet when Ctrl-C comes.
type tokenHangs struct{ next http.RoundTripper }

func (h tokenHangs) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return h.next.RoundTrip(r)
}
