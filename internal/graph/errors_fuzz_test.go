package graph

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// fuzzSecret stands for the client secret: whatever Graph or the identity
// platform echoes back, it must never reach an error message.
const fuzzSecret = "fuzz-Secret~value.0123456789"

func fuzzClient() *client {
	return &client{
		cfg:     Config{Auth: AuthConfig{Method: AuthClientSecret}},
		secrets: []string{fuzzSecret},
		log:     nopLogger{},
	}
}

// graphErrorSeeds are bodies Graph really sends (shapes from the Graph
// error-responses page) plus broken ones.
var graphErrorSeeds = []string{
	`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2026-11-27T10:00:00","request-id":"0f4a1c56-3b5e-4d0a-9f1e-2f3c4d5e6f70","client-request-id":"0f4a1c56-3b5e-4d0a-9f1e-2f3c4d5e6f71"}}}`,
	`{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`,
	`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`,
	`{"error":{"code":"BadRequest","message":"echoed ` + fuzzSecret + ` in a message","innerError":{"date":"not a date"}}}`,
	`{"error":{"code":null,"message":null}}`,
	`{"error":{}}`,
	`{"error":"a string"}`,
	`{"error":{"innererror":{"innererror":{"innererror":{}}}}}`,
	`{"error":{"details":[{"code":"x","message":"y","target":"z"}]}}`,
	`{}`, `[]`, `null`, ``, `{"error":`, `<html>Service Unavailable</html>`,
}

// FuzzGraphErrorBody parses an arbitrary error body the way the SDK does
// (kiota JSON parse node into ODataError) and turns it into an *Error:
// no panic, the kind follows the status, the secret is redacted and the
// message is never empty.
func FuzzGraphErrorBody(f *testing.F) {
	statuses := []int{400, 401, 403, 404, 409, 429, 500, 503, 504}
	for i, s := range graphErrorSeeds {
		f.Add([]byte(s), statuses[i%len(statuses)], "5")
	}
	f.Add([]byte(graphErrorSeeds[0]), 429, "Fri, 27 Nov 2026 10:00:00 GMT")
	f.Add([]byte(graphErrorSeeds[2]), 503, "-3")
	f.Fuzz(func(t *testing.T, body []byte, status int, retryAfter string) {
		if status < 400 || status > 599 {
			status = 400 + (status%200+200)%200
		}
		c := fuzzClient()
		var cause error
		if node, err := jsonserialization.NewJsonParseNode(body); err == nil {
			if v, err := node.GetObjectValue(odataerrors.CreateODataErrorFromDiscriminatorValue); err == nil && v != nil {
				if oe, ok := v.(*odataerrors.ODataError); ok {
					oe.ResponseStatusCode = status
					h := abs.NewResponseHeaders()
					h.Add("Retry-After", retryAfter)
					oe.ResponseHeaders = h
					cause = oe
				}
			}
		}
		if cause == nil {
			// Not JSON: kiota reports an ApiError with the status only.
			ae := &abs.ApiError{Message: string(body), ResponseStatusCode: status, ResponseHeaders: abs.NewResponseHeaders()}
			ae.ResponseHeaders.Add("Retry-After", retryAfter)
			cause = ae
		}
		e := c.toError(opGetUser, cause)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if e.Kind != kindForStatus(status) {
			t.Fatalf("status %d gave kind %v, want %v", status, e.Kind, kindForStatus(status))
		}
		if e.Message == "" || e.Code == "" {
			t.Fatalf("empty code or message: %+v", e)
		}
		if strings.Contains(e.Message, fuzzSecret) {
			t.Fatalf("the secret survived in the message: %q", e.Message)
		}
		if (e.Kind == KindForbidden) != (e.RequiredPermission != "") {
			t.Fatalf("kind %v with required permission %q", e.Kind, e.RequiredPermission)
		}
		if e.hasRetryAfter && e.retryAfter < 0 {
			t.Fatalf("negative Retry-After %v from %q", e.retryAfter, retryAfter)
		}
		_ = e.Error()
	})
}

// FuzzRetryAfter: Retry-After is seconds or an HTTP date; anything else is
// ignored, and a wait is never negative.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "1.5", "-1", "", " 7 ", "Fri, 27 Nov 2026 10:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "1e400", "NaN", "soon"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if !ok && d != 0 {
			t.Fatalf("%q: not ok but %v", v, d)
		}
		if d < 0 {
			t.Fatalf("%q: negative wait %v", v, d)
		}
	})
}

// FuzzTokenErrorBody feeds arbitrary identity-platform error bodies to
// tokenFailure: a refusal (4xx) is KindUnauthorized, an answer that is no
// verdict on the credentials (5xx, 429, a proxy's 407) is KindOther
// (tokenServiceFailure); always a code, the secret redacted.
func FuzzTokenErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-11-27 10:00:00Z","error_codes":[7000215],"trace_id":"1"}`,
		`{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found."}`,
		`{"error":"unauthorized_client","error_description":"echo ` + fuzzSecret + `"}`,
		`{"error":"","error_description":""}`,
		`{"error_description":"AADSTS: no digits"}`,
		`not json`, ``, `null`,
	} {
		f.Add([]byte(s), 400)
	}
	for _, st := range []int{407, 429, 503, 504} {
		f.Add([]byte(`<html><body>Service Unavailable</body></html>`), st)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 400 || status > 599 {
			status = 400
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body)),
			Request: &http.Request{Method: http.MethodPost}}
		e := fuzzClient().tokenFailure(&azidentity.AuthenticationFailedError{RawResponse: resp})
		want := KindUnauthorized
		if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusProxyAuthRequired {
			want = KindOther
		}
		if e.Kind != want {
			t.Fatalf("status %d: kind %v, want %v", status, e.Kind, want)
		}
		if e.Message == "" {
			t.Fatal("empty message")
		}
		if strings.Contains(e.Message, fuzzSecret) {
			t.Fatalf("the secret survived in the message: %q", e.Message)
		}
		if strings.ContainsAny(e.Code, "\r\n") {
			t.Fatalf("multi-line code %q", e.Code)
		}
		_ = e.Error()
	})
}
