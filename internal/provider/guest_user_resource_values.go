package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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

// invitationLanguagePattern is the shape of invitedUserMessageInfo.messageLanguage:
// "The language format should be in ISO 639. The default is en-US."
// (https://learn.microsoft.com/graph/api/resources/invitedusermessageinfo).
// Microsoft publishes no list of the languages the email is localized into
// (https://learn.microsoft.com/entra/external-id/invitation-email-elements
// only gives the precedence of the language settings), so the provider
// checks the form, a language with an optional script and region
// (en, en-US, zh-Hans, sr-Latn-RS), and leaves the choice to Graph.
var invitationLanguagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?$`)

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
// configuration would diff forever. It stays hand-written although it is a
// one-of: stringvalidator.OneOf would print all 249 codes in its message
// and could not point out that only the case is wrong.
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
				hint = " Write it in upper case."
			}
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Usage Location",
		fmt.Sprintf("The value of %s is not an ISO 3166-1 alpha-2 country code.%s Accepted: two upper-case "+
			"letters naming a country, e.g. US, GB, DE or FR.", attributeName(req.Path), hint))
}

// invitationLanguageValidator accepts an ISO 639 language tag. The
// diagnostic of stringvalidator.RegexMatches repeats the value, which is
// fine for a language tag.
func invitationLanguageValidator() validator.String {
	return stringvalidator.RegexMatches(invitationLanguagePattern,
		"must be an ISO 639 language code, the format Graph expects for the invitation's messageLanguage: "+
			"a two- or three-letter language, optionally followed by a four-letter script and a two-letter region, "+
			"e.g. de, en-US, pt-BR, zh-Hans or sr-Latn-RS")
}
