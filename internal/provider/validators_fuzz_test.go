package provider

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emailaddr"
)

// FuzzEmailValidator checks the plan-time email rule against properties
// stated independently of its code: whatever it accepts has one @, a
// dotted domain, no whitespace or control character and none of the
// banned characters; whatever it refuses gets an attribute error that
// names the problem, says what is accepted and never quotes the value.
func FuzzEmailValidator(f *testing.F) {
	for _, s := range []string{
		"ada@partner.example", "first.last+tag@sub.partner.co.uk", "o'neil@partner.example", "a_b-c@x.io",
		"", "no-at.example", "two@@partner.example", "a@b@c.example", "@partner.example", "ada@", "ada@localhost",
		".ada@partner.example", "ada.@partner.example", "ada@.partner.example", "ada@partner..example", "ada@-partner.example",
		"ada@partner.example.", "ada@partner.example-", "ada lovelace@partner.example", "ada@partner.example\n",
		"ada\t@partner.example", "ada\v@partner.example", "ada\u00a0@partner.example", "ada\u2028@partner.example",
		"ada\x00@partner.example", "ada<b>@partner.example", "ada,bob@partner.example", "ada;@partner.example",
		"ünïcödé@partner.example", "ada@bücher.example", "a@b.c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("Terraform strings are always valid UTF-8")
		}
		problem := emailProblem(s)
		resp := runStringValidator(emailValidator(), types.StringValue(s))
		if (problem == "") == resp.Diagnostics.HasError() {
			t.Fatalf("%q: emailProblem %q but validator errors=%v", s, problem, resp.Diagnostics.HasError())
		}
		if problem != "" {
			d := resp.Diagnostics.Errors()[0]
			if d.Summary() != "Invalid Email Address" || !strings.Contains(d.Detail(), "Accepted: local-part@domain.tld") ||
				!strings.Contains(d.Detail(), problem) {
				t.Fatalf("%q: diagnostic %q / %q does not name the problem and what is accepted", s, d.Summary(), d.Detail())
			}
			// Rotating the letters and digits leaves the words unchanged
			// only if they do not quote the value (which may be sensitive).
			rotated := runStringValidator(emailValidator(), types.StringValue(rotateAlnum(s)))
			if !rotated.Diagnostics.HasError() || rotated.Diagnostics.Errors()[0].Detail() != d.Detail() {
				t.Fatalf("%q: the diagnostic depends on the value's letters: %q", s, d.Detail())
			}
			return
		}
		local, domain, ok := strings.Cut(s, "@")
		if !ok || strings.Contains(domain, "@") || local == "" {
			t.Fatalf("%q accepted without exactly one @ and a local part", s)
		}
		if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
			t.Fatalf("%q accepted with a malformed domain %q", s, domain)
		}
		for _, r := range s {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("%q accepted with whitespace or a control character %U", s, r)
			}
			if strings.ContainsRune(emailaddr.ForbiddenChars, r) {
				t.Fatalf("%q accepted with the banned character %q", s, r)
			}
		}
	})
}

// FuzzURLValidators checks the redirect URL rule and the endpoint rule:
// what they accept is an absolute URL with a host and no credentials;
// plain http is accepted only for a host that is literally loopback (never
// a name that DNS could point elsewhere), and endpoints are https only.
func FuzzURLValidators(f *testing.F) {
	for _, s := range []string{
		"https://myapps.microsoft.com", "https://myapps.microsoft.com/path?q=1#f", "http://127.0.0.1:8080/cb", "http://[::1]/",
		"http://localhost:3000", "http://localhost./", "http://127.5.6.7", "http://example.com", "http://127.0.0.1.nip.io/",
		"http://localhost.example.com", "http://[::ffff:127.0.0.1]/", "http://0x7f.0.0.1/", "http://2130706433/",
		"https://user:pw@host.example", "ftp://host.example", "//host.example/path", "/relative", "", " https://x.example",
		"https://x.example ", "HTTPS://X.EXAMPLE", "https://", "https://:443", "https://graph.microsoft.com/v1.0",
		"https://127.0.0.1:8443/", "https://h.example?x", "https://h.example#", "javascript:alert(1)", "http://%31%32%37.0.0.1/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("Terraform strings are always valid UTF-8")
		}
		redirectProblem := httpsURLProblem(s)
		if resp := runStringValidator(httpsURLValidator(), types.StringValue(s)); (redirectProblem == "") == resp.Diagnostics.HasError() {
			t.Fatalf("%q: httpsURLProblem %q but validator errors=%v", s, redirectProblem, resp.Diagnostics.HasError())
		}
		if redirectProblem == "" {
			u, err := url.Parse(s)
			if err != nil || u.Host == "" || u.User != nil || strings.TrimSpace(s) != s {
				t.Fatalf("%q accepted as a redirect URL: parse error %v, host %q, user %v", s, err, u.Host, u.User)
			}
			switch strings.ToLower(u.Scheme) {
			case "https":
			case "http":
				h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
				ip := net.ParseIP(h)
				if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
					t.Fatalf("%q accepted over plain http to the non-loopback host %q", s, u.Hostname())
				}
			default:
				t.Fatalf("%q accepted with the scheme %q", s, u.Scheme)
			}
		}

		if checkEndpointURL(s) == "" {
			u, err := url.Parse(s)
			if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.User != nil ||
				u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
				t.Fatalf("%q accepted as an endpoint (err %v)", s, err)
			}
		}
	})
}

// rotateAlnum maps ASCII letters by rot13 and digits by rot5, keeping every
// other byte.
func rotateAlnum(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+5)%10
		}
	}
	return string(b)
}
