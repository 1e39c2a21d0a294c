package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testGroupID = "6f0c9a32-4d5e-4c1b-9a77-0a1b2c3d4e5f"
	testUserID  = "0d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
)

func groupsCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// refBody decodes the @odata.id of a POST .../$ref body.
func refBody(t *testing.T, b []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	s, _ := v["@odata.id"].(string)
	return s
}

func TestAddGroupMemberRequestAndOutcomes(t *testing.T) {
	const already = "One or more added object references already exist for the following modified properties: 'members'."
	cases := []struct {
		name     string
		status   int
		code     string
		message  string
		wantErr  bool
		wantKind ErrorKind
		wantPerm string
	}{
		{name: "added", status: 204},
		{name: "already a member", status: 400, code: "Request_BadRequest", message: already},
		{name: "bad reference", status: 400, code: "Request_BadRequest", message: "Invalid object identifier 'x'.", wantErr: true, wantKind: KindBadRequest},
		{name: "not found", status: 404, code: "Request_ResourceNotFound", message: "Resource '" + testUserID + "' does not exist or one of its queried reference-property objects are not present.", wantErr: true, wantKind: KindNotFound},
		{name: "forbidden", status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.", wantErr: true, wantKind: KindForbidden, wantPerm: "GroupMember.ReadWrite.All"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 204 {
					w.WriteHeader(204)
					return
				}
				graphError(w, tc.status, tc.code, tc.message, "req-1")
			})
			c := f.client(f.config())
			err := c.AddGroupMember(groupsCtx(t), testGroupID, testUserID)
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("AddGroupMember: %v", err)
				}
			} else {
				if err == nil {
					t.Fatal("AddGroupMember succeeded, want an error")
				}
				if kindOf(err) != tc.wantKind {
					t.Fatalf("kind = %v, want %v (%v)", kindOf(err), tc.wantKind, err)
				}
				e := err.(*Error)
				if e.RequiredPermission != tc.wantPerm {
					t.Fatalf("RequiredPermission = %q, want %q", e.RequiredPermission, tc.wantPerm)
				}
				if e.Operation != "POST /groups/{id}/members/$ref" || e.RequestID != "req-1" {
					t.Fatalf("error = %+v", e)
				}
			}
			calls := f.calls()
			if len(calls) != 1 {
				t.Fatalf("%d Graph calls, want 1", len(calls))
			}
			got := calls[0]
			if got.Method != "POST" || got.Path != "/v1.0/groups/"+testGroupID+"/members/$ref" {
				t.Fatalf("request = %s %s", got.Method, got.Path)
			}
			if ref := refBody(t, got.Body); ref != f.srv.URL+"/v1.0/directoryObjects/"+testUserID {
				t.Fatalf("@odata.id = %q", ref)
			}
		})
	}
}

// Throttled adds are retried, each attempt with the reference.
func TestAddGroupMemberRetriesThrottling(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "Too many requests", "")
			return
		}
		w.WriteHeader(204)
	})
	c := f.client(f.config())
	// kiota's retry handler answers the first 429s itself; the ones that
	// outlive it are repeated by call. Either way every attempt needs the body.
	if err := c.AddGroupMember(groupsCtx(t), testGroupID, testUserID); err != nil {
		t.Fatalf("AddGroupMember: %v", err)
	}
	calls := f.calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i, call := range calls {
		if ref := refBody(t, call.Body); ref != f.srv.URL+"/v1.0/directoryObjects/"+testUserID {
			t.Fatalf("attempt %d: @odata.id = %q", i+1, ref)
		}
	}
}

func TestRemoveGroupMemberRequestAndOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		code     string
		wantKind ErrorKind
		wantErr  bool
	}{
		{name: "removed", status: 204},
		{name: "not a member", status: 404, code: "Request_ResourceNotFound"},
		{name: "forbidden", status: 403, code: "Authorization_RequestDenied", wantErr: true, wantKind: KindForbidden},
		{name: "bad request", status: 400, code: "Request_BadRequest", wantErr: true, wantKind: KindBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 204 {
					w.WriteHeader(204)
					return
				}
				graphError(w, tc.status, tc.code, "refused", "")
			})
			c := f.client(f.config())
			err := c.RemoveGroupMember(groupsCtx(t), testGroupID, testUserID)
			if tc.wantErr != (err != nil) {
				t.Fatalf("RemoveGroupMember = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && kindOf(err) != tc.wantKind {
				t.Fatalf("kind = %v, want %v", kindOf(err), tc.wantKind)
			}
			if tc.wantKind == KindForbidden && err.(*Error).RequiredPermission != "GroupMember.ReadWrite.All" {
				t.Fatalf("RequiredPermission = %q", err.(*Error).RequiredPermission)
			}
			calls := f.calls()
			if len(calls) != 1 || calls[0].Method != "DELETE" || calls[0].Path != "/v1.0/groups/"+testGroupID+"/members/"+testUserID+"/$ref" {
				t.Fatalf("calls = %+v", calls)
			}
		})
	}
}

