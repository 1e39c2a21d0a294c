package graph

import (
	"slices"
	"testing"
)

// The provider's internal-account rule (isB2BCollaborationUser in
// internal/provider) decides from these properties, which Graph returns
// only when $select names them: every user read and look-up must select them.
func TestUserSelectHasB2BRuleProperties(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"creationType", "externalUserState", "userPrincipalName", "userType"} {
		if !slices.Contains(userSelect, p) {
			t.Errorf("userSelect lacks %s", p)
		}
	}
}
