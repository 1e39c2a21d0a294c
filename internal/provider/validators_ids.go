package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// guidExpr is the 8-4-4-4-12 hex form Entra uses for directory (tenant),
// application (client) and object IDs, unanchored for patterns that admit
// a GUID among other values. Braces and URNs are not accepted by Graph paths.
const guidExpr = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`

// guidPattern matches a GUID and nothing else.
var guidPattern = regexp.MustCompile(`^` + guidExpr + `$`)

// domainLabel is one DNS label (RFC 1123): letters, digits, inner hyphens, at most 63 characters.
var domainLabel = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// topLevelLabel is alphabetic so that an IPv4 address is not taken for a domain.
var topLevelLabel = regexp.MustCompile(`^[a-zA-Z]{2,63}$`)

func isGUID(s string) bool { return guidPattern.MatchString(s) }

// isDomainName accepts verified domain names such as contoso.onmicrosoft.com:
// at least two labels and an alphabetic top-level label, since Entra
// resolves a tenant by any of its verified domains.
func isDomainName(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return topLevelLabel.MatchString(tld)
}

// checkTenantID returns "" when s is a usable tenant, else what is wrong.
func checkTenantID(s string) string {
	if isGUID(s) || isDomainName(s) {
		return ""
	}
	return "the value is neither a GUID (the Directory (tenant) ID, e.g. 00000000-0000-0000-0000-000000000000) nor a domain name of the tenant (e.g. contoso.onmicrosoft.com)"
}

// checkGUID returns "" when s is a GUID, else what is wrong; what names the ID for the message.
func checkGUID(s, what string) string {
	if isGUID(s) {
		return ""
	}
	return fmt.Sprintf("the value is not a GUID: expected the %s in the form 00000000-0000-0000-0000-000000000000", what)
}

// checkEndpointURL returns "" when raw is usable as a Graph endpoint or
// authority host, else what is wrong. Tokens and client credentials travel
// to both, so plain http is refused even on loopback; the emulator serves TLS.
func checkEndpointURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "the value is not an absolute URL: expected https://host[:port]"
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "the value does not use https: only https is accepted, because access tokens and credentials are sent to this endpoint (loopback addresses included)"
	}
	if u.User != nil {
		return "the value contains user information: expected https://host[:port] without credentials"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "the value has a query or fragment: expected https://host[:port]"
	}
	if u.Path != "" && u.Path != "/" {
		return "the value has a path: expected https://host[:port] only (the provider adds /v1.0 and tenant paths itself)"
	}
	return ""
}

// stringCheckValidator adapts a check function ("" = valid) to a
// framework validator so the same rules run at plan time on the
// configuration and in Configure on environment variables. Checks describe
// the problem without quoting the value: it may come from a sensitive
// variable or a secret environment variable, and neither is marked by the
// time a provider sees it.
type stringCheckValidator struct {
	description string
	check       func(string) string
}

var _ validator.String = stringCheckValidator{}

func (v stringCheckValidator) Description(context.Context) string { return v.description }

func (v stringCheckValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v stringCheckValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := v.check(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
			fmt.Sprintf("Attribute %s: %s.", attributeName(req.Path), problem))
	}
}

// tenantIDValidator accepts a GUID or a domain name.
func tenantIDValidator() validator.String {
	return stringCheckValidator{description: "a GUID or a domain name of the tenant", check: checkTenantID}
}

// guidValidator accepts the 8-4-4-4-12 GUID form; what names the ID in
// messages. It stays hand-written although it is a regex: it checks the
// elements of group_ids and sponsor_ids, and stringvalidator.RegexMatches
// would quote the value twice (in its text and in the element's path,
// sponsor_ids[Value("...")]), while a value from a sensitive variable must
// not appear in Terraform's output (TestAccBadInputs_SensitiveValueNeverEchoed).
func guidValidator(what string) validator.String {
	return stringCheckValidator{
		description: "a GUID (" + what + ")",
		check:       func(s string) string { return checkGUID(s, what) },
	}
}

// endpointURLValidator accepts https://host[:port].
func endpointURLValidator() validator.String {
	return stringCheckValidator{description: "an https URL of the form https://host[:port]", check: checkEndpointURL}
}

// notBlankValidator refuses "" and whitespace: an empty string in HCL is
// almost always a variable that was not filled in, and silently treating it
// as unset would fall back to an environment variable the user never meant.
func notBlankValidator() validator.String {
	return stringCheckValidator{
		description: "a non-empty string",
		check: func(s string) string {
			if strings.TrimSpace(s) == "" {
				return "must not be empty; remove the argument to leave it unset"
			}
			return ""
		},
	}
}
