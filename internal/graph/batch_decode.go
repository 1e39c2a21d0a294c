package graph

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// wireUser is a user as Graph's JSON carries it, for the typed properties
// of User (the profile strings are added by wireType). Batch items are decoded with encoding/json rather than the
// SDK's parse node: kiota's backing store costs about 400 allocations per
// user (BenchmarkSplitUserBatch), which a 1,000-guest refresh pays in full.
// TestBatchDecodeMatchesSDK keeps the two paths equal.
type wireUser struct {
	ID                              string     `json:"id"`
	DisplayName                     *string    `json:"displayName"`
	UserPrincipalName               *string    `json:"userPrincipalName"`
	Mail                            *string    `json:"mail"`
	UserType                        *string    `json:"userType"`
	ExternalUserState               *string    `json:"externalUserState"`
	ExternalUserStateChangeDateTime *time.Time `json:"externalUserStateChangeDateTime"`
	CreationType                    *string    `json:"creationType"`
	CreatedDateTime                 *time.Time `json:"createdDateTime"`
	AccountEnabled                  *bool      `json:"accountEnabled"`
	BusinessPhones                  []*string  `json:"businessPhones"`
	OtherMails                      []*string  `json:"otherMails"`

	SignInActivity *wireSignInActivity `json:"signInActivity"`
}

// wireType is wireUser plus one *string field per profile string of the
// table, tagged with its Graph name: built once from userprop so that a new
// profile row is decoded without an edit here, in the same single
// json.Unmarshal pass.
var wireType = func() reflect.Type {
	fields := []reflect.StructField{{Name: "W", Type: reflect.TypeFor[wireUser](), Anonymous: true}}
	for i, p := range userprop.Profiles() {
		typ := reflect.TypeFor[*string]()
		if p.Type == userprop.Time {
			typ = reflect.TypeFor[*time.Time]()
		}
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("P%d", i), Type: typ,
			Tag: reflect.StructTag(`json:"` + p.Graph + `"`),
		})
	}
	return reflect.StructOf(fields)
}()

func decodeUserJSON(b []byte) (*User, error) {
	v := reflect.New(wireType)
	if err := json.Unmarshal(b, v.Interface()); err != nil {
		return nil, err
	}
	e := v.Elem()
	w, ok := e.Field(0).Interface().(wireUser)
	if !ok {
		return nil, fmt.Errorf("graph: decoding a user: field 0 of %v is not wireUser", wireType)
	}
	var profile map[string]string
	for i, p := range userprop.Profiles() {
		if s, ok := profileText(e.Field(i + 1).Interface()); ok {
			if profile == nil {
				profile = map[string]string{}
			}
			profile[p.Graph] = s
		}
	}
	return &User{
		Profile:                         profile,
		ID:                              w.ID,
		DisplayName:                     deref(w.DisplayName),
		UserPrincipalName:               deref(w.UserPrincipalName),
		Mail:                            deref(w.Mail),
		UserType:                        deref(w.UserType),
		ExternalUserState:               deref(w.ExternalUserState),
		ExternalUserStateChangeDateTime: utc(w.ExternalUserStateChangeDateTime),
		CreationType:                    deref(w.CreationType),
		CreatedDateTime:                 utc(w.CreatedDateTime),
		AccountEnabled:                  w.AccountEnabled,
		BusinessPhones:                  strs(w.BusinessPhones),
		OtherMails:                      strs(w.OtherMails),
		SignInActivity:                  w.SignInActivity.toSignIn(),
	}, nil
}

// strs drops JSON nulls inside a collection, as the SDK does.
func strs(in []*string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// profileText is the text User.Profile carries for a decoded profile
// value: a string as it is, a time as RFC 3339 in UTC, the form the
// provider's validators accept, so that an offset or fractional seconds in
// Graph's answer never show as a change. ok is false for null.
func profileText(v any) (text string, ok bool) {
	switch x := v.(type) {
	case *string:
		if x != nil {
			return *x, true
		}
	case *time.Time:
		if x != nil {
			return x.UTC().Format(time.RFC3339), true
		}
	}
	return "", false
}
