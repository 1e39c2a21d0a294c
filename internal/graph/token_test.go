package graph

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// countingCredential hands out a new token from every credential built,
// as azidentity does after a renewal drops its cache.
type countingCredential struct{ token string }

func (c countingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
}

// A token refused right after a renewal is not renewed again until
// minRenew has passed, and is renewed once it has: the interval is read
// from the clock the credential was built with, which the test advances.
func TestSharedCredentialRenewsAtMostOncePerInterval(t *testing.T) {
	builds := 0
	build := func() (azcore.TokenCredential, error) {
		builds++
		return countingCredential{token: fmt.Sprintf("token-%d", builds)}, nil
	}
	s, err := newSharedCredential(build, "", newCircuit(), nopLogger{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	ctx := t.Context()
	token := func() string {
		t.Helper()
		tok, err := s.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"scope"}})
		if err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}

	first := token()
	if !s.renew(ctx, first) || builds != 2 {
		t.Fatalf("the first refusal: renewed = false or %d builds; want a new credential", builds)
	}
	second := token()
	if second == first {
		t.Fatal("the renewal handed out the refused token again")
	}
	now = now.Add(s.minRenew - time.Second)
	if s.renew(ctx, second) || builds != 2 {
		t.Fatalf("a token renewed %s ago was renewed again (%d builds)", s.minRenew-time.Second, builds)
	}
	now = now.Add(time.Second)
	if !s.renew(ctx, second) || builds != 3 {
		t.Fatalf("after minRenew the refused token was not renewed (%d builds)", builds)
	}
	if third := token(); third == second {
		t.Fatal("the second renewal handed out the refused token again")
	}
}
