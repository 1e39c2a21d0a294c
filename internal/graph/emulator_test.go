package graph_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// These tests run the client against the in-process emulator: the real
// azidentity token flow (OpenID discovery, client credentials) and the
// emulator's Graph, over TLS on 127.0.0.1.

func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	s, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func emulatorClient(t *testing.T, s *emulator.Server, app emulator.App) *graph.Client {
	t.Helper()
	return emulatorClientWith(t, s, graph.AuthConfig{
		Method:       graph.AuthClientSecret,
		TenantID:     s.TenantID(),
		ClientID:     app.ClientID,
		ClientSecret: app.Secret,
	})
}

func emulatorClientWith(t *testing.T, s *emulator.Server, auth graph.AuthConfig) *graph.Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}}
	auth.AuthorityHost = s.AuthorityHost()
	c, err := graph.New(graph.Config{
		Auth:          auth,
		GraphEndpoint: s.GraphEndpoint(),
		UserAgent:     "terraform-provider-b2b/test",
		HTTPClient:    hc,
	})
	if err != nil {
		t.Fatalf("graph.New: %v", err)
	}
	return c
}

func TestEmulatorGuestLifecycle(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{{
		ClientID: "00000000-0000-0000-0000-0000000000a1", Secret: "emulator-secret-1",
		Permissions: []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll, emulator.PermUserDeleteRestoreAll},
	}}})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	inv, err := c.Invite(ctx, graph.InvitationRequest{
		InvitedUserEmailAddress: "Ann.OBrien@Fabrikam.example",
		InvitedUserDisplayName:  "Ann O'Brien",
		InviteRedirectURL:       "https://myapps.microsoft.com",
	})
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if inv.InvitedUserID == "" || inv.Status != "PendingAcceptance" {
		t.Fatalf("Invite = %+v", inv)
	}

	u, err := c.GetUser(ctx, inv.InvitedUserID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if u.UserType != "Guest" || u.ExternalUserState != "PendingAcceptance" || u.CreationType != "Invitation" ||
		u.DisplayName != "Ann O'Brien" || u.CreatedDateTime == nil {
		t.Fatalf("GetUser = %+v", u)
	}

	dept, empty := "Purchasing", ""
	if err := c.UpdateUser(ctx, u.ID, graph.UserUpdate{Profile: map[string]string{"department": dept, "jobTitle": empty}}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if u, err = c.GetUser(ctx, u.ID); err != nil || u.Profile["department"] != "Purchasing" || u.ProfileValue("jobTitle") != nil {
		t.Fatalf("after update: %+v, %v", u, err)
	}

	// Graph compares mail case-insensitively.
	found, err := c.FindUsersByEmail(ctx, "ann.obrien@fabrikam.example")
	if err != nil || len(found) != 1 || found[0].ID != u.ID {
		t.Fatalf("FindUsersByEmail = %+v, %v", found, err)
	}
	guests, err := c.ListUsers(ctx, graph.GuestFilter{UserType: "Guest", MailDomain: "fabrikam.example", PageSize: 1})
	if err != nil || len(guests) != 1 || guests[0].ID != u.ID {
		t.Fatalf("ListUsers = %+v, %v", guests, err)
	}

	if err := c.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := c.GetUser(ctx, u.ID); !graph.IsNotFound(err) {
		t.Fatalf("GetUser after delete: %v", err)
	}
	d, err := c.GetDeletedUser(ctx, u.ID)
	if err != nil || d.ID != u.ID || d.Mail == "" {
		t.Fatalf("GetDeletedUser = %+v, %v", d, err)
	}
	r, err := c.RestoreDeletedUser(ctx, u.ID)
	if err != nil || r.ID != u.ID {
		t.Fatalf("RestoreDeletedUser = %+v, %v", r, err)
	}
	if err := c.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser again: %v", err)
	}
	if err := c.PurgeDeletedUser(ctx, u.ID); err != nil {
		t.Fatalf("PurgeDeletedUser: %v", err)
	}
	if _, err := c.GetDeletedUser(ctx, u.ID); !graph.IsNotFound(err) {
		t.Fatalf("GetDeletedUser after purge: %v", err)
	}
}

func TestEmulatorListPagesThroughManyGuests(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	for i := 0; i < 7; i++ {
		if _, err := s.SeedUser(emulator.SeedUser{Email: "g" + string(rune('a'+i)) + "@paging.example"}); err != nil {
			t.Fatal(err)
		}
	}
	c := emulatorClient(t, s, s.DefaultApp())
	got, err := c.ListUsers(context.Background(), graph.GuestFilter{UserType: "Guest", PageSize: 2})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	ids := map[string]bool{}
	for _, u := range got {
		ids[u.ID] = true
	}
	if len(got) != 7 || len(ids) != 7 {
		t.Fatalf("ListUsers returned %d users (%d distinct); want 7", len(got), len(ids))
	}
	if n := s.Counters()["GET /v1.0/users"]; n < 4 {
		t.Fatalf("GET /v1.0/users counted %d; want 4 pages of 2", n)
	}
}

