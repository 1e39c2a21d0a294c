package graph

import (
	"encoding/json"
	"time"
)

// wireUser is a user as Graph's JSON carries it, for the properties in
// userSelect. Batch items are decoded with encoding/json rather than the
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
	GivenName                       *string    `json:"givenName"`
	Surname                         *string    `json:"surname"`
	JobTitle                        *string    `json:"jobTitle"`
	Department                      *string    `json:"department"`
	CompanyName                     *string    `json:"companyName"`
	OfficeLocation                  *string    `json:"officeLocation"`
	MobilePhone                     *string    `json:"mobilePhone"`
	UsageLocation                   *string    `json:"usageLocation"`
	EmployeeID                      *string    `json:"employeeId"`
	EmployeeType                    *string    `json:"employeeType"`
	City                            *string    `json:"city"`
	State                           *string    `json:"state"`
	Country                         *string    `json:"country"`
	StreetAddress                   *string    `json:"streetAddress"`
	PostalCode                      *string    `json:"postalCode"`
	PreferredLanguage               *string    `json:"preferredLanguage"`
	FaxNumber                       *string    `json:"faxNumber"`
	BusinessPhones                  []*string  `json:"businessPhones"`
	OtherMails                      []*string  `json:"otherMails"`
}

func decodeUserJSON(b []byte) (*User, error) {
	var w wireUser
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	return &User{
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
		GivenName:                       w.GivenName,
		Surname:                         w.Surname,
		JobTitle:                        w.JobTitle,
		Department:                      w.Department,
		CompanyName:                     w.CompanyName,
		OfficeLocation:                  w.OfficeLocation,
		MobilePhone:                     w.MobilePhone,
		UsageLocation:                   w.UsageLocation,
		EmployeeID:                      w.EmployeeID,
		EmployeeType:                    w.EmployeeType,
		City:                            w.City,
		State:                           w.State,
		Country:                         w.Country,
		StreetAddress:                   w.StreetAddress,
		PostalCode:                      w.PostalCode,
		PreferredLanguage:               w.PreferredLanguage,
		FaxNumber:                       w.FaxNumber,
		BusinessPhones:                  strs(w.BusinessPhones),
		OtherMails:                      strs(w.OtherMails),
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
