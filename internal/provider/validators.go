package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emailaddr"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// emailValidator checks, at plan time, that a string is an address Graph
// will accept as invitedUserEmailAddress, mail or otherMails, so a bad
// address fails the plan rather than half-way through an apply. The rule
// itself, with its sources, is package emailaddr, which the emulator uses
// too.
func emailValidator() validator.String { return emailStringValidator{} }

type emailStringValidator struct{}

var _ validator.String = emailStringValidator{}

func (emailStringValidator) Description(context.Context) string {
	return "must be an email address Microsoft Graph accepts for an invitation: " + emailaddr.Accepted
}

func (v emailStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

// ValidateString never puts the value in the diagnostic. Terraform removes
// sensitivity marks before it asks a provider to validate (the request
// carries no flag), so a validator cannot tell a literal from a sensitive
// variable; Terraform itself prints the offending expression under the
// diagnostic, with the variable's value when it is not sensitive and "has a
// sensitive value" when it is, so nothing is lost by leaving it out here.
func (v emailStringValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := emailProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Email Address",
			fmt.Sprintf("The value of %s is not an email address Microsoft Graph accepts: %s. "+
				"Accepted: %s.", attributeName(req.Path), problem, emailaddr.Accepted))
	}
}

// emailProblem returns why s is not an acceptable address, or "" if it is.
// It is shared by the validator and by import by email so both refuse the
// same inputs with the same words; the words never quote s.
func emailProblem(s string) string { return emailaddr.Problem(s) }

// httpsURLValidator checks that a string is an absolute https URL. Plain
// http is accepted only for a loopback host (127.0.0.0/8, ::1, localhost),
// which is where the emulator and local development servers live; anywhere
// else http would send users (or tokens) over an unencrypted link.
func httpsURLValidator() validator.String { return httpsURLStringValidator{} }

type httpsURLStringValidator struct{}

var _ validator.String = httpsURLStringValidator{}

func (httpsURLStringValidator) Description(context.Context) string {
	return "must be an absolute https:// URL (http:// only for a loopback host: 127.0.0.1, ::1 or localhost)"
}

func (v httpsURLStringValidator) MarkdownDescription(ctx context.Context) string {
	return "must be an absolute `https://` URL (`http://` only for a loopback host: `127.0.0.1`, `::1` or `localhost`)"
}

func (v httpsURLStringValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := httpsURLProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL",
			fmt.Sprintf("The value of %s is not an acceptable URL: %s. Accepted: an absolute https:// URL "+
				"with a host, e.g. https://myapps.microsoft.com; http:// only when the host is a loopback "+
				"address (127.0.0.1, ::1 or localhost).", attributeName(req.Path), problem))
	}
}

// httpsURLProblem returns why s is not an acceptable URL, or "" if it is,
// in words that never quote s: a redirect URL can carry a token in its
// query, and a sensitive variable is not marked by the time it gets here.
func httpsURLProblem(s string) string {
	if s == "" {
		return "it is empty"
	}
	if strings.TrimSpace(s) != s {
		return "it has leading or trailing whitespace"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "it cannot be parsed as a URL"
	}
	if !u.IsAbs() {
		return "it is not absolute (no scheme)"
	}
	if u.Host == "" || u.Hostname() == "" {
		return "it has no host"
	}
	if u.User != nil {
		return "it contains user information before the host"
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return ""
	case "http":
		if graph.IsLoopbackHost(u.Hostname()) {
			return ""
		}
		return "http is only allowed for a loopback host, and this host is not one"
	default:
		return "its scheme is not https"
	}
}

// displayNameNotBlank refuses a display name of only whitespace at plan
// time: Graph requires displayName and "it can't be cleared during
// updates" (https://learn.microsoft.com/graph/api/resources/user,
// property displayName), and answers a blank one with a 400 mid-apply.
func displayNameNotBlank() validator.String {
	return stringCheckValidator{
		description: "must contain a character other than whitespace",
		check: func(s string) string {
			if strings.TrimSpace(s) == "" {
				return "the value is blank (only whitespace), and Graph refuses a blank display name because displayName " +
					"is required and cannot be cleared; set a name, or remove the argument to leave the name Entra has"
			}
			return ""
		},
	}
}

// preferredLanguageValidator accepts an ISO 639-1 code with an optional
// upper-case ISO 3166 region (RFC 4646 style, e.g. en-US), the format the
// user resource documents for preferredLanguage. The diagnostic of
// stringvalidator.RegexMatches repeats the value, which is fine for a
// language tag.
func preferredLanguageValidator() validator.String {
	return stringvalidator.RegexMatches(preferredLanguagePattern,
		"must be an ISO 639-1 language code with an optional upper-case region, e.g. en or en-US")
}

// attributeName renders a path for a diagnostic's text without the values
// that name set elements: the framework writes an element of a set of
// strings as other_mails[Value("the address")], which would put the very
// value a validator refuses (perhaps from a sensitive variable) into the
// message. The diagnostic still carries the full path for Terraform to
// point at the configuration.
func attributeName(p path.Path) string {
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case path.PathStepElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case path.PathStepElementKeyString:
			// Map keys are configuration names, not values.
			fmt.Fprintf(&b, "[%q]", string(s))
		default:
			b.WriteString(" element")
		}
	}
	return b.String()
}
