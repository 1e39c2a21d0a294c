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
	bad := map[string]string{
		"":                        "it is empty",
		"alice":                   "it has no @",
		"alice@@partner.example":  "2 @ characters",
		"a@b@partner.example":     "2 @ characters",
		"alice@partner":           `the domain "partner" has no dot`,
		"@partner.example":        "the part before @ is empty",
		"alice@":                  "the domain after @ is empty",
		".alice@partner.example":  "it starts with .",
		"-alice@partner.example":  "it starts with -",
		"alice@partner.example.":  "it ends with .",
		"alice@partner.example-":  "it ends with -",
		"alice.@partner.example":  "the part before @ starts or ends with .",
		"alice@.partner.example":  `the domain ".partner.example" starts with .`,
		"alice@partner..example":  "empty label",
		"al ice@partner.example":  "it contains whitespace",
		"alice@partner.example\n": "it contains whitespace",
	}
	for _, c := range emailForbiddenChars {
		bad["al"+string(c)+"ice@partner.example"] = `it contains the character '` + strings.ReplaceAll(string(c), `\`, `\\`) + `'`
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
		"http://example.com":             `http is only allowed for a loopback host, and "example.com" is not one`,
		"http://10.0.0.1/":               `"10.0.0.1" is not one`,
		"http://localhost.example.com/":  `"localhost.example.com" is not one`,
		"ftp://example.com":              `the scheme "ftp" is not https`,
		"https://user:pw@example.com":    "user information",
		" https://example.com":           "whitespace",
		"https://exa mple.com":           "cannot be parsed",
		"javascript:alert(1)":            "no host",
		"http://127.0.0.1.example.com/x": `"127.0.0.1.example.com" is not one`,
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
	}
}
