package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Every diagnostic in the provider is worded the same way: a title-case
// summary; a detail that says what was attempted, then what to do next;
// the original error last, so the user sees Graph's code and request-id.

// errorDetail assembles a detail in the house order.
func errorDetail(attempted, next string, err error) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(attempted))
	if next != "" {
		b.WriteString("\n\n")
		b.WriteString(strings.TrimSpace(next))
	}
	if err != nil {
		// "Cause:", not "Error:": the same detail serves warnings (a guest
		// invited but not fully configured), and a line starting "Error:"
		// inside a warning reads as an error to people and log scanners.
		b.WriteString("\n\nCause: ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// graphErrorHint says what to do next for a failed Graph or token call.
// The hint depends on the kind of failure, because a 403 needs an admin to
// grant a permission while a 401 needs the credentials fixed.
func graphErrorHint(err error) string {
	var ge *graph.Error
	if errors.Is(err, context.Canceled) {
		// Terraform cancels the operation's context on Ctrl-C (or a
		// cancelled run): the call never got its answer, so the advice the
		// error itself may end with (check the credentials) does not apply.
		return "Terraform stopped the operation (interrupted, e.g. Ctrl-C) before Microsoft Graph answered this call. Run the command again: the next plan shows what is left to do."
	}
	if h := signInHint(err); h != "" {
		return h
	}
	if h := networkHint(err); h != "" {
		return h
	}
	switch {
	case graph.IsForbidden(err):
		perm := ""
		if errors.As(err, &ge) && ge.RequiredPermission != "" {
			perm = ge.RequiredPermission
		}
		if perm != "" {
			return fmt.Sprintf("The application is missing the Microsoft Graph application permission %s. An administrator must add it to the app registration (API permissions > Microsoft Graph > Application permissions) and grant admin consent; tokens issued before the grant keep their old roles for up to an hour.", perm)
		}
		return "The application lacks a Microsoft Graph application permission for this call. The provider needs User.Invite.All and User.ReadWrite.All (or User.Read.All to read only), granted with admin consent."
	case graph.IsUnauthorized(err):
		return unauthorizedHint(err)
	case graph.IsThrottled(err):
		return "Microsoft Graph kept throttling the request until the operation timed out. Retry later, apply with lower -parallelism, or raise the timeouts."
	case graph.IsNotFound(err):
		return "The object does not exist in the directory, or replication has not caught up: a new object can be invisible for a few seconds, and reads can still return an object deleted a few seconds ago (run terraform plan again to see the deletion)."
	case graph.IsBadRequest(err):
		return "Microsoft Graph rejected the request as invalid; the message below names the property."
	case graph.IsConflict(err):
		return "The directory holds a conflicting object; the message below names it."
	case errors.Is(err, graph.ErrNotImplemented):
		return "This build of the provider does not implement the operation yet."
	}
	return ""
}

// unauthorizedHint says what to check for a refused token or token
// request: usually the credentials, but not for the two answers that name
// the Graph endpoint or the clock instead.
func unauthorizedHint(err error) string {
	var ge *graph.Error
	errors.As(err, &ge)
	switch {
	case ge != nil && ge.StatusCode == 401 && ge.Code == "InvalidAuthenticationToken":
		return "Microsoft Graph refused the access token, and a new token was refused too. Check that graph_endpoint and the cloud (environment) belong to the tenant's cloud, and that this machine's clock is correct."
	case ge != nil && ge.Code == "AADSTS500011":
		// invalid_resource: the token was asked for a Graph endpoint that is
		// not a resource of the tenant's cloud, so the credentials are not
		// the thing to check.
		return "Microsoft Entra ID would not issue a token for the Graph endpoint: it is not a resource of the tenant's cloud. Check graph_endpoint (or B2B_GRAPH_ENDPOINT) and environment: graph_endpoint must be the Microsoft Graph endpoint of the cloud the tenant is in (https://graph.microsoft.com for the public cloud), or be left unset so that environment picks it."
	}
	return "Authentication to Microsoft Entra ID failed. Check tenant_id, client_id and the credential (client secret, certificate or federated token) in the provider block or the ARM_* environment variables; a client secret may have expired. The AADSTS code in the error says which."
}

// networkHint says what to do when what lies between this machine and
// Graph failed: a proxy that wants credentials, a gateway's (or Graph's)
// 5xx, a host that did not answer.
func networkHint(err error) string {
	var ge *graph.Error
	switch {
	case graph.IsProxyAuthRequired(err):
		return "A proxy between this machine and Microsoft Graph (or the identity platform) asked for credentials (HTTP 407). Give them in HTTPS_PROXY (https://user:password@proxy:port), or have graph.microsoft.com and login.microsoftonline.com let through; then run the command again."
	case graph.IsOutcomeUnknown(err) && errors.As(err, &ge) && ge.StatusCode != 0:
		return fmt.Sprintf("Microsoft Graph, or a proxy or gateway in front of it, failed with HTTP %d. This is usually passing: run the command again. If it persists, check the proxy (HTTPS_PROXY) and Microsoft 365 service health.", ge.StatusCode)
	case graph.IsUnreachable(err):
		return unreachableHint + " Other operations of this run fail at once with the same cause instead of each waiting again; run the command again once the host answers."
	}
	return ""
}

// unreachableHint is what to check when a host did not answer.
const unreachableHint = "The host named below did not answer. Check the network path to it: the endpoint settings (graph_endpoint, authority_host, environment), DNS, a firewall or an HTTPS proxy (HTTPS_PROXY)."

// graphErrorDiagnostic reports a failed Graph call: summary is title case
// ("Error Reading Guest User"), attempted says what the provider did
// ("Reading user 1234 by object ID"). It adds the missing-permission hint
// for 403s and the credentials hint for 401/AADSTS errors.
func graphErrorDiagnostic(summary, attempted string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, errorDetail(attempted, graphErrorHint(err), err))
}

// graphErrorAttributeDiagnostic is graphErrorDiagnostic tied to an attribute.
func graphErrorAttributeDiagnostic(p path.Path, summary, attempted string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, summary, errorDetail(attempted, graphErrorHint(err), err))
}

