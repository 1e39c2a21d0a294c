package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// emailForbiddenChars are the characters Microsoft Graph rejects in
// invitedUserEmailAddress. Source: the invitation API's validation
// (https://learn.microsoft.com/graph/api/invitation-post) and Entra's
// "invalid email address" rules for B2B invitations.
const emailForbiddenChars = "~!#$%^&*()+=[]{}\\/|;:\"<>?,"

// emailValidator checks, at plan time, that a string is an address Graph
// will accept as invitedUserEmailAddress, so a bad address fails the plan
// rather than the apply.
func emailValidator() validator.String { return emailStringValidator{} }

type emailStringValidator struct{}

var _ validator.String = emailStringValidator{}

func (emailStringValidator) Description(context.Context) string {
	return "must be an email address Microsoft Graph accepts for an invitation: exactly one @, " +
		"a domain containing a dot, no leading or trailing . or -, no whitespace and none of " +
		strings.Join(strings.Split(emailForbiddenChars, ""), " ")
}

func (v emailStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v emailStringValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := emailProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Email Address",
			fmt.Sprintf("The value %q is not an email address Microsoft Graph accepts: %s. "+
				"Accepted: local-part@domain.tld with exactly one @, a domain containing a dot, "+
				"no leading or trailing . or -, no whitespace and none of the characters %s",
				req.ConfigValue.ValueString(), problem, emailForbiddenChars))
	}
}

// emailProblem returns why s is not an acceptable address, or "" if it is.
// It is shared by the validator and by import by email so both refuse the
// same inputs with the same words.
func emailProblem(s string) string {
	switch {
	case s == "":
		return "it is empty"
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		// All of Unicode's spaces: a vertical tab or a no-break space
		// pasted from a spreadsheet is as invalid to Graph as a blank.
		return "it contains whitespace"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "it contains a control character"
	}
	if i := strings.IndexAny(s, emailForbiddenChars); i >= 0 {
		return fmt.Sprintf("it contains the character %q", s[i])
	}
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "-") {
		return "it starts with " + s[:1]
	}
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "-") {
		return "it ends with " + s[len(s)-1:]
	}
	switch n := strings.Count(s, "@"); {
	case n == 0:
		return "it has no @"
	case n > 1:
		return fmt.Sprintf("it has %d @ characters", n)
	}
	local, domain, _ := strings.Cut(s, "@")
	switch {
	case local == "":
		return "the part before @ is empty"
	case domain == "":
		return "the domain after @ is empty"
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, "."):
		return "the part before @ starts or ends with ."
	case !strings.Contains(domain, "."):
		return fmt.Sprintf("the domain %q has no dot", domain)
	case strings.Contains(domain, ".."):
		return fmt.Sprintf("the domain %q has an empty label", domain)
	case strings.HasPrefix(domain, ".") || strings.HasPrefix(domain, "-"):
		return fmt.Sprintf("the domain %q starts with %s", domain, domain[:1])
	}
	return ""
}

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
			fmt.Sprintf("The value %q is not an acceptable URL: %s. Accepted: an absolute https:// URL "+
				"with a host, e.g. https://myapps.microsoft.com; http:// only when the host is a loopback "+
				"address (127.0.0.1, ::1 or localhost).", req.ConfigValue.ValueString(), problem))
	}
}

// httpsURLProblem returns why s is not an acceptable URL, or "" if it is.
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
		return fmt.Sprintf("http is only allowed for a loopback host, and %q is not one", u.Hostname())
	default:
		return fmt.Sprintf("the scheme %q is not https", u.Scheme)
	}
}
