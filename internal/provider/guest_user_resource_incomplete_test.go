package provider

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Ctrl-C cancels the operation's context: waitUntil must say so, not report
// "timed out after 0s", and the error must be recognisable as a cancellation.
func TestWaitUntilReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	err := waitUntil(ctx, "user u1 is readable", func(context.Context) (bool, error, error) {
		calls++
		cancel()
		return false, errors.New("404 Request_ResourceNotFound"), nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v does not wrap context.Canceled", err)
	}
	if want := regexp.MustCompile(`^cancelled after 0s \(1 attempts\) while waiting until user u1 is readable: Terraform stopped the operation \(interrupted, e\.g\. Ctrl-C\)`); !want.MatchString(err.Error()) {
		t.Fatalf("error %q does not match %s", err, want)
	}
	if calls != 1 {
		t.Fatalf("check called %d times after the cancellation, want 1", calls)
	}
}

// A call cut short by the cancellation fails because of it; its error is
// no "fatal" Graph answer to report.
func TestWaitUntilCancelledDuringCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	err := waitUntil(ctx, "x", func(context.Context) (bool, error, error) {
		cancel()
		return false, nil, errors.New("post \"https://graph\": context canceled")
	})
	if !errors.Is(err, context.Canceled) || regexp.MustCompile(`post`).MatchString(err.Error()) {
		t.Fatalf("got %v, want the cancellation", err)
	}
}

// A timeout stays a timeout and names the last real result.
func TestWaitUntilTimeoutNamesLastError(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	last := errors.New("404 Request_ResourceNotFound")
	err := waitUntil(ctx, "user u1 is readable", func(context.Context) (bool, error, error) { return false, last, nil })
	if !errors.Is(err, last) || errors.Is(err, context.Canceled) {
		t.Fatalf("error %v: want a timeout wrapping the last result", err)
	}
	if want := regexp.MustCompile(`^timed out after \d+s \(\d+ attempts\) waiting until user u1 is readable; last result: 404`); !want.MatchString(err.Error()) {
		t.Fatalf("error %q does not match %s", err, want)
	}
}

func TestIncompleteCreateDiagnostic(t *testing.T) {
	inc := incompleteCreate{
		email: "alice@partner.example", id: "u1", failed: "setting its profile (PATCH /users/u1)",
		left: []string{"the profile properties the invitation does not carry (PATCH)", "the group memberships in group_ids"},
		err:  errors.New("503 serviceNotAvailable"),
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()
	for name, c := range map[string]struct {
		ctx     context.Context
		summary string
		detail  string
	}{
		"failure": {t.Context(), "Guest User Invited But Not Fully Configured",
			`(?s)^The invitation to alice@partner\.example created user u1, but setting its profile \(PATCH /users/u1\) failed\. The guest is saved to the state, not tainted: it will not be deleted nor invited again\. ` +
				`Not done yet: the profile properties the invitation does not carry \(PATCH\); the group memberships in group_ids\.\n\n` +
				`The next terraform plan reads the guest from Microsoft Graph and shows what is missing as an in-place update \(~\); apply it to finish.*\n\nCause: 503 serviceNotAvailable$`},
		"interrupted": {cancelled, "Guest User Invited, Apply Interrupted",
			`^The invitation to alice@partner\.example created user u1, but Terraform was interrupted \(Ctrl-C or a cancelled run\) while setting its profile`},
		"timed out": {expired, "Guest User Invited But Not Fully Configured",
			`^The invitation to alice@partner\.example created user u1, but timeouts\.create ran out while setting its profile`},
	} {
		t.Run(name, func(t *testing.T) {
			d := incompleteCreateDiagnostic(c.ctx, inc)
			if d.Severity() != diag.SeverityWarning {
				t.Fatalf("severity %v: an error would taint the guest", d.Severity())
			}
			if d.Summary() != c.summary {
				t.Fatalf("summary %q, want %q", d.Summary(), c.summary)
			}
			if !regexp.MustCompile(c.detail).MatchString(d.Detail()) {
				t.Fatalf("detail %q does not match %s", d.Detail(), c.detail)
			}
		})
	}
	inc.attr = path.Root("group_ids")
	if d, ok := incompleteCreateDiagnostic(t.Context(), inc).(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("group_ids")) {
		t.Fatal("the warning is not tied to group_ids")
	}
}

func TestKnownOnly(t *testing.T) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "mail": tftypes.String, "groups": tftypes.Set{ElementType: tftypes.String},
	}}
	v := tftypes.NewValue(typ, map[string]tftypes.Value{
		"id":     tftypes.NewValue(tftypes.String, "u1"),
		"mail":   tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"groups": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, tftypes.UnknownValue),
	})
	got, err := knownOnly(v)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsFullyKnown() {
		t.Fatalf("%v still holds unknowns", got)
	}
	want := tftypes.NewValue(typ, map[string]tftypes.Value{
		"id":     tftypes.NewValue(tftypes.String, "u1"),
		"mail":   tftypes.NewValue(tftypes.String, nil),
		"groups": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, nil),
	})
	if !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