func TestEmulatorWrongSecretAndMissingPermission(t *testing.T) {
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{
		{ClientID: "00000000-0000-0000-0000-0000000000b1", Secret: "right-secret-value", Permissions: []string{emulator.PermUserReadAll}},
	}})
	app := s.DefaultApp()

	bad := app
	bad.Secret = "wrong-secret-value"
	_, err := emulatorClient(t, s, bad).GetUser(context.Background(), "00000000-0000-0000-0000-000000000000")
	if !graph.IsUnauthorized(err) {
		t.Fatalf("wrong secret: %v; want unauthorized", err)
	}
	var ge *graph.Error
	if !errors.As(err, &ge) || !strings.HasPrefix(ge.Code, "AADSTS") {
		t.Fatalf("wrong secret: %+v; want an AADSTS code", ge)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("error leaks the secret: %v", err)
	}

	_, err = emulatorClient(t, s, app).Invite(context.Background(), graph.InvitationRequest{
		InvitedUserEmailAddress: "x@example.com", InviteRedirectURL: "https://myapps.microsoft.com",
	})
	if !graph.IsForbidden(err) || !strings.Contains(err.Error(), "User.Invite.All") {
		t.Fatalf("invite without permission: %v; want forbidden naming User.Invite.All", err)
	}
}

func TestEmulatorInvitationThrottleIsRetried(t *testing.T) {
	s := startEmulator(t, emulator.Options{InvitationLimit: emulator.RateLimit{N: 1, Window: time.Second}})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, email := range []string{"t1@throttle.example", "t2@throttle.example"} {
		if _, err := c.Invite(ctx, graph.InvitationRequest{InvitedUserEmailAddress: email, InviteRedirectURL: "https://myapps.microsoft.com"}); err != nil {
			t.Fatalf("Invite(%s): %v", email, err)
		}
	}
	if s.Counters()["status:429"] == 0 {
		t.Fatalf("the second invitation was not throttled; the test proves nothing: %v", s.Counters())
	}
	if n := len(s.Invitations()); n != 2 {
		t.Fatalf("emulator recorded %d invitations; want 2", n)
	}
}

func TestEmulatorDroppedInvitationIsNotRepeated(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx := context.Background()
	// Fetch the token first so that only Graph sees the fault.
	if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(emulator.Faults{RateDrop: 1, DropAfterActing: true})
	_, err := c.Invite(ctx, graph.InvitationRequest{InvitedUserEmailAddress: "drop@example.com", InviteRedirectURL: "https://myapps.microsoft.com"})
	s.SetFaults(emulator.Faults{})
	if err == nil {
		t.Fatal("Invite succeeded over a dropped connection")
	}
	if n := s.Counters()["POST /v1.0/invitations"]; n != 1 {
		t.Fatalf("POST /v1.0/invitations counted %d; want exactly 1 (no retry)", n)
	}
	// The caller's recovery path: the invitation exists and is found by email.
	found, err := c.FindUsersByEmail(ctx, "drop@example.com")
	if err != nil || len(found) != 1 {
		t.Fatalf("FindUsersByEmail after drop = %+v, %v", found, err)
	}
}

func TestEmulatorEveryAuthMethodItServes(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "b2b-graph-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})

	perms := []string{emulator.PermUserReadAll}
	certApp := emulator.App{ClientID: "00000000-0000-0000-0000-0000000000c1", CertPEM: certPEM, Permissions: perms}
	oidcApp := emulator.App{ClientID: "00000000-0000-0000-0000-0000000000c2", FederatedSubject: "repo:entra-b2b/test:ref:refs/heads/main", Permissions: perms}
	msiApp := emulator.App{ClientID: "00000000-0000-0000-0000-0000000000c3", Permissions: perms}
	s := startEmulator(t, emulator.Options{Apps: []emulator.App{certApp, oidcApp, msiApp}})

	fedToken, err := s.IssueFederatedToken(oidcApp.FederatedSubject, "")
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "oidc")
	if err := os.WriteFile(tokenFile, []byte(fedToken), 0o600); err != nil {
		t.Fatal(err)
	}
	endpoint, header := s.EnableManagedIdentity(msiApp.ClientID)
	t.Setenv("IDENTITY_ENDPOINT", endpoint)
	t.Setenv("IDENTITY_HEADER", header)

	// Modern is what OpenSSL 3 writes by default; Legacy what older tools do.
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, "pfx-password-42")
	if err != nil {
		t.Fatal(err)
	}
	legacyPFX, err := pkcs12.LegacyDES.Encode(key, cert, nil, "pfx-password-42")
	if err != nil {
		t.Fatal(err)
	}
	for name, auth := range map[string]graph.AuthConfig{
		"certificate PEM": {Method: graph.AuthClientCertificate, TenantID: s.TenantID(), ClientID: certApp.ClientID, CertificateData: append(certPEM, keyPEM...)},
		"certificate PKCS#12": {Method: graph.AuthClientCertificate, TenantID: s.TenantID(), ClientID: certApp.ClientID,
			CertificateData: pfx, CertificatePassword: "pfx-password-42"},
		"certificate legacy PKCS#12": {Method: graph.AuthClientCertificate, TenantID: s.TenantID(), ClientID: certApp.ClientID,
			CertificateData: legacyPFX, CertificatePassword: "pfx-password-42"},
		"oidc inline":      {Method: graph.AuthOIDC, TenantID: s.TenantID(), ClientID: oidcApp.ClientID, OIDCToken: fedToken},
		"oidc file":        {Method: graph.AuthOIDC, TenantID: s.TenantID(), ClientID: oidcApp.ClientID, OIDCTokenFilePath: tokenFile},
		"managed identity": {Method: graph.AuthManagedIdentity},
	} {
		t.Run(name, func(t *testing.T) {
			c := emulatorClientWith(t, s, auth)
			if _, err := c.ListUsers(context.Background(), graph.GuestFilter{}); err != nil {
				t.Fatalf("ListUsers with %s: %v", name, err)
			}
		})
	}

	// A wrong PKCS#12 password fails in New, without echoing the password.
	_, err = graph.New(graph.Config{GraphEndpoint: s.GraphEndpoint(), Auth: graph.AuthConfig{
		Method: graph.AuthClientCertificate, TenantID: s.TenantID(), ClientID: certApp.ClientID,
		AuthorityHost: s.AuthorityHost(), CertificateData: pfx, CertificatePassword: "not-the-password",
	}})
	if err == nil || strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("wrong PKCS#12 password: %v", err)
	}

	// A certificate the app does not know is refused by the token endpoint.
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherDER, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &otherKey.PublicKey, otherKey)
	other := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: otherDER}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)})...)
	c := emulatorClientWith(t, s, graph.AuthConfig{Method: graph.AuthClientCertificate, TenantID: s.TenantID(), ClientID: certApp.ClientID, CertificateData: other})
	if _, err := c.ListUsers(context.Background(), graph.GuestFilter{}); !graph.IsUnauthorized(err) {
		t.Fatalf("unknown certificate: %v; want unauthorized", err)
	}
}

