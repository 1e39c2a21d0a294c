package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// graphLengthAtMost counts UTF-16 code units, as Graph does: 129 emoji
// are 129 runes (within 256, so UTF8LengthBetween passes them) but 258
// code units, which Graph refuses.
func TestGraphLengthAtMost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value string
		ok    bool
		got   string // the counted length the diagnostic reports
	}{
		{"ASCII at the limit", strings.Repeat("x", 256), true, ""},
		{"two-byte characters at the limit", strings.Repeat("ü", 256), true, ""},
		{"128 emoji: 256 code units", strings.Repeat("😀", 128), true, ""},
		{"129 emoji: 129 runes, 258 code units", strings.Repeat("😀", 129), false, "258"},
		{"255 letters and an emoji: 257 code units", strings.Repeat("x", 255) + "😀", false, "257"},
		{"CJK Extension B outside the BMP", strings.Repeat("𠀋", 129), false, "258"},
		{"ASCII over the limit", strings.Repeat("x", 257), false, "257"},
		{"empty", "", false, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var resp validator.StringResponse
			graphLengthAtMost(256).ValidateString(context.Background(), validator.StringRequest{
				Path: path.Root("display_name"), ConfigValue: types.StringValue(tt.value),
			}, &resp)
			if tt.ok {
				if resp.Diagnostics.HasError() {
					t.Fatalf("refused: %v", resp.Diagnostics)
				}
				return
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("diagnostics %v, want one error", resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			want := "Attribute display_name length must be between 1 and 256 characters as Microsoft Graph counts them " +
				"(UTF-16 code units: an emoji or other character outside the Basic Multilingual Plane counts as 2), got: " + tt.got
			if d.Severity() != diag.SeverityError || d.Summary() != "Invalid Attribute Value Length" || d.Detail() != want {
				t.Fatalf("diagnostic %s %q: %q, want error %q: %q", d.Severity(), d.Summary(), d.Detail(), "Invalid Attribute Value Length", want)
			}
			if p, ok := d.(diag.DiagnosticWithPath); !ok || !p.Path().Equal(path.Root("display_name")) {
				t.Fatalf("diagnostic not on display_name: %v", d)
			}
			if tt.value != "" && strings.Contains(d.Detail(), tt.value[:4]) {
				t.Fatal("the diagnostic repeats the value")
			}
		})
	}
}

// Null and unknown values are left to other checks (the clear rule, apply).
func TestGraphLengthAtMostSkipsNullAndUnknown(t *testing.T) {
	t.Parallel()
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if resp := runStringValidator(graphLengthAtMost(4), v); resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", v, resp.Diagnostics)
		}
	}
}

// Every profile string with a length limit counts as Graph does: one past
// the limit in code units, within it in runes, is refused.
func TestProfileLimitsCountUTF16(t *testing.T) {
	t.Parallel()
	for _, f := range profileStringFields {
		if f.prop.MaxLen < 2 || len(f.prop.Values) > 0 {
			continue
		}
		if _, format := profileFormatValidators[f.prop.Graph]; format && f.prop.Graph != "displayName" {
			continue
		}
		over := strings.Repeat("😀", f.prop.MaxLen/2+1)
		refused := false
		for _, v := range f.validators {
			if resp := runStringValidator(v, types.StringValue(over)); resp.Diagnostics.HasError() {
				refused = true
			}
		}
		if !refused {
			t.Errorf("%s: %d emoji (%d runes, over %d in UTF-16 code units) accepted", f.attr, f.prop.MaxLen/2+1, f.prop.MaxLen/2+1, f.prop.MaxLen)
		}
	}
}
