package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// TestTimeRowRefusesImpossibleDates runs a Time row's validators (the
// pattern and the calendar check) on values of the right shape that name
// no instant, which Graph would refuse only at apply, and on values that
// are fine. Each bad value gets exactly one diagnostic, naming the problem
// without repeating the value.
func TestTimeRowRefusesImpossibleDates(t *testing.T) {
	var row userprop.Prop
	for _, p := range userprop.Users {
		if p.Type == userprop.Time && isProfileString(p) {
			row = p
			break
		}
	}
	if row.Graph == "" {
		t.Fatal("the table has no Time profile row")
	}
	run := func(v string) []string {
		var got []string
		for _, val := range profileValidators(row) {
			req := validator.StringRequest{Path: path.Root(row.Attr), ConfigValue: types.StringValue(v)}
			resp := &validator.StringResponse{}
			val.ValidateString(context.Background(), req, resp)
			for _, d := range resp.Diagnostics.Errors() {
				got = append(got, d.Summary()+": "+d.Detail())
			}
		}
		return got
	}
	for v, want := range map[string]string{
		"2026-02-30T00:00:00Z": "day out of range",
		"2026-01-31T24:00:00Z": "hour out of range",
		"2026-13-01T00:00:00Z": "month out of range",
		"2026-01-31":           "must be an RFC 3339 time in UTC",
	} {
		got := run(v)
		if len(got) != 1 || !strings.Contains(got[0], want) {
			t.Errorf("%s: diagnostics %q, want one containing %q", v, got, want)
			continue
		}
		if strings.Contains(got[0], v) && want != "must be an RFC 3339 time in UTC" {
			t.Errorf("%s: the diagnostic repeats the value: %q", v, got[0])
		}
	}
	for _, v := range []string{"2024-02-29T00:00:00Z", "2026-01-31T23:59:59Z"} {
		if got := run(v); len(got) != 0 {
			t.Errorf("%s: diagnostics %q, want none", v, got)
		}
	}
}
