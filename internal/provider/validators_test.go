package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func runStringValidator(v validator.String, value types.String) validator.StringResponse {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{
		Path:        path.Root("attr"),
		ConfigValue: value,
	}, &resp)
	return resp
}

func TestEmailValidator(t *testing.T) {
	t.Parallel()
	good := []string{
		"alice@partner.example",
		"Alice.Smith@Partner.Example.com",
		"a_b-c'd@sub.domain.co.uk",
		"x@y.z",
	}
	for _, s := range good {
		if resp := runStringValidator(emailValidator(), types.StringValue(s)); resp.Diagnostics.HasError() {
			t.Errorf("%q: unexpected error %v", s, resp.Diagnostics)
		}
	}
	// The rules themselves are tested in package emailaddr; these check
	// that the validator reports each with the same words.
	bad := map[string]string{
		"":                          "it is empty",
		"alice":                     "it has no @",
		"alice@@partner.example":    "2 @ characters",
		"alice@partner":             "the domain has no dot",
		".alice@partner.example":    "it starts with .",
		"alice-@partner.example":    "the part before @ ends with -",
		"alice@partner.example-":    "it ends with -",
		"al ice@partner.example":    "it contains whitespace",
		"alice+tag@partner.example": "it contains the character '+'",
		"alice@bücher.example":      "the domain contains a non-ASCII character",
		"alice@part_ner.example":    "the domain contains an underscore",
		"alice@-partner.example":    "a label of the domain starts with -",
		"alice@partner-.example":    "a label of the domain ends with -",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".example": "longer than the 254 characters",
	}
	for in, want := range bad {
		resp := runStringValidator(emailValidator(), types.StringValue(in))
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q: accepted, want error containing %q", in, want)
			continue
		}
		d := resp.Diagnostics.Errors()[0]
		if d.Summary() != "Invalid Email Address" {
			t.Errorf("%q: summary %q", in, d.Summary())
		}
		if !strings.Contains(d.Detail(), want) || !strings.Contains(d.Detail(), "Accepted:") {
			t.Errorf("%q: detail %q does not contain %q and the accepted form", in, d.Detail(), want)
		}
		// The fixed "Accepted:" examples may happen to contain the input.
		if problem, _, _ := strings.Cut(d.Detail(), "Accepted:"); in != "" && strings.Contains(problem, in) {
			t.Errorf("%q: the detail repeats the value, which may be sensitive: %q", in, d.Detail())
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if resp := runStringValidator(emailValidator(), v); resp.Diagnostics.HasError() {
			t.Errorf("%v: null/unknown must be left to other checks: %v", v, resp.Diagnostics)
		}
	}
}

func TestHTTPSURLValidator(t *testing.T) {
	t.Parallel()
	good := []string{
		"https://myapps.microsoft.com",
		"https://myapps.microsoft.com/?tenantid=abc",
		"HTTPS://example.com/path",
		"http://127.0.0.1:8080/cb",
		"http://127.1.2.3/",
		"http://[::1]:9000/",
		"http://localhost/",
		"http://LOCALHOST:1234",
	}
	for _, s := range good {
		if resp := runStringValidator(httpsURLValidator(), types.StringValue(s)); resp.Diagnostics.HasError() {
			t.Errorf("%q: unexpected error %v", s, resp.Diagnostics)
		}
	}
	bad := map[string]string{
		"":                               "it is empty",
		"myapps.microsoft.com":           "not absolute",
		"/relative/path":                 "not absolute",
		"https://":                       "no host",
		"http://example.com":             `http is only allowed for a loopback host, and this host is not one`,
		"http://10.0.0.1/":               `this host is not one`,
		"http://localhost.example.com/":  `this host is not one`,
		"ftp://example.com":              `its scheme is not https`,
		"https://user:pw@example.com":    "user information",
		" https://example.com":           "whitespace",
		"https://exa mple.com":           "cannot be parsed",
		"javascript:alert(1)":            "no host",
		"http://127.0.0.1.example.com/x": `this host is not one`,
	}
	for in, want := range bad {
		resp := runStringValidator(httpsURLValidator(), types.StringValue(in))
		if !resp.Diagnostics.HasError() {
			t.Errorf("%q: accepted, want error containing %q", in, want)
			continue
		}
		d := resp.Diagnostics.Errors()[0]
		if d.Summary() != "Invalid URL" || !strings.Contains(d.Detail(), want) || !strings.Contains(d.Detail(), "Accepted:") {
			t.Errorf("%q: got %q / %q, want detail containing %q", in, d.Summary(), d.Detail(), want)
		}
		// The fixed "Accepted:" examples may happen to contain the input.
		if problem, _, _ := strings.Cut(d.Detail(), "Accepted:"); in != "" && strings.Contains(problem, in) {
			t.Errorf("%q: the detail repeats the value, which may be sensitive: %q", in, d.Detail())
		}
	}
}

// TestValidatorsNeverEchoSetElements: the framework names an element of a
// set of strings by its value (other_mails[Value("...")]); the messages
// must not, or a sensitive address would be printed through the path. The
// language tags are checked by stringvalidator.RegexMatches, which quotes
// the value; they are scalars that carry no secret, so they are not listed.
func TestValidatorsNeverEchoSetElements(t *testing.T) {
	t.Parallel()
	const secret = "zq7secret@part_ner.example"
	p := path.Root("other_mails").AtSetValue(types.StringValue(secret))
	for name, v := range map[string]validator.String{
		"email": emailValidator(), "url": httpsURLValidator(), "guid": guidValidator("object ID"),
		"usage location": usageLocationValidator(), "display name": displayNameNotBlank(),
	} {
		var resp validator.StringResponse
		v.ValidateString(context.Background(), validator.StringRequest{Path: p, ConfigValue: types.StringValue(secret)}, &resp)
		for _, d := range resp.Diagnostics {
			if strings.Contains(d.Summary()+d.Detail(), "zq7secret") {
				t.Errorf("%s: the diagnostic repeats the value: %q", name, d.Detail())
			}
		}
	}
	if got := attributeName(path.Root("a").AtListIndex(2).AtName("b").AtSetValue(types.StringValue(secret))); got != "a[2].b element" {
		t.Errorf("attributeName = %q", got)
	}
}

func TestDisplayNameNotBlank(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"   ", "\t", "\u00a0", ""} {
		if resp := runStringValidator(displayNameNotBlank(), types.StringValue(s)); !resp.Diagnostics.HasError() {
			t.Errorf("%q: accepted", s)
		}
	}
	if resp := runStringValidator(displayNameNotBlank(), types.StringValue(" Ada ")); resp.Diagnostics.HasError() {
		t.Errorf("a name with spaces around it: %v", resp.Diagnostics)
	}
}