func TestGetGroup(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/groups/"+testGroupID {
			writeJSON(w, 200, map[string]any{"@odata.context": "x", "id": strings.ToUpper(testGroupID), "displayName": "Partners"})
			return
		}
		graphError(w, 404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property objects are not present.", "")
	})
	c := f.client(f.config())
	g, err := c.GetGroup(groupsCtx(t), testGroupID)
	if err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	if g.ID != testGroupID || g.DisplayName != "Partners" {
		t.Fatalf("GetGroup = %+v", g)
	}
	if sel := f.calls()[0].Query.Get("$select"); sel != "id,displayName" {
		t.Fatalf("$select = %q", sel)
	}
	_, err = c.GetGroup(groupsCtx(t), "3a3a3a3a-0000-0000-0000-000000000000")
	if !IsNotFound(err) || err.(*Error).Operation != "GET /groups/{id}" {
		t.Fatalf("missing group: %v", err)
	}
	if _, err := c.GetGroup(groupsCtx(t), " "); !IsBadRequest(err) {
		t.Fatalf("empty ID: %v", err)
	}
}

// pagedFake serves ids in pages of size per page, each next link naming
// the following offset, and records the queries it saw.
func pagedFake(t *testing.T, f *fake, path string, ids []string, per int) {
	t.Helper()
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			graphError(w, 404, "Request_ResourceNotFound", "unexpected path "+r.URL.Path, "")
			return
		}
		off := 0
		if s := r.URL.Query().Get("$skiptoken"); s != "" {
			_, _ = fmt.Sscanf(s, "%d", &off)
		}
		end := min(off+per, len(ids))
		var vals []map[string]any
		for _, id := range ids[off:end] {
			vals = append(vals, map[string]any{"@odata.type": "#microsoft.graph.group", "id": id})
		}
		body := map[string]any{"value": vals}
		if end < len(ids) {
			body["@odata.nextLink"] = fmt.Sprintf("%s%s?$select=id&$skiptoken=%d", f.srv.URL, path, end)
		}
		writeJSON(w, 200, body)
	})
}

func TestListUserGroupIDsPagesAndLowerCases(t *testing.T) {
	f := newFake(t)
	ids := []string{"AAAAAAAA-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "CcCcCcCc-0000-0000-0000-000000000003"}
	path := "/v1.0/users/" + testUserID + "/memberOf/microsoft.graph.group"
	pagedFake(t, f, path, ids, 2)
	c := f.client(f.config())
	got, err := c.ListUserGroupIDs(groupsCtx(t), testUserID)
	if err != nil {
		t.Fatalf("ListUserGroupIDs: %v", err)
	}
	want := []string{"aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ids = %v, want %v", got, want)
	}
	calls := f.calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2 pages", len(calls))
	}
	if q := calls[0].Query; q.Get("$select") != "id" || q.Get("$top") != "999" {
		t.Fatalf("first page query = %v", q)
	}
	if calls[1].Query.Get("$skiptoken") != "2" {
		t.Fatalf("second page query = %v", calls[1].Query)
	}
}

func TestListUserGroupIDsEmptyIsNotNil(t *testing.T) {
	f := newFake(t)
	pagedFake(t, f, "/v1.0/users/"+testUserID+"/memberOf/microsoft.graph.group", nil, 5)
	got, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("ListUserGroupIDs = %#v, %v", got, err)
	}
}

func TestListUserGroupIDsRefusesForeignNextLinkAndLoops(t *testing.T) {
	for _, next := range []string{"https://graph.example.invalid/v1.0/next", ""} {
		f := newFake(t)
		self := next == ""
		f.setGraph(func(w http.ResponseWriter, r *http.Request) {
			link := next
			if self {
				link = f.srv.URL + "/v1.0/users/" + testUserID + "/memberOf/microsoft.graph.group?$skiptoken=same"
			}
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": testGroupID}}, "@odata.nextLink": link})
		})
		_, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
		if err == nil || err.(*Error).Operation != "GET /users/{id}/memberOf/microsoft.graph.group" {
			t.Fatalf("next %q: err = %v", next, err)
		}
		if !self && len(f.calls()) != 1 {
			t.Fatalf("followed a foreign next link: %d calls", len(f.calls()))
		}
	}
}

