package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The allowed values of the guest user's enumerated attributes, listed once
// and used by both the validators and the attribute descriptions.
var (
	// userTypes are Graph's userType values for an invited user.
	userTypes = []string{userTypeGuest, userTypeMember}

	// onDestroyModes are what destroying a b2b_guest_user does in Entra.
	onDestroyModes = []string{onDestroyDelete, onDestroyPurge, onDestroyDisable, onDestroyAbandon}
)

const (
	userTypeGuest  = "Guest"
	userTypeMember = "Member"

	onDestroyDelete  = "delete"
	onDestroyPurge   = "purge"
	onDestroyDisable = "disable"
	onDestroyAbandon = "abandon"
)

// invitationLanguages are the locale codes of the languages the B2B
// invitation email is localized into, i.e. the values of
// invitedUserMessageInfo.messageLanguage that change the email. Source:
// https://learn.microsoft.com/entra/external-id/invitation-email-elements
// ("Supported languages"); the default is en-US per
// https://learn.microsoft.com/graph/api/resources/invitedusermessageinfo.
var invitationLanguages = []string{
	"ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hr", "hu", "id", "it",
	"ja", "kk", "ko", "lt", "lv", "nb", "nl", "pl", "pt-br", "pt-pt", "ro", "ru", "sk", "sl",
	"sr-latn-rs", "sv", "th", "tr", "uk", "zh-hans", "zh-hant",
}

// isoCountryCodes are the ISO 3166-1 alpha-2 codes, which is what Graph
// accepts for usageLocation
// (https://learn.microsoft.com/graph/api/resources/user, usageLocation).
var isoCountryCodes = strings.Fields(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW`)

// usageLocationValidator accepts an upper-case ISO 3166-1 alpha-2 code.
// Upper case only: Graph returns the code upper-cased, so "us" in the
// configuration would diff forever.
func usageLocationValidator() validator.String { return usageLocationStringValidator{} }

type usageLocationStringValidator struct{}

func (usageLocationStringValidator) Description(context.Context) string {
	return "must be an ISO 3166-1 alpha-2 country code in upper case, e.g. US, GB or DE"
}

func (v usageLocationStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (usageLocationStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	for _, c := range isoCountryCodes {
		if s == c {
			return
		}
	}
	hint := ""
	if up := strings.ToUpper(s); up != s {
		for _, c := range isoCountryCodes {
			if up == c {
				hint = fmt.Sprintf(" Write it in upper case: %q.", up)
			}
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Usage Location",
		fmt.Sprintf("The value %q is not an ISO 3166-1 alpha-2 country code.%s Accepted: two upper-case "+
			"letters naming a country, e.g. US, GB, DE or FR.", s, hint))
}

// invitationLanguageValidator accepts a supported invitation language code
// (case-insensitive, as Graph treats it), also with a two-letter region
// such as en-US or de-DE when the bare language is supported.
func invitationLanguageValidator() validator.String { return invitationLanguageStringValidator{} }

type invitationLanguageStringValidator struct{}

func (invitationLanguageStringValidator) Description(context.Context) string {
	return "must be one of the invitation email languages: " + strings.Join(invitationLanguages, ", ") +
		" (a bare language may carry a two-letter region, e.g. en-US)"
}

func (v invitationLanguageStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (invitationLanguageStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if isInvitationLanguage(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Unsupported Invitation Language",
		fmt.Sprintf("The value %q is not a language the invitation email is available in. Accepted: %s; "+
			"a bare language may carry a two-letter region, e.g. en-US or de-DE.",
			req.ConfigValue.ValueString(), strings.Join(invitationLanguages, ", ")))
}

func isInvitationLanguage(s string) bool {
	s = strings.ToLower(s)
	lang, region, hasRegion := strings.Cut(s, "-")
	for _, l := range invitationLanguages {
		if s == l {
			return true
		}
		if hasRegion && lang == l && len(region) == 2 && region[0] >= 'a' && region[0] <= 'z' && region[1] >= 'a' && region[1] <= 'z' {
			return true
		}
	}
	return false
}
