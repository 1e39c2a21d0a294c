package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
)

func TestResendInvitationActionSchemaIsValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var resp action.SchemaResponse
	NewResendInvitationAction().Schema(ctx, action.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if d := resp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("schema implementation: %v", d)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	var meta action.MetadataResponse
	NewResendInvitationAction().Metadata(ctx, action.MetadataRequest{ProviderTypeName: "b2b"}, &meta)
	if meta.TypeName != "b2b_resend_invitation" {
		t.Errorf("type name %q", meta.TypeName)
	}
}