func TestListUserGroupIDsForbiddenNamesPermission(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
	})
	_, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
	if !IsForbidden(err) || err.(*Error).RequiredPermission != "Directory.Read.All" {
		t.Fatalf("err = %v", err)
	}
}

func TestSponsorsRequests(t *testing.T) {
	const sponsor = "5A5A5A5A-1111-2222-3333-444444444444"
	f := newFake(t)
	var addStatus atomic.Int32
	addStatus.Store(204)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		base := "/v1.0/users/" + testUserID + "/sponsors"
		switch {
		case r.Method == "GET" && r.URL.Path == base:
			writeJSON(w, 200, map[string]any{"value": []any{
				map[string]any{"@odata.type": "#microsoft.graph.user", "id": sponsor},
				map[string]any{"@odata.type": "#microsoft.graph.group", "id": testGroupID},
			}})
		case r.Method == "POST" && r.URL.Path == base+"/$ref":
			switch addStatus.Load() {
			case 204:
				w.WriteHeader(204)
			case 400:
				graphError(w, 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'sponsors'.", "")
			case 403:
				graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
			default:
				graphError(w, 404, "Request_ResourceNotFound", "Resource '"+sponsor+"' does not exist or one of its queried reference-property objects are not present.", "")
			}
		case r.Method == "DELETE" && r.URL.Path == base+"/"+sponsor+"/$ref":
			w.WriteHeader(204)
		default:
			graphError(w, 404, "Request_ResourceNotFound", "no such sponsor", "")
		}
	})
	c := f.client(f.config())
	ctx := groupsCtx(t)

	ids, err := c.ListSponsorIDs(ctx, testUserID)
	if err != nil || strings.Join(ids, ",") != strings.ToLower(sponsor)+","+testGroupID {
		t.Fatalf("ListSponsorIDs = %v, %v", ids, err)
	}
	if q := f.calls()[0].Query; q.Get("$select") != "id" {
		t.Fatalf("sponsors query = %v", q)
	}

	if err := c.AddSponsor(ctx, testUserID, sponsor); err != nil {
		t.Fatalf("AddSponsor: %v", err)
	}
	calls := f.calls()
	if last := calls[len(calls)-1]; refBody(t, last.Body) != f.srv.URL+"/v1.0/directoryObjects/"+sponsor ||
		!strings.HasPrefix(last.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("AddSponsor request = %+v (%s)", last, last.Body)
	}
	addStatus.Store(400)
	if err := c.AddSponsor(ctx, testUserID, sponsor); err != nil {
		t.Fatalf("AddSponsor of an existing sponsor: %v", err)
	}
	addStatus.Store(404)
	if err := c.AddSponsor(ctx, testUserID, sponsor); !IsNotFound(err) {
		t.Fatalf("AddSponsor of an unknown sponsor: %v", err)
	}
	addStatus.Store(403)
	err = c.AddSponsor(ctx, testUserID, sponsor)
	if !IsForbidden(err) || err.(*Error).RequiredPermission != "User.ReadWrite.All" || err.(*Error).Operation != "POST /users/{id}/sponsors/$ref" {
		t.Fatalf("AddSponsor forbidden: %v", err)
	}

	if err := c.RemoveSponsor(ctx, testUserID, sponsor); err != nil {
		t.Fatalf("RemoveSponsor: %v", err)
	}
	if err := c.RemoveSponsor(ctx, testUserID, "99999999-0000-0000-0000-000000000000"); err != nil {
		t.Fatalf("RemoveSponsor of a non-sponsor: %v", err)
	}
	calls = f.calls()
	if last := calls[len(calls)-1]; last.Method != "DELETE" || last.Path != "/v1.0/users/"+testUserID+"/sponsors/99999999-0000-0000-0000-000000000000/$ref" {
		t.Fatalf("RemoveSponsor request = %s %s", last.Method, last.Path)
	}
	if err := c.AddSponsor(ctx, testUserID, ""); !IsBadRequest(err) {
		t.Fatalf("empty sponsor ID: %v", err)
	}
}
