package emulator_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// These tests run the real azidentity/MSAL credentials the provider uses
// against the emulator, so a change in what MSAL sends or checks (issuer
// validation, assertion format, CAE claims) shows up here first.

func clientOptions(s *emulator.Server) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud: cloudConfig(s),
		Transport: &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12},
		}},
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
}

func getToken(t *testing.T, cred azcore.TokenCredential, cae bool) (azcore.AccessToken, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	return cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}, EnableCAE: cae})
}

func callGraph(t *testing.T, s *emulator.Server, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.GraphEndpoint()+"/v1.0/users?$top=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool()}}}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestAzidentityClientSecret(t *testing.T) {
	s, err := emulator.Start(emulator.Options{TenantDomain: "fabrikam.onmicrosoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := s.DefaultApp()
	for _, tenant := range []string{s.TenantID(), s.TenantDomain()} {
		cred, err := azidentity.NewClientSecretCredential(tenant, app.ClientID, app.Secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: clientOptions(s), DisableInstanceDiscovery: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := getToken(t, cred, true)
		if err != nil {
			t.Fatalf("tenant %s: %v", tenant, err)
		}
		if got := callGraph(t, s, tok.Token); got != http.StatusOK {
			t.Errorf("Graph with azidentity token: %d", got)
		}
	}

	cred, _ := azidentity.NewClientSecretCredential(s.TenantID(), app.ClientID, "wrong", &azidentity.ClientSecretCredentialOptions{
		ClientOptions: clientOptions(s), DisableInstanceDiscovery: true,
	})
	_, err = getToken(t, cred, false)
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("wrong secret: %v", err)
	}
	cred, _ = azidentity.NewClientSecretCredential("00000000-1111-2222-3333-444444444444", app.ClientID, app.Secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: clientOptions(s), DisableInstanceDiscovery: true,
	})
	if _, err = getToken(t, cred, false); err == nil || !strings.Contains(err.Error(), "AADSTS90002") {
		t.Errorf("unknown tenant: %v", err)
	}
}

func TestAzidentityClientCertificate(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "b2b"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	app := emulator.App{ClientID: "3f2b0c51-9d4e-4c57-a0a8-5b1e6f0a9c11", CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Permissions: []string{emulator.PermUserReadAll}}
	s, err := emulator.Start(emulator.Options{Apps: []emulator.App{app}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, x5c := range []bool{false, true} {
		cred, err := azidentity.NewClientCertificateCredential(s.TenantID(), app.ClientID, []*x509.Certificate{cert}, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions: clientOptions(s), DisableInstanceDiscovery: true, SendCertificateChain: x5c,
		})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := getToken(t, cred, true)
		if err != nil {
			t.Fatalf("x5c=%v: %v", x5c, err)
		}
		if got := callGraph(t, s, tok.Token); got != http.StatusOK {
			t.Errorf("Graph: %d", got)
		}
	}
}

func TestAzidentityWorkloadIdentity(t *testing.T) {
	app := emulator.App{ClientID: "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", FederatedSubject: "repo:entra-b2b/demo:environment:ci", Permissions: []string{emulator.PermUserReadAll}}
	s, err := emulator.Start(emulator.Options{Apps: []emulator.App{app}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cred, err := azidentity.NewClientAssertionCredential(s.TenantID(), app.ClientID, func(context.Context) (string, error) {
		return s.IssueFederatedToken(app.FederatedSubject, "")
	}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := getToken(t, cred, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := callGraph(t, s, tok.Token); got != http.StatusOK {
		t.Errorf("Graph: %d", got)
	}
}

func TestAzidentityManagedIdentity(t *testing.T) {
	app := emulator.App{ClientID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", Permissions: []string{emulator.PermUserReadAll}}
	s, err := emulator.Start(emulator.Options{Apps: []emulator.App{app}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	endpoint, header := s.EnableManagedIdentity(app.ClientID)
	t.Setenv("IDENTITY_ENDPOINT", endpoint)
	t.Setenv("IDENTITY_HEADER", header)
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: clientOptions(s)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := getToken(t, cred, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := callGraph(t, s, tok.Token); got != http.StatusOK {
		t.Errorf("Graph: %d", got)
	}
}
