package sdkcompat

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	msauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// sdkClient builds a Graph client the way an SDK user would, with the
// SDK's default middleware (request compression included, to exercise
// gzip bodies), trusting only the emulator's CA.
func sdkClient(t *testing.T, s *emulator.Server, app emulator.App) (*msgraph.GraphServiceClient, *msgraph.GraphRequestAdapter) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}
	cred, err := azidentity.NewClientSecretCredential(s.TenantID(), app.ClientID, app.Secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost(), Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}},
			Transport: &http.Client{Transport: tr},
		},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.GraphEndpoint())
	auth, err := msauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{s.GraphEndpoint() + "/.default"}, []string{u.Hostname()})
	if err != nil {
		t.Fatal(err)
	}
	opts := msgraph.GetDefaultClientOptions()
	hc := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(tr, msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...)}
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(s.GraphEndpoint() + "/v1.0")
	return msgraph.NewGraphServiceClient(adapter), adapter
}

func ptr[T any](v T) *T { return &v }

func TestSDKAgainstEmulator(t *testing.T) {
	s, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, adapter := sdkClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	inv := models.NewInvitation()
	inv.SetInvitedUserEmailAddress(ptr("sdk@partner.example"))
	inv.SetInvitedUserDisplayName(ptr("SDK Guest"))
	inv.SetInviteRedirectUrl(ptr("https://myapps.microsoft.com"))
	inv.SetSendInvitationMessage(ptr(false))
	created, err := c.Invitations().Post(ctx, inv, nil)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	if created.GetStatus() == nil || *created.GetStatus() != "PendingAcceptance" || created.GetInvitedUser() == nil {
		t.Fatalf("invitation: %+v", created)
	}
	id := *created.GetInvitedUser().GetId()

	got, err := c.Users().ByUserId(id).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "externalUserState", "creationType", "userType", "mail"}},
	})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if *got.GetExternalUserState() != "PendingAcceptance" || *got.GetCreationType() != "Invitation" || *got.GetUserType() != "Guest" {
		t.Errorf("user: %v %v %v", *got.GetExternalUserState(), *got.GetCreationType(), *got.GetUserType())
	}

	patch := models.NewUser()
	patch.SetJobTitle(ptr("Buyer"))
	if _, err := c.Users().ByUserId(id).Patch(ctx, patch, nil); err != nil {
		t.Fatalf("patch: %v", err)
	}
	if u, _ := s.User(id); u["jobTitle"] != "Buyer" {
		t.Errorf("jobTitle after PATCH: %v", u["jobTitle"])
	}

	// 404 decodes into an ODataError with code and message.
	_, err = c.Users().ByUserId("00000000-0000-0000-0000-000000000000").Get(ctx, nil)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 404 || *oe.GetErrorEscaped().GetCode() != "Request_ResourceNotFound" || oe.Error() == "" {
		t.Fatalf("404: %v", err)
	}

	// Paging with the SDK's iterator follows @odata.nextLink to the end.
	for i := range 5 {
		if _, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("p%d@partner.example", i)}); err != nil {
			t.Fatal(err)
		}
	}
	headers := abstractions.NewRequestHeaders()
	headers.Add("ConsistencyLevel", "eventual")
	first, err := c.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		Headers: headers,
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{
			Top: ptr(int32(2)), Count: ptr(true), Select: []string{"id", "mail"},
			Filter: ptr("endswith(mail,'@partner.example')"),
		},
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if first.GetOdataCount() == nil || *first.GetOdataCount() != 6 {
		t.Errorf("@odata.count = %v", first.GetOdataCount())
	}
	it, err := msgraphcore.NewPageIterator[models.Userable](first, adapter, models.CreateUserCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := it.Iterate(ctx, func(models.Userable) bool { n++; return true }); err != nil {
		t.Fatalf("iterate: %v", err)
	}
	if n != 6 {
		t.Errorf("iterated %d users, want 6", n)
	}

	if err := c.Users().ByUserId(id).Delete(ctx, nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.Directory().DeletedItems().ByDirectoryObjectId(id).Restore().Post(ctx, nil); err != nil {
		t.Fatalf("restore: %v", err)
	}

	// A permission error carries Graph's code to the SDK user.
	roApp := emulator.App{ClientID: "5d1e0f7a-3b2c-4d4e-9f8a-7b6c5d4e3f2a", Secret: "x", Permissions: []string{emulator.PermUserInviteAll}}
	s.AddApp(roApp)
	c2, _ := sdkClient(t, s, roApp)
	_, err = c2.Users().Get(ctx, nil)
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 403 || *oe.GetErrorEscaped().GetCode() != "Authorization_RequestDenied" {
		t.Errorf("403: %v", err)
	}
}