// tokenRequests counts the emulator's token endpoint calls.
func tokenRequests(s *emulator.Server) int { return s.Counters()["POST /{tenant}/oauth2/v2.0/token"] }

func TestEmulatorTokenRenewedOnceAfterSigningKeyRotation(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	// Two provider processes, each with its own token.
	inviter, readers := emulatorClient(t, s, s.DefaultApp()), emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, c := range []*graph.Client{inviter, readers} {
		if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
	}
	if n := tokenRequests(s); n != 2 {
		t.Fatalf("%d token requests before the rotation; want 2", n)
	}

	// Every token issued so far is now refused with 401 InvalidAuthenticationToken.
	if err := s.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	// A request with a body is sent again, intact, with the new token.
	if _, err := inviter.Invite(ctx, graph.InvitationRequest{InvitedUserEmailAddress: "rotated@fabrikam.example", InviteRedirectURL: "https://myapps.microsoft.com"}); err != nil {
		t.Fatalf("Invite after the rotation: %v", err)
	}
	if cnt := s.Counters(); cnt["POST /v1.0/invitations"] != 2 || len(s.Invitations()) != 1 || tokenRequests(s) != 3 {
		t.Fatalf("invitations: %d requests (want 2: refused, then accepted), %d created (want 1); %d token requests (want 3)",
			cnt["POST /v1.0/invitations"], len(s.Invitations()), tokenRequests(s))
	}
	// Parallel requests refused at once share one new token.
	errs := make(chan error, 10)
	for i := range 10 {
		go func() {
			_, err := readers.FindUsersByEmail(ctx, fmt.Sprintf("nobody%d@example.com", i))
			errs <- err
		}()
	}
	for range 10 {
		if err := <-errs; err != nil {
			t.Fatalf("a call after the rotation failed: %v", err)
		}
	}
	if n := tokenRequests(s); n != 4 {
		t.Fatalf("%d token requests; want 4 (one new token shared by the ten parallel calls)", n)
	}
	// The new tokens are kept: no further token requests.
	for _, c := range []*graph.Client{inviter, readers} {
		if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil || tokenRequests(s) != 4 {
			t.Fatalf("ListUsers after renewal: %v, %d token requests", err, tokenRequests(s))
		}
	}
}

func TestEmulatorFreshTokenRefusedIsNotRenewedOnEveryCall(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if err := s.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(ctx, graph.GuestFilter{}); err != nil {
		t.Fatalf("ListUsers after one rotation: %v", err)
	}
	// A token obtained a moment ago and refused again: a new one would not
	// help, so the refusal is reported instead of flooding the token endpoint.
	if err := s.RotateSigningKey(); err != nil {
		t.Fatal(err)
	}
	before := tokenRequests(s)
	for range 5 {
		_, err := c.ListUsers(ctx, graph.GuestFilter{})
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.StatusCode != http.StatusUnauthorized || ge.Code != "InvalidAuthenticationToken" {
			t.Fatalf("error = %v; want Graph's 401 InvalidAuthenticationToken", err)
		}
	}
	if n := tokenRequests(s) - before; n != 0 {
		t.Fatalf("%d token requests for a token refused right after it was issued; want 0", n)
	}
}