// signInDiagnostic reports the token request Configure makes. It points at
// the provider block attribute the identity platform's code names, when
// that attribute was set in the block: a value from an ARM_* variable has
// no line of configuration to show. Never at client_secret: Terraform would
// print the line, and with it a secret written there literally.
func signInDiagnostic(r *resolvedConfig, err error) diag.Diagnostic {
	attempted := fmt.Sprintf("Signing in to Microsoft Entra ID (authentication by %s) for an access token to Microsoft Graph, "+
		"while configuring the provider, before any guest was read or changed.", authMethodName(r.Auth.Method))
	hint := graphErrorHint(err)
	if graph.IsUnreachable(err) {
		// No other operation has started to fail at once with it.
		hint = unreachableHint + " Run the command again once the host answers."
	}
	detail := errorDetail(attempted, hint, err)
	const summary = "Unable To Sign In To Microsoft Entra ID"
	var ge *graph.Error
	if !errors.As(err, &ge) {
		return diag.NewErrorDiagnostic(summary, detail)
	}
	attr := ""
	switch ge.Code {
	case "AADSTS90002", "AADSTS900023", "AADSTS90013":
		if r.Sources["tenant_id"] == fromProviderBlock {
			attr = "tenant_id"
		}
	case "AADSTS700016":
		if r.Sources["client_id"] == fromProviderBlock {
			attr = "client_id"
		}
	case "AADSTS500011":
		if r.Sources["graph_endpoint"] == fromProviderBlock {
			attr = "graph_endpoint"
		}
	}
	if attr == "" {
		return diag.NewErrorDiagnostic(summary, detail)
	}
	return diag.NewAttributeErrorDiagnostic(path.Root(attr), summary, detail)
}

// configErrorDiagnostic turns an auth/endpoint resolution problem into a
// diagnostic on the attribute to fix (or on the block).
func configErrorDiagnostic(e *configError) diag.Diagnostic {
	if e.Attribute != "" {
		return diag.NewAttributeErrorDiagnostic(path.Root(e.Attribute), e.Summary, e.Detail)
	}
	return diag.NewErrorDiagnostic(e.Summary, e.Detail)
}

// unexpectedProviderDataDiagnostic is for a programming error: a resource
// configured with something other than *providerData.
func unexpectedProviderDataDiagnostic(got any) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected Provider Data",
		errorDetail(fmt.Sprintf("Configuring the resource expected *providerData but received %T.", got),
			"This is a bug in the provider; please report it.", nil))
}

// providerNotConfiguredDiagnostic explains why there is no Graph client:
// the provider block held values unknown until apply.
func providerNotConfiguredDiagnostic(unknown []string) diag.Diagnostic {
	what := "the provider block"
	if len(unknown) > 0 {
		what = "the provider block attributes " + strings.Join(unknown, ", ")
	}
	return diag.NewErrorDiagnostic("Provider Not Configured",
		errorDetail("Calling Microsoft Graph needs a configured provider, but "+what+" depend on values known only after apply.",
			"Apply the resources those values come from first (terraform apply -target=...), or set the values directly.", nil))
}
